package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/discovery"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/oauth"
	"github.com/jwtkit/jwtkit/internal/safehttp"
	"github.com/jwtkit/jwtkit/internal/testenv"
)

// writeKey writes k as PEM (private) and its public half into dir, returning the paths.
func writeKey(t *testing.T, dir, name string, k keys.Key) (priv, pub string) {
	t.Helper()
	privPEM, err := keys.EncodePEM(k)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := keys.EncodePEM(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	priv, pub = filepath.Join(dir, name+".key"), filepath.Join(dir, name+".pub")
	if err := os.WriteFile(priv, privPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pub, pubPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return priv, pub
}

func TestVerifyTimeout(t *testing.T) {
	h := newHarness(t)
	good := h.mint(t, "--sub", "alice")
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	start := time.Now()
	code := h.run("verify", "--timeout", "300ms", "--jwks", srv.URL+"/jwks.json", good)
	if code != 3 || !strings.Contains(h.stderr.String(), "timed out after 300ms") {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("took %v", elapsed)
	}
}

func TestVerifyExitCodes(t *testing.T) {
	h := newHarness(t)
	good := h.mint(t, "--sub", "alice")
	expired := h.mint(t, "--sub", "bob", "--exp", "-1s")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"verify", "--secret", testSecret, good}, 0},
		{[]string{"verify", "--secret", testSecret, expired}, 1},
		{[]string{"verify", "--secret", testSecret, "--aud", "api", good}, 1},
		{[]string{"verify", "--secret", testSecret + "x", good}, 1},
		{[]string{"verify", "--secret", testSecret, "not-a-token"}, 2},
		{[]string{"verify", good}, 2},
		{[]string{"verify", "--secret", testSecret, "--alg", "none", good}, 2},
		{[]string{"verify", "--secret", testSecret, "--max-age", "-1h", good}, 2},
		{[]string{"verify", "--jwks", srv.URL + "/jwks.json", good}, 3},
		{[]string{"verify", "--issuer", srv.URL, good}, 3},
	}
	for _, tt := range tests {
		if got := h.run(tt.args...); got != tt.code {
			t.Errorf("jwtkit %s: exit %d, want %d; stderr %s", strings.Join(tt.args, " "), got, tt.code, h.stderr)
		}
	}
}

// jwksServer serves a JWK Set that the test can replace, counting requests.
type jwksServer struct {
	*httptest.Server
	mu       sync.Mutex
	body     []byte
	requests atomic.Int32
}

func newJWKSServer(t *testing.T, ks ...keys.Key) *jwksServer {
	s := &jwksServer{}
	s.set(t, ks...)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Cache-Control", "max-age=3600")
		_, _ = w.Write(s.body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(t *testing.T, ks ...keys.Key) {
	body, err := keys.MarshalJWKS(ks, false)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.body = body
	s.mu.Unlock()
}

// TestVerifyFollowsRotation: a cached set lacking the token's kid is fetched again once it is
// more than 30s old, once per run however many tokens name the new kid.
func TestVerifyFollowsRotation(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	cacheDir := filepath.Join(dir, "cache")
	h.deps.CacheDir = func() (string, error) { return cacheDir, nil }
	clock := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	h.deps.Now = func() time.Time { return clock }

	oldKey, err := keys.Generate(nil, "EC", 0, "P-256", "")
	if err != nil {
		t.Fatal(err)
	}
	newKey, err := keys.Generate(nil, "OKP", 0, "", "")
	if err != nil {
		t.Fatal(err)
	}
	oldPriv, _ := writeKey(t, dir, "old", oldKey)
	newPriv, _ := writeKey(t, dir, "new", newKey)
	srv := newJWKSServer(t, oldKey)
	url := srv.URL + "/jwks.json"

	oldTok := h.ok(t, "mint", "--key", oldPriv, "--sub", "old")
	newTok := strings.TrimSpace(h.ok(t, "mint", "--key", newPriv, "--sub", "new"))
	if code := h.run("verify", "--jwks", url, oldTok); code != 0 {
		t.Fatalf("old token: exit %d: %s", code, h.stderr)
	}
	srv.set(t, oldKey, newKey)

	// Within 30s of the fetch the set is not fetched again.
	clock = clock.Add(10 * time.Second)
	if code := h.run("verify", "--jwks", url, newTok); code != 1 || srv.requests.Load() != 1 {
		t.Fatalf("within 30s: exit %d, %d requests; stderr %s", code, srv.requests.Load(), h.stderr)
	}
	if msg := h.stderr.String(); !strings.Contains(msg, "and is fetched again at most every 30s)") ||
		strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "jwtkit: ") {
		t.Fatalf("stderr is not one line that explains the wait: %s", msg)
	}

	// After 30s it is, once, even for a stream of many tokens naming the new kid.
	clock = clock.Add(21 * time.Second)
	var stream strings.Builder
	for i := 0; i < 50; i++ {
		stream.WriteString(newTok + "\n")
	}
	h.stdin.Reset()
	h.stdin.WriteString(stream.String())
	if code := h.run("verify", "--jwks", url); code != 0 {
		t.Fatalf("after 30s: exit %d: %s", code, h.stderr)
	}
	if got := srv.requests.Load(); got != 2 {
		t.Fatalf("%d requests, want 2", got)
	}
	if n := strings.Count(h.stdout.String(), `"valid":true`); n != 50 {
		t.Fatalf("%d valid lines, want 50:\n%s", n, h.stdout)
	}
	if !strings.Contains(h.stderr.String(), "was fetched again to follow a key rotation") {
		t.Fatalf("stderr does not mention the refetch: %s", h.stderr)
	}

	// The refreshed set is cached: the next run makes no request.
	if code := h.run("verify", "--jwks", url, newTok); code != 0 || srv.requests.Load() != 2 {
		t.Fatalf("cached refreshed set: exit %d, %d requests", code, srv.requests.Load())
	}
	// And the cache files are private.
	entries, err := os.ReadDir(cacheDir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("cache dir: %v, %d entries", err, len(entries))
	}
	for _, e := range entries {
		info, _ := e.Info()
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v", e.Name(), info.Mode())
		}
	}
	if info, _ := os.Stat(cacheDir); info.Mode().Perm() != 0o700 {
		t.Errorf("cache dir has mode %v", info.Mode())
	}
}

// TestVerifyStreamOrder checks that results come out in input order with the right verdicts,
// whatever order the workers finish in.
func TestVerifyStreamOrder(t *testing.T) {
	h := newHarness(t)
	good := h.mint(t, "--sub", "ok")
	bad := h.mint(t, "--sub", "late", "--exp", "-1s")
	var in strings.Builder
	want := map[int]bool{}
	line := 0
	for i := 0; i < 3000; i++ {
		line++
		switch {
		case i%7 == 3:
			in.WriteString(bad + "\n")
			want[line] = false
		case i%11 == 5:
			in.WriteString("garbage\n")
			want[line] = false
		case i%13 == 0:
			in.WriteString("\n") // blank: skipped, but counted as a line
			continue
		default:
			in.WriteString("Bearer " + good + "\n")
			want[line] = true
		}
	}
	h.stdin.Reset()
	h.stdin.WriteString(in.String())
	code := h.run("verify", "--secret", testSecret)
	if code != 2 { // the worst line is garbage, not a JWT
		t.Fatalf("exit %d, want 2", code)
	}
	sc := bufio.NewScanner(h.stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	prev, n := 0, 0
	for sc.Scan() {
		var r struct {
			Line   int             `json:"line"`
			Valid  bool            `json:"valid"`
			Reason *string         `json:"reason"`
			Claims json.RawMessage `json:"claims"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if r.Line <= prev {
			t.Fatalf("line %d after %d: out of order", r.Line, prev)
		}
		prev = r.Line
		n++
		if w, ok := want[r.Line]; !ok || w != r.Valid {
			t.Fatalf("line %d: valid %v, want %v (%v)", r.Line, r.Valid, w, ok)
		}
		if r.Valid != (r.Reason == nil) || r.Valid != (string(r.Claims) != "null") {
			t.Fatalf("line %d: inconsistent %s", r.Line, sc.Text())
		}
	}
	if n != len(want) {
		t.Fatalf("%d results, want %d", n, len(want))
	}
	if !strings.Contains(h.stderr.String(), "tokens failed, and line 6 is not a JWT: token has 1 segment") {
		t.Fatalf("stderr: %s", h.stderr)
	}
}

// newRepeatReader returns a reader of line repeated n times.
func newRepeatReader(line string, n int) *repeatReader {
	return &repeatReader{line: []byte(line), left: n, off: len(line)}
}

// repeatReader yields the same line n times without holding them.
type repeatReader struct {
	line []byte
	left int
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if r.off == len(r.line) {
			if r.left == 0 {
				break
			}
			r.left--
			r.off = 0
		}
		c := copy(p[n:], r.line[r.off:])
		r.off += c
		n += c
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// countingWriter counts lines and drops them.
type countingWriter struct{ lines atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.lines.Add(int64(bytes.Count(p, []byte{'\n'})))
	return len(p), nil
}

// TestVerifyStreamMemoryIsFlat runs a long stream and checks that the live heap stays small:
// the reader never runs more than a fixed window ahead of the writer.
func TestVerifyStreamMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("long stream")
	}
	h := newHarness(t)
	tok := h.mint(t, "--sub", "stream", "-c", "pad="+strings.Repeat("x", 512))
	const n = 100_000
	out := &countingWriter{}
	h.deps.IO.In = newRepeatReader(tok+"\n", n)
	h.deps.IO.Out = out

	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()
	code := Execute([]string{"verify", "--secret", testSecret}, h.deps)
	close(stop)
	<-done
	if code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	if got := out.lines.Load(); got != n {
		t.Fatalf("%d lines out, want %d", got, n)
	}
	// 100,000 tokens of ~900 bytes are 90 MB of input and more of output; the heap in use
	// must stay far below that.
	if p := peak.Load(); p > 64<<20 {
		t.Fatalf("peak heap in use %d MiB", p>>20)
	}
	t.Logf("peak heap in use: %.1f MiB for %d tokens", float64(peak.Load())/(1<<20), n)
}

// TestVerifyOIDCProvider verifies access tokens of a real OpenID Connect server (oidc-provider)
// through --issuer: discovery, its JWKS, its iss and aud.
func TestVerifyOIDCProvider(t *testing.T) {
	srv := testenv.OIDCProvider(t)
	ctx := context.Background()
	client := safehttp.New(safehttp.Options{})
	doc, err := discovery.Fetch(ctx, client, srv.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost} {
		t.Run(method, func(t *testing.T) {
			c := srv.Client(t, method)
			tok, err := oauth.ClientCredentials(ctx, client, oauth.Request{
				TokenURL: doc.TokenEndpoint, ClientID: c.ID, ClientSecret: []byte(c.Secret),
				AuthMethod: method, Scopes: srv.AllowedScopes, Resources: []string{srv.Resource},
			})
			if err != nil {
				t.Fatal(err)
			}
			h := newHarness(t)
			h.deps.Now = time.Now
			args := []string{"verify", "--issuer", srv.Issuer, "--aud", srv.Resource, "--typ", "at+jwt",
				"--require-claim", "client_id=" + c.ID, "--require-exp", "--max-age", "5m"}
			for _, s := range srv.AllowedScopes {
				args = append(args, "--require-scope", s)
			}
			if code := h.run(append(args, tok.AccessToken)...); code != 0 {
				t.Fatalf("exit %d: %s", code, h.stderr)
			}
			var claims map[string]any
			if err := json.Unmarshal(h.stdout.Bytes(), &claims); err != nil {
				t.Fatal(err)
			}
			if claims["iss"] != srv.Issuer || claims["client_id"] != c.ID {
				t.Fatalf("claims = %v", claims)
			}
			// The server's token, verified against the wrong audience, is refused.
			if code := h.run("verify", "--issuer", srv.Issuer, "--aud", "https://other.example", tok.AccessToken); code != 1 {
				t.Fatalf("wrong audience: exit %d", code)
			}
			if !strings.Contains(h.stderr.String(), "audience mismatch: token has") {
				t.Fatalf("stderr: %s", h.stderr)
			}
		})
	}
}

// TestVerifyTokensFromPeers verifies tokens made by independent implementations (node's jose
// and Debian's jose tool) for every algorithm each supports, with the peer's own key files.
func TestVerifyTokensFromPeers(t *testing.T) {
	payload := []byte(`{"sub":"peer","iat":1795600800,"exp":4102444800}`)
	type peer struct {
		name     string
		supports func(string) bool
		keygen   func(t testing.TB, alg, dir string) testenv.Keys
		sign     func(t testing.TB, alg, keyFile string, payload []byte) string
		pem      bool
	}
	var peers []peer
	t.Run("setup/node", func(t *testing.T) {
		if n := testenv.NodeJose(t); n != nil {
			peers = append(peers, peer{"node", n.Supports, n.Keygen, n.Sign, true})
		}
	})
	t.Run("setup/debian", func(t *testing.T) {
		if d := testenv.DebianJose(t); d != nil {
			peers = append(peers, peer{"debian", d.Supports, d.Keygen, d.Sign, false})
		}
	})
	if len(peers) == 0 {
		t.Skip("no peer available")
	}
	for _, p := range peers {
		for _, alg := range keys.Algorithms() {
			if !p.supports(alg) {
				continue
			}
			t.Run(p.name+"/"+alg, func(t *testing.T) {
				kf := p.keygen(t, alg, t.TempDir())
				signWith := kf.PrivateJWK
				if p.pem && kf.PrivatePEM != "" {
					signWith = kf.PrivatePEM
				}
				tok := p.sign(t, alg, signWith, payload)
				// Secrets are read from the oct JWK: a raw secret file may end in a byte that
				// @file would trim as a newline.
				files := []string{kf.PublicJWK}
				if kf.PublicPEM != "" {
					files = append(files, kf.PublicPEM)
				}
				if kf.PublicJWKS != "" {
					files = append(files, kf.PublicJWKS)
				}
				h := newHarness(t)
				h.deps.Now = time.Now
				for _, f := range files {
					if code := h.run("verify", "--key", f, "--alg", alg, tok); code != 0 {
						t.Fatalf("--key %s: exit %d: %s", filepath.Base(f), code, h.stderr)
					}
					if !strings.Contains(h.stdout.String(), `"sub": "peer"`) {
						t.Fatalf("stdout: %s", h.stdout)
					}
				}
				// The peer's token with one signature bit flipped is refused.
				if code := h.run("verify", "--key", files[0], flipLastSignatureBit(t, tok)); code != 1 {
					t.Fatalf("flipped signature: exit %d: %s", code, h.stderr)
				}
			})
		}
	}
}

// flipLastSignatureBit changes the last signature byte while keeping the segment canonical
// base64url.
func flipLastSignatureBit(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(strings.TrimSpace(tok), ".")
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	sig[len(sig)-1] ^= 1
	parts[2] = base64.RawURLEncoding.EncodeToString(sig)
	return strings.Join(parts, ".")
}

func TestVerifyPaste(t *testing.T) {
	h := newHarness(t)
	good := h.mint(t, "--sub", "pasted")
	h.clip.Text = "  Authorization: Bearer " + good + "\n"
	if code := h.run("verify", "--paste", "--secret", testSecret); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	if !strings.Contains(h.stdout.String(), `"sub": "pasted"`) {
		t.Fatalf("stdout: %s", h.stdout)
	}
	if code := h.run("verify", "--paste", "--secret", testSecret, good); code != 2 ||
		!strings.Contains(h.stderr.String(), "--paste and a token argument both given") {
		t.Fatalf("--paste with an argument: exit %d: %s", code, h.stderr)
	}
	h.clip.Err = errors.New("no clipboard utility")
	if code := h.run("verify", "--paste", "--secret", testSecret); code != 2 ||
		!strings.Contains(h.stderr.String(), "reading the clipboard: no clipboard utility") {
		t.Fatalf("clipboard failure: exit %d: %s", code, h.stderr)
	}
}

// TestVerifyStreamAnswersEachLineAtOnce feeds a stream through a pipe one token at a time (as
// tail -f does) and requires each result before the next token is written: batching must not
// hold results back while the input waits.
func TestVerifyStreamAnswersEachLineAtOnce(t *testing.T) {
	h := newHarness(t)
	good := h.mint(t, "--sub", "ok")
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	h.deps.IO.In, h.deps.IO.Out = inR, outW
	exit := make(chan int, 1)
	go func() {
		exit <- Execute([]string{"verify", "--stream", "--secret", testSecret}, h.deps)
		_ = outW.Close()
	}()
	lines := bufio.NewScanner(outR)
	results := make(chan string)
	go func() {
		for lines.Scan() {
			results <- lines.Text()
		}
		close(results)
	}()
	for i := 1; i <= 3; i++ {
		if _, err := io.WriteString(inW, good+"\n\n"); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-results:
			if !strings.Contains(got, `"valid":true`) {
				t.Fatalf("result %d: %s", i, got)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no result for token %d while the input waits for more", i)
		}
	}
	_ = inW.Close()
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	if extra, ok := <-results; ok {
		t.Fatalf("an extra line: %s", extra)
	}
}

// TestVerifyCACert: a key set and an issuer served over TLS by a private CA are trusted with
// --ca-cert (a local `serve --tls`, say), and refused without it (exit 3, the certificate named
// as the reason); a file with no certificate is a usage error before any request.
func TestVerifyCACert(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	key, err := keys.Generate(nil, "EC", 0, "P-256", "")
	if err != nil {
		t.Fatal(err)
	}
	priv, _ := writeKey(t, dir, "k", key)
	set, err := keys.MarshalJWKS([]keys.Key{key}, false)
	if err != nil {
		t.Fatal(err)
	}
	var requests atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/.well-known/openid-configuration" {
			fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, srv.URL, srv.URL+"/jwks.json")
			return
		}
		_, _ = w.Write(set)
	}))
	defer srv.Close()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	tok := h.ok(t, "mint", "--key", priv, "--sub", "alice", "--iss", srv.URL)

	for _, src := range [][]string{{"--jwks", srv.URL + "/jwks.json"}, {"--issuer", srv.URL}} {
		if code := h.run(append([]string{"verify", "--no-cache", "--ca-cert", ca}, append(src, tok)...)...); code != 0 {
			t.Errorf("verify %s --ca-cert: exit %d: %s", src[0], code, h.stderr)
		}
		if code := h.run(append([]string{"verify", "--no-cache"}, append(src, tok)...)...); code != 3 || !strings.Contains(h.stderr.String(), "certificate") {
			t.Errorf("verify %s without --ca-cert: exit %d, want 3 naming the certificate: %s", src[0], code, h.stderr)
		}
	}
	before := requests.Load()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("no certificate here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := h.run("verify", "--no-cache", "--ca-cert", notPEM, "--jwks", srv.URL+"/jwks.json", tok); code != 2 || !strings.Contains(h.stderr.String(), "holds no PEM certificate") {
		t.Errorf("--ca-cert without a certificate: exit %d, want 2: %s", code, h.stderr)
	}
	if requests.Load() != before {
		t.Errorf("a request was made although --ca-cert was unusable")
	}
}

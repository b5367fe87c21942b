package hardening

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/testenv"
)

// The known secrets. Each has a distinctive core, so a partial display is caught too.
const (
	hmacCanary       = "canary-hmac-Q7xV2pL9mK4nR8tW1zY6bC3dF5gH0jS"
	clientCanary     = "canary:client+secret%2F/Zp4Lq8Rn2Vx6Tb0Ym3Kc"
	passphraseCanary = "canary-pass-Mb7Nc2Xv5Zq8Lw"
	wrongPassCanary  = "canary-wrong-Hd4Jf6Kg8Rt"
	weakCanary       = "canary-w"
	serveCanary      = "canary-serve-Yt5Ur7Ie9Wo2Qp"
)

// secretsKnownBroken lists leak checks jwtkit fails today, keyed by case name, with the leak.
// A listed case that stops leaking fails the test, so the list cannot rot.
var secretsKnownBroken = map[string]string{}

// leaks returns how secret shows up in out ("" when it does not): as is, encoded as base64,
// base64url, hex or form-urlencoded, or inside HTTP Basic credentials, whole or in part (any 12
// consecutive characters of a form, so a truncated display is caught too).
func leaks(out, secret string) string {
	forms := []struct{ name, text string }{
		{"as is", secret},
		{"base64", base64.StdEncoding.EncodeToString([]byte(secret))},
		{"base64url", base64.RawURLEncoding.EncodeToString([]byte(secret))},
		{"hex", hex.EncodeToString([]byte(secret))},
		{"form-urlencoded", url.QueryEscape(secret)},
		{"in Basic credentials", base64.StdEncoding.EncodeToString([]byte("c:" + url.QueryEscape(secret)))},
	}
	const window = 12
	for _, f := range forms {
		text := strings.TrimRight(f.text, "=")
		if len(text) <= window {
			if strings.Contains(out, text) {
				return f.name
			}
			continue
		}
		start := 0
		if f.name == "in Basic credentials" {
			start = 4 // skip the part that encodes "c:" alone
		}
		for i := start; i+window <= len(text); i++ {
			if strings.Contains(out, text[i:i+window]) {
				return f.name + " (" + text[i:i+window] + "…)"
			}
		}
	}
	// Basic credentials encode the id and secret together: look for the secret's part alone.
	if dec := decodedBasic(out); strings.Contains(dec, secret) || strings.Contains(dec, url.QueryEscape(secret)) {
		return "in Basic credentials"
	}
	return ""
}

// decodedBasic decodes every "Basic xxx" credential in out.
func decodedBasic(out string) string {
	var b strings.Builder
	for _, f := range strings.Fields(out) {
		if d, err := base64.StdEncoding.DecodeString(strings.Trim(f, `",`)); err == nil {
			b.Write(d)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// secretFixtures are the files and values every leak case may use.
type secretFixtures struct {
	rsaKey, encKey, ecJWK, octJWK, hmacFile string
	rsaD, ecD, pemChunk                     string
	goodTok, badTok                         string
}

func makeSecretFixtures(t *testing.T, w *world) secretFixtures {
	var fx secretFixtures
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	fx.rsaKey = w.write("rsa.key", pemBytes, 0o600)
	fx.rsaD = b64(rsaKey.D.Bytes())
	fx.pemChunk = strings.Split(string(pemBytes), "\n")[5]
	//nolint:staticcheck // legacy encrypted PEM is what --passphrase reads
	block, err := x509.EncryptPEMBlock(rand.Reader, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey), []byte(passphraseCanary), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	fx.encKey = w.write("enc.key", pem.EncodeToMemory(block), 0o600)
	ec := newECKey(t)
	ecJSON, err := keys.MarshalJWK(ec, true)
	if err != nil {
		t.Fatal(err)
	}
	fx.ecJWK = w.write("ec.jwk", ecJSON, 0o600)
	fx.ecD = b64(ec.JWK.Key.(*ecdsa.PrivateKey).D.Bytes())
	fx.octJWK = w.write("oct.jwk", []byte(`{"kty":"oct","kid":"s1","k":"`+b64([]byte(hmacCanary))+`"}`), 0o600)
	fx.hmacFile = w.write("hmac.txt", []byte(hmacCanary+"\n"), 0o600)
	fx.goodTok = hs256(hmacCanary, `{"alg":"HS256","typ":"JWT"}`, `{"sub":"alice","iat":1795597200,"exp":1795604400}`)
	fx.badTok = hs256("another-secret-of-the-right-length-00", `{"alg":"HS256"}`, `{"sub":"admin","exp":1795604400}`)
	return fx
}

// tokenServer is an OAuth token endpoint for leak tests: it answers by mode and records the
// client assertions and access tokens it saw.
type tokenServer struct {
	*httptest.Server
	mu         sync.Mutex
	assertions []string
	issued     []string
	// proofs are the DPoP proofs it was sent.
	proofs []string
}

func newTokenServer(t *testing.T) *tokenServer {
	s := &tokenServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		form, _ := url.ParseQuery(string(body))
		s.mu.Lock()
		if a := form.Get("client_assertion"); a != "" {
			s.assertions = append(s.assertions, a)
		}
		if p := r.Header.Get("DPoP"); p != "" {
			s.proofs = append(s.proofs, p)
		}
		s.mu.Unlock()
		switch r.URL.Path {
		case "/ok":
			tok := "access-" + hex.EncodeToString([]byte(time.Now().String()))[:24]
			s.mu.Lock()
			s.issued = append(s.issued, tok)
			s.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600,"refresh_token":"refresh-Pq8Wz3"}`, tok)
		case "/dpop":
			// A DPoP-bound token (RFC 9449 §5), for requests that sent a proof.
			tok := "access-dpop-" + hex.EncodeToString([]byte(time.Now().String()))[:24]
			s.mu.Lock()
			s.issued = append(s.issued, tok)
			s.mu.Unlock()
			typ := "DPoP"
			if r.Header.Get("DPoP") == "" {
				typ = "Bearer"
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"access_token":%q,"token_type":%q,"expires_in":3600}`, tok, typ)
		case "/invalid_client":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid_client","error_description":"Client authentication failed"}`))
		case "/echo-json":
			// A server that puts the request in its JSON error, as some debug setups do.
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			desc, _ := json.Marshal("bad request: " + r.Header.Get("Authorization") + " " + r.Header.Get("DPoP") + " " + string(body))
			fmt.Fprintf(w, `{"error":"invalid_request","error_description":%s}`, desc)
		case "/echo-text":
			// A server whose error page echoes the request.
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, "%s\n%s\n%s", r.Header.Get("Authorization"), r.Header.Get("DPoP"), body)
		case "/unavailable":
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// TestNoSecretLeaks runs every command with known secrets (an HMAC secret given every way the
// key grammar allows, a client secret, a PEM passphrase, private keys) through success and
// failure paths, in text and --json modes and with --verbose, and checks that no secret appears
// in stdout, stderr or the logs, in any encoding. The product is exempt only where the product
// is the secret (keygen printing a new secret, jwks --private).
func TestNoSecretLeaks(t *testing.T) {
	w := newWorld(t)
	fx := makeSecretFixtures(t, w)
	ts := newTokenServer(t)
	w.env["HMAC"] = hmacCanary
	w.env["CLIENT"] = clientCanary
	w.env["PASS"] = passphraseCanary
	w.env["WRONG"] = wrongPassCanary
	b64Secret := base64.StdEncoding.EncodeToString([]byte(hmacCanary))
	hexSecret := hex.EncodeToString([]byte(hmacCanary))
	cfg := w.write("config.toml", []byte(`default-profile = "p"
[profile.p]
token-url = "`+ts.URL+`/ok"
client-id = "c"
client-secret = "`+clientCanary+`"
`), 0o644)

	type leakCase struct {
		name  string
		args  []string
		env   map[string]string
		stdin string
		code  int // expected exit code, to make sure the path ran
	}
	fetch := func(path string, extra ...string) []string {
		return append([]string{"fetch", "--no-cache", "--retries", "0", "--token-url", ts.URL + path, "--client-id", "c"}, extra...)
	}
	cases := []leakCase{
		{name: "mint literal", args: []string{"mint", "--secret", hmacCanary, "--sub", "a"}},
		{name: "mint @file", args: []string{"mint", "--secret", "@" + fx.hmacFile}},
		{name: "mint env:", args: []string{"mint", "--secret", "env:HMAC", "--json"}},
		{name: "mint JWTKIT_SECRET", args: []string{"mint", "--sub", "a"}, env: map[string]string{"JWTKIT_SECRET": hmacCanary}},
		{name: "mint b64:", args: []string{"mint", "--secret", "b64:" + b64Secret}},
		{name: "mint hex:", args: []string{"mint", "--secret", "hex:" + hexSecret}},
		{name: "mint stdin", args: []string{"mint", "--secret", "-"}, stdin: hmacCanary + "\n"},
		{name: "mint weak secret", args: []string{"mint", "--secret", weakCanary}, code: 2},
		{name: "mint weak secret --json", args: []string{"mint", "--json", "--secret", weakCanary}, code: 2},
		{name: "mint secret with --alg RS256", args: []string{"mint", "--secret", hmacCanary, "--alg", "RS256"}, code: 2},
		{name: "mint RSA key with --alg HS256", args: []string{"mint", "--key", fx.rsaKey, "--alg", "HS256"}, code: 2},
		{name: "mint RSA key", args: []string{"mint", "--key", fx.rsaKey, "--sub", "a"}},
		{name: "mint EC JWK", args: []string{"mint", "--key", fx.ecJWK}},
		{name: "mint oct JWK", args: []string{"mint", "--key", fx.octJWK}},
		{name: "mint encrypted key", args: []string{"mint", "--key", fx.encKey, "--passphrase", "env:PASS"}},
		{name: "mint encrypted key, wrong passphrase", args: []string{"mint", "--key", fx.encKey, "--passphrase", "env:WRONG"}, code: 2},
		{name: "mint encrypted key, wrong literal passphrase", args: []string{"mint", "--key", fx.encKey, "--passphrase", wrongPassCanary}, code: 2},
		{name: "mint encrypted key, no passphrase", args: []string{"mint", "--key", fx.encKey}, code: 2},
		{name: "mint the secret as a claims file", args: []string{"mint", "--secret", hmacCanary, "--claims", fx.hmacFile}, code: 2},
		{name: "mint the secret as a key file", args: []string{"mint", "--key", fx.hmacFile}, code: 2},
		{name: "verify good", args: []string{"verify", "--secret", hmacCanary, fx.goodTok}},
		{name: "verify good --json", args: []string{"verify", "--json", "--secret", "@" + fx.hmacFile, fx.goodTok}},
		{name: "verify bad signature", args: []string{"verify", "--secret", hmacCanary, fx.badTok}, code: 1},
		{name: "verify bad signature --json", args: []string{"verify", "--json", "--secret", "env:HMAC", fx.badTok}, code: 1},
		{name: "verify stream", args: []string{"verify", "--secret", "b64:" + b64Secret}, stdin: fx.goodTok + "\n" + fx.badTok + "\nnot-a-token\n", code: 2},
		{name: "verify JWTKIT_SECRET -q", args: []string{"verify", "-q", fx.badTok}, env: map[string]string{"JWTKIT_SECRET": hmacCanary}, code: 1},
		{name: "verify weak secret", args: []string{"verify", "--secret", weakCanary, fx.goodTok}, code: 2},
		{name: "verify secret and --alg ES256", args: []string{"verify", "--secret", hmacCanary, "--alg", "ES256", fx.goodTok}, code: 2},
		{name: "verify with the private RSA key", args: []string{"verify", "--key", fx.rsaKey, fx.goodTok}, code: 1},
		{name: "verify with the private RSA key --json", args: []string{"verify", "--json", "--key", fx.rsaKey, fx.goodTok}, code: 1},
		{name: "verify with the oct JWK", args: []string{"verify", "--key", fx.octJWK, fx.goodTok}},
		{name: "verify with the oct JWK, bad token", args: []string{"verify", "--key", fx.octJWK, fx.badTok}, code: 1},
		{name: "verify encrypted key, wrong passphrase", args: []string{"verify", "--key", fx.encKey, "--passphrase", wrongPassCanary, fx.goodTok}, code: 2},
		{name: "verify the secret as a key file", args: []string{"verify", "--key", fx.hmacFile, fx.goodTok}, code: 2},
		{name: "verify the secret file as a JWK Set", args: []string{"verify", "--jwks", fx.hmacFile, fx.goodTok}, code: 2},
		{name: "decode", args: []string{"decode", fx.goodTok}},
		{name: "decode --pretty", args: []string{"decode", "--pretty", fx.goodTok}},
		{name: "jwks of a private key", args: []string{"jwks", fx.rsaKey, fx.ecJWK}},
		{name: "jwks of an oct key", args: []string{"jwks", fx.octJWK}, code: -1},
		{name: "jwks of the encrypted key", args: []string{"jwks", "--passphrase", "env:PASS", fx.encKey}},
		{name: "jwks of the encrypted key, wrong passphrase", args: []string{"jwks", "--passphrase", wrongPassCanary, fx.encKey}, code: 2},
		{name: "jwks thumbprint", args: []string{"jwks", "thumbprint", fx.rsaKey, fx.ecJWK, fx.octJWK}},
		{name: "jwks pem --public", args: []string{"jwks", "pem", "--public", fx.ecJWK}},
		{name: "jwks of the secret file", args: []string{"jwks", fx.hmacFile}, code: 2},
		{name: "fetch basic --verbose", args: fetch("/ok", "--client-secret", clientCanary, "--verbose")},
		{name: "fetch post --verbose", args: fetch("/ok", "--client-secret", "env:CLIENT", "--auth-method", "client_secret_post", "--verbose")},
		{name: "fetch JWTKIT_CLIENT_SECRET --json --decode", args: fetch("/ok", "--json", "--decode", "-v"), env: map[string]string{"JWTKIT_CLIENT_SECRET": clientCanary}},
		{name: "fetch private_key_jwt --verbose", args: fetch("/ok", "--auth-method", "private_key_jwt", "--assertion-key", fx.rsaKey, "--verbose")},
		{name: "fetch private_key_jwt encrypted key --verbose", args: fetch("/ok", "--auth-method", "private_key_jwt", "--assertion-key", fx.encKey, "--passphrase", "env:PASS", "--verbose")},
		{name: "fetch invalid_client --verbose", args: fetch("/invalid_client", "--client-secret", clientCanary, "--verbose"), code: 3},
		{name: "fetch invalid_client --json", args: fetch("/invalid_client", "--client-secret", clientCanary, "--json"), code: 3},
		{name: "fetch 503 --verbose", args: fetch("/unavailable", "--client-secret", clientCanary, "--verbose"), code: 3},
		{name: "fetch server echoes in its JSON error", args: fetch("/echo-json", "--client-secret", clientCanary, "--auth-method", "client_secret_post"), code: 3},
		{name: "fetch server echoes Basic in its JSON error", args: fetch("/echo-json", "--client-secret", clientCanary), code: 3},
		{name: "fetch server echoes in a text error", args: fetch("/echo-text", "--client-secret", clientCanary, "--auth-method", "client_secret_post"), code: 3},
		{name: "fetch server echoes in a text error --verbose", args: fetch("/echo-text", "--client-secret", clientCanary, "--verbose"), code: 3},
		{name: "fetch unset env secret", args: fetch("/ok", "--client-secret", "env:NOPE"), code: 2},
		{name: "fetch profile with a literal secret", args: []string{"fetch", "--no-cache", "--config", cfg, "--verbose"}},
		{name: "config show", args: []string{"config", "show", "p"}, env: map[string]string{"JWTKIT_CONFIG": cfg}},
		{name: "config show --json", args: []string{"config", "--json", "show", "p"}, env: map[string]string{"JWTKIT_CONFIG": cfg}},
		{name: "config profiles", args: []string{"config", "profiles"}, env: map[string]string{"JWTKIT_CONFIG": cfg}},
	}
	secrets := map[string]string{
		"the HMAC secret": hmacCanary, "the client secret": clientCanary, "the passphrase": passphraseCanary,
		"the wrong passphrase": wrongPassCanary, "the weak secret": weakCanary, "the RSA private exponent": fx.rsaD,
		"the EC private scalar": fx.ecD, "the private key PEM": fx.pemChunk, "the refresh token": "refresh-Pq8Wz3",
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w.setEnv(t, tc.env)
			var stdin io.Reader
			if tc.stdin != "" {
				stdin = strings.NewReader(tc.stdin)
			}
			r := w.run(stdin, tc.args...)
			if tc.code >= 0 && r.code != tc.code {
				t.Fatalf("exit %d, want %d; the case does not run the path it means to: %s", r.code, tc.code, r.stderr)
			}
			ts.mu.Lock()
			extra := map[string]string{}
			for i, a := range ts.assertions {
				extra[fmt.Sprintf("client assertion %d", i+1)] = a
			}
			ts.mu.Unlock()
			problem := ""
			for what, s := range merge(secrets, extra) {
				if how := leaks(r.stdout+"\n"+r.stderr, s); how != "" {
					problem += fmt.Sprintf("%s appears (%s); ", what, how)
				}
			}
			// The access token is the product on stdout, never a log line.
			ts.mu.Lock()
			for _, tok := range ts.issued {
				if strings.Contains(r.stderr, tok) {
					problem += "an access token appears on stderr; "
				}
			}
			ts.mu.Unlock()
			reportLeak(t, tc.name, problem, r)
		})
	}
	for name := range secretsKnownBroken {
		found := name == "serve" || name == "keygen"
		for _, tc := range cases {
			found = found || tc.name == name
		}
		if !found {
			t.Errorf("secretsKnownBroken lists %q, which is not a case", name)
		}
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func reportLeak(t *testing.T, name, problem string, r result) {
	t.Helper()
	reason, listed := secretsKnownBroken[name]
	switch {
	case listed && problem == "":
		t.Errorf("%q leaks nothing now; remove it from secretsKnownBroken", name)
	case listed:
		t.Logf("known broken (%s): %s", reason, problem)
	case problem != "":
		t.Errorf("%sstdout:\n%.600s\nstderr:\n%.1200s", problem, r.stdout, r.stderr)
	}
}

// TestKeygenPrintsNoSecretOnStderr checks that keygen writing to files says what it wrote and
// shows none of the key material it wrote.
func TestKeygenPrintsNoSecretOnStderr(t *testing.T) {
	w := newWorld(t)
	for _, kind := range []string{"oct", "rsa", "ec", "ed25519"} {
		t.Run(kind, func(t *testing.T) {
			base := filepath.Join(w.dir, kind)
			r := w.run(nil, "keygen", "--type", kind, "--jwk", "-o", base)
			if kind == "oct" && r.code != 0 {
				r = w.run(nil, "keygen", "--type", kind, "-o", base)
			}
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			data, err := os.ReadFile(base + ".key")
			if err != nil {
				t.Fatal(err)
			}
			list, err := keys.Parse(data, keys.ParseOptions{Source: "k"})
			var secret string
			switch {
			case kind == "oct":
				secret = strings.TrimSpace(string(data))
			case err != nil || len(list) != 1:
				t.Fatalf("reading back %s.key: %v", kind, err)
			default:
				jwk, err := keys.MarshalJWK(list[0], true)
				if err != nil {
					t.Fatal(err)
				}
				var m map[string]any
				if err := json.Unmarshal(jwk, &m); err != nil {
					t.Fatal(err)
				}
				secret, _ = m["d"].(string)
			}
			if len(secret) < 16 {
				t.Fatalf("no secret found in %s.key", kind)
			}
			if how := leaks(r.stdout+r.stderr, secret); how != "" {
				reportLeak(t, "keygen", "the key written to "+kind+".key appears in the output ("+how+")", r)
			}
		})
	}
}

// TestServeLogsNoSecret runs the real `jwtkit serve` with a client secret, makes token requests
// with the right and a wrong secret in both client authentication styles, and checks its
// request log and output for the secret and the issued tokens.
func TestServeLogsNoSecret(t *testing.T) {
	bin := testenv.BuildJwtkit(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--port", "0", "--client", "ci:env:SERVE_SECRET")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "NO_COLOR=1", "SERVE_SECRET=" + serveCanary}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	var mu sync.Mutex
	cmd.Stderr = writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return stderr.Write(p) })
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		cmd.Process.Kill()
		t.Fatalf("serve printed no issuer URL: %s", stderr.String())
	}
	issuer := strings.TrimSpace(lines.Text())
	var issued []string
	post := func(form url.Values, user, pass string) {
		req, _ := http.NewRequest("POST", issuer+"/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			AccessToken string `json:"access_token"`
		}
		json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body)
		if body.AccessToken != "" {
			issued = append(issued, body.AccessToken)
		}
	}
	grant := url.Values{"grant_type": {"client_credentials"}}
	post(grant, "ci", serveCanary)
	post(grant, "ci", serveCanary+"-wrong")
	postForm := url.Values{"grant_type": {"client_credentials"}, "client_id": {"ci"}, "client_secret": {serveCanary}}
	post(postForm, "", "")
	postForm.Set("client_secret", serveCanary+"-wrong")
	post(postForm, "", "")
	if len(issued) != 2 {
		t.Errorf("serve issued %d tokens for 2 good requests", len(issued))
	}
	cmd.Process.Signal(syscall.SIGINT)
	go io.Copy(io.Discard, stdout)
	cmd.Wait()
	mu.Lock()
	log := stderr.String()
	mu.Unlock()
	t.Logf("serve's log:\n%s", log)
	problem := ""
	if how := leaks(log, serveCanary); how != "" {
		problem += "the client secret appears in serve's log (" + how + "); "
	}
	for _, tok := range issued {
		if strings.Contains(log, tok) {
			problem += "an issued access token appears in serve's log; "
		}
	}
	reportLeak(t, "serve", problem, result{stderr: log})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestLeakDetector checks the detector itself, so that a quiet TestNoSecretLeaks means
// something: every form of a secret is caught, unrelated text is not.
func TestLeakDetector(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("c:" + url.QueryEscape(clientCanary)))
	for _, tc := range []struct {
		out  string
		want bool
	}{
		{"jwtkit: bad secret " + clientCanary, true},
		{"truncated: " + clientCanary[5:20] + "…", true},
		{"b64: " + base64.StdEncoding.EncodeToString([]byte(clientCanary)), true},
		{"b64url: " + base64.RawURLEncoding.EncodeToString([]byte(clientCanary))[8:30], true},
		{"hex: " + hex.EncodeToString([]byte(clientCanary)), true},
		{"form: client_secret=" + url.QueryEscape(clientCanary), true},
		{"Authorization: Basic " + basic, true},
		{"Authorization: Basic " + basic[:24], true},
		{"Authorization: Basic [redacted]", false},
		{"client_secret=%5Bredacted%5D canary: client", false},
	} {
		if got := leaks(tc.out, clientCanary) != ""; got != tc.want {
			t.Errorf("leaks(%q) = %v, want %v", tc.out, got, tc.want)
		}
	}
}

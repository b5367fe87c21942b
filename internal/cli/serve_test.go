package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"

	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/iostreams"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// syncBuffer is a bytes.Buffer that the server's goroutines and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveRun is one in-process `jwtkit serve`.
type serveRun struct {
	issuer string
	stdout *syncBuffer
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// stop does what SIGINT does and returns serve's result.
func (r *serveRun) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10s")
		return nil
	}
}

// serveEnv is what a test serve runs with: environment, shared flags and option hooks.
type serveEnv struct {
	env   map[string]string
	json  bool
	quiet bool
	now   string
	hooks func(*ServeOptions)
}

// startServe runs `jwtkit serve --port 0 args…` in-process and waits until it is ready.
func startServe(t *testing.T, se serveEnv, args ...string) *serveRun {
	t.Helper()
	run, err := tryServe(t, se, args...)
	if err != nil {
		t.Fatalf("serve %v: %v\nstderr: %s", args, err, run.stderr)
	}
	return run
}

// tryServe is startServe returning the error of a serve that fails before it is ready.
func tryServe(t *testing.T, se serveEnv, args ...string) (*serveRun, error) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	run := &serveRun{stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	ios.Out, ios.ErrOut = run.stdout, run.stderr
	deps := &Deps{
		IO:        ios,
		Getenv:    func(k string) string { return se.env[k] },
		Now:       func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) },
		ReadFile:  os.ReadFile,
		Rand:      rand.Reader,
		CacheDir:  func() (string, error) { return t.TempDir(), nil },
		ConfigDir: func() (string, error) { return t.TempDir(), nil },
	}
	g := &Global{deps: deps, JSON: se.json, Quiet: se.quiet, NowFlag: se.now}
	if err := g.resolve(); err != nil {
		return run, err
	}
	ready := make(chan string, 1)
	opts := &ServeOptions{ready: func(u string) { ready <- u }}
	if se.hooks != nil {
		se.hooks(opts)
	}
	cmd := newServeCmdWith(g, opts)
	if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--addr") || strings.HasPrefix(a, "--port") }) {
		args = append([]string{"--port", "0"}, args...)
	}
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	ctx, cancel := context.WithCancel(context.Background())
	run.cancel = cancel
	t.Cleanup(cancel)
	go func() { run.done <- cmd.ExecuteContext(ctx) }()
	select {
	case run.issuer = <-ready:
		return run, nil
	case err := <-run.done:
		return run, err
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not become ready within 20s")
	}
	return run, nil
}

// client is a plain HTTP client for the tests, with a timeout.
var testHTTP = &http.Client{Timeout: 10 * time.Second}

func getJSON(t *testing.T, u string) (int, map[string]any) {
	t.Helper()
	resp, err := testHTTP.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func postToken(t *testing.T, issuer string, form url.Values, id, secret string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, issuer+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	resp, err := testHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func TestServeEndToEnd(t *testing.T) {
	const secret = "ci-secret-from-the-environment"
	run := startServe(t, serveEnv{env: map[string]string{"CI_SECRET": secret}, now: "2026-11-25T10:00:00Z"},
		"--client", "ci:env:CI_SECRET:read:users,write:users", "--token-ttl", "15m")
	if !strings.HasPrefix(run.issuer, "http://127.0.0.1:") {
		t.Fatalf("issuer = %q", run.issuer)
	}
	if got := run.stdout.String(); got != run.issuer+"\n" {
		t.Errorf("stdout = %q, want the issuer URL alone", got)
	}
	code, doc := getJSON(t, run.issuer+"/.well-known/openid-configuration")
	if code != 200 || doc["issuer"] != run.issuer || doc["jwks_uri"] != run.issuer+"/jwks.json" {
		t.Fatalf("discovery: %d %v", code, doc)
	}
	code, tok := postToken(t, run.issuer, url.Values{"grant_type": {"client_credentials"}, "scope": {"read:users"}}, "ci", secret)
	if code != 200 || tok["scope"] != "read:users" || tok["expires_in"] != 900.0 {
		t.Fatalf("token: %d %v", code, tok)
	}
	// The payload carries the --now clock.
	parts := strings.Split(tok["access_token"].(string), ".")
	payload, _ := base64URLDecode(parts[1])
	if !strings.Contains(payload, `"iat":1795600800,"exp":1795601700`) {
		t.Errorf("payload = %s", payload)
	}
	code, bad := postToken(t, run.issuer, url.Values{"grant_type": {"client_credentials"}}, "ci", "not-the-secret-42")
	if code != 401 || bad["error"] != "invalid_client" {
		t.Errorf("wrong secret: %d %v", code, bad)
	}
	if err := run.stop(t); err != nil {
		t.Fatalf("serve returned %v after SIGINT", err)
	}
	logs := run.stderr.String()
	for _, want := range []string{
		"no --key: generated an ES256 key in memory",
		"jwtkit serve: issuer " + run.issuer,
		"(clients: ci)",
		"mint      " + run.issuer + "/mint (on",
		"GET /.well-known/openid-configuration 200",
		`POST /token 200 client=ci auth=client_secret_basic scope="read:users"`,
		"POST /token 401 client=ci auth=client_secret_basic error=invalid_client (wrong client secret)",
		"stopping: finishing requests in flight",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, logs)
		}
	}
	for _, secretish := range []string{secret, "not-the-secret-42", tok["access_token"].(string)} {
		if strings.Contains(logs, secretish) {
			t.Errorf("stderr holds %q", secretish)
		}
	}
}

func base64URLDecode(s string) (string, error) {
	b, err := keysB64(s)
	return string(b), err
}

func TestServeQuietAndJSON(t *testing.T) {
	run := startServe(t, serveEnv{quiet: true, json: true}, "--client", "a:literal-secret")
	var info struct {
		Issuer, JWKSURI, TokenEndpoint, MintEndpoint, Alg string
		Port                                              int
		Kids                                              []string
	}
	out := run.stdout.String()
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("stdout is not JSON: %v: %q", err, out)
	}
	var raw map[string]any
	_ = json.Unmarshal([]byte(out), &raw)
	if raw["issuer"] != run.issuer || raw["jwks_uri"] != run.issuer+"/jwks.json" || raw["token_endpoint"] != run.issuer+"/token" ||
		raw["mint_endpoint"] != run.issuer+"/mint" || raw["alg"] != "ES256" || !strings.HasSuffix(run.issuer, ":"+jsonNumber(raw["port"])) {
		t.Errorf("JSON = %s", out)
	}
	postToken(t, run.issuer, url.Values{"grant_type": {"client_credentials"}}, "a", "literal-secret")
	if err := run.stop(t); err != nil {
		t.Fatal(err)
	}
	if s := run.stderr.String(); s != "" {
		t.Errorf("-q, yet stderr = %q", s)
	}
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestServeKeysAndAlg(t *testing.T) {
	dir := t.TempDir()
	k, err := keys.Generate(rand.Reader, "OKP", 0, "", "")
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, _ := keys.EncodePEM(k)
	keyFile := filepath.Join(dir, "signing.key")
	if err := os.WriteFile(keyFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	pubBytes, _ := keys.EncodePEM(k.Public())
	pubFile := filepath.Join(dir, "signing.pub")
	_ = os.WriteFile(pubFile, pubBytes, 0o644)

	run := startServe(t, serveEnv{}, "--key", keyFile)
	_, jwks := getJSON(t, run.issuer+"/jwks.json")
	list := jwks["keys"].([]any)
	tp, _ := k.Thumbprint()
	first := list[0].(map[string]any)
	if len(list) != 1 || first["kid"] != tp || first["alg"] != "EdDSA" || first["crv"] != "Ed25519" || first["d"] != nil {
		t.Errorf("jwks = %v", jwks)
	}
	run.stop(t)
	if strings.Contains(run.stderr.String(), "generated") {
		t.Error("serve says it generated a key although --key was given")
	}

	env := startServe(t, serveEnv{env: map[string]string{"JWTKIT_KEY": keyFile}})
	_, jwks = getJSON(t, env.issuer+"/jwks.json")
	if jwks["keys"].([]any)[0].(map[string]any)["kid"] != tp {
		t.Errorf("JWTKIT_KEY not used: %v", jwks)
	}
	env.stop(t)

	gen := startServe(t, serveEnv{}, "--alg", "ES384")
	_, jwks = getJSON(t, gen.issuer+"/jwks.json")
	if first := jwks["keys"].([]any)[0].(map[string]any); first["alg"] != "ES384" || first["crv"] != "P-384" {
		t.Errorf("--alg ES384 generated %v", first)
	}
	gen.stop(t)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--key", pubFile}, "needs the private key"},
		{[]string{"--key", filepath.Join(dir, "missing.key")}, "missing.key"},
		{[]string{"--alg", "HS256"}, "cannot use an HMAC secret"},
		{[]string{"--key", keyFile, "--alg", "ES256"}, "ES256"},
	} {
		_, err := tryServe(t, serveEnv{}, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || failure.ExitCode(err) != 2 {
			t.Errorf("%v: err = %v (exit %d), want a usage error mentioning %q", tc.args, err, failure.ExitCode(err), tc.want)
		}
	}
}

func TestServeFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--client", "ci"}, "has no secret"},
		{nil, []string{"--client", "ci:env:NOPE"}, "NOPE is not set"},
		{nil, []string{"--client", "ci:s", "--client", "ci:t"}, "registered twice"},
		{nil, []string{"--client", "ci:"}, "neither a secret nor keys"},
		{nil, []string{"--client-jwks", "ci"}, "use ID=FILE"},
		{nil, []string{"--token-ttl", "0s"}, "--token-ttl"},
		{nil, []string{"--token-ttl", "soon"}, "--token-ttl"},
		{nil, []string{"--rotate", "500ms"}, "--rotate"},
		{nil, []string{"--addr", "127.0.0.1:99999"}, "0 to 65535"},
		{nil, []string{"--port", "70000"}, "--port 70000"},
		{nil, []string{"--issuer", "ftp://x"}, "http or https"},
		{nil, []string{"--config", "/nonexistent/serve.json"}, "--config"},
	} {
		_, err := tryServe(t, serveEnv{env: tc.env}, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to mention %q", tc.args, err, tc.want)
		}
	}
}

func TestServePortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = tryServe(t, serveEnv{}, "--addr", ln.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "pick another --addr or --port") || strings.Contains(err.Error(), "listen tcp") {
		t.Errorf("err = %v", err)
	}
}

func TestListenAddr(t *testing.T) {
	for _, tc := range []struct {
		addr    string
		port    int
		portSet bool
		want    string
	}{
		{"", 0, false, "127.0.0.1:8080"},
		{"127.0.0.1:9000", 0, false, "127.0.0.1:9000"},
		{"127.0.0.1:9000", 0, true, "127.0.0.1:0"},
		{"localhost", 0, false, "localhost:8080"},
		{"[::1]:7000", 7001, true, "[::1]:7001"},
		{"::1", 0, false, "[::1]:8080"},
		{":9000", 0, false, ":9000"},
		{"0.0.0.0", 0, false, "0.0.0.0:8080"},
	} {
		got, err := listenAddr(&ServeOptions{Addr: tc.addr, Port: tc.port, portSet: tc.portSet})
		if err != nil || got != tc.want {
			t.Errorf("listenAddr(%q, %d, %v) = %q, %v; want %q", tc.addr, tc.port, tc.portSet, got, err, tc.want)
		}
	}
	for _, bad := range []string{"127.0.0.1:x", "127.0.0.1:-1", "a:b:c"} {
		if _, err := listenAddr(&ServeOptions{Addr: bad}); err == nil {
			t.Errorf("listenAddr(%q) accepted", bad)
		}
	}
}

func TestServeMintDefaults(t *testing.T) {
	mint := func(issuer string) int {
		resp, err := testHTTP.Post(issuer+"/mint", "application/json", strings.NewReader(`{"sub":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	on := startServe(t, serveEnv{})
	if code := mint(on.issuer); code != 200 {
		t.Errorf("loopback default: /mint = %d, want 200", code)
	}
	on.stop(t)

	off := startServe(t, serveEnv{}, "--allow-mint=false")
	if code := mint(off.issuer); code != 403 {
		t.Errorf("--allow-mint=false: /mint = %d, want 403", code)
	}
	off.stop(t)

	// A listener that says it is bound to a routable address: mint is off by default, and
	// the Host restriction is off (clients reach it by other names).
	routable := func(o *ServeOptions) {
		o.listen = func(network, addr string) (net.Listener, error) {
			ln, err := net.Listen(network, "127.0.0.1:0")
			return fakeAddrListener{ln}, err
		}
	}
	far := startServe(t, serveEnv{hooks: routable}, "--addr", "10.1.2.3:0")
	realAddr := far.issuer
	if !strings.HasPrefix(realAddr, "http://10.1.2.3:") {
		t.Fatalf("issuer = %s", realAddr)
	}
	far.stop(t)

	far = startServe(t, serveEnv{hooks: routable}, "--addr", "10.1.2.3:0", "--allow-mint", "--issuer", "http://issuer.internal:8080")
	if far.issuer != "http://issuer.internal:8080" {
		t.Fatalf("issuer = %s", far.issuer)
	}
	if !strings.Contains(far.stderr.String(), "warning: /mint is on and 10.1.2.3") {
		t.Errorf("no warning for /mint off loopback:\n%s", far.stderr)
	}
	far.stop(t)
}

// fakeAddrListener reports a routable address while listening on loopback.
type fakeAddrListener struct{ net.Listener }

func (l fakeAddrListener) Addr() net.Addr {
	port := l.Listener.Addr().(*net.TCPAddr).Port
	return &net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: port}
}

func TestServeAllInterfacesWarns(t *testing.T) {
	run := startServe(t, serveEnv{hooks: func(o *ServeOptions) {
		o.listen = func(network, addr string) (net.Listener, error) {
			ln, err := net.Listen(network, "127.0.0.1:0")
			return unspecifiedListener{ln}, err
		}
	}}, "--addr", "0.0.0.0:0")
	if !strings.HasPrefix(run.issuer, "http://127.0.0.1:") || !strings.Contains(run.stderr.String(), "pass --issuer") {
		t.Errorf("issuer %s, stderr %s", run.issuer, run.stderr)
	}
	run.stop(t)
}

type unspecifiedListener struct{ net.Listener }

func (l unspecifiedListener) Addr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4zero, Port: l.Listener.Addr().(*net.TCPAddr).Port}
}

func TestServeConfigFileAndClientJWKS(t *testing.T) {
	dir := t.TempDir()
	ck, err := keys.Generate(rand.Reader, "EC", 0, "P-256", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	set, _ := keys.MarshalJWKS([]keys.Key{ck}, false)
	_ = os.WriteFile(filepath.Join(dir, "svc.jwks.json"), set, 0o644)
	_ = os.WriteFile(filepath.Join(dir, "ci.secret"), []byte("file-secret\n"), 0o600)
	cfg := `{"clients":[{"id":"ci","secret":"@` + filepath.Join(dir, "ci.secret") + `","scopes":["read:users"]},{"id":"svc","jwks":"svc.jwks.json"}]}`
	cfgFile := filepath.Join(dir, "serve.json")
	_ = os.WriteFile(cfgFile, []byte(cfg), 0o600)

	other := t.TempDir()
	_ = os.WriteFile(filepath.Join(other, "extra.jwks.json"), set, 0o644)
	t.Chdir(other)
	run := startServe(t, serveEnv{}, "--config", cfgFile, "--client-jwks", "extra=extra.jwks.json")
	defer run.stop(t)
	code, tok := postToken(t, run.issuer, url.Values{"grant_type": {"client_credentials"}}, "ci", "file-secret")
	if code != 200 || tok["scope"] != "read:users" {
		t.Errorf("config client: %d %v", code, tok)
	}
	if !strings.Contains(run.stderr.String(), "(clients: ci, svc, extra)") {
		t.Errorf("stderr: %s", run.stderr)
	}
}

func TestServeConfigFilePermissions(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "serve.json")
	_ = os.WriteFile(cfgFile, []byte(`{"clients":[{"id":"ci","secret":"literal-secret"}]}`), 0o600)
	if err := os.Chmod(cfgFile, 0o666); err != nil {
		t.Fatal(err)
	}
	_, err := tryServe(t, serveEnv{}, "--config", cfgFile)
	if err == nil || !strings.Contains(err.Error(), "other users may write it (mode 0666)") {
		t.Errorf("world-writable config: err = %v", err)
	}
	_ = os.Chmod(cfgFile, 0o644)
	run := startServe(t, serveEnv{}, "--config", cfgFile)
	run.stop(t)
	if !strings.Contains(run.stderr.String(), "warning: client ci has its secret written in "+cfgFile+", and is readable by others (mode 0644)") {
		t.Errorf("no warning for a readable literal secret:\n%s", run.stderr)
	}
	if strings.Contains(run.stderr.String(), "literal-secret") {
		t.Error("the warning shows the secret")
	}
}

func TestServeRotation(t *testing.T) {
	ticks := make(chan time.Time)
	stopped := make(chan struct{})
	run := startServe(t, serveEnv{hooks: func(o *ServeOptions) {
		o.newTicker = func(d time.Duration) (<-chan time.Time, func()) {
			if d != time.Hour {
				t.Errorf("ticker period %s, want 1h", d)
			}
			return ticks, func() { close(stopped) }
		}
	}}, "--rotate", "1h")
	kids := func() []string {
		_, jwks := getJSON(t, run.issuer+"/jwks.json")
		var out []string
		for _, k := range jwks["keys"].([]any) {
			out = append(out, k.(map[string]any)["kid"].(string))
		}
		return out
	}
	k0 := kids()
	ticks <- time.Now()
	deadline := time.Now().Add(5 * time.Second)
	for len(kids()) != 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	k1 := kids()
	if len(k1) != 2 || k1[1] != k0[0] {
		t.Fatalf("after a tick kids = %v (before %v)", k1, k0)
	}
	if err := run.stop(t); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Error("the rotation ticker was not stopped")
	}
	if !strings.Contains(run.stderr.String(), "rotated keys: "+k1[0]+" signs now") || !strings.Contains(run.stderr.String(), "rotate    every 1h") {
		t.Errorf("stderr: %s", run.stderr)
	}
}

func TestServeHelpMentionsSecretForms(t *testing.T) {
	cmd := newServeCmd(&Global{deps: &Deps{}})
	for _, want := range []string{"env:NAME", "@FILE", "ps", "--client-jwks", "--allow-mint=false", "Exit codes"} {
		if !strings.Contains(cmd.Long, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

func keysB64(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// TestServeMintVerifiesThroughJWKS checks a /mint token with jwtkit verify against the served
// JWK Set and discovery, in-process (the testscript does the same with curl).
func TestServeMintVerifiesThroughJWKS(t *testing.T) {
	run := startServe(t, serveEnv{now: "2026-11-25T10:00:00Z"})
	defer run.stop(t)
	claims := `{"iss":"` + run.issuer + `","sub":"alice","aud":"api","exp":1795604400}`
	resp, err := testHTTP.Post(run.issuer+"/mint", "application/json", strings.NewReader(claims))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/mint: %d %s", resp.StatusCode, body)
	}
	h := newHarness(t)
	for _, args := range [][]string{
		{"verify", "--jwks", run.issuer + "/jwks.json", "--aud", "api", string(body)},
		{"verify", "--issuer", run.issuer, "--aud", "api", string(body)},
	} {
		if code := h.run(args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args[:3], code, h.stderr)
		}
		if !strings.Contains(h.stdout.String(), `"sub": "alice"`) {
			t.Errorf("verified claims: %s", h.stdout)
		}
	}
}

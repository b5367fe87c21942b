package testenv

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// OIDCStartTimeout bounds how long the oidc-provider server may take to print its issuer.
const OIDCStartTimeout = 20 * time.Second

// OIDCServer is a running oidc-provider (testdata/oidc-provider/server.mjs) on loopback: a real
// OAuth 2.0 / OpenID Connect server with the client-credentials, authorization code, device
// code and refresh token grants, DPoP, revocation and JWT access tokens.
type OIDCServer struct {
	// Issuer is the server's issuer URL, "http://127.0.0.1:<port>"; discovery, the JWKS and the
	// token endpoint live under it.
	Issuer string
	// Resource is the resource server every access token is for: its aud.
	Resource string
	// AllowedScopes are the scopes every client may request.
	AllowedScopes []string
	// DisallowedScope is a scope the server knows but no client may have; asking for it gives
	// the server's invalid_scope error.
	DisallowedScope string
	// Clients are the registered clients, one per authentication method.
	Clients []OIDCClient
	// NativeClients may use the authorization code (PKCE), device code and refresh token
	// grants, with a loopback redirect URI on any port: one public (auth method none), one
	// authenticating with client_secret_jwt. The server approves every sign-in for the test
	// user (sub "jwtkit-test-user") at once, and refuses it when login_hint is "deny".
	NativeClients []OIDCClient
}

// OIDCTestUser is the sub of every user token the server issues.
const OIDCTestUser = "jwtkit-test-user"

// NativeClient returns the native client that authenticates with authMethod, failing t when
// there is none.
func (s *OIDCServer) NativeClient(t testing.TB, authMethod string) OIDCClient {
	t.Helper()
	for _, c := range s.NativeClients {
		if c.AuthMethod == authMethod {
			return c
		}
	}
	t.Fatalf("oidc-provider: no native client uses %s", authMethod)
	return OIDCClient{}
}

// OIDCClient is a client registered with the server.
type OIDCClient struct {
	// ID is the client_id.
	ID string `json:"client_id"`
	// Secret is the client secret; empty for private_key_jwt.
	Secret string `json:"client_secret"`
	// AuthMethod is client_secret_basic, client_secret_post or private_key_jwt.
	AuthMethod string `json:"token_endpoint_auth_method"`
	// KeyFile is the absolute path of the PKCS#8 PEM private key whose public half the server
	// holds, for private_key_jwt; empty otherwise.
	KeyFile string `json:"key_file"`
	// KeyID and Alg are the kid and alg the server registered for that key.
	KeyID string `json:"kid"`
	Alg   string `json:"alg"`
	// RedirectURIs are a native client's registered redirect URIs (the port is free).
	RedirectURIs []string `json:"redirect_uris"`
}

// Client returns the registered client that authenticates with authMethod, failing t when there
// is none.
func (s *OIDCServer) Client(t testing.TB, authMethod string) OIDCClient {
	t.Helper()
	for _, c := range s.Clients {
		if c.AuthMethod == authMethod {
			return c
		}
	}
	t.Fatalf("oidc-provider: no client uses %s", authMethod)
	return OIDCClient{}
}

// oidcSetup is testdata/oidc-provider/clients.json, which server.mjs reads too.
type oidcSetup struct {
	Resource        string       `json:"resource"`
	AllowedScope    string       `json:"allowed_scope"`
	DisallowedScope string       `json:"disallowed_scope"`
	Clients         []OIDCClient `json:"clients"`
	NativeClients   []OIDCClient `json:"native_clients"`
}

// OIDCProvider starts testdata/oidc-provider/server.mjs on loopback, waits for its issuer line
// (at most OIDCStartTimeout) and stops it when the test ends. It skips the test under -short,
// or when node or testdata/oidc-provider/node_modules is missing, except under CI=true, where it
// never skips and a missing server fails the test (.ci/install-peers runs npm ci there). Each call starts its own
// server, with a fresh signing key.
func OIDCProvider(t testing.TB) *OIDCServer {
	t.Helper()
	return startOIDCProvider(t)
}

// startOIDCProvider is OIDCProvider with extra arguments for server.mjs.
func startOIDCProvider(t testing.TB, args ...string) *OIDCServer {
	t.Helper()
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("skipping the oidc-provider server under -short")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "oidc-provider server: node is not on PATH")
		return nil
	}
	dir := filepath.Join(RepoRoot(t), "testdata", "oidc-provider")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err != nil {
		missing(t, "oidc-provider server: testdata/oidc-provider/node_modules has no oidc-provider (npm ci there)")
		return nil
	}
	setup := readOIDCSetup(t, dir)

	cmd := exec.Command(node, append([]string{"server.mjs", "--watch-stdin"}, args...)...)
	cmd.Dir = dir
	cmd.Env = cleanEnv(os.Environ())
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("oidc-provider: %v", err)
	}
	out := &firstLine{ready: make(chan string, 1)}
	var stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("oidc-provider: starting node: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		// Closing stdin ends a server started with --watch-stdin; SIGTERM and then SIGKILL
		// make sure of it.
		_ = stdin.Close()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	var line string
	select {
	case line = <-out.ready:
	case err := <-exited:
		t.Fatalf("oidc-provider: server.mjs exited before it was ready (%v):\n%s", err, stderr.String())
	case <-time.After(OIDCStartTimeout):
		stop()
		t.Fatalf("oidc-provider: no issuer line within %s:\n%s", OIDCStartTimeout, stderr.String())
	}
	t.Cleanup(stop)

	issuer := strings.TrimSpace(line)
	if u, err := url.Parse(issuer); err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" {
		t.Fatalf("oidc-provider: server.mjs printed %q, not a loopback issuer URL", issuer)
	}
	for i := range setup.Clients {
		if setup.Clients[i].KeyFile != "" {
			setup.Clients[i].KeyFile = filepath.Join(dir, setup.Clients[i].KeyFile)
		}
	}
	return &OIDCServer{
		Issuer:          issuer,
		Resource:        setup.Resource,
		AllowedScopes:   strings.Fields(setup.AllowedScope),
		DisallowedScope: setup.DisallowedScope,
		Clients:         setup.Clients,
		NativeClients:   setup.NativeClients,
	}
}

func readOIDCSetup(t testing.TB, dir string) oidcSetup {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "clients.json"))
	if err != nil {
		t.Fatalf("oidc-provider: %v", err)
	}
	var s oidcSetup
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("oidc-provider: clients.json: %v", err)
	}
	if s.Resource == "" || s.AllowedScope == "" || s.DisallowedScope == "" || len(s.Clients) == 0 {
		t.Fatalf("oidc-provider: clients.json lacks resource, scopes or clients")
	}
	return s
}

// firstLine is the server's stdout: it hands the first line to ready and discards the rest.
// A first line longer than 4 KiB is cut there.
type firstLine struct {
	mu    sync.Mutex
	buf   []byte
	sent  bool
	ready chan string
}

func (f *firstLine) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sent {
		return len(p), nil
	}
	f.buf = append(f.buf, p...)
	if i := bytes.IndexByte(f.buf, '\n'); i >= 0 || len(f.buf) > 4096 {
		if i < 0 {
			i = 4096
		}
		f.sent = true
		f.ready <- string(f.buf[:i])
		f.buf = nil
	}
	return len(p), nil
}

// lockedBuffer keeps the first MaxOutput bytes of the server's stderr, for failure messages;
// it may be read while the server still writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf boundedBuffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.buf.String()
}

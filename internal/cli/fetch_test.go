package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/jwtkit/jwtkit/internal/keys"
)

// fetchT0 is the harness clock (newHarness).
var fetchT0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

const (
	fetchClient = "ci-client"
	fetchSecret = "client:secret with %, + and spaces"
)

// fetchTokenRequest is what the fake authorization server received at /token.
type fetchTokenRequest struct {
	user, pass string
	basic      bool
	form       url.Values
}

// fetchServer is a fake authorization server: discovery at /.well-known/openid-configuration and
// a token endpoint at /token answering with the next reply (the last one repeats).
type fetchServer struct {
	srv       *httptest.Server
	mu        sync.Mutex
	tokens    []fetchTokenRequest
	discovery int
	replies   []func(w http.ResponseWriter, r *http.Request)
	jwks      string // the body of /jwks; 404 when empty
	// noStore sends discovery with Cache-Control: no-store, so every read reaches the server.
	noStore bool
	conns   int // TCP connections accepted
}

func newFetchServer(t *testing.T, replies ...func(w http.ResponseWriter, r *http.Request)) *fetchServer {
	t.Helper()
	a := &fetchServer{replies: replies}
	a.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			a.mu.Lock()
			a.discovery++
			noStore := a.noStore
			a.mu.Unlock()
			if noStore {
				w.Header().Set("Cache-Control", "no-store")
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"issuer":%q,"token_endpoint":%q,"jwks_uri":%q,"token_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post","private_key_jwt"]}`,
				a.srv.URL, a.srv.URL+"/token", a.srv.URL+"/jwks")
		case "/token":
			if err := r.ParseForm(); err != nil {
				t.Errorf("token request: %v", err)
			}
			tr := fetchTokenRequest{form: r.PostForm}
			if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Basic ") {
				raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic "))
				u, p, _ := strings.Cut(string(raw), ":")
				tr.user, _ = url.QueryUnescape(u)
				tr.pass, _ = url.QueryUnescape(p)
				tr.basic = true
			}
			a.mu.Lock()
			n := len(a.tokens)
			a.tokens = append(a.tokens, tr)
			a.mu.Unlock()
			reply := a.replies[min(n, len(a.replies)-1)]
			reply(w, r)
		case "/jwks":
			a.mu.Lock()
			body := a.jwks
			a.mu.Unlock()
			if body == "" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, body)
		default:
			http.NotFound(w, r)
		}
	}))
	a.srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			a.mu.Lock()
			a.conns++
			a.mu.Unlock()
		}
	}
	a.srv.Start()
	t.Cleanup(a.srv.Close)
	return a
}

func (a *fetchServer) connCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.conns
}

func (a *fetchServer) tokenCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.tokens)
}

func (a *fetchServer) discoveryCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.discovery
}

func (a *fetchServer) last(t *testing.T) fetchTokenRequest {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.tokens) == 0 {
		t.Fatal("no token request")
	}
	return a.tokens[len(a.tokens)-1]
}

// fetchJSONReply answers with status and body as application/json.
func fetchJSONReply(status int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// fetchAccessToken is a JWT-shaped access token the fake server hands out.
var fetchAccessToken = "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"ci-client","scope":"read:users","aud":"api"}`)) + ".c2ln"

func fetchOKReply(expiresIn int) func(http.ResponseWriter, *http.Request) {
	return fetchJSONReply(200, fmt.Sprintf(`{"access_token":%q,"token_type":"bearer","expires_in":%d,"scope":"read:users","refresh_token":"rt-must-not-show"}`,
		fetchAccessToken, expiresIn))
}

// fetchHarness is the in-process harness with a fixed cache and config directory, so runs
// share the token cache as real invocations do.
func fetchHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	cache, cfg := t.TempDir(), t.TempDir()
	h.deps.CacheDir = func() (string, error) { return cache, nil }
	h.deps.ConfigDir = func() (string, error) { return cfg, nil }
	h.deps.Rand = rand.Reader
	h.env["JWTKIT_CLIENT_SECRET"] = fetchSecret
	return h
}

func (h *harness) fetch(t *testing.T, srv *fetchServer, args ...string) int {
	t.Helper()
	return h.run(append([]string{"fetch", "--token-url", srv.srv.URL + "/token", "--client-id", fetchClient}, args...)...)
}

func TestFetchClientSecretMethods(t *testing.T) {
	srv := newFetchServer(t, fetchOKReply(3600))
	h := fetchHarness(t)

	if code := h.fetch(t, srv, "--scope", "read:users write:users", "--scope", "read:users,admin", "--audience", "https://api.example",
		"--resource", "https://r1.example", "--resource", "https://r2.example", "--param", "organization=org_1", "--param", "x=a=b"); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	if got := h.stdout.String(); got != fetchAccessToken+"\n" {
		t.Errorf("stdout %q, want the token alone", got)
	}
	// The server grants read:users alone, which is worth a warning (RFC 6749 §3.3), and nothing else is said.
	if got := h.stderr.String(); got != "jwtkit: warning: the server did not grant write:users admin of the scopes asked for (granted: read:users; RFC 6749 §3.3)\n" {
		t.Errorf("stderr %q, want the scope warning alone", got)
	}
	req := srv.last(t)
	if !req.basic || req.user != fetchClient || req.pass != fetchSecret {
		t.Errorf("basic credentials %q:%q (basic %v)", req.user, req.pass, req.basic)
	}
	want := url.Values{"grant_type": {"client_credentials"}, "scope": {"read:users write:users admin"},
		"audience": {"https://api.example"}, "resource": {"https://r1.example", "https://r2.example"},
		"organization": {"org_1"}, "x": {"a=b"}}
	if fmt.Sprint(req.form) != fmt.Sprint(want) {
		t.Errorf("form %v\nwant %v", req.form, want)
	}

	if code := h.fetch(t, srv, "--auth-method", "client_secret_post", "--client-secret", "@"+fetchTempFile(t, "secret.txt", "post-secret\n")); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	req = srv.last(t)
	if req.basic || req.form.Get("client_id") != fetchClient || req.form.Get("client_secret") != "post-secret" {
		t.Errorf("client_secret_post request %+v", req)
	}
}

func fetchTempFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeClientKey generates a private key of the kind given and writes it as PEM.
func writeClientKey(t *testing.T, kind string, size int, curve string) (string, keys.Key) {
	t.Helper()
	k, err := keys.Generate(rand.Reader, kind, size, curve, "")
	if err != nil {
		t.Fatal(err)
	}
	k.JWK.KeyID = "" // as a PEM file has none
	pemBytes, err := keys.EncodePEM(k)
	if err != nil {
		t.Fatal(err)
	}
	return fetchTempFile(t, "client.key", string(pemBytes)), k
}

type fetchAssertionClaims struct {
	jwt.Claims
}

func TestFetchPrivateKeyJWT(t *testing.T) {
	for _, tt := range []struct {
		name       string
		kind       string
		size       int
		curve      string
		alg        string
		extra      []string
		wantAud    func(srv *fetchServer) string
		wantKid    func(k keys.Key) string
		viaIssuer  bool
		wantSigAlg jose.SignatureAlgorithm
	}{
		{name: "ES256 default aud", kind: "EC", curve: "P-256", wantSigAlg: jose.ES256},
		{name: "RSA with PS256 and a kid", kind: "RSA", size: 2048, extra: []string{"--assertion-alg", "PS256", "--assertion-kid", "client-kid-1"},
			wantSigAlg: jose.PS256, wantKid: func(keys.Key) string { return "client-kid-1" }},
		{name: "Ed25519 aud issuer", kind: "OKP", viaIssuer: true, extra: []string{"--assertion-aud", "issuer"},
			wantSigAlg: jose.EdDSA, wantAud: func(srv *fetchServer) string { return srv.srv.URL }},
		{name: "aud URL", kind: "EC", curve: "P-384", extra: []string{"--assertion-aud", "https://login.example/tenant"},
			wantSigAlg: jose.ES384, wantAud: func(*fetchServer) string { return "https://login.example/tenant" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFetchServer(t, fetchOKReply(3600))
			h := fetchHarness(t)
			keyFile, key := writeClientKey(t, tt.kind, tt.size, tt.curve)
			endpoint := []string{"--token-url", srv.srv.URL + "/token"}
			if tt.viaIssuer {
				endpoint = []string{"--issuer", srv.srv.URL}
			}
			// JWTKIT_CLIENT_SECRET is set, but private_key_jwt never sends it.
			args := append([]string{"fetch", "--client-id", fetchClient, "--assertion-key", keyFile}, endpoint...)
			if code := h.run(append(args, tt.extra...)...); code != 0 {
				t.Fatalf("exit %d: %s", code, h.stderr)
			}
			req := srv.last(t)
			if req.basic || req.form.Get("client_secret") != "" || strings.Contains(fmt.Sprint(req.form), fetchSecret) {
				t.Errorf("a secret was sent with private_key_jwt: %+v", req)
			}
			if req.form.Get("client_id") != fetchClient ||
				req.form.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
				t.Errorf("form %v", req.form)
			}
			parsed, err := jwt.ParseSigned(req.form.Get("client_assertion"), []jose.SignatureAlgorithm{tt.wantSigAlg})
			if err != nil {
				t.Fatalf("assertion: %v", err)
			}
			var c fetchAssertionClaims
			if err := parsed.Claims(key.Public().JWK.Key, &c); err != nil {
				t.Fatalf("assertion does not verify with the client's public key: %v", err)
			}
			wantAud := srv.srv.URL + "/token"
			if tt.wantAud != nil {
				wantAud = tt.wantAud(srv)
			}
			if c.Issuer != fetchClient || c.Subject != fetchClient || len(c.Audience) != 1 || c.Audience[0] != wantAud {
				t.Errorf("iss %q sub %q aud %v, want aud %q", c.Issuer, c.Subject, c.Audience, wantAud)
			}
			if c.IssuedAt == nil || !c.IssuedAt.Time().Equal(fetchT0) || c.Expiry == nil || c.Expiry.Time().Sub(fetchT0) != 2*time.Minute {
				t.Errorf("iat %v exp %v", c.IssuedAt.Time(), c.Expiry.Time())
			}
			if len(c.ID) < 20 {
				t.Errorf("jti %q is not a random value", c.ID)
			}
			// aud is a single string, as Okta and Hydra want.
			payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(req.form.Get("client_assertion"), ".")[1])
			if !bytes.Contains(payload, []byte(`"aud":"`)) {
				t.Error("aud is not a JSON string")
			}
			wantKid, _ := key.Thumbprint()
			if tt.wantKid != nil {
				wantKid = tt.wantKid(key)
			}
			if parsed.Headers[0].KeyID != wantKid || parsed.Headers[0].ExtraHeaders["typ"] != "JWT" {
				t.Errorf("header %+v, want kid %q", parsed.Headers[0], wantKid)
			}
		})
	}
}

func TestFetchAssertionsAreFresh(t *testing.T) {
	srv := newFetchServer(t, fetchJSONReply(503, `{"error":"temporarily_unavailable"}`), fetchOKReply(3600))
	h := fetchHarness(t)
	keyFile, _ := writeClientKey(t, "EC", 0, "P-256")
	if code := h.fetch(t, srv, "--assertion-key", keyFile); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	if srv.tokenCount() != 2 {
		t.Fatalf("%d requests, want 2", srv.tokenCount())
	}
	a, b := srv.tokens[0].form.Get("client_assertion"), srv.tokens[1].form.Get("client_assertion")
	if a == "" || a == b {
		t.Error("a retried request replayed the client assertion")
	}
}

func TestFetchOutput(t *testing.T) {
	srv := newFetchServer(t, fetchOKReply(3600))
	h := fetchHarness(t)

	if code := h.fetch(t, srv, "--json", "--no-cache"); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal(h.stdout.Bytes(), &doc); err != nil {
		t.Fatalf("--json output: %v\n%s", err, h.stdout)
	}
	want := map[string]any{"access_token": fetchAccessToken, "token_type": "Bearer", "expires_in": 3600.0,
		"expires_at": "2026-11-25T11:00:00Z", "scope": "read:users"}
	if fmt.Sprint(doc) != fmt.Sprint(want) {
		t.Errorf("--json\n got %v\nwant %v", doc, want)
	}

	if code := h.fetch(t, srv, "--no-cache", "--copy", "--decode"); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	if h.stdout.String() != fetchAccessToken+"\n" || h.clip.Text != fetchAccessToken {
		t.Errorf("stdout %q, clipboard %q", h.stdout, h.clip.Text)
	}
	for _, w := range []string{"copied the access token to the clipboard", `"sub": "ci-client"`, `"aud": "api"`} {
		if !strings.Contains(h.stderr.String(), w) {
			t.Errorf("stderr lacks %q:\n%s", w, h.stderr)
		}
	}
	if strings.Contains(h.stderr.String(), fetchAccessToken) {
		t.Error("--decode printed the token itself on stderr")
	}

	opaque := newFetchServer(t, fetchJSONReply(200, `{"access_token":"opaque-token-value","token_type":"Bearer"}`))
	if code := h.fetch(t, opaque, "--decode"); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	if h.stdout.String() != "opaque-token-value\n" || !strings.Contains(h.stderr.String(), "not a signed JWT") {
		t.Errorf("opaque token: stdout %q stderr %q", h.stdout, h.stderr)
	}
}

func TestFetchCache(t *testing.T) {
	srv := newFetchServer(t, fetchOKReply(3600))
	h := fetchHarness(t)
	fetch := func(args ...string) {
		t.Helper()
		if code := h.fetch(t, srv, append([]string{"--scope", "read:users"}, args...)...); code != 0 {
			t.Fatalf("exit %d: %s", code, h.stderr)
		}
		if h.stdout.String() != fetchAccessToken+"\n" {
			t.Fatalf("stdout %q", h.stdout)
		}
	}
	steps := []struct {
		name     string
		args     []string
		requests int
	}{
		{"first", nil, 1},
		{"second within the lifetime makes no request", nil, 1},
		{"scopes are a set", []string{"--scope", "read:users"}, 1},
		{"61s before expiry is still good", []string{"--now", "2026-11-25T10:58:59Z"}, 1},
		{"60s before expiry fetches again", []string{"--now", "2026-11-25T10:59:00Z"}, 2},
		{"other scopes miss", []string{"--scope", "write:users"}, 3},
		{"another audience misses", []string{"--audience", "https://other"}, 4},
		{"--refresh fetches", []string{"--refresh"}, 5},
		{"--no-cache fetches", []string{"--no-cache"}, 6},
		{"the refreshed token is cached", nil, 6},
	}
	for _, st := range steps {
		fetch(st.args...)
		if got := srv.tokenCount(); got != st.requests {
			t.Fatalf("%s: %d requests in all, want %d", st.name, got, st.requests)
		}
	}

	// A rotated secret misses (the key holds a hash of it).
	h.env["JWTKIT_CLIENT_SECRET"] = "another secret"
	fetch()
	if srv.tokenCount() != 7 {
		t.Errorf("a new secret used the old secret's token")
	}

	// The cache files are private and hold neither the secret nor a refresh token.
	dir, _ := h.deps.CacheDir()
	entries, _ := os.ReadDir(dir)
	if len(entries) == 0 {
		t.Fatal("nothing cached")
	}
	for _, e := range entries {
		info, _ := e.Info()
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v", e.Name(), info.Mode())
		}
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		for _, s := range []string{fetchSecret, "another secret", "rt-must-not-show", base64.StdEncoding.EncodeToString([]byte("rt-must-not-show"))} {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("cache file %s holds %q", e.Name(), s)
			}
		}
	}
}

func TestFetchCacheWithDiscovery(t *testing.T) {
	srv := newFetchServer(t, fetchOKReply(3600))
	h := fetchHarness(t)
	for i := 0; i < 2; i++ {
		if code := h.run("fetch", "--issuer", srv.srv.URL, "--client-id", fetchClient, "--json"); code != 0 {
			t.Fatalf("exit %d: %s", code, h.stderr)
		}
	}
	if srv.tokenCount() != 1 || srv.discoveryCount() != 1 {
		t.Errorf("%d token and %d discovery requests, want 1 and 1", srv.tokenCount(), srv.discoveryCount())
	}
	// Much later the discovery document has expired and the token too: both are fetched.
	if code := h.run("fetch", "--issuer", srv.srv.URL, "--client-id", fetchClient, "--now", "+2h"); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	if srv.tokenCount() != 2 || srv.discoveryCount() != 2 {
		t.Errorf("%d token and %d discovery requests, want 2 and 2", srv.tokenCount(), srv.discoveryCount())
	}
	// A token without expires_in is never cached.
	noExp := newFetchServer(t, fetchJSONReply(200, `{"access_token":"a","token_type":"Bearer"}`))
	h.fetch(t, noExp)
	h.fetch(t, noExp)
	if noExp.tokenCount() != 2 {
		t.Errorf("a token of unknown lifetime was cached")
	}
}

// TestFetchCacheDropsTokenOfUnpublishedKey: a server restarted with a fresh key (the same
// issuer URL, another kid in its key set) never gets back the token it cannot have issued.
// TestFetchReadsDiscoveryOnce: a fetch reads the issuer's metadata once, whether the cache
// answers (the key check needs jwks_uri) or a token is requested, and also when the
// authentication method is chosen from token_endpoint_auth_methods_supported.
func TestFetchReadsDiscoveryOnce(t *testing.T) {
	tokenWithKid := "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"ci"}`)) + ".c2ln"
	srv := newFetchServer(t, fetchJSONReply(200, fmt.Sprintf(`{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, tokenWithKid)))
	srv.noStore = true
	k, err := keys.Generate(rand.Reader, "ec", 0, "P-256", "")
	if err != nil {
		t.Fatal(err)
	}
	k.JWK.KeyID = "k1"
	set, err := keys.MarshalJWKS([]keys.Key{k}, false)
	if err != nil {
		t.Fatal(err)
	}
	srv.jwks = string(set)
	h := fetchHarness(t)
	for i, method := range []string{"", "", "client_secret_basic", "client_secret_basic"} {
		args := []string{"fetch", "--issuer", srv.srv.URL, "--client-id", fetchClient, "--scope", "s" + method}
		if method != "" {
			args = append(args, "--auth-method", method)
		}
		if code := h.run(args...); code != 0 {
			t.Fatalf("fetch %d: exit %d: %s", i+1, code, h.stderr)
		}
		if got := srv.discoveryCount(); got != i+1 {
			t.Fatalf("after fetch %d (auth method %q): %d discovery reads, want %d", i+1, method, got, i+1)
		}
		// One HTTP client per run: the metadata read for the automatic method and the token
		// request share a connection (a second client would dial again).
		if got := srv.connCount(); got != i+1 {
			t.Fatalf("after fetch %d (auth method %q): %d connections, want %d", i+1, method, got, i+1)
		}
	}
	if srv.tokenCount() != 2 {
		t.Errorf("%d token requests, want 2 (the second of each pair from the cache)", srv.tokenCount())
	}
}

func TestFetchCacheDropsTokenOfUnpublishedKey(t *testing.T) {
	publish := func(srv *fetchServer, kid string) {
		k, err := keys.Generate(rand.Reader, "ec", 0, "P-256", "")
		if err != nil {
			t.Fatal(err)
		}
		k.JWK.KeyID = kid
		set, err := keys.MarshalJWKS([]keys.Key{k}, false)
		if err != nil {
			t.Fatal(err)
		}
		srv.mu.Lock()
		srv.jwks = string(set)
		srv.mu.Unlock()
	}
	tokenWithKid := "eyJhbGciOiJFUzI1NiIsImtpZCI6Im9sZC1rZXkifQ." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"ci"}`)) + ".c2ln"
	srv := newFetchServer(t, fetchJSONReply(200, fmt.Sprintf(`{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, tokenWithKid)))
	publish(srv, "old-key")
	h := fetchHarness(t)
	fetch := func() {
		t.Helper()
		if code := h.run("fetch", "--issuer", srv.srv.URL, "--client-id", fetchClient); code != 0 {
			t.Fatalf("exit %d: %s", code, h.stderr)
		}
	}
	fetch()
	fetch()
	if srv.tokenCount() != 1 {
		t.Fatalf("%d token requests while the key is published, want 1 (the second from the cache)", srv.tokenCount())
	}
	publish(srv, "new-key")
	fetch()
	if srv.tokenCount() != 2 {
		t.Fatalf("%d token requests after the key changed, want 2", srv.tokenCount())
	}
	if !strings.Contains(h.stderr.String(), `key "old-key" is no longer published`) {
		t.Errorf("stderr does not say why the cached token was dropped: %q", h.stderr)
	}
	// Without a key set to ask, a new token is fetched rather than a stale one trusted.
	srv.mu.Lock()
	srv.jwks = ""
	srv.mu.Unlock()
	fetch()
	if srv.tokenCount() != 3 {
		t.Errorf("%d token requests with the key set gone, want 3", srv.tokenCount())
	}
}

func TestFetchRetries(t *testing.T) {
	unavailable := fetchJSONReply(503, `{"error":"temporarily_unavailable","error_description":"try later"}`)
	tests := []struct {
		name     string
		replies  []func(http.ResponseWriter, *http.Request)
		args     []string
		code     int
		requests int
		stderr   string
	}{
		{"503 then success", []func(http.ResponseWriter, *http.Request){unavailable, fetchOKReply(60)}, nil, 0, 2, ""},
		{"429 then success", []func(http.ResponseWriter, *http.Request){fetchJSONReply(429, `{}`), fetchOKReply(60)}, nil, 0, 2, ""},
		{"gives up after --retries", []func(http.ResponseWriter, *http.Request){unavailable}, nil, 3, 3,
			"temporarily_unavailable: try later (HTTP 503 Service Unavailable from http://127.0.0.1:"},
		{"--retries 0", []func(http.ResponseWriter, *http.Request){unavailable}, []string{"--retries", "0"}, 3, 1, "temporarily_unavailable"},
		{"--retries 4", []func(http.ResponseWriter, *http.Request){unavailable}, []string{"--retries", "4"}, 3, 5, "after 5 attempts"},
		{"400 is not retried", []func(http.ResponseWriter, *http.Request){fetchJSONReply(400, `{"error":"invalid_scope","error_description":"scope admin is not allowed"}`)},
			nil, 3, 1, "jwtkit: invalid_scope: scope admin is not allowed (HTTP 400 Bad Request from http://127.0.0.1:"},
		{"401 is not retried", []func(http.ResponseWriter, *http.Request){fetchJSONReply(401, `{"error":"invalid_client","error_description":"Client authentication failed"}`)},
			nil, 3, 1, "invalid_client: Client authentication failed (HTTP 401 Unauthorized from http://127.0.0.1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFetchServer(t, tt.replies...)
			h := fetchHarness(t)
			code := h.fetch(t, srv, tt.args...)
			if code != tt.code || srv.tokenCount() != tt.requests {
				t.Fatalf("exit %d after %d requests, want %d after %d: %s", code, srv.tokenCount(), tt.code, tt.requests, h.stderr)
			}
			if !strings.Contains(h.stderr.String(), tt.stderr) {
				t.Errorf("stderr %q\nwant %q", h.stderr, tt.stderr)
			}
			if code != 0 && h.stdout.Len() != 0 {
				t.Errorf("stdout %q on failure", h.stdout)
			}
		})
	}
}

// runFetchDirect runs fetch with test hooks, outside the root command.
func runFetchDirect(t *testing.T, h *harness, opts *FetchOptions, args ...string) error {
	t.Helper()
	g := &Global{deps: h.deps}
	if err := g.resolve(); err != nil {
		t.Fatal(err)
	}
	cmd := newFetchCmdWith(g, opts)
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.ExecuteContext(context.Background())
}

func TestFetchRetriesConnectionErrorsWithBackoff(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	tokenURL := srv.URL + "/token"
	srv.Close() // nothing listens there any more
	h := fetchHarness(t)
	var waits []time.Duration
	opts := &FetchOptions{sleep: func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}}
	err := runFetchDirect(t, h, opts, "--token-url", tokenURL, "--client-id", "c", "--retries", "3")
	if err == nil || !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "after 4 attempts") {
		t.Fatalf("error %v", err)
	}
	if fmt.Sprint(waits) != "[500ms 1s 2s]" {
		t.Errorf("waits %v, want 500ms 1s 2s", waits)
	}
}

func TestFetchTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := newFetchServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
	})
	defer close(release)
	h := fetchHarness(t)
	start := time.Now()
	code := h.fetch(t, srv, "--timeout", "200ms")
	if code != 3 || !strings.Contains(h.stderr.String(), "timed out after 200ms; raise --timeout") {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	if srv.tokenCount() != 1 {
		t.Errorf("a timeout was retried (%d requests)", srv.tokenCount())
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("took %v", took)
	}
}

func TestFetchUnusableAnswers(t *testing.T) {
	html := "<html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("upstream exploded ", 200) + "</body></html>"
	tests := []struct {
		name   string
		reply  func(http.ResponseWriter, *http.Request)
		stderr string
		maxLen int
	}{
		{"HTML error page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(404)
			io.WriteString(w, html)
		}, "jwtkit: token request to http://127.0.0.1:", 400},
		{"non-JSON success", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "access_token=abc&token_type=bearer")
		}, "returned an unusable response: not a JSON object (34 bytes, text/plain)", 300},
		{"not Bearer", fetchJSONReply(200, `{"access_token":"abc","token_type":"DPoP"}`), `token_type "DPoP"; jwtkit accepts only Bearer tokens`, 300},
		{"no access token", fetchJSONReply(200, `{"token_type":"Bearer"}`), "no access_token", 300},
		{"error without description", fetchJSONReply(400, `{"error":"unsupported_grant_type"}`), "unsupported_grant_type (HTTP 400 Bad Request from", 300},
		{"control characters", fetchJSONReply(400, "{\"error\":\"invalid_request\",\"error_description\":\"bad\\u001b[31m red\"}"), "invalid_request: bad [31m red", 300},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/token", http.StatusTemporaryRedirect)
		}, "refused to follow a redirect (HTTP 307 Temporary Redirect) to elsewhere.example", 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFetchServer(t, tt.reply)
			h := fetchHarness(t)
			if code := h.fetch(t, srv, "--retries", "0"); code != 3 {
				t.Fatalf("exit %d: %s", code, h.stderr)
			}
			msg := h.stderr.String()
			if !strings.Contains(msg, tt.stderr) {
				t.Errorf("stderr %q\nwant %q", msg, tt.stderr)
			}
			if len(msg) > tt.maxLen || strings.Count(msg, "\n") != 1 || strings.Contains(msg, "\x1b") {
				t.Errorf("error is not one short clean line (%d bytes): %q", len(msg), msg)
			}
		})
	}
}

// The secret, the assertion and the tokens appear nowhere but the token on stdout.
func TestFetchNeverShowsSecrets(t *testing.T) {
	keyFile, _ := writeClientKey(t, "EC", 0, "P-256")
	for _, tt := range []struct {
		name    string
		replies []func(http.ResponseWriter, *http.Request)
		args    []string
	}{
		{"basic, verbose", []func(http.ResponseWriter, *http.Request){fetchOKReply(60)}, []string{"--verbose", "--no-cache"}},
		{"post, verbose", []func(http.ResponseWriter, *http.Request){fetchOKReply(60)}, []string{"--verbose", "--auth-method", "client_secret_post", "--no-cache"}},
		{"assertion, verbose", []func(http.ResponseWriter, *http.Request){fetchOKReply(60)}, []string{"--verbose", "--assertion-key", keyFile, "--no-cache"}},
		{"error echoing the secret", []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			w.WriteHeader(500)
			fmt.Fprintf(w, "boom %s %s", r.Header.Get("Authorization"), r.PostForm.Get("client_secret"))
		}}, []string{"--verbose", "--retries", "0", "--auth-method", "client_secret_post"}},
		{"json error", []func(http.ResponseWriter, *http.Request){fetchJSONReply(401, `{"error":"invalid_client"}`)}, []string{"--json", "--retries", "0"}},
		{"client_secret_jwt, verbose", []func(http.ResponseWriter, *http.Request){fetchOKReply(60)}, []string{"--verbose", "--auth-method", "client_secret_jwt", "--no-cache"}},
		{"refresh token, verbose", []func(http.ResponseWriter, *http.Request){fetchOKReply(60)}, []string{"--verbose", "--grant", "refresh_token", "--refresh-token", "env:GIVEN_RT", "--keep-refresh"}},
		{"refresh token echoed in an error", []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"error":"invalid_grant","error_description":"unknown %s"}`, r.PostForm.Get("refresh_token"))
		}}, []string{"--verbose", "--grant", "refresh_token", "--refresh-token", "env:GIVEN_RT"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFetchServer(t, tt.replies...)
			h := fetchHarness(t)
			h.env["GIVEN_RT"] = "given-refresh-token-must-not-show"
			h.fetch(t, srv, tt.args...)
			req := srv.last(t)
			secrets := []string{fetchSecret, url.QueryEscape(fetchSecret), "rt-must-not-show", "given-refresh-token-must-not-show",
				base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(fetchClient) + ":" + url.QueryEscape(fetchSecret)))}
			if a := req.form.Get("client_assertion"); a != "" {
				secrets = append(secrets, a, a[strings.LastIndexByte(a, '.')+1:])
			}
			for _, s := range secrets {
				if strings.Contains(h.stderr.String(), s) {
					t.Errorf("stderr shows %q:\n%s", s, h.stderr)
				}
			}
			if strings.Contains(h.stderr.String(), fetchAccessToken) {
				t.Errorf("stderr shows the access token:\n%s", h.stderr)
			}
			if slices.Contains(tt.args, "--verbose") && !strings.Contains(h.stderr.String(), "[redacted]") {
				t.Errorf("verbose output shows no redaction:\n%s", h.stderr)
			}
		})
	}
}

func TestFetchUsageErrors(t *testing.T) {
	hmacKey := fetchTempFile(t, "hmac.jwk", `{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}`)
	_, priv := writeClientKey(t, "EC", 0, "P-256")
	pubPEM, _ := keys.EncodePEM(priv.Public())
	pubKey := fetchTempFile(t, "client.pub", string(pubPEM))
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no endpoint", nil, []string{"--client-id", "c"}, "no token endpoint: pass --token-url or --issuer"},
		{"no client", nil, []string{"--token-url", "https://idp.example/token"}, "no client id: pass --client-id"},
		{"no secret", map[string]string{"JWTKIT_CLIENT_SECRET": ""}, []string{"--token-url", "https://idp.example/token", "--client-id", "c"},
			"client_secret_basic needs the client secret: pass --client-secret env:NAME or @FILE, or set JWTKIT_CLIENT_SECRET"},
		{"unset secret variable", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--client-secret", "env:NOPE"},
			"--client-secret: "},
		{"unknown method", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--auth-method", "client_secret_jws"},
			`--auth-method "client_secret_jws": use client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, tls_client_auth, self_signed_tls_client_auth, none; did you mean client_secret_jwt?`},
		{"none for a service", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--auth-method", "none"},
			"--auth-method none is for public clients signing a user in"},
		{"unknown grant", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--grant", "device"},
			`unknown --grant "device": use client_credentials, authorization_code, device_code, refresh_token`},
		{"redirect uri for client credentials", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--redirect-uri", "http://127.0.0.1:1/cb"},
			"--redirect-uri is for --grant authorization_code, not client_credentials"},
		{"keep refresh for client credentials", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--keep-refresh"},
			"--keep-refresh is for the login grants"},
		{"refresh grant without a token", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--grant", "refresh_token", "--no-cache"},
			"--grant refresh_token needs a refresh token"},
		{"no assertion key", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--auth-method", "private_key_jwt"},
			"private_key_jwt needs the client's private key: pass --assertion-key FILE"},
		{"secret with private_key_jwt", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--auth-method", "private_key_jwt", "--client-secret", "x"},
			"private_key_jwt sends no client secret; drop --client-secret"},
		{"HMAC assertion key", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--assertion-key", hmacKey},
			"is an HMAC secret; private_key_jwt signs with the client's RSA, EC or Ed25519 private key"},
		{"public assertion key", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--assertion-key", pubKey},
			"signing the client assertion needs the private key"},
		{"assertion key with basic", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--auth-method", "client_secret_basic", "--assertion-key", pubKey},
			"--assertion-key is for private_key_jwt"},
		{"assertion aud issuer without issuer", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--assertion-key", fetchTempFile(t, "k.pem", fetchPEM(t, priv)), "--assertion-aud", "issuer"},
			"--assertion-aud issuer needs the issuer: pass --issuer"},
		{"assertion aud nonsense", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--assertion-key", fetchTempFile(t, "k.pem", fetchPEM(t, priv)), "--assertion-aud", "tokenendpoint"},
			`--assertion-aud "tokenendpoint": use token-endpoint, issuer or a URL`},
		{"assertion aud with basic", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--assertion-aud", "issuer"},
			"--assertion-aud is for private_key_jwt"},
		{"bad param", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--param", "novalue"}, `--param "novalue": use name=value`},
		{"reserved param", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--param", "grant_type=password"},
			`parameter "grant_type" is set by jwtkit itself`},
		{"retries", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--retries", "11"}, "--retries 11: use 0 to 10"},
		{"timeout", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--timeout", "soon"}, "--timeout: "},
		{"zero timeout", nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c", "--timeout", "0s"}, "--timeout must be longer than 0s"},
		{"plain http elsewhere", nil, []string{"--token-url", "http://idp.example/token", "--client-id", "c"}, "plain http is allowed only to loopback addresses"},
		{"issuer with query", nil, []string{"--issuer", "https://idp.example/?x=1", "--client-id", "c"}, "must not have a query or fragment"},
		{"argument", nil, []string{"extra"}, `unknown command "extra" for "jwtkit fetch"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fetchHarness(t)
			for k, v := range tt.env {
				h.env[k] = v
			}
			if code := h.run(append([]string{"fetch"}, tt.args...)...); code != 2 {
				t.Fatalf("exit %d, want 2: %s", code, h.stderr)
			}
			if !strings.Contains(h.stderr.String(), tt.want) {
				t.Errorf("stderr %q\nwant %q", h.stderr, tt.want)
			}
			if h.stdout.Len() != 0 {
				t.Errorf("stdout %q", h.stdout)
			}
		})
	}
}

func fetchPEM(t *testing.T, k keys.Key) string {
	t.Helper()
	b, err := keys.EncodePEM(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFetchInsecureWarns(t *testing.T) {
	srv := newFetchServer(t, fetchOKReply(60))
	h := fetchHarness(t)
	if code := h.fetch(t, srv, "--insecure"); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	if !strings.Contains(h.stderr.String(), "warning: --insecure") {
		t.Errorf("stderr %q", h.stderr)
	}
}

func TestFetchTokenAlias(t *testing.T) {
	srv := newFetchServer(t, fetchOKReply(60))
	h := fetchHarness(t)
	if code := h.run("token", "--token-url", srv.srv.URL+"/token", "--client-id", "c"); code != 0 || h.stdout.String() != fetchAccessToken+"\n" {
		t.Fatalf("exit %d: %s %s", code, h.stdout, h.stderr)
	}
}

// A private key or a secret file that other users can read is used, with a warning.
func TestFetchWarnsAboutReadableSecretFiles(t *testing.T) {
	srv := newFetchServer(t, fetchOKReply(60))
	keyFile, _ := writeClientKey(t, "EC", 0, "P-256")
	secretFile := fetchTempFile(t, "secret.txt", "file-secret\n")
	for _, f := range []string{keyFile, secretFile} {
		if err := os.Chmod(f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"assertion key", []string{"--assertion-key", keyFile}, keyFile + " is readable by others (mode 0644)"},
		{"assertion key as @file", []string{"--assertion-key", "@" + keyFile}, keyFile + " is readable by others"},
		{"client secret file", []string{"--client-secret", "@" + secretFile}, secretFile + " is readable by others (mode 0644)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := fetchHarness(t)
			if code := h.fetch(t, srv, append([]string{"--no-cache"}, tt.args...)...); code != 0 {
				t.Fatalf("exit %d: %s", code, h.stderr)
			}
			if !strings.Contains(h.stderr.String(), "warning: "+tt.want) {
				t.Errorf("stderr %q\nwant %q", h.stderr, tt.want)
			}
			if code := h.fetch(t, srv, append([]string{"--no-cache", "-q"}, tt.args...)...); code != 0 || h.stderr.Len() != 0 {
				t.Errorf("-q: exit %d, stderr %q", code, h.stderr)
			}
		})
	}
	// A private file, and a secret that is not a file, give no warning.
	h := fetchHarness(t)
	if err := os.Chmod(keyFile, 0o600); err != nil {
		t.Fatal(err)
	}
	if code := h.fetch(t, srv, "--no-cache", "--assertion-key", keyFile); code != 0 || h.stderr.Len() != 0 {
		t.Errorf("private key file: exit %d, stderr %q", code, h.stderr)
	}
	if code := h.fetch(t, srv, "--no-cache", "--client-secret", "plain-literal-secret"); code != 0 || h.stderr.Len() != 0 {
		t.Errorf("literal secret: exit %d, stderr %q", code, h.stderr)
	}
}

// TestFetchGuessedAssertionKidIsNamed: when a server refuses a private_key_jwt assertion whose
// kid was the key's thumbprint (the key file named none), the error says so and names the flag.
func TestFetchGuessedAssertionKidIsNamed(t *testing.T) {
	refuse := fetchJSONReply(401, `{"error":"invalid_client","error_description":"Client authentication failed"}`)
	for _, tt := range []struct {
		name     string
		extra    []string
		wantHint bool
	}{
		{"thumbprint as kid", nil, true},
		{"kid given", []string{"--assertion-kid", "registered-kid"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFetchServer(t, refuse)
			h := fetchHarness(t)
			keyFile, key := writeClientKey(t, "EC", 0, "P-256")
			args := append([]string{"fetch", "--token-url", srv.srv.URL + "/token", "--client-id", fetchClient, "--assertion-key", keyFile, "--retries", "0"}, tt.extra...)
			if code := h.run(args...); code != 3 {
				t.Fatalf("exit %d, want 3: %s", code, h.stderr)
			}
			msg := h.stderr.String()
			if strings.Count(strings.TrimSpace(msg), "\n") != 0 {
				t.Errorf("error is not one line: %q", msg)
			}
			tp, err := key.Thumbprint()
			if err != nil {
				t.Fatal(err)
			}
			hinted := strings.Contains(msg, "pass --assertion-kid") && strings.Contains(msg, tp)
			if hinted != tt.wantHint {
				t.Errorf("hint shown %v, want %v: %q", hinted, tt.wantHint, msg)
			}
		})
	}
}

// TestFetchMinTTL: --min-ttl warns on stderr when the access token expires sooner than asked
// (issue 14), and is quiet otherwise; the token still goes to stdout and the exit code is 0.
func TestFetchMinTTL(t *testing.T) {
	srv := newFetchServer(t, fetchOKReply(300))
	for _, tc := range []struct {
		minTTL, want string
	}{
		{"10m", "jwtkit: warning: the access token expires in 5m, sooner than --min-ttl 10m\n"},
		{"5m", ""},
		{"1m", ""},
	} {
		t.Run(tc.minTTL, func(t *testing.T) {
			h := fetchHarness(t)
			if code := h.fetch(t, srv, "--no-cache", "--min-ttl", tc.minTTL); code != 0 {
				t.Fatalf("exit %d: %s", code, h.stderr)
			}
			if got := h.stdout.String(); got != fetchAccessToken+"\n" {
				t.Errorf("stdout %q, want the token alone", got)
			}
			if got := h.stderr.String(); got != tc.want {
				t.Errorf("stderr %q, want %q", got, tc.want)
			}
		})
	}
}

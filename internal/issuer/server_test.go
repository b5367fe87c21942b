package issuer

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

func TestDiscovery(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		path string
		oidc bool
	}{
		{"/.well-known/openid-configuration", true},
		{"/.well-known/oauth-authorization-server", false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			w := f.get(tc.path)
			if w.Code != http.StatusOK {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			if w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("headers = %v", w.Header())
			}
			m := decodeJSON(t, w.Body.Bytes())
			want := map[string]any{
				"issuer":                                         testIssuer,
				"token_endpoint":                                 testIssuer + "/token",
				"jwks_uri":                                       testIssuer + "/jwks.json",
				"authorization_endpoint":                         testIssuer + "/authorize",
				"introspection_endpoint":                         testIssuer + "/introspect",
				"revocation_endpoint":                            testIssuer + "/revoke",
				"grant_types_supported":                          []any{"authorization_code", "refresh_token", "client_credentials", GrantTokenExchange, GrantDeviceCode, GrantJWTBearer},
				"device_authorization_endpoint":                  testIssuer + "/device_authorization",
				"response_types_supported":                       []any{"code"},
				"response_modes_supported":                       []any{"query"},
				"code_challenge_methods_supported":               []any{"S256"},
				"token_endpoint_auth_methods_supported":          []any{"client_secret_basic", "client_secret_post", "private_key_jwt"},
				"scopes_supported":                               []any{"openid", "profile", "email", "address", "phone", "offline_access", "read:users", "write:users"},
				"authorization_response_iss_parameter_supported": true,
			}
			if tc.oidc {
				want["subject_types_supported"] = []any{"public"}
				want["id_token_signing_alg_values_supported"] = []any{"ES256"}
				want["userinfo_endpoint"] = testIssuer + "/userinfo"
				want["end_session_endpoint"] = testIssuer + "/end_session"
			}
			for name, v := range want {
				if mustJSON(m[name]) != mustJSON(v) {
					t.Errorf("%s = %s, want %s", name, mustJSON(m[name]), mustJSON(v))
				}
			}
			algs := m["token_endpoint_auth_signing_alg_values_supported"].([]any)
			if slices.Contains(algs, any("none")) || slices.Contains(algs, any("HS256")) || !slices.Contains(algs, any("ES256")) {
				t.Errorf("token_endpoint_auth_signing_alg_values_supported = %v", algs)
			}
			if !tc.oidc {
				for _, name := range []string{"subject_types_supported", "userinfo_endpoint", "end_session_endpoint"} {
					if _, has := m[name]; has {
						t.Errorf("the RFC 8414 document carries the OpenID field %s", name)
					}
				}
			}
		})
	}
	head := f.do(httptest.NewRequest(http.MethodHead, "https://issuer.test/jwks.json", nil))
	if head.Code != 200 || head.Body.Len() != 0 {
		t.Errorf("HEAD /jwks.json = %d with %d bytes", head.Code, head.Body.Len())
	}
	post := f.do(httptest.NewRequest(http.MethodPost, "https://issuer.test/.well-known/openid-configuration", nil))
	if post.Code != http.StatusMethodNotAllowed || post.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST discovery = %d, Allow %q", post.Code, post.Header().Get("Allow"))
	}
	if w := f.get("/nothing"); w.Code != 404 || decodeJSON(t, w.Body.Bytes())["error"] != ErrNotFound {
		t.Errorf("GET /nothing = %d %s", w.Code, w.Body)
	}
}

// TestIssuerWithPath follows RFC 8414 §3.1 and OpenID Connect Discovery §4 for an issuer with a
// path component, and keeps a trailing slash in iss as given (Auth0 style).
func TestIssuerWithPath(t *testing.T) {
	for _, issuer := range []string{"https://issuer.test/tenant/a", "https://issuer.test/tenant/a/"} {
		t.Run(issuer, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.Issuer = issuer })
			base := strings.TrimSuffix(issuer, "/")
			for _, path := range []string{
				"/tenant/a/.well-known/openid-configuration",
				"/.well-known/oauth-authorization-server/tenant/a",
				"/tenant/a/jwks.json",
			} {
				w := f.get(path)
				if w.Code != 200 {
					t.Fatalf("GET %s = %d %s", path, w.Code, w.Body)
				}
			}
			m := decodeJSON(t, f.get("/tenant/a/.well-known/openid-configuration").Body.Bytes())
			if m["issuer"] != issuer || m["token_endpoint"] != base+"/token" || m["jwks_uri"] != base+"/jwks.json" {
				t.Errorf("metadata = %v", m)
			}
			if got := f.srv.URL(PathOAuthMetadata); got != "https://issuer.test/.well-known/oauth-authorization-server/tenant/a" {
				t.Errorf("URL(PathOAuthMetadata) = %s", got)
			}
			if w := f.get("/jwks.json"); w.Code != 404 {
				t.Errorf("endpoints outside the issuer path answer: %d", w.Code)
			}
			r := httptest.NewRequest("POST", "https://issuer.test/tenant/a/token", strings.NewReader("grant_type=client_credentials"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			basicAuth("any", "any-secret")(r)
			w := f.do(r)
			if w.Code != 200 {
				t.Fatalf("token: %d %s", w.Code, w.Body)
			}
			_, claims := f.verifyTokenAt(t, decodeJSON(t, w.Body.Bytes())["access_token"].(string), "/tenant/a/jwks.json")
			if claims["iss"] != issuer {
				t.Errorf("iss = %v, want %s", claims["iss"], issuer)
			}
		})
	}
}

func TestJWKS(t *testing.T) {
	extra := genKey(t, "RS256")
	extra.JWK.Algorithm = ""
	f := newFixture(t, func(c *Config) { c.Keys = append(c.Keys, extra) })
	w := f.get("/jwks.json")
	for _, member := range []string{`"d"`, `"p"`, `"q"`, `"dp"`, `"dq"`, `"qi"`, `"k"`} {
		if strings.Contains(w.Body.String(), member+":") {
			t.Errorf("the JWK Set holds private member %s", member)
		}
	}
	list, notes, err := keys.ParseJWKS(w.Body.Bytes(), "jwks.json")
	if err != nil || len(notes) != 0 {
		t.Fatalf("ParseJWKS: %v %v", err, notes)
	}
	if len(list) != 2 {
		t.Fatalf("%d keys, want 2", len(list))
	}
	for i, wantAlg := range []string{"ES256", "RS256"} {
		k := list[i]
		tp, _ := k.Thumbprint()
		if k.JWK.Algorithm != wantAlg || k.JWK.Use != "sig" || k.JWK.KeyID == "" || k.IsPrivate() {
			t.Errorf("key %d: alg %q use %q kid %q private %v", i, k.JWK.Algorithm, k.JWK.Use, k.JWK.KeyID, k.IsPrivate())
		}
		if i == 1 && k.JWK.KeyID != tp {
			t.Errorf("a key without kid gets its thumbprint: %q, want %q", k.JWK.KeyID, tp)
		}
	}
	if got := f.srv.KeyIDs(); len(got) != 2 || got[0] != f.srv.SigningKeyID() {
		t.Errorf("KeyIDs = %v", got)
	}
}

func TestNewErrors(t *testing.T) {
	es := genKey(t, "ES256")
	secret := keys.SecretKey([]byte("0123456789abcdef0123456789abcdef"), "--key secret")
	base := func() Config {
		return Config{Issuer: testIssuer, Keys: []keys.Key{es}, Now: time.Now, Rand: rand.Reader}
	}
	dupKid := genKey(t, "ES256")
	dupKid.JWK.KeyID = es.JWK.KeyID
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"no issuer", func(c *Config) { c.Issuer = "" }, "not an absolute URL"},
		{"ftp issuer", func(c *Config) { c.Issuer = "ftp://x" }, "http or https"},
		{"issuer with query", func(c *Config) { c.Issuer = "https://x/?a=b" }, "query or fragment"},
		{"issuer with fragment", func(c *Config) { c.Issuer = "https://x/#f" }, "query or fragment"},
		{"issuer with user", func(c *Config) { c.Issuer = "https://u:p@x/" }, "user information"},
		{"no keys", func(c *Config) { c.Keys = nil }, "no signing key"},
		{"public key", func(c *Config) { c.Keys = []keys.Key{es.Public()} }, "needs the private key"},
		{"secret", func(c *Config) { c.Keys = []keys.Key{secret} }, "HMAC secret"},
		{"alg mismatch", func(c *Config) { c.Alg = "RS256" }, "RS256"},
		{"duplicate kid", func(c *Config) { c.Keys = append(c.Keys, dupKid) }, "two signing keys have kid"},
		{"no clock", func(c *Config) { c.Now = nil }, "clock"},
		{"duplicate client", func(c *Config) {
			c.Clients = []Client{{ID: "a", Secret: []byte("x")}, {ID: "a", Secret: []byte("y")}}
		}, "registered twice"},
		{"client without credentials", func(c *Config) { c.Clients = []Client{{ID: "a"}} }, "neither a secret nor keys"},
		{"client id with a space", func(c *Config) { c.Clients = []Client{{ID: "a b", Secret: []byte("x")}} }, "printable ASCII"},
		{"client with a secret key", func(c *Config) {
			c.Clients = []Client{{ID: "a", Keys: []keys.Key{secret}}}
		}, "public keys"},
		{"bad scope", func(c *Config) {
			c.Clients = []Client{{ID: "a", Secret: []byte("x"), Scopes: []string{"a b"}}}
		}, "not a valid scope"},
		{"negative ttl", func(c *Config) { c.TokenTTL = -time.Second }, "positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base()
			tt.mod(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestMint(t *testing.T) {
	f := newFixture(t, nil)
	post := func(body, contentType, query string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "https://issuer.test/mint"+query, strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		return f.do(r)
	}
	claims := `{"sub":"alice","aud":["a","b"],"nested":{"z":1,"a":[true,null]},"exp":1795604400,"scope":"read:users"}`
	// ?raw=1: exactly as posted, nothing added.
	w := post(claims, "application/json", "?raw=1")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/jwt" {
		t.Fatalf("%d %s %v", w.Code, w.Body, w.Header())
	}
	header, _ := f.verifyToken(t, w.Body.String())
	p, _ := token.Parse(w.Body.String(), 0)
	if string(p.PayloadJSON) != claims {
		t.Errorf("payload = %s, want exactly %s", p.PayloadJSON, claims)
	}
	if header["typ"] != "JWT" || header["kid"] != f.srv.SigningKeyID() {
		t.Errorf("header = %v", header)
	}
	// By default the claims the post lacks among iss, iat and exp are added after the posted
	// ones; those it sets are kept (exp here).
	w = post(claims, "application/json", "")
	p, _ = token.Parse(w.Body.String(), 0)
	now := f.srv.cfg.Now().Unix()
	if want := strings.TrimSuffix(claims, "}") + `,"iss":"https://issuer.test","iat":` + strconv.FormatInt(now, 10) + "}"; string(p.PayloadJSON) != want {
		t.Errorf("payload = %s, want %s", p.PayloadJSON, want)
	}
	w = post(`{"sub":"bob"}`, "application/json", "?raw=0")
	p, _ = token.Parse(w.Body.String(), 0)
	if want := `{"sub":"bob","iss":"https://issuer.test","iat":` + strconv.FormatInt(now, 10) + `,"exp":` + strconv.FormatInt(now+int64(f.srv.ttl.Seconds()), 10) + "}"; string(p.PayloadJSON) != want {
		t.Errorf("payload = %s, want %s", p.PayloadJSON, want)
	}
	if w = post(`{"sub":"bob"}`, "application/json", "?raw=maybe"); w.Code != http.StatusBadRequest {
		t.Errorf("raw=maybe: %d %s", w.Code, w.Body)
	}
	w = post(`{"sub":"x"}`, "application/json; charset=utf-8", "?typ=at%2Bjwt")
	if h, _ := f.verifyToken(t, w.Body.String()); h["typ"] != "at+jwt" {
		t.Errorf("typ = %v", h["typ"])
	}
	w = post(`{}`, "application/json", "?typ=")
	if h, _ := f.verifyToken(t, w.Body.String()); h["typ"] != nil {
		t.Errorf("typ= should omit typ, got %v", h["typ"])
	}

	errs := []struct {
		name, body, ct, query string
		status                int
		want                  string
	}{
		{"form body", "sub=x", "application/x-www-form-urlencoded", "", 415, "application/json"},
		{"text/plain (a cross-site form can send it)", `{"sub":"x"}`, "text/plain", "", 415, "application/json"},
		{"array", `[1]`, "application/json", "", 400, "claims"},
		{"duplicate claim", `{"sub":"a","sub":"b"}`, "application/json", "", 400, "sub"},
		{"invalid JSON", `{"sub":`, "application/json", "", 400, "claims"},
		{"unknown kid", `{}`, "application/json", "?kid=nope", 400, "no published key"},
		{"too large", `{"a":"` + strings.Repeat("x", MaxMintBytes) + `"}`, "application/json", "", 413, "64 KiB"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			w := post(tt.body, tt.ct, tt.query)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("%d %s, want %d mentioning %q", w.Code, w.Body, tt.status, tt.want)
			}
		})
	}
	get := f.get("/mint")
	if get.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /mint = %d", get.Code)
	}
}

func TestMintOff(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.AllowMint = false })
	r := httptest.NewRequest(http.MethodPost, "https://issuer.test/mint", strings.NewReader(`{"sub":"x"}`))
	r.Header.Set("Content-Type", "application/json")
	w := f.do(r)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "--allow-mint") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestMintWithKid(t *testing.T) {
	f := newFixture(t, nil)
	oldKid := f.srv.SigningKeyID()
	if _, err := f.srv.Rotate(); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "https://issuer.test/mint?kid="+oldKid, strings.NewReader(`{"sub":"x"}`))
	r.Header.Set("Content-Type", "application/json")
	w := f.do(r)
	h, _ := f.verifyToken(t, w.Body.String())
	if h["kid"] != oldKid {
		t.Errorf("kid = %v, want the previous key %s", h["kid"], oldKid)
	}
}

func TestRotation(t *testing.T) {
	f := newFixture(t, nil)
	issue := func() string {
		w := f.postForm(formValues("grant_type", "client_credentials"), basicAuth("any", "any-secret"))
		return decodeJSON(t, w.Body.Bytes())["access_token"].(string)
	}
	k0 := f.srv.SigningKeyID()
	t0 := issue()

	ticks := make(chan time.Time)
	reports := make(chan string)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		f.srv.RunRotation(ctx, ticks, func(kid string, err error) {
			if err != nil {
				t.Errorf("rotation: %v", err)
			}
			reports <- kid
		})
		close(done)
	}()

	ticks <- testNow
	k1 := <-reports
	if k1 == k0 || f.srv.SigningKeyID() != k1 {
		t.Fatalf("after one rotation the signing kid is %s (was %s, reported %s)", f.srv.SigningKeyID(), k0, k1)
	}
	if got := f.srv.KeyIDs(); !slices.Equal(got, []string{k1, k0}) {
		t.Errorf("published kids = %v, want [%s %s]", got, k1, k0)
	}
	t1 := issue()
	if h, _ := f.verifyToken(t, t1); h["kid"] != k1 || h["alg"] != "ES256" {
		t.Errorf("new tokens: header %v", h)
	}
	f.verifyToken(t, t0) // still verifies: the old key stays published one more period

	ticks <- testNow
	k2 := <-reports
	if got := f.srv.KeyIDs(); !slices.Equal(got, []string{k2, k1}) {
		t.Errorf("published kids = %v, want [%s %s]: the oldest key must go", got, k2, k1)
	}
	for _, k := range f.jwks(t).Keys {
		if k.KeyID == k0 {
			t.Error("the key of two periods ago is still published")
		}
	}
	cancel()
	<-done
}

func TestRotationKeepsAlgorithm(t *testing.T) {
	for _, alg := range []string{"PS256", "EdDSA", "ES384"} {
		t.Run(alg, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.Keys = []keys.Key{genKey(t, alg)} })
			if _, err := f.srv.Rotate(); err != nil {
				t.Fatal(err)
			}
			if f.srv.SigningAlg() != alg {
				t.Errorf("alg after rotation = %s", f.srv.SigningAlg())
			}
			w := f.postForm(formValues("grant_type", "client_credentials"), basicAuth("any", "any-secret"))
			tok := decodeJSON(t, w.Body.Bytes())["access_token"].(string)
			if h, _ := f.verifyToken(t, tok); h["alg"] != alg {
				t.Errorf("header alg = %v", h["alg"])
			}
		})
	}
}

func TestRestrictHosts(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.RestrictHosts = true })
	for host, ok := range map[string]bool{
		"issuer.test":          true,
		"ISSUER.test:443":      true,
		"localhost:8080":       true,
		"app.localhost":        true,
		"127.0.0.1:8080":       true,
		"127.3.4.5":            true,
		"[::1]:8080":           true,
		"attacker.example":     false,
		"attacker.example:80":  false,
		"10.0.0.1":             false,
		"":                     false,
		"localhost.attacker.x": false,
	} {
		r := httptest.NewRequest(http.MethodGet, "https://issuer.test/jwks.json", nil)
		r.Host = host
		w := f.do(r)
		if (w.Code == 200) != ok {
			t.Errorf("Host %q: %d, want allowed=%v", host, w.Code, ok)
		}
		if !ok && w.Code != http.StatusMisdirectedRequest {
			t.Errorf("Host %q: %d, want 421", host, w.Code)
		}
	}
}

// TestLogNeverHoldsSecrets runs every kind of request and checks that no log entry holds a
// client secret, an assertion, a token or a raw control character.
func TestLogNeverHoldsSecrets(t *testing.T) {
	f := newFixture(t, nil)
	a := assertion(t, "jwt-es", f.clientKey["jwt-es"], nil, nil)
	sig := a[strings.LastIndex(a, ".")+1:]
	var tokens []string
	for _, w := range []*httptest.ResponseRecorder{
		f.postForm(formValues("grant_type", "client_credentials"), basicAuth("ci", basicSecret)),
		f.postForm(formValues("grant_type", "client_credentials"), basicAuth("ci", basicSecret+"x")),
		f.postForm(formValues("grant_type", "client_credentials", "client_id", "any", "client_secret", "any-secret"), nil),
		f.postForm(formValues("grant_type", "client_credentials", "client_id", "any\x1b[31m\n", "client_secret", "any-secret"), nil),
		f.postForm(assertionForm(a), nil),
		f.postForm(assertionForm(a), nil),
		f.postForm(formValues("grant_type", "client_credentials", "client_assertion_type", "x", "client_assertion", a), nil),
	} {
		if tok, ok := decodeJSON(t, w.Body.Bytes())["access_token"].(string); ok {
			tokens = append(tokens, tok)
		}
	}
	if len(tokens) != 3 {
		t.Fatalf("%d tokens issued, want 3", len(tokens))
	}
	for _, e := range f.entries() {
		line, _ := json.Marshal(e)
		s := string(line)
		for _, secret := range append([]string{basicSecret, "any-secret", sig}, tokens...) {
			if strings.Contains(s, secret) {
				t.Errorf("log entry %s holds a secret, assertion or token", s)
			}
		}
		if !printable(strings.ReplaceAll(strings.Join([]string{e.Method, e.Path, e.ClientID, e.Scope, e.Error, e.Detail}, " "), `"`, "")) {
			t.Errorf("log entry %q has unprintable characters", s)
		}
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"plain":          "plain",
		"a\nb\x1b[0m":    "a?b?[0m",
		"é":              "??",
		"0123456789abcd": "0123456789...",
	} {
		if got := Sanitize(in, 10); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

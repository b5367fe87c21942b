package issuer

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenSuccess(t *testing.T) {
	f := newFixture(t, nil)
	cc := url.Values{"grant_type": {"client_credentials"}}
	with := func(extra url.Values) url.Values {
		v := url.Values{"grant_type": {"client_credentials"}}
		for k, vs := range extra {
			v[k] = vs
		}
		return v
	}
	tests := []struct {
		name      string
		form      url.Values
		setup     func(*http.Request)
		wantSub   string
		wantScope string // "" means no scope claim and no scope in the response
		wantAud   any
		method    string
	}{
		{"basic, default scopes", cc, basicAuth("ci", basicSecret), "ci", "read:users write:users", testIssuer, MethodBasic},
		{"basic, client_id repeated in the body", with(url.Values{"client_id": {"ci"}}), basicAuth("ci", basicSecret), "ci", "read:users write:users", testIssuer, MethodBasic},
		{"basic, lower-case scheme", cc, func(r *http.Request) {
			basicAuth("any", "any-secret")(r)
			r.Header.Set("Authorization", "basic "+strings.TrimPrefix(r.Header.Get("Authorization"), "Basic "))
		}, "any", "", testIssuer, MethodBasic},
		{"basic, subset of scopes", with(url.Values{"scope": {"write:users"}}), basicAuth("ci", basicSecret), "ci", "write:users", testIssuer, MethodBasic},
		{"basic, scopes deduplicated, extra spaces", with(url.Values{"scope": {" read:users  read:users write:users "}}), basicAuth("ci", basicSecret), "ci", "read:users write:users", testIssuer, MethodBasic},
		{"post", with(url.Values{"client_id": {"ci"}, "client_secret": {basicSecret}}), nil, "ci", "read:users write:users", testIssuer, MethodPost},
		{"post, any scope client", with(url.Values{"client_id": {"any"}, "client_secret": {"any-secret"}, "scope": {"anything:goes admin"}}), nil, "any", "anything:goes admin", testIssuer, MethodPost},
		{"resource becomes aud", with(url.Values{"resource": {"https://api.test/"}}), basicAuth("any", "any-secret"), "any", "", "https://api.test/", MethodBasic},
		{"two resources give an array", with(url.Values{"resource": {"https://a.test", "https://b.test"}}), basicAuth("any", "any-secret"), "any", "", []any{"https://a.test", "https://b.test"}, MethodBasic},
		{"audience parameter", with(url.Values{"audience": {"api://orders"}}), basicAuth("any", "any-secret"), "any", "", "api://orders", MethodBasic},
		{"resource and audience", with(url.Values{"resource": {"urn:a"}, "audience": {"api://b"}}), basicAuth("any", "any-secret"), "any", "", []any{"urn:a", "api://b"}, MethodBasic},
		{"secret client with keys uses basic", cc, basicAuth("both", "both-secret"), "both", "", testIssuer, MethodBasic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.postForm(tt.form, tt.setup)
			log := f.entries()
			last := log[len(log)-1]
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if got := w.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store (RFC 6749 §5.1)", got)
			}
			resp := decodeJSON(t, w.Body.Bytes())
			if resp["token_type"] != "Bearer" || resp["expires_in"] != json.Number("900") {
				t.Errorf("response = %v", resp)
			}
			if scope, _ := resp["scope"].(string); scope != tt.wantScope {
				t.Errorf("response scope = %q, want %q", scope, tt.wantScope)
			}
			if _, has := resp["refresh_token"]; has {
				t.Error("a client-credentials response must not carry a refresh token")
			}
			header, claims := f.verifyToken(t, resp["access_token"].(string))
			if header["typ"] != "at+jwt" || header["alg"] != "ES256" || header["kid"] != f.srv.SigningKeyID() {
				t.Errorf("header = %v", header)
			}
			want := map[string]any{
				"iss":       testIssuer,
				"sub":       tt.wantSub,
				"client_id": tt.wantSub,
				"iat":       json.Number("1795600800"),
				"exp":       json.Number("1795601700"),
			}
			for name, v := range want {
				if claims[name] != v {
					t.Errorf("claim %s = %v, want %v", name, claims[name], v)
				}
			}
			if got, _ := json.Marshal(claims["aud"]); string(got) != mustJSON(tt.wantAud) {
				t.Errorf("aud = %s, want %s", got, mustJSON(tt.wantAud))
			}
			if scope, has := claims["scope"]; tt.wantScope == "" && has || tt.wantScope != "" && scope != tt.wantScope {
				t.Errorf("scope claim = %v, want %q", scope, tt.wantScope)
			}
			if jti, _ := claims["jti"].(string); len(jti) < 20 {
				t.Errorf("jti = %q, want a random id", jti)
			}
			if last.ClientID != tt.wantSub || last.AuthMethod != tt.method || last.Status != 200 || last.Error != "" {
				t.Errorf("log entry = %+v", last)
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestTokenClaimOrder(t *testing.T) {
	f := newFixture(t, nil)
	w := f.postForm(url.Values{"grant_type": {"client_credentials"}}, basicAuth("ci", basicSecret))
	resp := decodeJSON(t, w.Body.Bytes())
	tok := resp["access_token"].(string)
	_, claims := f.verifyToken(t, tok)
	if len(claims) != 8 {
		t.Errorf("claims = %v, want iss sub aud client_id scope iat exp jti", claims)
	}
	payload := strings.Split(tok, ".")[1]
	raw, _ := decodeSegment(payload)
	for i, name := range []string{"iss", "sub", "aud", "client_id", "scope", "iat", "exp", "jti"} {
		at := strings.Index(raw, `"`+name+`":`)
		if at < 0 {
			t.Fatalf("claim %s missing in %s", name, raw)
		}
		if i > 0 && at < strings.Index(raw, `"`+[]string{"iss", "sub", "aud", "client_id", "scope", "iat", "exp", "jti"}[i-1]+`":`) {
			t.Errorf("claims out of order: %s", raw)
		}
	}
}

func TestTokenErrors(t *testing.T) {
	f := newFixture(t, nil)
	cc := func(extra ...string) url.Values {
		v := url.Values{"grant_type": {"client_credentials"}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Add(extra[i], extra[i+1])
		}
		return v
	}
	tests := []struct {
		name       string
		request    func() *http.Request
		wantStatus int
		wantError  string
		wantDesc   string // substring of error_description
	}{
		{"wrong secret", formRequest(cc(), basicAuth("ci", "wrong")), 401, ErrInvalidClient, "client authentication failed"},
		{"unknown client", formRequest(cc(), basicAuth("nobody", basicSecret)), 401, ErrInvalidClient, "client authentication failed"},
		{"secret not form-encoded", formRequest(cc(), func(r *http.Request) { r.SetBasicAuth("ci", basicSecret) }), 401, ErrInvalidClient, "form-urlencode"},
		{"post with wrong secret", formRequest(cc("client_id", "ci", "client_secret", "nope"), nil), 401, ErrInvalidClient, "client authentication failed"},
		{"post without client_id", formRequest(cc("client_secret", basicSecret), nil), 400, ErrInvalidRequest, "without client_id"},
		{"secret for a keys-only client", formRequest(cc("client_id", "jwt-es", "client_secret", "x"), nil), 401, ErrInvalidClient, "client authentication failed"},
		{"no authentication", formRequest(cc(), nil), 401, ErrInvalidClient, "client authentication failed"},
		{"two methods", formRequest(cc("client_id", "ci", "client_secret", basicSecret), basicAuth("ci", basicSecret)), 400, ErrInvalidRequest, "more than one client authentication method"},
		{"bearer authorization", formRequest(cc(), func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") }), 400, ErrInvalidRequest, "only Basic"},
		{"basic with a different body client_id", formRequest(cc("client_id", "any"), basicAuth("ci", basicSecret)), 400, ErrInvalidRequest, "differs"},
		{"unsupported grant", formRequest(url.Values{"grant_type": {"password"}}, basicAuth("ci", basicSecret)), 400, ErrUnsupportedGrantType, "password"},
		{"missing grant", formRequest(url.Values{}, basicAuth("ci", basicSecret)), 400, ErrInvalidRequest, "grant_type is missing"},
		{"scope not allowed", formRequest(cc("scope", "read:users admin"), basicAuth("ci", basicSecret)), 400, ErrInvalidScope, "admin"},
		{"scope with a quote", formRequest(cc("scope", `a"b`), basicAuth("any", "any-secret")), 400, ErrInvalidScope, "not a valid scope token"},
		{"relative resource", formRequest(cc("resource", "/api"), basicAuth("any", "any-secret")), 400, ErrInvalidTarget, "absolute URI"},
		{"resource with fragment", formRequest(cc("resource", "https://api.test/#x"), basicAuth("any", "any-secret")), 400, ErrInvalidTarget, "fragment"},
		{"audience with a newline", formRequest(cc("audience", "a\nb"), basicAuth("any", "any-secret")), 400, ErrInvalidTarget, "printable ASCII"},
		{"duplicate parameter", formRequest(cc("scope", "read:users", "scope", "write:users"), basicAuth("ci", basicSecret)), 400, ErrInvalidRequest, "more than once"},
		{"parameters in the query", func() *http.Request {
			r := formRequest(cc(), basicAuth("ci", basicSecret))()
			r.URL.RawQuery = "client_secret=x"
			return r
		}, 400, ErrInvalidRequest, "query string"},
		{"JSON body", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "https://issuer.test/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
			r.Header.Set("Content-Type", "application/json")
			basicAuth("ci", basicSecret)(r)
			return r
		}, 400, ErrInvalidRequest, "x-www-form-urlencoded"},
		{"bad form encoding", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "https://issuer.test/token", strings.NewReader("grant_type=%zz"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 400, ErrInvalidRequest, "form encoding"},
		{"body over 64 KiB", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "https://issuer.test/token", strings.NewReader("grant_type=client_credentials&x="+strings.Repeat("a", MaxFormBytes)))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 413, ErrInvalidRequest, "64 KiB"},
		{"GET", func() *http.Request { return httptest.NewRequest(http.MethodGet, "https://issuer.test/token", nil) }, 405, ErrMethodNotAllowed, "POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do(tt.request())
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", w.Code, tt.wantStatus, w.Body)
			}
			body := decodeJSON(t, w.Body.Bytes())
			if body["error"] != tt.wantError {
				t.Errorf("error = %v, want %s", body["error"], tt.wantError)
			}
			desc, _ := body["error_description"].(string)
			if !strings.Contains(desc, tt.wantDesc) {
				t.Errorf("error_description = %q, want it to mention %q", desc, tt.wantDesc)
			}
			if !printable(desc) {
				t.Errorf("error_description %q has characters RFC 6749 §5.2 does not allow", desc)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q", ct)
			}
			if w.Code == 401 && w.Header().Get("WWW-Authenticate") == "" {
				t.Error("a 401 needs a WWW-Authenticate header (RFC 6749 §5.2)")
			}
			if strings.Contains(w.Body.String(), basicSecret) {
				t.Error("the response echoes the secret")
			}
		})
	}
}

// formRequest returns a constructor of a /token POST of form.
func formRequest(form url.Values, setup func(*http.Request)) func() *http.Request {
	return func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "https://issuer.test/token", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if setup != nil {
			setup(r)
		}
		return r
	}
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func TestUnknownAndWrongSecretLookTheSame(t *testing.T) {
	f := newFixture(t, nil)
	cc := url.Values{"grant_type": {"client_credentials"}}
	a := f.postForm(cc, basicAuth("ci", "wrong"))
	b := f.postForm(cc, basicAuth("nobody", "wrong"))
	if a.Code != b.Code || a.Body.String() != b.Body.String() {
		t.Errorf("responses differ: %d %s / %d %s", a.Code, a.Body, b.Code, b.Body)
	}
	log := f.entries()
	if log[0].Detail == log[1].Detail {
		t.Errorf("the log should tell them apart: %q", log[0].Detail)
	}
}

func TestTokenTTLAndAudienceDefaults(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.TokenTTL = 0
		c.DefaultAudience = "api://default"
	})
	w := f.postForm(url.Values{"grant_type": {"client_credentials"}}, basicAuth("any", "any-secret"))
	resp := decodeJSON(t, w.Body.Bytes())
	if resp["expires_in"] != json.Number("3600") {
		t.Errorf("expires_in = %v, want the default hour", resp["expires_in"])
	}
	_, claims := f.verifyToken(t, resp["access_token"].(string))
	if claims["aud"] != "api://default" {
		t.Errorf("aud = %v", claims["aud"])
	}
	if claims["exp"] != json.Number(itoa(testNow.Add(time.Hour).Unix())) {
		t.Errorf("exp = %v", claims["exp"])
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestTokenJTIsAreUnique(t *testing.T) {
	f := newFixture(t, nil)
	seen := map[string]bool{}
	for range 50 {
		w := f.postForm(url.Values{"grant_type": {"client_credentials"}}, basicAuth("any", "any-secret"))
		_, claims := f.verifyToken(t, decodeJSON(t, w.Body.Bytes())["access_token"].(string))
		jti := claims["jti"].(string)
		if seen[jti] {
			t.Fatalf("jti %s repeated", jti)
		}
		seen[jti] = true
	}
}

package issuer

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/claims"
)

// The redirect URIs of the authorization code fixture's clients.
const (
	appRedirect = "http://127.0.0.1/callback"
	webRedirect = "https://rp.test/cb"
)

// testVerifier is a PKCE code_verifier; testChallenge its S256 challenge.
const testVerifier = "dBjftJeZ4CVP-mJ92K1riFtk3ZSBt1b9lUu8TXgOy1fBc"

var testChallenge = func() string {
	h := sha256.Sum256([]byte(testVerifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}()

// newCodeFixture is newFixture with clients for the authorization code grant: "app", a public
// client with a loopback redirect URI; "web", a confidential client (secret "web-secret") that
// always gets refresh tokens and has a post-logout URI; "plain", a public client allowed plain
// PKCE. The users are alice (the default, with profile and email claims and a custom claim)
// and bob.
func newCodeFixture(t testing.TB) *fixture {
	t.Helper()
	alice := claims.NewObject()
	alice.Set("name", "Alice Liddell")
	alice.Set("email", "alice@example.test")
	alice.Set("email_verified", true)
	alice.Set("groups", []any{"admins"})
	bob := claims.NewObject()
	bob.Set("name", "Bob")
	return newFixture(t, func(c *Config) {
		c.Clients = append(c.Clients,
			Client{ID: "app", RedirectURIs: []string{appRedirect}},
			Client{ID: "web", Secret: []byte("web-secret"), RedirectURIs: []string{webRedirect},
				PostLogoutRedirectURIs: []string{"https://rp.test/bye"}, RefreshTokens: true},
			Client{ID: "plain", RedirectURIs: []string{appRedirect}, AllowPlainPKCE: true},
		)
		c.Users = []User{{Subject: "alice", Claims: alice}, {Subject: "bob", Claims: bob}}
	})
}

// authorize sends GET /authorize with params and returns the response.
func (f *fixture) authorize(params url.Values) *httptest.ResponseRecorder {
	return f.get("/authorize?" + params.Encode())
}

// appAuthorize is the parameters of a good authorization request of "app", with over applied
// (an empty value deletes the parameter).
func appAuthorize(over ...string) url.Values {
	v := url.Values{
		"response_type":         {"code"},
		"client_id":             {"app"},
		"redirect_uri":          {appRedirect},
		"scope":                 {"openid profile email offline_access"},
		"state":                 {"st-123"},
		"nonce":                 {"n-456"},
		"code_challenge":        {testChallenge},
		"code_challenge_method": {"S256"},
	}
	for i := 0; i+1 < len(over); i += 2 {
		if over[i+1] == "" {
			v.Del(over[i])
		} else {
			v.Set(over[i], over[i+1])
		}
	}
	return v
}

// redirectParams checks that w is a 302 to a URI starting with prefix and returns its query.
func redirectParams(t testing.TB, w *httptest.ResponseRecorder, prefix string) url.Values {
	t.Helper()
	if w.Code != http.StatusFound {
		t.Fatalf("status %d, want 302: %s", w.Code, w.Body)
	}
	loc := w.Header().Get("Location")
	if !strings.HasPrefix(loc, prefix+"?") {
		t.Fatalf("Location %q does not start with %s?", loc, prefix)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// codeFor runs a good authorization request of app (with over) and returns the code.
func (f *fixture) codeFor(t testing.TB, over ...string) string {
	t.Helper()
	q := redirectParams(t, f.authorize(appAuthorize(over...)), appRedirect)
	if q.Get("code") == "" {
		t.Fatalf("no code in the redirect: %v", q)
	}
	return q.Get("code")
}

// exchange posts an authorization_code token request of the public client app.
func (f *fixture) exchange(code string, over ...string) *httptest.ResponseRecorder {
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"client_id":     {"app"},
		"redirect_uri":  {appRedirect},
		"code_verifier": {testVerifier},
	}
	for i := 0; i+1 < len(over); i += 2 {
		if over[i+1] == "" {
			form.Del(over[i])
		} else {
			form.Set(over[i], over[i+1])
		}
	}
	return f.postForm(form, nil)
}

// postTo posts form to path (relative to the issuer), with setup applied.
func (f *fixture) postTo(path string, form url.Values, setup func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "https://issuer.test"+path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if setup != nil {
		setup(r)
	}
	return f.do(r)
}

// introspect returns the introspection response for tok, asked by client ci.
func (f *fixture) introspect(t testing.TB, tok string) map[string]any {
	t.Helper()
	w := f.postTo("/introspect", url.Values{"token": {tok}}, basicAuth("ci", basicSecret))
	if w.Code != http.StatusOK {
		t.Fatalf("introspect: %d %s", w.Code, w.Body)
	}
	return decodeJSON(t, w.Body.Bytes())
}

// tokens decodes a successful token response.
func tokens(t testing.TB, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("token request: %d %s", w.Code, w.Body)
	}
	return decodeJSON(t, w.Body.Bytes())
}

// httptestRequest is a request to path on the test issuer without a body.
func httptestRequest(method, path string) *http.Request {
	return httptest.NewRequest(method, "https://issuer.test"+path, nil)
}

package issuer

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAuthorizeRefusals: an authorization request that names no registered client and
// redirect URI gets a page of this server and never a redirect (RFC 6749 §4.1.2.1); one whose
// redirect URI is good gets the error in the redirect, with state and iss, and no code.
func TestAuthorizeRefusals(t *testing.T) {
	f := newCodeFixture(t)
	for _, tc := range []struct {
		name     string
		params   url.Values
		redirect bool
		code     string
	}{
		{"unregistered redirect_uri", appAuthorize("redirect_uri", "https://evil.test/cb"), false, ErrInvalidRequest},
		{"redirect_uri of another client", appAuthorize("redirect_uri", webRedirect), false, ErrInvalidRequest},
		{"missing redirect_uri", appAuthorize("redirect_uri", ""), false, ErrInvalidRequest},
		{"redirect_uri with a path suffix", appAuthorize("redirect_uri", appRedirect+"/../evil"), false, ErrInvalidRequest},
		{"unknown client", appAuthorize("client_id", "nobody"), false, ErrInvalidClient},
		{"client without redirect URIs", appAuthorize("client_id", "ci"), false, ErrUnauthorizedClient},
		{"repeated parameter", func() url.Values { v := appAuthorize(); v.Add("redirect_uri", appRedirect); return v }(), false, ErrInvalidRequest},
		{"implicit flow", appAuthorize("response_type", "token"), true, ErrUnsupportedResponseType},
		{"hybrid flow", appAuthorize("response_type", "code id_token"), true, ErrUnsupportedResponseType},
		{"no response_type", appAuthorize("response_type", ""), true, ErrInvalidRequest},
		{"PKCE downgrade: public client without challenge", appAuthorize("code_challenge", "", "code_challenge_method", ""), true, ErrInvalidRequest},
		{"PKCE downgrade: plain not allowed", appAuthorize("code_challenge_method", "plain", "code_challenge", testVerifier), true, ErrInvalidRequest},
		{"PKCE: challenge without method means plain", appAuthorize("code_challenge_method", ""), true, ErrInvalidRequest},
		{"PKCE: short S256 challenge", appAuthorize("code_challenge", "abc"), true, ErrInvalidRequest},
		{"PKCE: unknown method", appAuthorize("code_challenge_method", "S512"), true, ErrInvalidRequest},
		{"bad prompt", appAuthorize("prompt", "none login"), true, ErrInvalidRequest},
		{"fragment response mode", appAuthorize("response_mode", "fragment"), true, ErrInvalidRequest},
		{"bad login_hint", appAuthorize("login_hint", "has space"), true, "login_required"},
		{"invalid scope", appAuthorize("scope", `openid "x"`), true, ErrInvalidScope},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.authorize(tc.params)
			if !tc.redirect {
				if w.Code != http.StatusBadRequest || w.Header().Get("Location") != "" {
					t.Fatalf("status %d, Location %q: want 400 and no redirect", w.Code, w.Header().Get("Location"))
				}
				if got := decodeJSON(t, w.Body.Bytes())["error"]; got != tc.code {
					t.Errorf("error = %v, want %s", got, tc.code)
				}
				return
			}
			q := redirectParams(t, w, appRedirect)
			if q.Get("error") != tc.code || q.Get("code") != "" || q.Get("state") != "st-123" || q.Get("iss") != testIssuer {
				t.Errorf("redirect query = %v, want error %s with state and iss and no code", q, tc.code)
			}
		})
	}
	// A browser gets the error as a page.
	r := httptestRequest(http.MethodGet, "/authorize?"+appAuthorize("redirect_uri", "https://evil.test/").Encode())
	r.Header.Set("Accept", "text/html")
	if w := f.do(r); w.Code != 400 || !strings.Contains(w.Body.String(), "No redirect was made") || w.Header().Get("Location") != "" {
		t.Errorf("HTML error page: %d %s", w.Code, w.Body)
	}
}

// TestTokenAttacks: each attack on the code and refresh grants is refused with the RFC's
// error code and nothing is issued; the ones that reveal a stolen token revoke what it gave.
func TestTokenAttacks(t *testing.T) {
	for _, tc := range []struct {
		name string
		// attack gets a fixture and returns the refused response and the access tokens that
		// must be inactive afterwards.
		attack func(t *testing.T, f *fixture) (resp map[string]any, status int, revoked []string)
		code   string
	}{
		{"code replay revokes the first exchange's tokens", func(t *testing.T, f *fixture) (map[string]any, int, []string) {
			code := f.codeFor(t)
			first := tokens(t, f.exchange(code))
			w := f.exchange(code)
			return decodeJSON(t, w.Body.Bytes()), w.Code, []string{first["access_token"].(string), first["refresh_token"].(string)}
		}, ErrInvalidGrant},
		{"wrong PKCE verifier", func(t *testing.T, f *fixture) (map[string]any, int, []string) {
			w := f.exchange(f.codeFor(t), "code_verifier", strings.Repeat("a", 43))
			return decodeJSON(t, w.Body.Bytes()), w.Code, nil
		}, ErrInvalidGrant},
		{"missing PKCE verifier", func(t *testing.T, f *fixture) (map[string]any, int, []string) {
			w := f.exchange(f.codeFor(t), "code_verifier", "")
			return decodeJSON(t, w.Body.Bytes()), w.Code, nil
		}, ErrInvalidGrant},
		{"short PKCE verifier", func(t *testing.T, f *fixture) (map[string]any, int, []string) {
			w := f.exchange(f.codeFor(t), "code_verifier", "short")
			return decodeJSON(t, w.Body.Bytes()), w.Code, nil
		}, ErrInvalidGrant},
		{"verifier without a challenge (PKCE downgrade)", func(t *testing.T, f *fixture) (map[string]any, int, []string) {
			q := redirectParams(t, f.authorize(url.Values{"response_type": {"code"}, "client_id": {"web"}, "redirect_uri": {webRedirect}}), webRedirect)
			w := f.postForm(url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {webRedirect},
				"code_verifier": {testVerifier}}, basicAuth("web", "web-secret"))
			return decodeJSON(t, w.Body.Bytes()), w.Code, nil
		}, ErrInvalidGrant},
		{"code of another client", func(t *testing.T, f *fixture) (map[string]any, int, []string) {
			w := f.exchange(f.codeFor(t), "client_id", "plain")
			return decodeJSON(t, w.Body.Bytes()), w.Code, nil
		}, ErrInvalidGrant},
		{"other redirect_uri at the token endpoint", func(t *testing.T, f *fixture) (map[string]any, int, []string) {
			w := f.exchange(f.codeFor(t), "redirect_uri", "http://127.0.0.1:9999/callback")
			return decodeJSON(t, w.Body.Bytes()), w.Code, nil
		}, ErrInvalidGrant},
		{"unknown code", func(t *testing.T, f *fixture) (map[string]any, int, []string) {
			w := f.exchange("no-such-code")
			return decodeJSON(t, w.Body.Bytes()), w.Code, nil
		}, ErrInvalidGrant},
		{"refresh token reuse revokes the family", func(t *testing.T, f *fixture) (map[string]any, int, []string) {
			first := tokens(t, f.exchange(f.codeFor(t)))
			rt := first["refresh_token"].(string)
			form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {"app"}}
			second := tokens(t, f.postForm(form, nil))
			w := f.postForm(form, nil)
			return decodeJSON(t, w.Body.Bytes()), w.Code, []string{first["access_token"].(string),
				second["access_token"].(string), second["refresh_token"].(string)}
		}, ErrInvalidGrant},
		{"refresh token of another client", func(t *testing.T, f *fixture) (map[string]any, int, []string) {
			first := tokens(t, f.exchange(f.codeFor(t)))
			w := f.postForm(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first["refresh_token"].(string)}, "client_id": {"plain"}}, nil)
			return decodeJSON(t, w.Body.Bytes()), w.Code, nil
		}, ErrInvalidGrant},
		{"unknown grant type", func(t *testing.T, f *fixture) (map[string]any, int, []string) {
			w := f.postForm(url.Values{"grant_type": {"password"}, "client_id": {"app"}}, nil)
			return decodeJSON(t, w.Body.Bytes()), w.Code, nil
		}, ErrUnsupportedGrantType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newCodeFixture(t)
			resp, status, revoked := tc.attack(t, f)
			if status != http.StatusBadRequest || resp["error"] != tc.code {
				t.Errorf("response %d %v, want 400 %s", status, resp, tc.code)
			}
			for _, k := range []string{"access_token", "refresh_token", "id_token"} {
				if _, has := resp[k]; has {
					t.Errorf("the refused response carries %s", k)
				}
			}
			for i, tok := range revoked {
				if in := f.introspect(t, tok); in["active"] != false {
					t.Errorf("token %d of the attacked grant is still active: %v", i, in)
				}
			}
		})
	}
}

// TestPlainPKCEWhenAllowed: a client configured for plain may use it.
func TestPlainPKCEWhenAllowed(t *testing.T) {
	f := newCodeFixture(t)
	code := f.codeFor(t, "client_id", "plain", "code_challenge_method", "plain", "code_challenge", testVerifier)
	tokens(t, f.exchange(code, "client_id", "plain"))
}

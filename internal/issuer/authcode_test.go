package issuer

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAuthorizationCodeFlow runs the whole OpenID Connect code flow of a public client: a
// headless login, the exchange with PKCE, the ID token's claims, userinfo, introspection,
// rotation of the refresh token and revocation.
func TestAuthorizationCodeFlow(t *testing.T) {
	f := newCodeFixture(t)
	q := redirectParams(t, f.authorize(appAuthorize()), appRedirect)
	if q.Get("state") != "st-123" || q.Get("iss") != testIssuer {
		t.Errorf("redirect query = %v: want state st-123 and iss %s (RFC 9207)", q, testIssuer)
	}
	resp := tokens(t, f.exchange(q.Get("code")))
	if resp["token_type"] != "Bearer" || resp["scope"] != "openid profile email offline_access" || resp["refresh_token"] == nil {
		t.Fatalf("token response = %v", resp)
	}
	at, idt := resp["access_token"].(string), resp["id_token"].(string)
	h, c := f.verifyToken(t, at)
	if h["typ"] != "at+jwt" || c["sub"] != "alice" || c["client_id"] != "app" || c["auth_time"] == nil {
		t.Errorf("access token header %v claims %v", h, c)
	}
	h, c = f.verifyToken(t, idt)
	sum := sha256.Sum256([]byte(at))
	want := map[string]any{
		"typ": "JWT", "iss": testIssuer, "sub": "alice", "aud": "app", "azp": "app", "nonce": "n-456",
		"at_hash": base64.RawURLEncoding.EncodeToString(sum[:16]), "name": "Alice Liddell",
		"email": "alice@example.test", "email_verified": true,
	}
	for name, v := range want {
		got := c[name]
		if name == "typ" {
			got = h["typ"]
		}
		if mustJSON(got) != mustJSON(v) {
			t.Errorf("id_token %s = %v, want %v", name, got, v)
		}
	}
	if c["auth_time"] == nil || c["exp"] == nil || c["iat"] == nil {
		t.Errorf("id_token lacks auth_time, exp or iat: %v", c)
	}

	// userinfo, by GET and by POST.
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		r := httptestRequest(method, "/userinfo")
		r.Header.Set("Authorization", "Bearer "+at)
		w := f.do(r)
		if w.Code != 200 {
			t.Fatalf("%s /userinfo: %d %s", method, w.Code, w.Body)
		}
		u := decodeJSON(t, w.Body.Bytes())
		if u["sub"] != "alice" || u["email"] != "alice@example.test" || mustJSON(u["groups"]) != `["admins"]` {
			t.Errorf("userinfo = %v", u)
		}
	}
	r := httptestRequest(http.MethodGet, "/userinfo")
	r.Header.Set("Authorization", "Bearer "+flipSignature(at))
	if w := f.do(r); w.Code != 401 || !strings.Contains(w.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("userinfo with a bad token: %d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	// An ID token is no access token.
	r = httptestRequest(http.MethodGet, "/userinfo")
	r.Header.Set("Authorization", "Bearer "+idt)
	if w := f.do(r); w.Code != 401 {
		t.Errorf("userinfo with an ID token: %d", w.Code)
	}

	if in := f.introspect(t, at); in["active"] != true || in["sub"] != "alice" || in["client_id"] != "app" {
		t.Errorf("introspect access token = %v", in)
	}
	rt := resp["refresh_token"].(string)
	if in := f.introspect(t, rt); in["active"] != true || in["token_type"] != "refresh_token" {
		t.Errorf("introspect refresh token = %v", in)
	}

	// Refresh: rotation, narrowing, no widening.
	refresh := func(rt, scope string) map[string]any {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {"app"}}
		if scope != "" {
			form.Set("scope", scope)
		}
		w := f.postForm(form, nil)
		return decodeJSON(t, w.Body.Bytes())
	}
	if r := refresh(rt, "openid profile write:users"); r["error"] != ErrInvalidScope {
		t.Errorf("widening refresh = %v", r)
	}
	r2 := refresh(rt, "openid email")
	if r2["scope"] != "openid email" || r2["refresh_token"] == nil || r2["refresh_token"] == rt || r2["id_token"] == nil {
		t.Fatalf("refresh = %v", r2)
	}
	_, c = f.verifyToken(t, r2["id_token"].(string))
	if c["name"] != nil || c["email"] != "alice@example.test" {
		t.Errorf("narrowed id_token claims = %v", c)
	}
	if in := f.introspect(t, rt); in["active"] != false || len(in) != 1 {
		t.Errorf("the replaced refresh token introspects as %v", in)
	}

	// Revocation of the new refresh token revokes the grant's access tokens.
	rt2, at2 := r2["refresh_token"].(string), r2["access_token"].(string)
	if w := f.postTo("/revoke", url.Values{"token": {rt2}, "client_id": {"app"}}, nil); w.Code != 200 {
		t.Fatalf("revoke: %d %s", w.Code, w.Body)
	}
	for name, tok := range map[string]string{"first access token": at, "second access token": at2, "refresh token": rt2} {
		if in := f.introspect(t, tok); in["active"] != false {
			t.Errorf("after revoking the grant, the %s introspects as %v", name, in)
		}
	}
	if r := refresh(rt2, ""); r["error"] != ErrInvalidGrant {
		t.Errorf("refresh with a revoked token = %v", r)
	}
}

// TestConfidentialCodeFlow: a confidential client without PKCE authenticates at the token
// endpoint, gets a refresh token by its configuration, and can revoke an access token alone.
func TestConfidentialCodeFlow(t *testing.T) {
	f := newCodeFixture(t)
	params := url.Values{"response_type": {"code"}, "client_id": {"web"}, "redirect_uri": {webRedirect},
		"scope": {"openid"}, "login_hint": {"bob"}, "prompt": {"none"}}
	q := redirectParams(t, f.authorize(params), webRedirect)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {webRedirect}}
	// Without client authentication a confidential client gets nothing.
	if w := f.postForm(url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {webRedirect}, "client_id": {"web"}}, nil); w.Code != 401 {
		t.Errorf("unauthenticated exchange: %d %s", w.Code, w.Body)
	}
	resp := tokens(t, f.postForm(form, basicAuth("web", "web-secret")))
	if resp["refresh_token"] == nil || resp["id_token"] == nil {
		t.Fatalf("response = %v", resp)
	}
	_, c := f.verifyToken(t, resp["id_token"].(string))
	if c["sub"] != "bob" || c["name"] != nil || c["nonce"] != nil {
		t.Errorf("id_token claims = %v (openid alone releases no profile claim)", c)
	}
	at := resp["access_token"].(string)
	// Another client cannot revoke it; its own client can.
	f.postTo("/revoke", url.Values{"token": {at}}, basicAuth("ci", basicSecret))
	if in := f.introspect(t, at); in["active"] != true {
		t.Errorf("another client revoked web's token: %v", in)
	}
	if w := f.postTo("/revoke", url.Values{"token": {at}}, basicAuth("web", "web-secret")); w.Code != 200 {
		t.Fatalf("revoke: %d", w.Code)
	}
	if in := f.introspect(t, at); in["active"] != false {
		t.Errorf("revoked access token = %v", in)
	}
	if in := f.introspect(t, resp["refresh_token"].(string)); in["active"] != true {
		t.Errorf("revoking an access token revoked the refresh token: %v", in)
	}
	if w := f.postTo("/revoke", url.Values{"token": {"garbage"}}, basicAuth("web", "web-secret")); w.Code != 200 {
		t.Errorf("revoking an unknown token: %d, want 200 (RFC 7009 §2.2)", w.Code)
	}
	if w := f.postTo("/introspect", url.Values{"token": {at}}, nil); w.Code != 401 {
		t.Errorf("unauthenticated introspection: %d", w.Code)
	}
	// Client credentials tokens introspect too, and a public client cannot use that grant.
	cc := tokens(t, f.postForm(formValues("grant_type", "client_credentials"), basicAuth("ci", basicSecret)))
	if in := f.introspect(t, cc["access_token"].(string)); in["active"] != true || in["sub"] != "ci" {
		t.Errorf("client credentials token = %v", in)
	}
	if w := f.postForm(formValues("grant_type", "client_credentials", "client_id", "app"), nil); w.Code != 401 {
		t.Errorf("client_credentials for a public client: %d", w.Code)
	}
}

// TestEndSession redirects only to a registered post-logout URI.
func TestEndSession(t *testing.T) {
	f := newCodeFixture(t)
	w := f.get("/end_session?client_id=web&post_logout_redirect_uri=" + url.QueryEscape("https://rp.test/bye") + "&state=s1")
	if w.Code != 302 || w.Header().Get("Location") != "https://rp.test/bye?state=s1" {
		t.Errorf("registered: %d %q", w.Code, w.Header().Get("Location"))
	}
	w = f.get("/end_session?client_id=web&post_logout_redirect_uri=" + url.QueryEscape("https://evil.test/"))
	if w.Code != 400 || w.Header().Get("Location") != "" {
		t.Errorf("unregistered: %d %q", w.Code, w.Header().Get("Location"))
	}
	if w := f.get("/end_session"); w.Code != 200 || !strings.Contains(w.Body.String(), "Signed out") {
		t.Errorf("no redirect: %d %s", w.Code, w.Body)
	}
}

func TestRedirectAllowed(t *testing.T) {
	reg := []string{"http://127.0.0.1/cb", "https://rp.test/cb?x=1", "http://[::1]:8000/cb", "com.example.app:/oauth"}
	for _, tc := range []struct {
		uri  string
		want bool
	}{
		{"http://127.0.0.1/cb", true},
		{"http://127.0.0.1:53211/cb", true},
		{"http://[::1]:9/cb", true},
		{"https://rp.test/cb?x=1", true},
		{"com.example.app:/oauth", true},
		{"http://127.0.0.1:5/cb/", false},
		{"http://127.0.0.1:5/cb?y", false},
		{"http://localhost:5/cb", false},
		{"https://127.0.0.1/cb", false},
		{"http://evil@127.0.0.1/cb", false},
		{"https://rp.test/cb", false},
		{"https://rp.test/cb?x=1&y=2", false},
		{"https://RP.test/cb?x=1", false},
		{"http://127.0.0.2/cb", false},
		{"", false},
	} {
		if got := redirectAllowed(tc.uri, reg); got != tc.want {
			t.Errorf("redirectAllowed(%q) = %v, want %v", tc.uri, got, tc.want)
		}
	}
}

func TestDiscoveryWithPublicClients(t *testing.T) {
	f := newCodeFixture(t)
	m := decodeJSON(t, f.get("/.well-known/openid-configuration").Body.Bytes())
	for name, want := range map[string]string{
		"code_challenge_methods_supported":      `["S256","plain"]`,
		"token_endpoint_auth_methods_supported": `["client_secret_basic","client_secret_post","private_key_jwt","none"]`,
	} {
		if got, _ := json.Marshal(m[name]); string(got) != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	claims, _ := json.Marshal(m["claims_supported"])
	for _, c := range []string{`"email"`, `"groups"`, `"nonce"`, `"at_hash"`} {
		if !strings.Contains(string(claims), c) {
			t.Errorf("claims_supported %s lacks %s", claims, c)
		}
	}
}

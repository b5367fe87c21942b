package issuer

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var loginTokenRE = regexp.MustCompile(`name="login_token" value="([^"]+)"`)

// loginToken returns the CSRF token of a login page.
func loginToken(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("login page status %d: %s", w.Code, w.Body)
	}
	m := loginTokenRE.FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no login_token in the page: %s", w.Body)
	}
	return html.UnescapeString(m[1])
}

func TestLoginPage(t *testing.T) {
	f := newCodeFixture(t)
	f.srv.EnableLoginPage()
	page := f.authorize(appAuthorize("state", `"><script>alert(1)</script>`))
	body := page.Body.String()
	tok := loginToken(t, page)
	h := page.Header()
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") ||
		!strings.Contains(csp, "form-action 'self' http://127.0.0.1") || h.Get("X-Frame-Options") != "DENY" ||
		h.Get("Cache-Control") != "no-store" {
		t.Errorf("login page headers %v", h)
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "st-123") {
		t.Errorf("login page shows the state or a script: %s", body)
	}
	if !strings.Contains(body, `<option value="alice" selected>`) || !strings.Contains(body, `<option value="bob">`) {
		t.Errorf("login page does not offer alice (selected) and bob: %s", body)
	}

	// The form cannot redirect elsewhere: client_id and redirect_uri in it are ignored.
	w := f.postTo("/authorize", url.Values{"login_token": {tok}, "action": {"login"}, "user": {"bob"},
		"client_id": {"web"}, "redirect_uri": {"https://evil.test/"}}, nil)
	q := redirectParams(t, w, appRedirect)
	if q.Get("state") != `"><script>alert(1)</script>` || q.Get("code") == "" {
		t.Fatalf("login redirect %v", q)
	}
	resp := tokens(t, f.exchange(q.Get("code")))
	if _, c := f.verifyToken(t, resp["id_token"].(string)); c["sub"] != "bob" || c["name"] != "Bob" || c["nonce"] != "n-456" {
		t.Errorf("id_token claims %v, want bob's with the request's nonce", c)
	}

	// The token is single use.
	if w := f.postTo("/authorize", url.Values{"login_token": {tok}, "action": {"login"}}, nil); w.Code != http.StatusForbidden || w.Header().Get("Location") != "" {
		t.Errorf("second use of a login token: status %d Location %q", w.Code, w.Header().Get("Location"))
	}

	// A typed subject wins over the pick.
	tok = loginToken(t, f.authorize(appAuthorize()))
	q = redirectParams(t, f.postTo("/authorize", url.Values{"login_token": {tok}, "action": {"login"}, "user": {"alice"}, "sub": {"carol"}}, nil), appRedirect)
	resp = tokens(t, f.exchange(q.Get("code")))
	if _, c := f.verifyToken(t, resp["id_token"].(string)); c["sub"] != "carol" {
		t.Errorf("typed subject: id_token sub %v, want carol", c["sub"])
	}

	// Cancel goes back with access_denied.
	tok = loginToken(t, f.authorize(appAuthorize()))
	q = redirectParams(t, f.postTo("/authorize", url.Values{"login_token": {tok}, "action": {"cancel"}}, nil), appRedirect)
	if q.Get("error") != ErrAccessDenied || q.Get("code") != "" || q.Get("state") != "st-123" {
		t.Errorf("cancel redirect %v", q)
	}

	for name, form := range map[string]url.Values{
		"no token":       {"action": {"login"}, "user": {"alice"}},
		"tampered token": {"login_token": {loginToken(t, f.authorize(appAuthorize())) + "x"}, "action": {"login"}},
	} {
		if w := f.postTo("/authorize", form, nil); w.Code != http.StatusForbidden || w.Header().Get("Location") != "" {
			t.Errorf("%s: status %d Location %q, want 403 and no redirect", name, w.Code, w.Header().Get("Location"))
		}
	}

	// prompt=none cannot show the page.
	q = redirectParams(t, f.authorize(appAuthorize("prompt", "none", "login_hint", "alice")), appRedirect)
	if q.Get("error") != "login_required" {
		t.Errorf("prompt=none with the login page: %v", q)
	}
}

func TestLoginPageClaims(t *testing.T) {
	f := newCodeFixture(t)
	f.srv.EnableLoginPage()

	// Typed claims reach the ID token, over the user's own claims of the same name.
	tok := loginToken(t, f.authorize(appAuthorize()))
	q := redirectParams(t, f.postTo("/authorize", url.Values{"login_token": {tok}, "action": {"login"}, "user": {"bob"},
		"claims": {`{"name":"Robert","tenant":"acme","roles":["admin"],"level":3}`}}, nil), appRedirect)
	resp := tokens(t, f.exchange(q.Get("code")))
	_, c := f.verifyToken(t, resp["id_token"].(string))
	if c["sub"] != "bob" || c["name"] != "Robert" || c["tenant"] != "acme" || fmt.Sprint(c["level"]) != "3" ||
		len(c["roles"].([]any)) != 1 || c["nonce"] != "n-456" {
		t.Errorf("id_token claims %v, want bob's with the typed name, tenant, roles and level", c)
	}

	// Refused claims show the page again (a new login token, the form filled in, the reason)
	// and make no redirect; the old token is used up, the new one works.
	for name, typed := range map[string]string{
		"reserved iss":   `{"iss":"https://evil.test"}`,
		"reserved sub":   `{"sub":"admin"}`,
		"reserved aud":   `{"aud":"other"}`,
		"reserved exp":   `{"exp":9999999999}`,
		"reserved nonce": `{"nonce":"x"}`,
		"reserved azp":   `{"azp":"x"}`,
		"not an object":  `["a"]`,
		"not JSON":       `{"a":`,
		"duplicate":      `{"a":1,"a":2}`,
		"too deep":       `{"a":[[[[[[[[1]]]]]]]]}`,
	} {
		tok := loginToken(t, f.authorize(appAuthorize()))
		w := f.postTo("/authorize", url.Values{"login_token": {tok}, "action": {"login"}, "user": {"bob"}, "claims": {typed}}, nil)
		if w.Code != http.StatusOK || w.Header().Get("Location") != "" || !strings.Contains(w.Body.String(), `role="alert"`) {
			t.Errorf("%s: status %d Location %q, want the page again with a message", name, w.Code, w.Header().Get("Location"))
			continue
		}
		if len(typed) < 100 && !strings.Contains(w.Body.String(), html.EscapeString(typed)) {
			t.Errorf("%s: the page does not show the typed claims again: %s", name, w.Body)
		}
		if !strings.Contains(w.Body.String(), `<option value="bob" selected>`) {
			t.Errorf("%s: the page does not keep bob picked", name)
		}
		again := loginToken(t, w)
		if again == tok {
			t.Errorf("%s: the page kept the used login token", name)
		}
		if w := f.postTo("/authorize", url.Values{"login_token": {tok}, "action": {"login"}}, nil); w.Code != http.StatusForbidden {
			t.Errorf("%s: the refused form's token still works: %d", name, w.Code)
		}
		q := redirectParams(t, f.postTo("/authorize", url.Values{"login_token": {again}, "action": {"login"}, "user": {"bob"}}, nil), appRedirect)
		if q.Get("code") == "" || q.Get("state") != "st-123" {
			t.Errorf("%s: the new token does not log in: %v", name, q)
		}
	}
}

func TestParseLoginClaims(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    string // the object's JSON, "" for none
		problem bool
	}{
		{"", "", false},
		{"  \n ", "", false},
		{`{}`, `{}`, false},
		{` {"b":1,"a":"x"} `, `{"b":1,"a":"x"}`, false},
		{`{"a":[[[[[[[1]]]]]]]}`, `{"a":[[[[[[[1]]]]]]]}`, false}, // depth 8
		{`{"a":"[[[[[[[[[[["}`, `{"a":"[[[[[[[[[[["}`, false},     // brackets in a string
		{`{"a":[[[[[[[[1]]]]]]]]}`, "", true},
		{`{"at_hash":"x"}`, "", true},
		{`{"auth_time":1}`, "", true},
		{`{"iat":1}`, "", true},
		{`{"cnf":{}}`, "", true},
		{`"text"`, "", true},
		{`null`, "", true},
		{"{\"a\":\"\xff\"}", "", true},
		{`{"a":"` + strings.Repeat("x", maxLoginClaimsBytes-7) + `"}`, "", true},
	} {
		obj, problem := parseLoginClaims(tc.in)
		if (problem != "") != tc.problem {
			t.Errorf("parseLoginClaims(%q) problem %q, want problem %v", tc.in, problem, tc.problem)
			continue
		}
		got := ""
		if obj != nil {
			b, _ := obj.MarshalJSON()
			got = string(b)
		}
		if got != tc.want {
			t.Errorf("parseLoginClaims(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestLoginPendingBounded(t *testing.T) {
	f := newCodeFixture(t)
	f.srv.EnableLoginPage()
	now := f.srv.cfg.Now()
	for i := range maxPendingLogins {
		if !f.srv.login.put(authorizeRequest{}, string(rune(i))+"t", now) {
			t.Fatalf("put %d refused", i)
		}
	}
	if f.srv.login.put(authorizeRequest{}, "one more", now) {
		t.Error("put beyond the bound accepted")
	}
	if !f.srv.login.put(authorizeRequest{}, "after expiry", now.Add(loginTTL)) {
		t.Error("put after the others expired refused")
	}
	if _, ok := f.srv.login.take("after expiry", now.Add(2*loginTTL)); ok {
		t.Error("expired login taken")
	}
}

package issuer

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzAuthorize sends arbitrary query strings to /authorize: the server must never panic,
// must redirect only to a URI the client registered (RFC 6749 §4.1.2.1), and every redirect
// carries iss and either a code or an error, never both.
func FuzzAuthorize(f *testing.F) {
	fx := newCodeFixture(f)
	f.Add(appAuthorize().Encode())
	f.Add(appAuthorize("redirect_uri", "http://127.0.0.1:8080/callback").Encode())
	f.Add(appAuthorize("redirect_uri", "https://evil.test/").Encode())
	f.Add(appAuthorize("response_type", "token").Encode())
	f.Add("client_id=web&redirect_uri=https%3A%2F%2Frp.test%2Fcb&response_type=code")
	f.Add("client_id=app&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&redirect_uri=x")
	f.Add("%zz&client_id=\x00")
	f.Fuzz(func(t *testing.T, query string) {
		r := httptestRequest(http.MethodGet, "/authorize")
		r.URL.RawQuery = query // any bytes, as a raw request line could carry them
		w := fx.do(r)
		if w.Code != http.StatusFound {
			if w.Header().Get("Location") != "" {
				t.Fatalf("status %d with a Location", w.Code)
			}
			return
		}
		loc, err := url.Parse(w.Header().Get("Location"))
		if err != nil {
			t.Fatalf("Location %q: %v", w.Header().Get("Location"), err)
		}
		params, _ := url.ParseQuery(query)
		c := fx.srv.clients[params.Get("client_id")]
		if c == nil || !redirectAllowed(params.Get("redirect_uri"), c.RedirectURIs) {
			t.Fatalf("redirected to %q for a request with an unregistered redirect_uri", loc)
		}
		target := strings.SplitN(loc.String(), "?", 2)[0]
		if !strings.HasPrefix(params.Get("redirect_uri"), target) {
			t.Fatalf("redirected to %q, not to the request's redirect_uri %q", loc, params.Get("redirect_uri"))
		}
		q := loc.Query()
		if q.Get("iss") != testIssuer || (q.Get("code") == "") == (q.Get("error") == "") {
			t.Fatalf("redirect query %v: want iss and exactly one of code and error", q)
		}
	})
}

// FuzzRedirectAllowed: a URI is allowed only when it is registered, or differs from a
// registered loopback http URI in its port alone.
func FuzzRedirectAllowed(f *testing.F) {
	reg := []string{"http://127.0.0.1/cb", "https://rp.test/cb?x=1", "http://[::1]:8000/cb"}
	for _, s := range []string{"http://127.0.0.1:1/cb", "http://127.0.0.1@evil/cb", "http://127.0.0.1:1/cb#x", "https://rp.test/cb?x=1", "http://[::1]/cb", "http://127.0.0.1:99999/cb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		if !redirectAllowed(uri, reg) {
			return
		}
		if contains(reg, uri) {
			return
		}
		u, err := url.Parse(uri)
		if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" {
			t.Fatalf("%q allowed", uri)
		}
		u.Host = u.Hostname()
		if strings.Contains(u.Host, ":") {
			u.Host = "[" + u.Host + "]"
		}
		bare := u.String()
		ok := false
		for _, r := range reg {
			ru, _ := url.Parse(r)
			ru.Host = ru.Hostname()
			if strings.Contains(ru.Host, ":") {
				ru.Host = "[" + ru.Host + "]"
			}
			ok = ok || ru.String() == bare
		}
		if !ok {
			t.Fatalf("%q allowed but it is no registered URI with another port", uri)
		}
	})
}

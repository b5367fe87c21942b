package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// fakeLoginServer is an issuer whose authorization endpoint answers with the given redirect
// query (state and iss filled in by mutate), and whose device endpoint's polls answer expired.
func fakeLoginServer(t *testing.T, mutate func(q url.Values, issuer string)) *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":%q,"token_endpoint":%q,"authorization_endpoint":%q,"device_authorization_endpoint":%q,"jwks_uri":%q,"authorization_response_iss_parameter_supported":true}`,
				srv.URL, srv.URL+"/token", srv.URL+"/auth", srv.URL+"/device", srv.URL+"/jwks")
		case "/auth":
			q := url.Values{"code": {"the-code"}, "state": {r.URL.Query().Get("state")}, "iss": {srv.URL}}
			mutate(q, srv.URL)
			http.Redirect(w, r, r.URL.Query().Get("redirect_uri")+"?"+q.Encode(), http.StatusFound)
		case "/device":
			fmt.Fprint(w, `{"device_code":"dc","user_code":"WXYZ-1234","verification_uri":"https://idp.example/device","expires_in":2,"interval":1}`)
		case "/token":
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":"expired_token"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestFetchLoginRefusals: each refused case is one line on stderr with the right exit code.
func TestFetchLoginRefusals(t *testing.T) {
	follow := func(u string) error {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	tests := []struct {
		name   string
		mutate func(url.Values, string)
		args   []string
		exit   int
		want   string
	}{
		{"state mismatch", func(q url.Values, _ string) { q.Set("state", "forged") }, nil, 3,
			"jwtkit: the authorization response's state does not match the request's; refusing it (a forged or stale redirect)\n"},
		{"wrong iss", func(q url.Values, _ string) { q.Set("iss", "https://evil.example") }, nil, 3,
			`jwtkit: the authorization response comes from issuer "https://evil.example", not `},
		{"missing iss", func(q url.Values, _ string) { q.Del("iss") }, nil, 3,
			"has no iss parameter, which issuer "},
		{"non-loopback redirect", func(url.Values, string) {}, []string{"--redirect-uri", "http://attacker.example:8080/callback"}, 2,
			`the host "attacker.example" is not loopback; jwtkit only listens on 127.0.0.1 or [::1]`},
		{"https redirect", func(url.Values, string) {}, []string{"--redirect-uri", "https://127.0.0.1/callback"}, 2,
			"must be an http://127.0.0.1:PORT/PATH URL"},
		{"expired device code", func(url.Values, string) {}, []string{"--grant", "device_code"}, 3,
			"jwtkit: the device code expired before the user approved it (expired_token from "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeLoginServer(t, tt.mutate)
			h := fetchHarness(t)
			delete(h.env, "JWTKIT_CLIENT_SECRET")
			h.deps.OpenBrowser = follow
			args := []string{"fetch", "--issuer", srv.URL, "--client-id", "cli", "--no-cache"}
			if !strings.Contains(strings.Join(tt.args, " "), "--grant") {
				args = append(args, "--grant", "authorization_code")
			}
			code := h.run(append(args, tt.args...)...)
			if code != tt.exit || !strings.Contains(h.stderr.String(), tt.want) {
				t.Fatalf("exit %d (want %d): %s\nwant %q", code, tt.exit, h.stderr, tt.want)
			}
			if strings.Contains(h.stderr.String(), "the-code") || h.stdout.Len() != 0 {
				t.Errorf("stderr shows the code, or stdout is not empty: %s %s", h.stderr, h.stdout)
			}
		})
	}
}

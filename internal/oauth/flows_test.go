package oauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

func TestS256(t *testing.T) {
	// RFC 7636 Appendix B.
	if got := S256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("S256 = %s", got)
	}
}

func TestAuthorizationURL(t *testing.T) {
	a := &AuthorizationRequest{Endpoint: "https://idp.example/auth?tenant=x", ClientID: "cli", RedirectURI: "http://127.0.0.1:5/callback",
		Scopes: []string{"openid read", "read"}, State: "st", Nonce: "nn", PKCE: PKCE{Challenge: "ch"}, Resources: []string{"https://api"}}
	raw, err := a.URL()
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(raw)
	q := u.Query()
	for k, want := range map[string]string{"tenant": "x", "response_type": "code", "client_id": "cli", "scope": "openid read",
		"state": "st", "nonce": "nn", "code_challenge": "ch", "code_challenge_method": "S256", "resource": "https://api",
		"redirect_uri": "http://127.0.0.1:5/callback"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	a.Params = url.Values{"state": {"evil"}}
	if _, err := a.URL(); failure.ExitCode(err) != 2 {
		t.Errorf("a reserved --param: %v", err)
	}
}

func TestCheckCallback(t *testing.T) {
	const iss = "https://idp.example"
	tests := []struct {
		name     string
		q        string
		required bool
		code     string
		want     string
	}{
		{"ok", "code=abc&state=s1&iss=https%3A%2F%2Fidp.example", true, "abc", ""},
		{"ok without iss when not announced", "code=abc&state=s1", false, "abc", ""},
		{"state mismatch", "code=abc&state=s2", false, "", "state does not match"},
		{"no state", "code=abc", false, "", "has no state"},
		{"wrong iss", "code=abc&state=s1&iss=https%3A%2F%2Fevil.example", false, "", `comes from issuer "https://evil.example", not https://idp.example`},
		{"missing iss when announced", "code=abc&state=s1", true, "", "has no iss parameter"},
		{"error answer", "error=access_denied&error_description=no%1b&state=s1", false, "", "refused: access_denied: no"},
		{"no code", "state=s1", false, "", "no usable code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.q)
			code, err := CheckCallback(q, "s1", iss, tt.required)
			if tt.want == "" {
				if err != nil || code != tt.code {
					t.Fatalf("code %q err %v", code, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || failure.ExitCode(err) != 3 {
				t.Fatalf("err %v (exit %d), want %q", err, failure.ExitCode(err), tt.want)
			}
			if strings.Contains(err.Error(), "abc") || strings.Contains(err.Error(), "s2") {
				t.Errorf("the error shows the code or state: %v", err)
			}
		})
	}
}

func TestListen(t *testing.T) {
	for _, bad := range []string{"https://127.0.0.1/cb", "http://example.com:8080/cb", "http://10.0.0.1/cb", "http://127.0.0.1.example/cb", "not a url"} {
		if _, err := Listen(bad, nil); failure.ExitCode(err) != 2 {
			t.Errorf("Listen(%q): %v", bad, err)
		}
	}
	l, err := Listen("", func(q url.Values) (string, error) { return CheckCallback(q, "st", "", false) })
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !strings.HasPrefix(l.RedirectURI, "http://127.0.0.1:") || !strings.HasSuffix(l.RedirectURI, "/callback") {
		t.Fatalf("RedirectURI %s", l.RedirectURI)
	}
	if resp, err := http.Get(strings.TrimSuffix(l.RedirectURI, "/callback") + "/favicon.ico"); err != nil || resp.StatusCode != 404 {
		t.Fatalf("favicon: %v %v", resp, err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	var body string
	go func() {
		defer wg.Done()
		resp, err := http.Get(l.RedirectURI + "?code=c0de&state=st")
		if err == nil {
			b := make([]byte, 512)
			n, _ := resp.Body.Read(b)
			body = string(b[:n])
			resp.Body.Close()
		}
	}()
	code, err := l.Wait(context.Background(), 5*time.Second)
	wg.Wait()
	if err != nil || code != "c0de" {
		t.Fatalf("Wait: %q %v", code, err)
	}
	if !strings.Contains(body, "You may close this tab") {
		t.Errorf("page %q", body)
	}

	l2, _ := Listen("", func(url.Values) (string, error) { return "", nil })
	defer l2.Close()
	if _, err := l2.Wait(context.Background(), 10*time.Millisecond); failure.ExitCode(err) != 3 || !strings.Contains(err.Error(), "no redirect from the browser") {
		t.Errorf("timeout: %v", err)
	}
}

// deviceServer answers polls with the given errors in turn, then a token.
func deviceServer(t *testing.T, answers ...string) (*httptest.Server, *[]url.Values) {
	var forms []url.Values
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		_ = r.ParseForm()
		forms = append(forms, r.PostForm)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/device" {
			_, _ = w.Write([]byte(`{"device_code":"dev-code","user_code":"ABCD-EFGH","verification_uri":"https://idp.example/device","verification_uri_complete":"https://idp.example/device?user_code=ABCD-EFGH","expires_in":60,"interval":2}`))
			return
		}
		if n := len(forms) - 2; n < len(answers) {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"error":"` + answers[n] + `"}`))
			return
		}
		_, _ = w.Write([]byte(`{"access_token":"at","token_type":"Bearer","expires_in":60}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &forms
}

func TestDeviceFlow(t *testing.T) {
	tests := []struct {
		name    string
		answers []string
		waits   []time.Duration
		want    string
	}{
		{"approved", []string{"authorization_pending", "slow_down", "authorization_pending"}, []time.Duration{2, 2, 7, 7}, ""},
		{"denied", []string{"authorization_pending", "access_denied"}, []time.Duration{2, 2}, "the user refused"},
		{"expired", []string{"expired_token"}, []time.Duration{2}, "device code expired before the user approved"},
		{"never approved", strings.Fields(strings.Repeat("authorization_pending ", 40)), nil, "expired after 1m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, forms := deviceServer(t, tt.answers...)
			var waits []time.Duration
			r := Request{TokenURL: srv.URL + "/token", ClientID: "cli", AuthMethod: AuthNone, Scopes: []string{"openid"},
				Retry: &RetryPolicy{Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}}
			c := safehttp.New(safehttp.Options{Timeout: 5 * time.Second})
			d, err := DeviceAuthorize(context.Background(), c, srv.URL+"/device", r)
			if err != nil {
				t.Fatal(err)
			}
			if d.UserCode != "ABCD-EFGH" || d.Interval != 2*time.Second || d.ExpiresIn != time.Minute {
				t.Fatalf("%+v", d)
			}
			tok, err := PollDevice(context.Background(), c, r, d)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) || failure.ExitCode(err) != 3 {
					t.Fatalf("err %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil || tok.AccessToken != "at" {
				t.Fatalf("%v %v", tok, err)
			}
			for i, w := range tt.waits {
				if i >= len(waits) || waits[i] != w*time.Second {
					t.Fatalf("waits %v, want %v seconds", waits, tt.waits)
				}
			}
			f := (*forms)[1]
			if f.Get("grant_type") != GrantDeviceCode || f.Get("device_code") != "dev-code" || f.Get("client_id") != "cli" {
				t.Errorf("poll form %v", f)
			}
		})
	}
}

func TestDPoPNonce(t *testing.T) {
	for _, loop := range []bool{false, true} {
		var proofs []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			proofs = append(proofs, r.Header.Get("DPoP"))
			w.Header().Set("Content-Type", "application/json")
			if len(proofs) == 1 || loop {
				w.Header().Set("DPoP-Nonce", "n"+strings.Repeat("x", len(proofs)))
				w.WriteHeader(400)
				_, _ = w.Write([]byte(`{"error":"use_dpop_nonce"}`))
				return
			}
			_, _ = w.Write([]byte(`{"access_token":"at","token_type":"DPoP","expires_in":60}`))
		}))
		r := Request{TokenURL: srv.URL, ClientID: "cli", AuthMethod: AuthNone,
			DPoP: func(htu, nonce string) (string, error) { return "proof-" + nonce, nil }}
		tok, err := Exchange(context.Background(), safehttp.New(safehttp.Options{Timeout: 5 * time.Second}), r)
		srv.Close()
		if loop {
			if failure.ExitCode(err) != 3 || !strings.Contains(err.Error(), "keeps asking for a new DPoP nonce") || len(proofs) != 2 {
				t.Errorf("loop: %v after %d requests", err, len(proofs))
			}
			continue
		}
		if err != nil || tok.TokenType != "DPoP" || strings.Join(proofs, ",") != "proof-,proof-nx" {
			t.Errorf("%v %v %v", tok, err, proofs)
		}
	}
}

func TestRefreshTokenKeptApart(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"at","token_type":"bearer","expires_in":60,"refresh_token":"rt-secret","id_token":"a.b.c"}`))
	}))
	defer srv.Close()
	tok, err := Exchange(context.Background(), safehttp.New(safehttp.Options{Timeout: 5 * time.Second}),
		Request{TokenURL: srv.URL, ClientID: "cli", AuthMethod: AuthNone, Grant: GrantRefreshToken, GrantParams: url.Values{"refresh_token": {"old"}}})
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken != "rt-secret" || tok.IDToken != "a.b.c" || strings.Contains(string(tok.Raw), "rt-secret") {
		t.Fatalf("%+v", tok)
	}
}

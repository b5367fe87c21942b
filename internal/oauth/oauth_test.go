package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

var t0 = time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)

func clock() time.Time { return t0 }

// seen is what the fake token endpoint received.
type seen struct {
	auth string
	form url.Values
}

// endpoint is a fake token endpoint that records requests and answers with the next reply.
type endpoint struct {
	srv     *httptest.Server
	mu      sync.Mutex
	got     []seen
	replies []func(w http.ResponseWriter, r *http.Request)
}

func newEndpoint(t *testing.T, replies ...func(w http.ResponseWriter, r *http.Request)) *endpoint {
	t.Helper()
	e := &endpoint{replies: replies}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("request %s with content type %q", r.Method, r.Header.Get("Content-Type"))
		}
		body, _ := io.ReadAll(r.Body)
		form, err := url.ParseQuery(string(body))
		if err != nil {
			t.Errorf("unparseable form %q", body)
		}
		e.mu.Lock()
		n := len(e.got)
		e.got = append(e.got, seen{auth: r.Header.Get("Authorization"), form: form})
		e.mu.Unlock()
		if n >= len(e.replies) {
			t.Errorf("unexpected request %d", n+1)
			http.Error(w, "unexpected", 500)
			return
		}
		e.replies[n](w, r)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) requests() []seen {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]seen(nil), e.got...)
}

func reply(status int, body string, header ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

const goodBody = `{"access_token":"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2ln","token_type":"Bearer","expires_in":300,` +
	`"scope":"read:users","refresh_token":"should-never-be-kept"}`

var good = reply(200, goodBody)

// noRetry makes tests fail fast instead of sleeping.
var noRetry = &RetryPolicy{Max: 0}

func newClient() *safehttp.Client { return safehttp.New(safehttp.Options{Timeout: 5 * time.Second}) }

func TestAuthMethodsWireFormat(t *testing.T) {
	const (
		id     = "my:client id+ü"
		secret = "p%s+ss wörd:=&"
	)
	tests := []struct {
		name      string
		req       Request
		wantAuth  string
		wantForm  url.Values
		wantAud   string
		assertion string
	}{
		{
			name: "client_secret_basic default",
			req: Request{ClientID: id, ClientSecret: []byte(secret), Scopes: []string{"read:users write:users", "read:users"},
				Audience: "https://api.example", Resources: []string{"https://r1.example", "https://r2.example"},
				Params: url.Values{"extra": {"1"}}},
			wantAuth: "Basic " + base64.StdEncoding.EncodeToString([]byte("my%3Aclient+id%2B%C3%BC:p%25s%2Bss+w%C3%B6rd%3A%3D%26")),
			wantForm: url.Values{"grant_type": {"client_credentials"}, "scope": {"read:users write:users"},
				"audience": {"https://api.example"}, "resource": {"https://r1.example", "https://r2.example"}, "extra": {"1"}},
		},
		{
			name:     "client_secret_post",
			req:      Request{ClientID: id, ClientSecret: []byte(secret), AuthMethod: AuthClientSecretPost, Scopes: []string{"read:users"}},
			wantForm: url.Values{"grant_type": {"client_credentials"}, "scope": {"read:users"}, "client_id": {id}, "client_secret": {secret}},
		},
		{
			name:      "private_key_jwt to the token endpoint",
			req:       Request{ClientID: id, AuthMethod: AuthPrivateKeyJWT},
			assertion: "aGVhZGVy.cGF5bG9hZA.c2lnbmF0dXJl",
			wantAud:   "TOKEN_URL",
			wantForm: url.Values{"grant_type": {"client_credentials"}, "client_id": {id},
				"client_assertion_type": {AssertionType}, "client_assertion": {"aGVhZGVy.cGF5bG9hZA.c2lnbmF0dXJl"}},
		},
		{
			name:      "private_key_jwt to the issuer",
			req:       Request{ClientID: id, AuthMethod: AuthPrivateKeyJWT, AssertionAudience: "https://idp.example"},
			assertion: "a.b.c",
			wantAud:   "https://idp.example",
			wantForm: url.Values{"grant_type": {"client_credentials"}, "client_id": {id},
				"client_assertion_type": {AssertionType}, "client_assertion": {"a.b.c"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEndpoint(t, good)
			r := tt.req
			r.TokenURL = e.srv.URL + "/token"
			r.Now = clock
			r.Retry = noRetry
			var gotAud string
			if tt.assertion != "" {
				r.Assertion = func(aud string) (string, error) { gotAud = aud; return tt.assertion, nil }
			}
			tok, err := ClientCredentials(context.Background(), newClient(), r)
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken == "" {
				t.Fatal("no token")
			}
			got := e.requests()[0]
			if got.auth != tt.wantAuth {
				t.Errorf("Authorization %q, want %q", got.auth, tt.wantAuth)
			}
			if !reflect.DeepEqual(got.form, tt.wantForm) {
				t.Errorf("form %v\nwant %v", got.form, tt.wantForm)
			}
			want := strings.ReplaceAll(tt.wantAud, "TOKEN_URL", r.TokenURL)
			if gotAud != want {
				t.Errorf("assertion audience %q, want %q", gotAud, want)
			}
		})
	}
}

// TestBasicCredentialsDecode checks the other direction: a server that form-decodes each half
// after splitting on the first ":" gets the original values back.
func TestBasicCredentialsDecode(t *testing.T) {
	for _, pair := range [][2]string{
		{"plain", "secret"}, {"a:b", "c:d"}, {"100%", "50%off"}, {"a+b", "c+d e"}, {"ünï", "çødé"},
		{"", ""}, {"~*'()!", "/?#[]@$&;="},
	} {
		raw, err := base64.StdEncoding.DecodeString(BasicCredentials(pair[0], []byte(pair[1])))
		if err != nil {
			t.Fatal(err)
		}
		idEnc, secretEnc, ok := strings.Cut(string(raw), ":")
		if !ok {
			t.Fatalf("no colon in %q", raw)
		}
		id, err1 := url.QueryUnescape(idEnc)
		secret, err2 := url.QueryUnescape(secretEnc)
		if err1 != nil || err2 != nil || id != pair[0] || secret != pair[1] {
			t.Errorf("%q/%q came back as %q/%q (%v, %v)", pair[0], pair[1], id, secret, err1, err2)
		}
	}
}

func TestTokenParsed(t *testing.T) {
	e := newEndpoint(t, good, reply(200, `{"access_token":"opaque-token","token_type":"bEaReR","expires_in":"3600"}`, "Content-Type", "text/plain"),
		reply(200, `{"access_token":"t","token_type":"Bearer"}`))
	r := Request{TokenURL: e.srv.URL, ClientID: "app", ClientSecret: []byte("s"), Now: clock, Retry: noRetry}
	tok, err := ClientCredentials(context.Background(), newClient(), r)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2ln" || tok.TokenType != "Bearer" || tok.Scope != "read:users" ||
		tok.ExpiresIn != 300 || !tok.ExpiresAt.Equal(t0.Add(300*time.Second)) {
		t.Errorf("token %+v", tok)
	}
	if strings.Contains(string(tok.Raw), "refresh_token") || strings.Contains(string(tok.Raw), "should-never-be-kept") {
		t.Errorf("refresh token kept in Raw: %s", tok.Raw)
	}
	var raw map[string]any
	if err := json.Unmarshal(tok.Raw, &raw); err != nil || raw["scope"] != "read:users" {
		t.Errorf("Raw %s", tok.Raw)
	}

	tok, err = ClientCredentials(context.Background(), newClient(), r)
	if err != nil {
		t.Fatal(err)
	}
	if tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 || tok.Scope != "" {
		t.Errorf("token %+v", tok)
	}
	r.Now = nil
	tok, err = ClientCredentials(context.Background(), newClient(), r)
	if err != nil {
		t.Fatal(err)
	}
	if tok.ExpiresIn != 0 || !tok.ExpiresAt.IsZero() {
		t.Errorf("token %+v", tok)
	}
}

func TestErrorResponses(t *testing.T) {
	tests := []struct {
		name  string
		reply func(w http.ResponseWriter, r *http.Request)
		code  string
		want  string
	}{
		{"invalid_client", reply(401, `{"error":"invalid_client","error_description":"Client authentication failed"}`),
			"token_error", "invalid_client: Client authentication failed (HTTP 401 Unauthorized from URL)"},
		{"no description, with uri", reply(400, `{"error":"invalid_scope","error_uri":"https://idp.example/help"}`),
			"token_error", "invalid_scope (HTTP 400 Bad Request from URL; see https://idp.example/help)"},
		{"hostile description", reply(400, "{\"error\":\"invalid_request\\u001b[2J\",\"error_description\":\"line1\\nline2 \\u00e9"+strings.Repeat("x", 300)+"\"}"),
			"token_error", "invalid_request [2J: line1 line2 ?" + strings.Repeat("x", 184) + "... (HTTP 400 Bad Request from URL)"},
		{"html error page", reply(502, "<html><body>\n<h1>Bad gateway</h1>"+strings.Repeat(" pad", 100)+"</body></html>", "Content-Type", "text/html"),
			"token_error", "token request to URL failed: HTTP 502 Bad Gateway: <html><body> <h1>Bad gateway</h1> pad pad"},
		{"error not a string", reply(400, `{"error":{"code":1}}`),
			"token_error", `token request to URL failed: HTTP 400 Bad Request: {"error":{"code":1}}`},
		{"empty error body", reply(403, ``), "token_error", "token request to URL failed: HTTP 403 Forbidden"},
		{"success not JSON", reply(200, `access_token=secret-in-form&token_type=bearer`, "Content-Type", "application/x-www-form-urlencoded"),
			"token_response", "token endpoint URL returned an unusable response: not a JSON object (45 bytes, application/x-www-form-urlencoded)"},
		{"success JSON array", reply(200, `[]`), "token_response", "not a JSON object (2 bytes, application/json)"},
		{"success with error member", reply(200, `{"error":"access_denied"}`), "token_error", "access_denied (HTTP 200 OK from URL)"},
		{"no access token", reply(200, `{"token_type":"Bearer"}`), "token_response", "unusable response: no access_token"},
		{"empty access token", reply(200, `{"access_token":"","token_type":"Bearer"}`), "token_response", "no access_token"},
		{"access token not a string", reply(200, `{"access_token":5,"token_type":"Bearer"}`), "token_response", "access_token is not a string"},
		{"access token with newline", reply(200, `{"access_token":"abc\ndef","token_type":"Bearer"}`), "token_response", "contains spaces, control or non-ASCII"},
		{"access token with escape", reply(200, `{"access_token":"abc\u001b]0;x","token_type":"Bearer"}`), "token_response", "contains spaces, control or non-ASCII"},
		{"DPoP token", reply(200, `{"access_token":"abc","token_type":"DPoP"}`), "token_response", `token_type "DPoP"; jwtkit accepts only Bearer tokens`},
		{"no token type", reply(200, `{"access_token":"abc"}`), "token_response", "no token_type; jwtkit accepts only Bearer tokens"},
		{"negative expires_in", reply(200, `{"access_token":"abc","token_type":"Bearer","expires_in":-1}`), "token_response", "expires_in -1 is out of range"},
		{"huge expires_in", reply(200, `{"access_token":"abc","token_type":"Bearer","expires_in":1e300}`), "token_response", "expires_in 1e300 is out of range"},
		{"text expires_in", reply(200, `{"access_token":"abc","token_type":"Bearer","expires_in":"soon"}`), "token_response", "expires_in is not a number"},
		{"bool expires_in", reply(200, `{"access_token":"abc","token_type":"Bearer","expires_in":true}`), "token_response", "expires_in is not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEndpoint(t, tt.reply)
			u := e.srv.URL + "/token"
			_, err := ClientCredentials(context.Background(), newClient(),
				Request{TokenURL: u, ClientID: "app", ClientSecret: []byte("hunter2"), Retry: noRetry, Now: clock})
			if err == nil {
				t.Fatal("no error")
			}
			if failure.KindOf(err) != failure.KindRemote || failure.CodeOf(err) != tt.code {
				t.Errorf("kind %v code %q, want remote %q", failure.KindOf(err), failure.CodeOf(err), tt.code)
			}
			want := strings.ReplaceAll(tt.want, "URL", u)
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q\nwant   %q", err, want)
			}
			for _, secret := range []string{"hunter2", "secret-in-form"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows %q", secret)
				}
			}
			if len(err.Error()) > 600 || strings.ContainsAny(err.Error(), "\n\x1b") {
				t.Errorf("error not one short clean line: %q", err)
			}
			var te *TokenError
			if tt.code == "token_error" && !errors.As(err, &te) {
				t.Error("no *TokenError in the chain")
			}
		})
	}
}

func TestRequestValidation(t *testing.T) {
	assertion := func(string) (string, error) { return "a.b.c", nil }
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"no token url", Request{ClientID: "a", ClientSecret: []byte("s")}, "no token endpoint given"},
		{"no client id", Request{TokenURL: "https://idp.example/token", ClientSecret: []byte("s")}, "no client id given"},
		{"no secret", Request{TokenURL: "https://idp.example/token", ClientID: "a"}, "client_secret_basic needs a client secret"},
		{"no secret post", Request{TokenURL: "https://idp.example/token", ClientID: "a", AuthMethod: AuthClientSecretPost}, "client_secret_post needs a client secret"},
		{"no assertion", Request{TokenURL: "https://idp.example/token", ClientID: "a", AuthMethod: AuthPrivateKeyJWT}, "private_key_jwt needs a signing key"},
		{"secret with jwt", Request{TokenURL: "https://idp.example/token", ClientID: "a", AuthMethod: AuthPrivateKeyJWT,
			Assertion: assertion, ClientSecret: []byte("s")}, "private_key_jwt does not use a client secret"},
		{"unknown method", Request{TokenURL: "https://idp.example/token", ClientID: "a", ClientSecret: []byte("s"), AuthMethod: "spiffe_auth"},
			`unknown client authentication method "spiffe_auth"`},
		{"secret with mtls", Request{TokenURL: "https://idp.example/token", ClientID: "a", ClientSecret: []byte("s"), AuthMethod: AuthTLSClientAuth},
			"auth method tls_client_auth sends no client secret"},
		{"reserved param", Request{TokenURL: "https://idp.example/token", ClientID: "a", ClientSecret: []byte("s"),
			Params: url.Values{"client_secret": {"x"}}}, `parameter "client_secret" is set by jwtkit itself`},
		{"reserved scope", Request{TokenURL: "https://idp.example/token", ClientID: "a", ClientSecret: []byte("s"),
			Params: url.Values{"scope": {"x"}}}, `parameter "scope" is set by jwtkit itself`},
		{"plain http", Request{TokenURL: "http://idp.example/token", ClientID: "a", ClientSecret: []byte("s")}, "plain http is allowed only to loopback"},
		{"bad assertion", Request{TokenURL: "https://idp.example/token", ClientID: "a", AuthMethod: AuthPrivateKeyJWT,
			Assertion: func(string) (string, error) { return "not a jwt", nil }}, "the client assertion is not a compact JWT"},
		{"assertion error", Request{TokenURL: "https://idp.example/token", ClientID: "a", AuthMethod: AuthPrivateKeyJWT,
			Assertion: func(string) (string, error) { return "", failure.Usagef("bad_key", "reading key k.pem: no key") }},
			"building the client assertion: reading key k.pem: no key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Retry = noRetry
			_, err := ClientCredentials(context.Background(), newClient(), tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if failure.KindOf(err) != failure.KindUsage {
				t.Errorf("kind %v, want usage", failure.KindOf(err))
			}
		})
	}
}

// sleeper records the waits a retry policy asks for without waiting.
type sleeper struct{ waits []time.Duration }

func (s *sleeper) sleep(_ context.Context, d time.Duration) error {
	s.waits = append(s.waits, d)
	return nil
}

func hangUp(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestRetries(t *testing.T) {
	date := t0.Add(7 * time.Second).Format(http.TimeFormat)
	tests := []struct {
		name      string
		replies   []func(w http.ResponseWriter, r *http.Request)
		max       int
		wantWaits []time.Duration
		wantErr   string
	}{
		{"503 then success", []func(http.ResponseWriter, *http.Request){reply(503, ""), reply(503, ""), good},
			2, []time.Duration{500 * time.Millisecond, time.Second}, ""},
		{"429 with Retry-After seconds", []func(http.ResponseWriter, *http.Request){reply(429, "", "Retry-After", "3"), good},
			2, []time.Duration{3 * time.Second}, ""},
		{"429 with Retry-After date", []func(http.ResponseWriter, *http.Request){reply(429, "", "Retry-After", date), good},
			2, []time.Duration{7 * time.Second}, ""},
		{"Retry-After beyond the cap", []func(http.ResponseWriter, *http.Request){reply(429, `{"error":"slow_down"}`, "Retry-After", "120")},
			2, nil, "slow_down (HTTP 429 Too Many Requests from URL; the server asks to retry after 2m0s)"},
		{"5xx exhausted", []func(http.ResponseWriter, *http.Request){reply(500, "oops"), reply(502, "oops"), reply(504, `{"error":"temporarily_unavailable"}`)},
			2, []time.Duration{500 * time.Millisecond, time.Second},
			"temporarily_unavailable (HTTP 504 Gateway Timeout from URL; after 3 attempts)"},
		{"4xx not retried", []func(http.ResponseWriter, *http.Request){reply(400, `{"error":"invalid_grant"}`)},
			2, nil, "invalid_grant (HTTP 400 Bad Request from URL)"},
		{"connection closed then success", []func(http.ResponseWriter, *http.Request){hangUp, good},
			2, []time.Duration{500 * time.Millisecond}, ""},
		{"connection closed every time", []func(http.ResponseWriter, *http.Request){hangUp, hangUp},
			1, []time.Duration{500 * time.Millisecond}, "closed before a complete response (after 2 attempts)"},
		{"no retries", []func(http.ResponseWriter, *http.Request){reply(503, "")},
			0, nil, "token request to URL failed: HTTP 503 Service Unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEndpoint(t, tt.replies...)
			s := &sleeper{}
			var assertions []string
			n := 0
			r := Request{TokenURL: e.srv.URL, ClientID: "app", AuthMethod: AuthPrivateKeyJWT, Now: clock,
				Assertion: func(aud string) (string, error) {
					n++
					a := fmt.Sprintf("h.jti%d.s", n)
					assertions = append(assertions, a)
					return a, nil
				},
				Retry: &RetryPolicy{Max: tt.max, Sleep: s.sleep}}
			tok, err := ClientCredentials(context.Background(), newClient(), r)
			if tt.wantErr == "" {
				if err != nil || tok == nil {
					t.Fatalf("error %v", err)
				}
			} else {
				want := strings.ReplaceAll(tt.wantErr, "URL", e.srv.URL)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("error %v\nwant %q", err, want)
				}
				if failure.KindOf(err) != failure.KindRemote {
					t.Errorf("kind %v", failure.KindOf(err))
				}
			}
			if !reflect.DeepEqual(s.waits, tt.wantWaits) {
				t.Errorf("waits %v, want %v", s.waits, tt.wantWaits)
			}
			got := e.requests()
			if len(got) != len(tt.replies) {
				t.Errorf("%d requests, want %d", len(got), len(tt.replies))
			}
			for i, req := range got {
				if req.form.Get("client_assertion") != assertions[i] {
					t.Errorf("request %d sent assertion %q, want a fresh one %q", i, req.form.Get("client_assertion"), assertions[i])
				}
			}
		})
	}
}

func TestRetryCanceled(t *testing.T) {
	e := newEndpoint(t, reply(503, ""))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := Request{TokenURL: e.srv.URL, ClientID: "app", ClientSecret: []byte("s"), Retry: &RetryPolicy{Max: 5}}
	_, err := ClientCredentials(ctx, newClient(), r)
	if err == nil {
		t.Fatal("no error")
	}
	if len(e.requests()) > 1 {
		t.Errorf("%d requests after cancel", len(e.requests()))
	}
}

func TestBackoff(t *testing.T) {
	p := &RetryPolicy{}
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}
	for i, w := range want {
		if got := p.backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := p.backoff(100); got != maxBackoff {
		t.Errorf("backoff(100) = %v", got)
	}
	if DefaultRetry.Max != 2 {
		t.Errorf("default retries %d", DefaultRetry.Max)
	}
	// The real sleep waits, and stops when the context ends.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep on a canceled context: %v", err)
	}
	if err := p.sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("sleep: %v", err)
	}
}

func TestRetryAfterParse(t *testing.T) {
	tests := []struct {
		v    string
		now  func() time.Time
		want time.Duration
		ok   bool
	}{
		{"0", nil, 0, true},
		{" 12 ", nil, 12 * time.Second, true},
		{"99999999999999999999", nil, (1 << 31) * time.Second, true},
		{"1.5", nil, 0, false},
		{"-1", nil, 0, false},
		{"", nil, 0, false},
		{t0.Add(time.Minute).Format(http.TimeFormat), clock, time.Minute, true},
		{t0.Add(-time.Minute).Format(http.TimeFormat), clock, 0, true},
		{t0.Add(time.Minute).Format(http.TimeFormat), nil, 0, false},
		{"tomorrow", clock, 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.v, tt.now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.v, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTimeoutNotRetried(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	e := newEndpoint(t, slow)
	s := &sleeper{}
	c := safehttp.New(safehttp.Options{Timeout: 100 * time.Millisecond})
	_, err := ClientCredentials(context.Background(), c, Request{TokenURL: e.srv.URL + "/token", ClientID: "app",
		ClientSecret: []byte("s"), Retry: &RetryPolicy{Max: 2, Sleep: s.sleep}})
	want := "posting to " + e.srv.URL + "/token: timed out after 100ms; raise --timeout"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v\nwant %q", err, want)
	}
	if len(e.requests()) != 1 || len(s.waits) != 0 {
		t.Errorf("%d requests, waits %v", len(e.requests()), s.waits)
	}
}

func TestRedirectRefused(t *testing.T) {
	var stolen []string
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		stolen = append(stolen, r.PostForm.Get("client_secret"))
	}))
	defer thief.Close()
	thiefURL := strings.Replace(thief.URL, "127.0.0.1", "localhost", 1)
	e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", thiefURL+"/token")
		w.WriteHeader(http.StatusTemporaryRedirect)
	})
	_, err := ClientCredentials(context.Background(), newClient(), Request{TokenURL: e.srv.URL + "/token", ClientID: "app",
		ClientSecret: []byte("s3cret"), AuthMethod: AuthClientSecretPost, Retry: noRetry})
	want := "posting to " + e.srv.URL + "/token: refused to follow a redirect (HTTP 307 Temporary Redirect) to localhost"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error %v\nwant %q", err, want)
	}
	if len(stolen) != 0 {
		t.Errorf("the secret reached the redirect target: %q", stolen)
	}
}

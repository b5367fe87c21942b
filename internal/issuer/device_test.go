package issuer

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/keys"
)

// testClock is a clock a test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newDeviceFixture is newFixture with a clock the test moves, a public client "tv" and a user
// alice.
func newDeviceFixture(t *testing.T) (*fixture, *testClock) {
	t.Helper()
	clock := &testClock{now: testNow}
	f := newFixture(t, func(c *Config) {
		c.Now = clock.Now
		c.Clients = append(c.Clients, Client{ID: "tv", Device: true})
		c.Users = []User{{Subject: "alice"}, {Subject: "bob"}}
	})
	return f, clock
}

// deviceStart asks for a device authorization; auth sets the client authentication.
func (f *fixture) deviceStart(t *testing.T, form url.Values, auth func(*http.Request)) map[string]any {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, testIssuer+PathDeviceAuthorization, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != nil {
		auth(r)
	}
	w := f.do(r)
	if w.Code != http.StatusOK {
		t.Fatalf("device authorization: %d %s", w.Code, w.Body)
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q", w.Header().Get("Cache-Control"))
	}
	return decodeJSON(t, w.Body.Bytes())
}

// poll makes one device code token request and returns the status and body.
func (f *fixture) poll(t *testing.T, deviceCode string, auth func(*http.Request), extra ...string) (int, map[string]any) {
	t.Helper()
	form := formValues(append([]string{"grant_type", GrantDeviceCode, "device_code", deviceCode}, extra...)...)
	w := f.postForm(form, auth)
	return w.Code, decodeJSON(t, w.Body.Bytes())
}

// verify makes a request to the verification endpoint; params go in the query of a GET.
func (f *fixture) verify(method string, params url.Values, accept string) *httptest.ResponseRecorder {
	var r *http.Request
	if method == http.MethodGet {
		r = httptest.NewRequest(method, testIssuer+PathDevice+"?"+params.Encode(), nil)
	} else {
		r = httptest.NewRequest(method, testIssuer+PathDevice, strings.NewReader(params.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	return f.do(r)
}

// verifyFrom posts params to /device from the client address remoteAddr.
func (f *fixture) verifyFrom(remoteAddr string, params url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, testIssuer+PathDevice, strings.NewReader(params.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = remoteAddr
	return f.do(r)
}

// TestUserCodeGuessingPerAddress: a flood of wrong codes from one address leaves another
// address free to approve its device, while wrong codes spread over many addresses still
// stop every lookup past MaxUserCodeFailuresTotal in a window (RFC 8628 §5.1).
func TestUserCodeGuessingPerAddress(t *testing.T) {
	f, clock := newDeviceFixture(t)
	start := f.deviceStart(t, formValues("client_id", "tv"), nil)
	for range MaxUserCodeFailures + 5 {
		f.verifyFrom("203.0.113.9:1000", formValues("user_code", "BCDF-GHJK"))
	}
	if w := f.verifyFrom("203.0.113.9:1001", formValues("user_code", "BCDF-GHJK")); w.Code != http.StatusTooManyRequests {
		t.Fatalf("the flooding address, another port: %d %s", w.Code, w.Body)
	}
	if w := f.verifyFrom("[2001:db8:1:2::77]:9", formValues("user_code", start["user_code"].(string))); w.Code != http.StatusOK {
		t.Fatalf("a person at another address during the flood: %d %s", w.Code, w.Body)
	}

	// Spread over many addresses, each under its own limit: the total stops them all.
	clock.advance(UserCodeFailureWindow)
	start = f.deviceStart(t, formValues("client_id", "tv"), nil)
	for i := range MaxUserCodeFailuresTotal {
		addr := fmt.Sprintf("10.0.%d.%d:80", i/200, i%200)
		if w := f.verifyFrom(addr, formValues("user_code", "BCDF-GHJK")); w.Code != http.StatusBadRequest {
			t.Fatalf("spread guess %d from %s: %d %s", i, addr, w.Code, w.Body)
		}
	}
	if w := f.verifyFrom("[2001:db8:1:2::77]:9", formValues("user_code", start["user_code"].(string))); w.Code != http.StatusTooManyRequests {
		t.Fatalf("past the total, a fresh address: %d %s", w.Code, w.Body)
	}
	clock.advance(UserCodeFailureWindow)
	if w := f.verifyFrom("[2001:db8:1:2::77]:9", formValues("user_code", start["user_code"].(string))); w.Code != http.StatusOK {
		t.Errorf("the next window: %d %s", w.Code, w.Body)
	}
}

func TestGuessKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1:1234":             "192.0.2.1",
		"[::ffff:192.0.2.1]:80":      "192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2::9%eth0]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:3::1]:443":      "2001:db8:1:3::/64",
		"@unix":                      "@unix",
		"":                           "",
	} {
		if got := guessKey(in); got != want {
			t.Errorf("guessKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGuessLimiterBounded(t *testing.T) {
	var g guessLimiter
	now := testNow
	for i := range maxGuessAddresses + 10 {
		g.fail(fmt.Sprintf("10.%d.%d.%d:1", i>>16&255, i>>8&255, i&255), now)
	}
	if len(g.byAddr) != maxGuessAddresses {
		t.Errorf("%d addresses counted, want the bound %d", len(g.byAddr), maxGuessAddresses)
	}
	// After the window, old addresses make room again.
	g.fail("192.0.2.200:1", now.Add(UserCodeFailureWindow))
	if len(g.byAddr) != 1 || g.byAddr["192.0.2.200"] == nil {
		t.Errorf("after the window: %d addresses", len(g.byAddr))
	}
}

var userCodeShape = regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`)

func TestDeviceFlow(t *testing.T) {
	f, clock := newDeviceFixture(t)
	anyAuth := basicAuth("any", "any-secret")
	start := f.deviceStart(t, formValues("scope", "openid offline_access"), anyAuth)
	uc, _ := start["user_code"].(string)
	dc, _ := start["device_code"].(string)
	if !userCodeShape.MatchString(uc) || len(dc) < 40 {
		t.Fatalf("user_code %q, device_code %q", uc, dc)
	}
	if start["verification_uri"] != testIssuer+"/device" ||
		start["verification_uri_complete"] != testIssuer+"/device?user_code="+uc ||
		mustJSON(start["expires_in"]) != "600" || mustJSON(start["interval"]) != "5" {
		t.Errorf("device authorization response = %v", start)
	}

	steps := []struct {
		name  string
		after time.Duration
		code  string
	}{
		{"first poll", 0, ErrAuthorizationPending},
		{"at once again", time.Second, ErrSlowDown},
		{"the old interval is too short now", 6 * time.Second, ErrSlowDown},
		{"after the lengthened interval", 15 * time.Second, ErrAuthorizationPending},
	}
	for _, st := range steps {
		clock.advance(st.after)
		status, body := f.poll(t, dc, anyAuth)
		if status != http.StatusBadRequest || body["error"] != st.code || body["access_token"] != nil {
			t.Fatalf("%s: %d %v, want 400 %s", st.name, status, body, st.code)
		}
	}

	// The user types the code in lower case, without its dash, as bob.
	w := f.verify(http.MethodPost, formValues("user_code", strings.ToLower(strings.ReplaceAll(uc, "-", "")), "login_hint", "bob"), "")
	if w.Code != http.StatusOK {
		t.Fatalf("approval: %d %s", w.Code, w.Body)
	}
	if got := decodeJSON(t, w.Body.Bytes()); got["status"] != "approved" || got["sub"] != "bob" || got["client_id"] != "any" {
		t.Errorf("approval answer = %v", got)
	}
	if w := f.verify(http.MethodGet, formValues("user_code", uc, "action", "deny"), ""); w.Code != http.StatusBadRequest {
		t.Errorf("a second decision: %d %s", w.Code, w.Body)
	}

	clock.advance(20 * time.Second)
	status, tok := f.poll(t, dc, anyAuth)
	if status != http.StatusOK {
		t.Fatalf("poll after approval: %d %v", status, tok)
	}
	_, at := f.verifyToken(t, tok["access_token"].(string))
	if at["sub"] != "bob" || at["client_id"] != "any" || at["scope"] != "openid offline_access" {
		t.Errorf("access token claims = %v", at)
	}
	_, idt := f.verifyToken(t, tok["id_token"].(string))
	if idt["sub"] != "bob" || idt["aud"] != "any" || idt["auth_time"] == nil {
		t.Errorf("id token claims = %v", idt)
	}
	if tok["refresh_token"] == nil {
		t.Error("no refresh token for offline_access")
	}

	// The device code is single-use: a second poll is refused and revokes what the first got.
	clock.advance(20 * time.Second)
	if status, body := f.poll(t, dc, anyAuth); status != http.StatusBadRequest || body["error"] != ErrInvalidGrant {
		t.Fatalf("second use: %d %v", status, body)
	}
	if !f.srv.store.Revoked(at["jti"].(string), clock.Now()) {
		t.Error("the access token of the first use is not revoked after the replay")
	}
	rt := f.postForm(formValues("grant_type", "refresh_token", "refresh_token", tok["refresh_token"].(string)), anyAuth)
	if rt.Code != http.StatusBadRequest {
		t.Errorf("the refresh token of the first use still works: %d %s", rt.Code, rt.Body)
	}

	for _, e := range f.entries() {
		for _, secret := range []string{dc, uc, strings.ReplaceAll(uc, "-", "")} {
			if strings.Contains(e.Detail+e.Path+e.Scope+e.ClientID, secret) {
				t.Errorf("log entry %+v holds a device or user code", e)
			}
		}
	}
}

// TestDeviceRefusals are the attacks and mistakes of RFC 8628 §5: each is refused with its
// error code and issues nothing.
func TestDeviceRefusals(t *testing.T) {
	anyAuth := basicAuth("any", "any-secret")
	ci := basicAuth("ci", basicSecret)
	approve := func(t *testing.T, f *fixture, uc string) {
		t.Helper()
		if w := f.verify(http.MethodGet, formValues("user_code", uc), ""); w.Code != http.StatusOK {
			t.Fatalf("approval: %d %s", w.Code, w.Body)
		}
	}
	tests := []struct {
		name   string
		run    func(t *testing.T, f *fixture, clock *testClock, dc, uc string) (int, map[string]any)
		status int
		code   string
	}{
		{"expired device code", func(t *testing.T, f *fixture, clock *testClock, dc, uc string) (int, map[string]any) {
			approve(t, f, uc)
			clock.advance(DefaultDeviceTTL)
			return f.poll(t, dc, anyAuth)
		}, http.StatusBadRequest, ErrExpiredToken},
		{"approval after expiry", func(t *testing.T, f *fixture, clock *testClock, dc, uc string) (int, map[string]any) {
			clock.advance(DefaultDeviceTTL + time.Second)
			if w := f.verify(http.MethodGet, formValues("user_code", uc), ""); w.Code != http.StatusBadRequest {
				t.Errorf("an expired user code was approved: %d %s", w.Code, w.Body)
			}
			return f.poll(t, dc, anyAuth)
		}, http.StatusBadRequest, ErrExpiredToken},
		{"another client's device code", func(t *testing.T, f *fixture, clock *testClock, dc, uc string) (int, map[string]any) {
			approve(t, f, uc)
			status, body := f.poll(t, dc, ci)
			// The rightful client still gets its tokens: the foreign poll used nothing up.
			if s, b := f.poll(t, dc, anyAuth); s != http.StatusOK || b["access_token"] == nil {
				t.Errorf("the owner's poll after a foreign one: %d %v", s, b)
			}
			return status, body
		}, http.StatusBadRequest, ErrInvalidGrant},
		{"denied", func(t *testing.T, f *fixture, clock *testClock, dc, uc string) (int, map[string]any) {
			if w := f.verify(http.MethodPost, formValues("user_code", uc, "action", "deny"), ""); w.Code != http.StatusOK {
				t.Fatalf("denial: %d %s", w.Code, w.Body)
			}
			return f.poll(t, dc, anyAuth)
		}, http.StatusBadRequest, ErrAccessDenied},
		{"unknown device code", func(t *testing.T, f *fixture, clock *testClock, dc, uc string) (int, map[string]any) {
			approve(t, f, uc)
			return f.poll(t, dc+"x", anyAuth)
		}, http.StatusBadRequest, ErrInvalidGrant},
		{"missing device code", func(t *testing.T, f *fixture, clock *testClock, dc, uc string) (int, map[string]any) {
			return f.poll(t, "", anyAuth)
		}, http.StatusBadRequest, ErrInvalidRequest},
		{"wrong client secret", func(t *testing.T, f *fixture, clock *testClock, dc, uc string) (int, map[string]any) {
			approve(t, f, uc)
			return f.poll(t, dc, basicAuth("any", "wrong"))
		}, http.StatusUnauthorized, ErrInvalidClient},
		{"bad resource before the code is used", func(t *testing.T, f *fixture, clock *testClock, dc, uc string) (int, map[string]any) {
			approve(t, f, uc)
			status, body := f.poll(t, dc, anyAuth, "resource", "not a uri")
			if s, b := f.poll(t, dc, anyAuth); s != http.StatusOK || b["access_token"] == nil {
				t.Errorf("a refused request used the device code up: %d %v", s, b)
			}
			return status, body
		}, http.StatusBadRequest, ErrInvalidTarget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, clock := newDeviceFixture(t)
			start := f.deviceStart(t, formValues("scope", "openid"), anyAuth)
			status, body := tt.run(t, f, clock, start["device_code"].(string), start["user_code"].(string))
			if status != tt.status || body["error"] != tt.code {
				t.Errorf("got %d %v, want %d %s", status, body, tt.status, tt.code)
			}
			if body["access_token"] != nil || body["id_token"] != nil {
				t.Errorf("a refused poll issued tokens: %v", body)
			}
		})
	}
}

func TestDeviceAuthorizationRequests(t *testing.T) {
	f, _ := newDeviceFixture(t)
	// A public client identifies itself by client_id alone.
	start := f.deviceStart(t, formValues("client_id", "tv", "scope", "openid"), nil)
	if !userCodeShape.MatchString(start["user_code"].(string)) {
		t.Errorf("public client: %v", start)
	}
	for _, tc := range []struct {
		name   string
		target string
		form   url.Values
		auth   func(*http.Request)
		status int
		code   string
	}{
		{"confidential client without credentials", "", formValues("client_id", "any"), nil, http.StatusUnauthorized, ErrInvalidClient},
		{"unknown client", "", formValues("client_id", "nobody"), nil, http.StatusUnauthorized, ErrInvalidClient},
		{"scope the client may not have", "", formValues("scope", "admin"), basicAuth("ci", basicSecret), http.StatusBadRequest, ErrInvalidScope},
		{"parameters in the query", "?client_id=tv", formValues("client_id", "tv"), nil, http.StatusBadRequest, ErrInvalidRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, testIssuer+PathDeviceAuthorization+tc.target, strings.NewReader(tc.form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.auth != nil {
				tc.auth(r)
			}
			w := f.do(r)
			if body := decodeJSON(t, w.Body.Bytes()); w.Code != tc.status || body["error"] != tc.code || body["device_code"] != nil {
				t.Errorf("got %d %v, want %d %s", w.Code, body, tc.status, tc.code)
			}
		})
	}
	if w := f.get(PathDeviceAuthorization); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET %s: %d", PathDeviceAuthorization, w.Code)
	}
}

func TestDevicePage(t *testing.T) {
	f, _ := newDeviceFixture(t)
	w := f.verify(http.MethodGet, nil, "text/html")
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, `<form method="post" action="/device">`) ||
		!strings.Contains(body, `name="user_code"`) || strings.Contains(body, "<script") || strings.Contains(body, "http") {
		t.Fatalf("page: %d %s", w.Code, body)
	}
	h := w.Header()
	if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") ||
		!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
		h.Get("X-Frame-Options") != "DENY" || h.Get("Cache-Control") != "no-store" {
		t.Errorf("headers = %v", h)
	}
	start := f.deviceStart(t, formValues("client_id", "tv"), nil)
	uc := start["user_code"].(string)
	for _, tc := range []struct {
		name   string
		params url.Values
		status int
		want   string
	}{
		{"malformed code", formValues("user_code", "<b>AB</b>"), http.StatusBadRequest, "not 8 letters"},
		{"unknown code", formValues("user_code", "BCDF-GHJK"), http.StatusBadRequest, "unknown or has expired"},
		{"login_hint is escaped", formValues("user_code", uc, "login_hint", "<i>eve</i>"), http.StatusOK, "Approved for &lt;i&gt;eve&lt;/i&gt;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.verify(http.MethodPost, tc.params, "text/html,application/xhtml+xml")
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.want) || strings.Contains(w.Body.String(), "<i>") {
				t.Errorf("%d %s, want %d with %q", w.Code, w.Body, tc.status, tc.want)
			}
		})
	}
}

// TestDeviceClientConfig: a client without credentials or redirect URIs is a mistake unless
// it says it is a device.
func TestDeviceClientConfig(t *testing.T) {
	cfg := Config{Issuer: testIssuer, Keys: []keys.Key{genKey(t, "ES256")}, Now: func() time.Time { return testNow },
		Rand: strings.NewReader(""), Clients: []Client{{ID: "tv"}}}
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "device: true") {
		t.Errorf("a bare public client: %v", err)
	}
	cfg.Clients[0].Device = true
	if _, err := New(cfg); err != nil {
		t.Errorf("a device client: %v", err)
	}
	if _, err := ParseConfig([]byte(`{"clients":[{"id":"tv"}]}`), "serve.json"); err == nil || !strings.Contains(err.Error(), `"device": true`) {
		t.Errorf("ParseConfig of a bare public client: %v", err)
	}
	fc, err := ParseConfig([]byte(`{"clients":[{"id":"tv","device":true}]}`), "serve.json")
	if err != nil || !fc.Clients[0].Device {
		t.Errorf("ParseConfig of a device client: %+v %v", fc, err)
	}
}

func TestNormalizeUserCode(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"BCDF-GHJK", "BCDFGHJK", true},
		{"bcdf ghjk", "BCDFGHJK", true},
		{"bcdfghjk", "BCDFGHJK", true},
		{"BCDF-GHJ", "", false},
		{"BCDF-GHJKL", "", false},
		{"ABCD-EFGH", "", false},      // vowels are not in the alphabet
		{"BCDF-GHJ\u212a", "", false}, // the Kelvin sign upper-cases to K
		{"", "", false},
	} {
		got, ok := NormalizeUserCode(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeUserCode(%q) = %q %v, want %q %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzNormalizeUserCode(f *testing.F) {
	for _, s := range []string{"BCDF-GHJK", "bcdf ghjk", "ABCD", "\u212a", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := NormalizeUserCode(in)
		if !ok {
			if got != "" {
				t.Fatalf("refused %q but returned %q", in, got)
			}
			return
		}
		if len(got) != userCodeLen {
			t.Fatalf("%q normalised to %q", in, got)
		}
		for i := 0; i < len(got); i++ {
			if !strings.Contains(userCodeAlphabet, got[i:i+1]) {
				t.Fatalf("%q normalised to %q, outside the alphabet", in, got)
			}
		}
		if again, ok := NormalizeUserCode(got); !ok || again != got {
			t.Fatalf("normalising %q again gave %q %v", got, again, ok)
		}
		shown := got[:4] + "-" + got[4:]
		if again, _ := NormalizeUserCode(shown); again != got {
			t.Fatalf("the shown form %q normalised to %q", shown, again)
		}
	})
}

// TestUserCodeGuessing: past MaxUserCodeFailures wrong codes in a window, every code gets 429
// (a right one too, or the answers would tell a guesser which guess hit), and the next window
// starts afresh.
func TestUserCodeGuessing(t *testing.T) {
	f, clock := newDeviceFixture(t)
	start := f.deviceStart(t, formValues("client_id", "tv"), nil)
	for i := range MaxUserCodeFailures {
		if w := f.verify(http.MethodPost, formValues("user_code", "BCDF-GHJK"), ""); w.Code != http.StatusBadRequest {
			t.Fatalf("guess %d: %d %s", i, w.Code, w.Body)
		}
	}
	if w := f.verify(http.MethodPost, formValues("user_code", "BCDF-GHJL"), ""); w.Code != http.StatusTooManyRequests {
		t.Fatalf("a guess past the limit: %d %s", w.Code, w.Body)
	}
	if w := f.verify(http.MethodPost, formValues("user_code", start["user_code"].(string)), ""); w.Code != http.StatusTooManyRequests {
		t.Fatalf("the right code during the block: %d %s", w.Code, w.Body)
	}
	// Another client address is not held up by the first one's guesses.
	if w := f.verifyFrom("198.51.100.7:4321", formValues("user_code", "BCDF-GHJL")); w.Code != http.StatusBadRequest {
		t.Fatalf("a wrong code from another address during the first's block: %d %s", w.Code, w.Body)
	}
	clock.advance(UserCodeFailureWindow)
	if w := f.verify(http.MethodPost, formValues("user_code", start["user_code"].(string)), ""); w.Code != http.StatusOK {
		t.Errorf("the right code in the next window: %d %s", w.Code, w.Body)
	}
}

// TestDevicePageUnderLoginPage: with the login page, following verification_uri_complete shows
// the form with the code filled in and approves nothing; the person's POST approves.
func TestDevicePageUnderLoginPage(t *testing.T) {
	f, _ := newDeviceFixture(t)
	f.srv.EnableLoginPage()
	start := f.deviceStart(t, formValues("client_id", "tv"), nil)
	uc, dc := start["user_code"].(string), start["device_code"].(string)
	for _, accept := range []string{"text/html", ""} {
		w := f.verify(http.MethodGet, formValues("user_code", strings.ToLower(uc)), accept)
		if body := w.Body.String(); w.Code != http.StatusOK || !strings.Contains(body, `value="`+uc+`"`) || strings.Contains(body, "Approved") {
			t.Fatalf("GET with the code (Accept %q): %d %s", accept, w.Code, body)
		}
	}
	if status, body := f.poll(t, dc, nil, "client_id", "tv"); status != http.StatusBadRequest || body["error"] != ErrAuthorizationPending {
		t.Fatalf("after the GETs the device must still wait: %d %v", status, body)
	}
	if w := f.verify(http.MethodGet, formValues("user_code", "<b>x</b>"), "text/html"); w.Code != http.StatusOK || strings.Contains(w.Body.String(), "<b>") {
		t.Fatalf("a malformed code is not echoed: %d %s", w.Code, w.Body)
	}
	if w := f.verify(http.MethodPost, formValues("user_code", uc, "login_hint", "bob"), "text/html"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Approved for bob") {
		t.Fatalf("the posted form: %d %s", w.Code, w.Body)
	}
	if status, body := f.poll(t, dc, nil, "client_id", "tv"); status != http.StatusOK || body["access_token"] == nil {
		t.Fatalf("after approval: %d %v", status, body)
	}
}

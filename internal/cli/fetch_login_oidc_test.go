package cli

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/testenv"
)

// browser plays the user's browser against oidc-provider: it follows redirects (the server's
// interaction route approves at once) down to jwtkit's loopback listener, and submits the
// device flow's forms. It records the URLs it was asked to open.
type browser struct {
	t      *testing.T
	client *http.Client
	opened []string
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, client: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

// open is the Deps.OpenBrowser of a test: GET the URL, following redirects; a page with a form
// (the device flow's user code and confirmation forms) is submitted with its hidden inputs.
func (b *browser) open(u string) error {
	b.opened = append(b.opened, u)
	resp, err := b.client.Get(u)
	for step := 0; err == nil && step < 5; step++ {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		form := regexp.MustCompile(`<form[^>]*action="([^"]+)"`).FindStringSubmatch(string(body))
		if form == nil {
			if resp.StatusCode >= 400 {
				return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
			}
			return nil
		}
		values := url.Values{}
		for _, m := range regexp.MustCompile(`<input[^>]*?(?:type="hidden" )?name="([^"]+)"[^>]*?value="([^"]*)"|<input\s+value="([^"]*)"[^>]*name="([^"]+)"`).FindAllStringSubmatch(string(body), -1) {
			if m[1] != "" {
				values.Set(m[1], m[2])
			} else {
				values.Set(m[4], m[3])
			}
		}
		action, _ := resp.Request.URL.Parse(form[1])
		resp, err = b.client.PostForm(action.String(), values)
	}
	return err
}

func loginHarness(t *testing.T, b *browser) *harness {
	h := fetchHarness(t)
	h.deps.Now = time.Now
	delete(h.env, "JWTKIT_CLIENT_SECRET")
	h.deps.OpenBrowser = b.open
	return h
}

// TestFetchLoginOIDCProvider signs a user in against a real OpenID Connect server with the
// authorization code grant (PKCE, loopback redirect, state, iss and the ID token checked) and the
// device grant, as a public client and with client_secret_jwt; the tokens pass jwtkit verify
// --issuer; a kept refresh token replaces a second sign-in, and --logout revokes it.
func TestFetchLoginOIDCProvider(t *testing.T) {
	srv := testenv.OIDCProvider(t)
	public := srv.NativeClient(t, "none")
	secretJWT := srv.NativeClient(t, "client_secret_jwt")

	verifyUser := func(t *testing.T, h *harness, tok, clientID string) {
		t.Helper()
		if code := h.run("verify", "--issuer", srv.Issuer, "--aud", srv.Resource, "--typ", "at+jwt", "--sub", testenv.OIDCTestUser,
			"--require-claim", "client_id="+clientID, "--require-scope", "read:users", tok); code != 0 {
			t.Fatalf("verify --issuer: exit %d: %s", code, h.stderr)
		}
	}

	t.Run("authorization_code, public client, kept refresh token, logout", func(t *testing.T) {
		b := newBrowser(t)
		h := loginHarness(t, b)
		login := []string{"fetch", "--grant", "authorization_code", "--issuer", srv.Issuer, "--client-id", public.ID,
			"--scope", "openid read:users", "--keep-refresh", "-v"}
		if code := h.run(login...); code != 0 {
			t.Fatalf("exit %d: %s", code, h.stderr)
		}
		tok := strings.TrimSpace(h.stdout.String())
		stderr := h.stderr.String()
		for _, w := range []string{"client authentication none", "Opened the sign-in page in your browser", "ID token verified"} {
			if !strings.Contains(stderr, w) {
				t.Errorf("stderr lacks %q:\n%s", w, stderr)
			}
		}
		if len(b.opened) != 1 {
			t.Fatalf("opened %v", b.opened)
		}
		q, _ := url.ParseQuery(strings.SplitN(b.opened[0], "?", 2)[1])
		if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("state") == "" || q.Get("nonce") == "" ||
			!strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") {
			t.Errorf("authorization request %v", q)
		}
		verifyUser(t, h, tok, public.ID)
		if !strings.Contains(stderr, "code_verifier=%5Bredacted%5D") || strings.Contains(stderr, tok) || !strings.Contains(stderr, "&code=%5Bredacted%5D&") || strings.Contains(stderr, "warning") {
			t.Errorf("--verbose shows the verifier, the code or the token:\n%s", stderr)
		}

		// The same command again: the cached token, no browser.
		if code := h.run(login...); code != 0 || strings.TrimSpace(h.stdout.String()) != tok || len(b.opened) != 1 {
			t.Fatalf("second fetch: exit %d, same token %v, opened %d: %s", code, strings.TrimSpace(h.stdout.String()) == tok, len(b.opened), h.stderr)
		}
		// --refresh: the kept refresh token gets a new access token, still no browser.
		if code := h.run(append(login, "--refresh")...); code != 0 || len(b.opened) != 1 || !strings.Contains(h.stderr.String(), "using the kept refresh token") {
			t.Fatalf("refresh: exit %d, opened %d: %s", code, len(b.opened), h.stderr)
		}
		refreshed := strings.TrimSpace(h.stdout.String())
		if refreshed == tok {
			t.Error("refresh gave the same token")
		}
		verifyUser(t, h, refreshed, public.ID)
		// --grant refresh_token uses the kept (rotated) one.
		refreshGrant := []string{"fetch", "--grant", "refresh_token", "--issuer", srv.Issuer, "--client-id", public.ID, "--scope", "openid read:users", "--refresh"}
		if code := h.run(refreshGrant...); code != 0 {
			t.Fatalf("--grant refresh_token: exit %d: %s", code, h.stderr)
		}
		// --logout forgets and revokes both.
		if code := h.run(append(login, "--logout")...); code != 0 || !strings.Contains(h.stderr.String(), "revoked 2 at "+srv.Issuer+"/token/revocation") {
			t.Fatalf("logout: exit %d: %s", code, h.stderr)
		}
		if code := h.run(refreshGrant...); code != 2 || !strings.Contains(h.stderr.String(), "--grant refresh_token needs a refresh token") {
			t.Fatalf("after logout: exit %d: %s", code, h.stderr)
		}
	})

	t.Run("authorization_code, client_secret_jwt", func(t *testing.T) {
		b := newBrowser(t)
		h := loginHarness(t, b)
		h.env["NATIVE_SECRET"] = secretJWT.Secret
		if code := h.run("fetch", "--grant", "authorization_code", "--issuer", srv.Issuer, "--client-id", secretJWT.ID,
			"--auth-method", "client_secret_jwt", "--client-secret", "env:NATIVE_SECRET", "--scope", "openid read:users", "--no-cache", "-v"); code != 0 {
			t.Fatalf("exit %d: %s", code, h.stderr)
		}
		if strings.Contains(h.stderr.String(), secretJWT.Secret) {
			t.Error("the secret shows under --verbose")
		}
		verifyUser(t, h, strings.TrimSpace(h.stdout.String()), secretJWT.ID)
	})

	t.Run("authorization_code, refused by the user", func(t *testing.T) {
		h := loginHarness(t, newBrowser(t))
		code := h.run("fetch", "--grant", "authorization_code", "--issuer", srv.Issuer, "--client-id", public.ID,
			"--scope", "openid read:users", "--auth-param", "login_hint=deny", "--no-cache")
		if code != 3 || !strings.Contains(h.stderr.String(), "jwtkit: the authorization server refused: access_denied: the test user said no") {
			t.Fatalf("exit %d: %s", code, h.stderr)
		}
	})

	t.Run("authorization_code, no browser, timeout", func(t *testing.T) {
		h := loginHarness(t, newBrowser(t))
		code := h.run("fetch", "--grant", "authorization_code", "--issuer", srv.Issuer, "--client-id", public.ID,
			"--scope", "openid", "--no-browser", "--login-timeout", "1s", "--no-cache")
		if code != 3 || !strings.Contains(h.stderr.String(), "Open this URL in a browser to sign in:\n  "+srv.Issuer+"/auth?") ||
			!strings.Contains(h.stderr.String(), "no redirect from the browser within 1s") {
			t.Fatalf("exit %d: %s", code, h.stderr)
		}
	})

	t.Run("device_code", func(t *testing.T) {
		b := newBrowser(t)
		h := loginHarness(t, b)
		if code := h.run("fetch", "--grant", "device_code", "--issuer", srv.Issuer, "--client-id", public.ID,
			"--scope", "openid read:users", "--no-cache"); code != 0 {
			t.Fatalf("exit %d: %s", code, h.stderr)
		}
		if !regexp.MustCompile(`To sign in, open ` + regexp.QuoteMeta(srv.Issuer) + `/device\?user_code=\S+\n  \(or open ` + regexp.QuoteMeta(srv.Issuer) + `/device and enter the code [A-Z]{4}-[A-Z]{4}\)`).MatchString(h.stderr.String()) {
			t.Errorf("stderr %s", h.stderr)
		}
		verifyUser(t, h, strings.TrimSpace(h.stdout.String()), public.ID)
	})
}

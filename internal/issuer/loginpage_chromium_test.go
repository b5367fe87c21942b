package issuer

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/testenv"
)

// TestLoginPageChromium drives the login page (EnableLoginPage, serve --login-page) with a
// real headless Chromium (Debian's, installed by .ci/install-peers): a relying party on
// loopback builds the authorization URL with golang.org/x/oauth2 (PKCE S256), the browser
// opens it, picks bob, types extra claims and logs in; the browser follows the redirect to the
// relying party (so the page's CSP form-action lets it through), which exchanges the code with
// x/oauth2 and gets an ID token, verified by go-jose, with bob's sub, the typed claims and the
// request's nonce. Cancel brings error=access_denied to the relying party, and a login token
// changed in the page is refused with no redirect at all.
func TestLoginPageChromium(t *testing.T) {
	browserPath := testenv.Chromium(t)
	start := time.Now()

	ts := httptest.NewUnstartedServer(nil)
	iss := "http://" + ts.Listener.Addr().String()
	bob := claims.NewObject()
	bob.Set("name", "Bob")
	srv, err := New(Config{
		Issuer:        iss,
		Keys:          []keys.Key{genKey(t, "ES256")},
		Clients:       []Client{{ID: "app", RedirectURIs: []string{"http://127.0.0.1/cb"}}},
		Users:         []User{{Subject: "alice"}, {Subject: "bob", Claims: bob}},
		RestrictHosts: true,
		Now:           time.Now,
		Rand:          rand.Reader,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.EnableLoginPage()
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(ts.Close)

	// The relying party: it hands every redirect it gets to the test.
	got := make(chan url.Values, 4)
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cb" {
			http.NotFound(w, r)
			return
		}
		got <- r.URL.Query()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>rp</title><p id="rp">relying party: redirect received</p>`))
	}))
	t.Cleanup(rp.Close)
	conf := &oauth2.Config{
		ClientID:    "app",
		Endpoint:    oauth2.Endpoint{AuthURL: iss + "/authorize", TokenURL: iss + "/token", AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: rp.URL + "/cb",
		Scopes:      []string{"openid"},
	}

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(browserPath), chromedp.UserDataDir(t.TempDir())}
	opts = append(opts, chromedp.DefaultExecAllocatorOptions[:]...)
	opts = append(opts, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Flag("headless", "new"))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", browserPath, err)
	}

	// waitRedirect returns the query of the redirect the relying party got next.
	waitRedirect := func(t *testing.T, what string) url.Values {
		t.Helper()
		select {
		case q := <-got:
			return q
		case <-time.After(15 * time.Second):
			t.Fatalf("%s: the relying party got no redirect", what)
		}
		return nil
	}

	t.Run("login", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		authURL := conf.AuthCodeURL("st-login", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", "n-chromium"))
		typed := `{"tenant":"acme","roles":["admin","dev"],"name":"Robert"}`
		if err := chromedp.Do(bctx, chromedp.Navigate(authURL), chromedp.WaitVisible(chromedp.ID("login"))); err != nil {
			t.Fatalf("browser: opening the login page: %v", err)
		}
		heading, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil || heading != "Log in to app" {
			t.Errorf("page heading %q (%v)", heading, err)
		}
		err = chromedp.Do(bctx,
			chromedp.SetValue(chromedp.ID("user"), "bob"),
			chromedp.SendKeys(chromedp.ID("claims"), typed),
			chromedp.Click(chromedp.ID("login")),
		)
		if err != nil {
			t.Fatalf("browser login: %v", err)
		}
		q := waitRedirect(t, "login")
		// Let the browser finish loading the relying party's page before the next navigation.
		if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.ID("rp"))); err != nil {
			t.Fatal(err)
		}
		landed, err := chromedp.Run(bctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(landed, rp.URL+"/cb?") {
			t.Errorf("the browser ended at %q, not at the relying party", landed)
		}
		if q.Get("state") != "st-login" || q.Get("iss") != iss || q.Get("code") == "" || q.Get("error") != "" {
			t.Fatalf("redirect query %v", q)
		}
		tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		idToken, _ := tok.Extra("id_token").(string)
		c := verifyAt(t, iss, idToken)
		roles, _ := c["roles"].([]any)
		if c["sub"] != "bob" || c["tenant"] != "acme" || c["name"] != "Robert" || len(roles) != 2 || roles[1] != "dev" ||
			c["nonce"] != "n-chromium" || c["aud"] != "app" || c["iss"] != iss {
			t.Errorf("id_token claims %v, want bob's with the typed tenant, roles and name and the nonce", c)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		authURL := conf.AuthCodeURL("st-cancel", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
		err := chromedp.Do(bctx,
			chromedp.Navigate(authURL),
			chromedp.WaitVisible(chromedp.ID("cancel")),
			chromedp.Click(chromedp.ID("cancel")),
		)
		if err != nil {
			t.Fatalf("browser cancel: %v", err)
		}
		q := waitRedirect(t, "cancel")
		if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.ID("rp"))); err != nil {
			t.Fatal(err)
		}
		if q.Get("error") != ErrAccessDenied || q.Get("state") != "st-cancel" || q.Get("code") != "" || q.Get("iss") != iss {
			t.Errorf("cancel redirect query %v", q)
		}
	})

	t.Run("tampered login token", func(t *testing.T) {
		authURL := conf.AuthCodeURL("st-tampered", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
		err := chromedp.Do(bctx,
			chromedp.Navigate(authURL),
			chromedp.WaitVisible(chromedp.ID("login")),
			chromedp.SetAttributeValue(chromedp.CSS(`input[name="login_token"]`), "value", strings.Repeat("A", 43)),
			chromedp.Click(chromedp.ID("login")),
			// The refusal page has no form: wait until the login page is gone.
			chromedp.WaitNotPresent(chromedp.ID("login")),
		)
		if err != nil {
			t.Fatalf("browser tampered login: %v", err)
		}
		body, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("body")))
		if err != nil {
			t.Fatal(err)
		}
		landed, err := chromedp.Run(bctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(landed, iss+"/authorize") || !strings.Contains(body, "unknown, used already or expired") {
			t.Errorf("tampered token: the browser is at %q showing %q", landed, body)
		}
		select {
		case q := <-got:
			t.Errorf("tampered token: the relying party got a redirect %v", q)
		case <-time.After(200 * time.Millisecond):
		}
	})
	t.Logf("browser flows took %v", time.Since(start).Round(time.Millisecond))
}

// verifyAt verifies tok with go-jose against the JWK Set that issuer iss publishes over HTTP
// and returns its claims.
func verifyAt(t *testing.T, iss, tok string) map[string]any {
	t.Helper()
	res, err := http.Get(iss + "/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil {
		t.Fatalf("jwks.json: %v", err)
	}
	obj, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("go-jose cannot parse the ID token %q: %v", tok, err)
	}
	found := set.Key(obj.Signatures[0].Header.KeyID)
	if len(found) != 1 {
		t.Fatalf("the ID token's kid is not in the JWK Set once (found %d)", len(found))
	}
	payload, err := obj.Verify(found[0].Key)
	if err != nil {
		t.Fatalf("go-jose: the ID token does not verify with the published key: %v", err)
	}
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

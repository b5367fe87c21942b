package issuer

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/jwt"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// liveCodeServer serves, on loopback, an issuer with a public client "app" (redirect
// http://127.0.0.1/cb), a confidential client "web" (secret web-secret) and a user alice.
func liveCodeServer(t *testing.T) (*Server, string) {
	t.Helper()
	alice := claims.NewObject()
	alice.Set("name", "Alice")
	alice.Set("email", "alice@example.test")
	alice.Set("email_verified", true)
	return serveLive(t, Config{
		Keys: []keys.Key{genKey(t, "ES256")},
		Clients: []Client{
			{ID: "app", RedirectURIs: []string{"http://127.0.0.1/cb"}},
			{ID: "web", Secret: []byte("web-secret"), RedirectURIs: []string{"http://127.0.0.1/cb"},
				PostLogoutRedirectURIs: []string{"http://127.0.0.1/bye"}},
			{ID: "ci", Secret: []byte("ci-secret"), Scopes: []string{"read:users"}},
			// svc signs jwt-bearer assertions with its own key; https://idp.test is a trusted
			// issuer of them (openid-client's run).
			{ID: "svc", Keys: []keys.Key{rpBearerKeys()[0].Public()}, Scopes: []string{"read:users"}},
		},
		TrustedIssuers: []TrustedIssuer{{Issuer: "https://idp.test", Keys: []keys.Key{rpBearerKeys()[1].Public()}}},
		Users:          []User{{Subject: "alice", Claims: alice}},
		RestrictHosts:  true,
		// The device flow tests poll every second, not the default five.
		DeviceInterval: time.Second,
	})
}

// rpBearerKeys are the private keys of the client svc and the trusted issuer https://idp.test
// of liveCodeServer, which relying parties sign jwt-bearer assertions with.
var rpBearerKeys = sync.OnceValue(func() []keys.Key {
	return []keys.Key{genKey(nil, "ES256"), genKey(nil, "ES256")}
})

// TestXOAuth2 runs golang.org/x/oauth2, a relying-party library written elsewhere, through
// every flow it has against the server: authorization code with PKCE (S256) for a public and
// a confidential client, following the authorization redirect with an HTTP client that stops
// at it, the exchange, a refresh through its TokenSource, and client credentials.
func TestXOAuth2(t *testing.T) {
	_, iss := liveCodeServer(t)
	ctx := context.Background()
	noFollow := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	for _, tc := range []struct {
		client, secret string
		style          oauth2.AuthStyle
	}{
		{"app", "", oauth2.AuthStyleInParams},
		{"web", "web-secret", oauth2.AuthStyleInHeader},
		{"web", "web-secret", oauth2.AuthStyleInParams},
	} {
		t.Run(tc.client+"/"+map[oauth2.AuthStyle]string{oauth2.AuthStyleInParams: "params", oauth2.AuthStyleInHeader: "header"}[tc.style], func(t *testing.T) {
			conf := &oauth2.Config{
				ClientID:     tc.client,
				ClientSecret: tc.secret,
				Endpoint:     oauth2.Endpoint{AuthURL: iss + "/authorize", TokenURL: iss + "/token", AuthStyle: tc.style},
				RedirectURL:  "http://127.0.0.1:49152/cb",
				Scopes:       []string{"openid", "email", "offline_access"},
			}
			verifier := oauth2.GenerateVerifier()
			authURL := conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", "n-1"))
			resp, err := noFollow.Get(authURL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, err := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), conf.RedirectURL+"?") {
				t.Fatalf("authorize: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if loc.Query().Get("state") != "state-1" || loc.Query().Get("iss") != iss {
				t.Errorf("redirect query %v", loc.Query())
			}
			tok, err := conf.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			if tok.TokenType != "Bearer" || tok.RefreshToken == "" || tok.Extra("id_token") == nil || !tok.Valid() {
				t.Fatalf("token %+v", tok)
			}
			// Expire it so that the token source refreshes.
			old := *tok
			tok.Expiry = time.Now().Add(-time.Minute)
			fresh, err := conf.TokenSource(ctx, tok).Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if fresh.AccessToken == old.AccessToken || fresh.RefreshToken == old.RefreshToken || fresh.RefreshToken == "" {
				t.Error("the refresh did not rotate the tokens")
			}
			// The token works at /userinfo through the library's client.
			res, err := conf.Client(ctx, fresh).Get(iss + "/userinfo")
			if err != nil {
				t.Fatal(err)
			}
			var info map[string]any
			_ = json.NewDecoder(res.Body).Decode(&info)
			res.Body.Close()
			if res.StatusCode != 200 || info["sub"] != "alice" || info["email"] != "alice@example.test" {
				t.Errorf("userinfo %d %v", res.StatusCode, info)
			}
			// The replaced refresh token is refused with invalid_grant.
			_, err = conf.TokenSource(ctx, &oauth2.Token{RefreshToken: old.RefreshToken}).Token()
			var rerr *oauth2.RetrieveError
			if !errors.As(err, &rerr) || rerr.ErrorCode != ErrInvalidGrant {
				t.Errorf("reused refresh token: %v", err)
			}
		})
	}
	t.Run("client_credentials", func(t *testing.T) {
		cc := clientcredentials.Config{ClientID: "ci", ClientSecret: "ci-secret", TokenURL: iss + "/token",
			Scopes: []string{"read:users"}, AuthStyle: oauth2.AuthStyleInHeader}
		tok, err := cc.Token(ctx)
		if err != nil || tok.AccessToken == "" || tok.Extra("scope") != "read:users" {
			t.Fatalf("client credentials: %v %+v", err, tok)
		}
		cc.ClientSecret = "wrong"
		_, err = cc.Token(ctx)
		var rerr *oauth2.RetrieveError
		if !errors.As(err, &rerr) || rerr.ErrorCode != ErrInvalidClient {
			t.Errorf("wrong secret: %v", err)
		}
	})
}

// TestXOAuth2DeviceFlow runs x/oauth2's RFC 8628 client, DeviceAuth and DeviceAccessToken,
// against the server: it polls while the user has not approved (authorization_pending), the
// approval arrives through verification_uri_complete, and the tokens come back once. The
// device is the public client "app"; then the confidential "web" is denied.
func TestXOAuth2DeviceFlow(t *testing.T) {
	_, iss := liveCodeServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conf := &oauth2.Config{
		ClientID: "app",
		Endpoint: oauth2.Endpoint{DeviceAuthURL: iss + "/device_authorization", TokenURL: iss + "/token",
			AuthStyle: oauth2.AuthStyleInParams},
		Scopes: []string{"openid", "email"},
	}
	da, err := conf.DeviceAuth(ctx)
	if err != nil {
		t.Fatalf("device authorization: %v", err)
	}
	if da.VerificationURI != iss+"/device" || !strings.HasPrefix(da.VerificationURIComplete, iss+"/device?user_code=") || da.Interval != 1 {
		t.Fatalf("device authorization response %+v", da)
	}
	approved := make(chan error, 1)
	go func() {
		// Approve after the client has polled at least once and been told to wait.
		time.Sleep(1500 * time.Millisecond)
		res, err := http.Get(da.VerificationURIComplete + "&login_hint=alice")
		if err == nil {
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				err = errors.New("approval answered " + res.Status)
			}
		}
		approved <- err
	}()
	tok, err := conf.DeviceAccessToken(ctx, da)
	if err != nil {
		t.Fatalf("polling: %v", err)
	}
	if err := <-approved; err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.Extra("id_token") == nil || tok.Extra("scope") != "openid email" {
		t.Fatalf("token %+v", tok)
	}
	// The device code works once.
	_, err = conf.DeviceAccessToken(ctx, da)
	var rerr *oauth2.RetrieveError
	if !errors.As(err, &rerr) || rerr.ErrorCode != ErrInvalidGrant {
		t.Errorf("second use of the device code: %v", err)
	}
	// DeviceAuth sends no client secret (x/oauth2 leaves client authentication at that
	// endpoint to the caller), so a confidential client adds it as a parameter; RFC 8628 §3.1
	// requires it to authenticate.
	web := &oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: oauth2.Endpoint{
		DeviceAuthURL: iss + "/device_authorization", TokenURL: iss + "/token", AuthStyle: oauth2.AuthStyleInHeader}}
	_, err = web.DeviceAuth(ctx)
	if !errors.As(err, &rerr) || rerr.ErrorCode != ErrInvalidClient {
		t.Errorf("a confidential client without its secret: %v", err)
	}
	da2, err := web.DeviceAuth(ctx, oauth2.SetAuthURLParam("client_secret", "web-secret"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(da2.VerificationURIComplete + "&action=deny")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	_, err = web.DeviceAccessToken(ctx, da2)
	if !errors.As(err, &rerr) || rerr.ErrorCode != ErrAccessDenied {
		t.Errorf("denied device code: %v", err)
	}
}

// TestXOAuth2JWTBearer runs golang.org/x/oauth2/jwt, the service-account flow of RFC 7523
// §2.1, against the server: the client "svc" signs an RS256 assertion with its key for the
// subject alice (x/oauth2/jwt sends no jti and puts the scope in the assertion), gets an access
// token for alice; an assertion signed by another key is refused.
func TestXOAuth2JWTBearer(t *testing.T) {
	k := rsaKey()
	_, iss := serveLive(t, Config{
		Keys:          []keys.Key{genKey(t, "ES256")},
		Clients:       []Client{{ID: "svc", Keys: []keys.Key{k.Public()}, Scopes: []string{"read:users", "write:users"}}},
		RestrictHosts: true,
	})
	der, err := x509.MarshalPKCS8PrivateKey(k.JWK.Key)
	if err != nil {
		t.Fatal(err)
	}
	conf := &jwt.Config{
		Email:      "svc",
		Subject:    "alice",
		PrivateKey: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		Scopes:     []string{"read:users"},
		TokenURL:   iss + "/token",
	}
	ctx := context.Background()
	tok, err := conf.TokenSource(ctx).Token()
	if err != nil {
		t.Fatalf("jwt-bearer: %v", err)
	}
	parts := strings.Split(tok.AccessToken, ".")
	payload, _ := decodeSegment(parts[1])
	var c map[string]any
	if err := json.Unmarshal([]byte(payload), &c); err != nil || c["sub"] != "alice" || c["client_id"] != "svc" || c["scope"] != "read:users" {
		t.Fatalf("access token claims %s: %v", payload, err)
	}
	conf.Subject = "mallory"
	conf.PrivateKey = func() []byte {
		// x/oauth2/jwt signs with RSA only: another RSA key (generated, so slow, once).
		foreign, err := keys.Generate(rand.Reader, "RSA", 2048, "", "")
		if err != nil {
			t.Fatal(err)
		}
		other, _ := x509.MarshalPKCS8PrivateKey(foreign.JWK.Key)
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: other})
	}()
	_, err = conf.TokenSource(ctx).Token()
	var rerr *oauth2.RetrieveError
	if !errors.As(err, &rerr) || !strings.Contains(string(rerr.Body), ErrInvalidGrant) {
		t.Errorf("an assertion signed by a foreign key: %v", err)
	}
}

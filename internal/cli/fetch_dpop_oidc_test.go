package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/testenv"
)

// TestFetchDPoPOIDCProvider gets DPoP-bound tokens (RFC 9449) from a real server that requires
// its nonces (oidc-provider with features.dPoP.requireNonce): the first proof is answered with
// use_dpop_nonce and retried with the server's nonce; the token is of type DPoP, jwtkit verify
// --issuer accepts it and its cnf.jkt is the key's RFC 7638 thumbprint; the cache keeps
// tokens of different keys (and the bearer token) apart.
func TestFetchDPoPOIDCProvider(t *testing.T) {
	srv := testenv.OIDCProvider(t)
	basic := srv.Client(t, "client_secret_basic")
	scope := strings.Join(srv.AllowedScopes, " ")
	keyFile, key := writeClientKey(t, "EC", 0, "P-256")
	otherFile, _ := writeClientKey(t, "OKP", 0, "Ed25519")
	thumb, err := key.Thumbprint()
	if err != nil {
		t.Fatal(err)
	}

	h := fetchHarness(t)
	h.deps.Now = time.Now
	h.env["JWTKIT_CLIENT_SECRET"] = basic.Secret
	fetch := func(args ...string) string {
		t.Helper()
		all := append([]string{"fetch", "--issuer", srv.Issuer, "--client-id", basic.ID, "--scope", scope}, args...)
		if code := h.run(all...); code != 0 {
			t.Fatalf("fetch %v: exit %d: %s", args, code, h.stderr)
		}
		return strings.TrimSpace(h.stdout.String())
	}
	verifyJKT := func(tok, want string) {
		t.Helper()
		if code := h.run("verify", "--issuer", srv.Issuer, "--aud", srv.Resource, "--typ", "at+jwt", "--require-scope", scope, tok); code != 0 {
			t.Fatalf("verify --issuer: exit %d: %s", code, h.stderr)
		}
		var c struct {
			Cnf struct {
				JKT string `json:"jkt"`
			} `json:"cnf"`
		}
		if err := json.Unmarshal(h.stdout.Bytes(), &c); err != nil || c.Cnf.JKT != want {
			t.Fatalf("cnf.jkt = %q (%v), want the key's thumbprint %s:\n%s", c.Cnf.JKT, err, want, h.stdout)
		}
	}

	raw := fetch("--dpop-key", keyFile, "--json", "-v")
	var resp struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal([]byte(raw), &resp); err != nil || resp.TokenType != "DPoP" {
		t.Fatalf("--json: %v %s", err, raw)
	}
	stderr := h.stderr.String()
	if strings.Count(stderr, "> POST ") != 2 || !strings.Contains(stderr, "use_dpop_nonce") {
		t.Errorf("expected a use_dpop_nonce answer and one retry:\n%s", stderr)
	}
	if !strings.Contains(stderr, "Dpop: [redacted]") || strings.Contains(stderr, resp.AccessToken) || strings.Contains(stderr, "eyJ0eXAiOiJkcG9wK2p3dC") {
		t.Errorf("--verbose shows a proof or the token:\n%s", stderr)
	}
	verifyJKT(resp.AccessToken, thumb)

	// The same key again: the cached token. Another key, or none: another token.
	if again := fetch("--dpop-key", keyFile); again != resp.AccessToken {
		t.Error("the second fetch with the same DPoP key did not use the cache")
	}
	other := fetch("--dpop-key", otherFile)
	if other == resp.AccessToken {
		t.Fatal("a token bound to one key was handed out for another")
	}
	bearer := fetch("--json")
	if !strings.Contains(bearer, `"token_type": "Bearer"`) || strings.Contains(bearer, resp.AccessToken) || strings.Contains(bearer, other) {
		t.Fatalf("without --dpop-key: %s", bearer)
	}

	t.Run("authorization_code, public client, refresh with the same key", func(t *testing.T) {
		public := srv.NativeClient(t, "none")
		b := newBrowser(t)
		h := loginHarness(t, b)
		login := []string{"fetch", "--grant", "authorization_code", "--issuer", srv.Issuer, "--client-id", public.ID,
			"--scope", "openid read:users", "--keep-refresh", "--dpop-key", keyFile}
		if code := h.run(login...); code != 0 {
			t.Fatalf("exit %d: %s", code, h.stderr)
		}
		first := strings.TrimSpace(h.stdout.String())
		if code := h.run(append(login, "--refresh")...); code != 0 || len(b.opened) != 1 {
			t.Fatalf("refresh: exit %d, opened %d: %s", code, len(b.opened), h.stderr)
		}
		refreshed := strings.TrimSpace(h.stdout.String())
		if refreshed == first {
			t.Fatal("refresh gave the same token")
		}
		for _, tok := range []string{first, refreshed} {
			if code := h.run("verify", "--issuer", srv.Issuer, "--aud", srv.Resource, "--sub", testenv.OIDCTestUser, tok); code != 0 {
				t.Fatalf("verify: exit %d: %s", code, h.stderr)
			}
			if !strings.Contains(h.stdout.String(), `"jkt": "`+thumb+`"`) {
				t.Errorf("no cnf.jkt %s in %s", thumb, h.stdout)
			}
		}
	})
}

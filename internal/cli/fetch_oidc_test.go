package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/testenv"
)

// TestFetchOIDCProvider gets tokens from a real OAuth 2.0 server (oidc-provider on loopback)
// with each client authentication method, and checks that jwtkit verify --issuer accepts them;
// then that the server's own errors come out as exit 3 with its error code.
func TestFetchOIDCProvider(t *testing.T) {
	srv := testenv.OIDCProvider(t)
	scope := strings.Join(srv.AllowedScopes, " ")

	fetchAndVerify := func(t *testing.T, env map[string]string, args ...string) {
		t.Helper()
		h := fetchHarness(t)
		h.deps.Now = time.Now // the server judges assertions by the real clock
		delete(h.env, "JWTKIT_CLIENT_SECRET")
		for k, v := range env {
			h.env[k] = v
		}
		fetch := append([]string{"fetch", "--issuer", srv.Issuer, "--scope", scope}, args...)
		if code := h.run(fetch...); code != 0 {
			t.Fatalf("fetch: exit %d: %s", code, h.stderr)
		}
		tok := strings.TrimSpace(h.stdout.String())
		if strings.Count(tok, ".") != 2 {
			t.Fatalf("not a JWT: %q", tok)
		}
		// The same command again is answered from the cache, with the same token.
		if code := h.run(fetch...); code != 0 || strings.TrimSpace(h.stdout.String()) != tok {
			t.Fatalf("second fetch: exit %d, token changed: %v", code, strings.TrimSpace(h.stdout.String()) != tok)
		}
		if code := h.run("verify", "--issuer", srv.Issuer, "--aud", srv.Resource, "--typ", "at+jwt",
			"--require-scope", scope, "--require-claim", "client_id="+clientOf(args), tok); code != 0 {
			t.Fatalf("verify --issuer: exit %d: %s", code, h.stderr)
		}
		if !strings.Contains(h.stdout.String(), `"iss": "`+srv.Issuer+`"`) {
			t.Errorf("verified claims: %s", h.stdout)
		}
	}

	basic := srv.Client(t, "client_secret_basic")
	post := srv.Client(t, "client_secret_post")
	pkj := srv.Client(t, "private_key_jwt")
	t.Run("client_secret_basic", func(t *testing.T) {
		fetchAndVerify(t, map[string]string{"JWTKIT_CLIENT_SECRET": basic.Secret}, "--client-id", basic.ID)
	})
	t.Run("client_secret_post", func(t *testing.T) {
		fetchAndVerify(t, map[string]string{"POST_SECRET": post.Secret},
			"--client-id", post.ID, "--auth-method", "client_secret_post", "--client-secret", "env:POST_SECRET")
	})
	t.Run("private_key_jwt", func(t *testing.T) {
		fetchAndVerify(t, nil, "--client-id", pkj.ID, "--assertion-key", pkj.KeyFile, "--assertion-kid", pkj.KeyID)
	})
	t.Run("private_key_jwt, aud issuer", func(t *testing.T) {
		fetchAndVerify(t, nil, "--client-id", pkj.ID, "--assertion-key", pkj.KeyFile, "--assertion-kid", pkj.KeyID,
			"--assertion-aud", "issuer")
	})
	t.Run("profile", func(t *testing.T) {
		h := fetchHarness(t)
		h.deps.Now = time.Now
		writeFetchConfig(t, h, `[profile.oidc]
issuer = "`+srv.Issuer+`"
client-id = "`+pkj.ID+`"
assertion-key = "`+pkj.KeyFile+`"
assertion-kid = "`+pkj.KeyID+`"
scope = "`+scope+`"
`, 0o600)
		if code := h.run("fetch", "--profile", "oidc", "--json"); code != 0 {
			t.Fatalf("exit %d: %s", code, h.stderr)
		}
		for _, w := range []string{`"token_type": "Bearer"`, `"expires_in": 300`, `"expires_at": "`, `"scope": "` + scope + `"`} {
			if !strings.Contains(h.stdout.String(), w) {
				t.Errorf("--json lacks %s:\n%s", w, h.stdout)
			}
		}
	})

	otherKey, _ := writeClientKey(t, "EC", 0, "P-256")
	errTests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"wrong secret", map[string]string{"JWTKIT_CLIENT_SECRET": basic.Secret + "x"}, []string{"--client-id", basic.ID},
			"jwtkit: invalid_client: client authentication failed (HTTP 401 Unauthorized from " + srv.Issuer + "/token)"},
		{"unknown client", map[string]string{"JWTKIT_CLIENT_SECRET": "whatever-secret"}, []string{"--client-id", "no-such-client"},
			"jwtkit: invalid_client: client authentication failed (HTTP 401 Unauthorized from " + srv.Issuer + "/token)"},
		{"disallowed scope", map[string]string{"JWTKIT_CLIENT_SECRET": basic.Secret}, []string{"--client-id", basic.ID, "--scope", srv.DisallowedScope},
			"jwtkit: invalid_scope: requested scope is not allowed (HTTP 400 Bad Request from " + srv.Issuer + "/token)"},
		{"wrong assertion key", nil, []string{"--client-id", pkj.ID, "--assertion-key", otherKey, "--assertion-kid", pkj.KeyID},
			"jwtkit: invalid_client: client authentication failed"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			h := fetchHarness(t)
			h.deps.Now = time.Now
			for k, v := range tt.env {
				h.env[k] = v
			}
			if code := h.run(append([]string{"fetch", "--issuer", srv.Issuer}, tt.args...)...); code != 3 {
				t.Fatalf("exit %d, want 3: %s", code, h.stderr)
			}
			if !strings.Contains(h.stderr.String(), tt.want) {
				t.Errorf("stderr %q\nwant %q", h.stderr, tt.want)
			}
			if h.stdout.Len() != 0 {
				t.Errorf("stdout %q", h.stdout)
			}
			if s := tt.env["JWTKIT_CLIENT_SECRET"]; s != "" && strings.Contains(h.stderr.String(), s) {
				t.Error("the error shows the secret")
			}
		})
	}
}

// clientOf returns the --client-id among args.
func clientOf(args []string) string {
	for i, a := range args {
		if a == "--client-id" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

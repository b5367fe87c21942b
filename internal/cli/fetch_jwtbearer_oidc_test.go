package cli

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/testenv"
)

// bearerIssuer is the assertion issuer oidc-provider's jwt-bearer grant trusts
// (testdata/oidc-provider/clients.json "jwt_bearer"); its key is the private_key_jwt client's.
const bearerIssuer = "jwtkit-assertion-issuer"

// TestFetchJWTBearerOIDCProvider gets tokens with the jwt-bearer grant (RFC 7523 §2.1) from
// oidc-provider, whose grant the test harness registers: an assertion jwtkit mints from a key,
// and a ready one from a file. verify --issuer accepts the token, whose sub is the assertion's;
// the server's refusals are exit 3, the user's mistakes exit 2.
func TestFetchJWTBearerOIDCProvider(t *testing.T) {
	srv := testenv.OIDCProvider(t)
	basic := srv.Client(t, "client_secret_basic")
	pem, err := os.ReadFile(srv.Client(t, "private_key_jwt").KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := fetchTempFile(t, "issuer.key", string(pem)) // 0600, so no warning
	h := fetchHarness(t)
	h.deps.Now = time.Now // the server judges assertions by the real clock
	h.env["JWTKIT_CLIENT_SECRET"] = basic.Secret

	verify := func(t *testing.T, tok, sub string) {
		t.Helper()
		if code := h.run("verify", "--issuer", srv.Issuer, "--aud", srv.Resource, "--typ", "at+jwt", "--require-claim", "sub="+sub, tok); code != 0 {
			t.Fatalf("verify --issuer: exit %d: %s", code, h.stderr)
		}
	}
	for _, tt := range []struct{ name, grant, aud string }{
		{"alias, aud token endpoint", "jwt-bearer", ""},
		{"URN, aud issuer", "urn:ietf:params:oauth:grant-type:jwt-bearer", "issuer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"fetch", "--issuer", srv.Issuer, "--client-id", basic.ID, "--grant", tt.grant, "--verbose",
				"--assertion-key", keyFile, "--assertion-iss", bearerIssuer, "--assertion-sub", "alice@example.test"}
			if tt.aud != "" {
				args = append(args, "--assertion-aud", tt.aud)
			}
			if code := h.run(args...); code != 0 {
				t.Fatalf("fetch: exit %d: %s", code, h.stderr)
			}
			tok := strings.TrimSpace(h.stdout.String())
			stderr := h.stderr.String()
			if !strings.Contains(stderr, "* jwt-bearer assertion minted: iss jwtkit-assertion-issuer, sub alice@example.test") ||
				!strings.Contains(stderr, "client authentication client_secret_basic") {
				t.Errorf("verbose output:\n%s", stderr)
			}
			if strings.Contains(stderr, tok) || strings.Contains(stderr, "assertion=ey") || strings.Contains(stderr, basic.Secret) {
				t.Errorf("stderr shows the token, the assertion or the secret:\n%s", stderr)
			}
			verify(t, tok, "alice@example.test")
		})
	}

	// A ready assertion from a file; the same one again is a replay the server refuses.
	signer, err := loadAssertionSigner(newTestGlobal(h), &fetchSettings{clientID: basic.ID, assertionKey: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	signer.iss, signer.sub = bearerIssuer, "bob@example.test"
	ready, err := signer.sign(srv.Issuer + "/token")
	if err != nil {
		t.Fatal(err)
	}
	file := fetchTempFile(t, "assertion.jwt", ready+"\n")
	if code := h.run("fetch", "--issuer", srv.Issuer, "--client-id", basic.ID, "--grant", "jwt-bearer", "--assertion", "@"+file); code != 0 {
		t.Fatalf("ready assertion: exit %d: %s", code, h.stderr)
	}
	verify(t, strings.TrimSpace(h.stdout.String()), "bob@example.test")

	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"replayed assertion", []string{"--assertion", "@" + file}, 3, "invalid_grant: grant request is invalid (HTTP 400"},
		{"untrusted issuer", []string{"--assertion-key", keyFile, "--assertion-sub", "eve"}, 3, "invalid_grant: grant request is invalid (HTTP 400"},
		{"no assertion", nil, 2, "--grant jwt-bearer needs an assertion"},
		{"key without sub", []string{"--assertion-key", keyFile}, 2, "needs --assertion-sub"},
		{"both", []string{"--assertion", "@" + file, "--assertion-key", keyFile}, 2, "--assertion is a ready assertion"},
		{"not a JWT", []string{"--assertion", "env:NOT_A_JWT"}, 2, "not a compact signed JWT"},
		{"private_key_jwt", []string{"--assertion", "@" + file, "--auth-method", "private_key_jwt"}, 2, "--assertion-key signs the grant's assertion"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h.env["NOT_A_JWT"] = "opaque-assertion-value"
			code := h.run(append([]string{"fetch", "--issuer", srv.Issuer, "--client-id", basic.ID, "--grant", "jwt-bearer", "--retries", "0"}, tt.args...)...)
			msg := h.stderr.String()
			if code != tt.code || !strings.Contains(msg, tt.want) {
				t.Fatalf("exit %d, want %d with %q: %s", code, tt.code, tt.want, msg)
			}
			if strings.Count(msg, "\n") != 1 || strings.Contains(msg, ready) || strings.Contains(msg, "opaque-assertion-value") {
				t.Errorf("error is not one line free of the assertion: %q", msg)
			}
		})
	}

	// --assertion-sub with another grant is the user's mistake.
	if code := h.run("fetch", "--issuer", srv.Issuer, "--client-id", basic.ID, "--assertion-sub", "x"); code != 2 ||
		!strings.Contains(h.stderr.String(), "--assertion-sub is for --grant jwt-bearer, not client_credentials") {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
}

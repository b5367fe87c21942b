package cli

import (
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/oauth"
	"github.com/jwtkit/jwtkit/internal/testenv"
)

// mtlsSubject is the subject DN the tls_client_auth client is registered with, a single CN so
// that RFC 4514 and Node's X509Certificate.subject spell it the same.
const mtlsSubject = "jwtkit-mtls-client"

// ecPublicJWK is key's public JWK with the certificate der in x5c, as a self-signed
// certificate client registers it (RFC 8705 §2.2).
func ecPublicJWK(t *testing.T, key *ecdsa.PrivateKey, der []byte) map[string]any {
	t.Helper()
	pub, err := key.PublicKey.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	raw := pub.Bytes() // 0x04 || X || Y
	return map[string]any{
		"kty": "EC", "crv": "P-256", "use": "sig",
		"x":   base64.RawURLEncoding.EncodeToString(raw[1:33]),
		"y":   base64.RawURLEncoding.EncodeToString(raw[33:]),
		"x5c": []string{base64.StdEncoding.EncodeToString(der)},
	}
}

// TestFetchMutualTLSOIDCProvider: against the real oidc-provider with features.mTLS, fetch
// --auth-method tls_client_auth (a certificate of the test CA, matched by subject DN) and
// self_signed_tls_client_auth (a self-signed certificate registered in the client's jwks)
// each get a token through the server's mtls_endpoint_aliases token endpoint, trusting its
// TLS certificate by --ca-cert; jwtkit verify --issuer accepts the token and its
// cnf.x5t#S256 is the certificate's thumbprint. Without --auth-method the method is chosen
// from the server's list. A certificate the server does not accept is exit 3 with the
// server's error on one line.
func TestFetchMutualTLSOIDCProvider(t *testing.T) {
	pki := newTestPKI(t)
	dir := t.TempDir()
	ca := writePEM(t, dir, "ca.pem", "CERTIFICATE", pki.caCert.Raw)
	serverKey := newECKey(t)
	writePEM(t, dir, "server.pem", "CERTIFICATE", pki.issue(t, serverKey, "127.0.0.1", true))
	writeKeyPEM(t, dir, "server.key", serverKey)

	pkiKey := newECKey(t)
	pkiDER := pki.issue(t, pkiKey, mtlsSubject, false)
	pkiCert := writePEM(t, dir, "pki.pem", "CERTIFICATE", pkiDER)
	pkiKeyFile := writeKeyPEM(t, dir, "pki.key", pkiKey)

	selfKey := newECKey(t)
	selfDER := (*testPKI)(nil).issue(t, selfKey, "jwtkit-self-signed", false)
	selfCert := writePEM(t, dir, "self.pem", "CERTIFICATE", selfDER)
	selfKeyFile := writeKeyPEM(t, dir, "self.key", selfKey)

	// A self-signed certificate nobody registered, and one of the CA for another subject.
	strangerKey := newECKey(t)
	stranger := writePEM(t, dir, "stranger.pem", "CERTIFICATE", (*testPKI)(nil).issue(t, strangerKey, mtlsSubject, false))
	strangerKeyFile := writeKeyPEM(t, dir, "stranger.key", strangerKey)
	otherKey := newECKey(t)
	otherSubject := writePEM(t, dir, "other.pem", "CERTIFICATE", pki.issue(t, otherKey, "someone-else", false))
	otherKeyFile := writeKeyPEM(t, dir, "other.key", otherKey)

	clients, err := json.Marshal([]map[string]any{
		{"client_id": "mtls-pki", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=" + mtlsSubject},
		{"client_id": "mtls-self", "token_endpoint_auth_method": "self_signed_tls_client_auth",
			"jwks": map[string]any{"keys": []any{ecPublicJWK(t, selfKey, selfDER)}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "clients.json"), clients, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := testenv.OIDCProviderMTLS(t, dir)
	scope := strings.Join(srv.AllowedScopes, " ")

	h := fetchHarness(t)
	h.deps.Now = time.Now
	delete(h.env, "JWTKIT_CLIENT_SECRET")
	fetch := func(client string, args ...string) int {
		t.Helper()
		all := append([]string{"fetch", "--issuer", srv.Issuer, "--ca-cert", ca, "--client-id", client, "--scope", scope, "--no-cache"}, args...)
		return h.run(all...)
	}
	verifyBound := func(tok, want string) {
		t.Helper()
		if code := h.run("verify", "--issuer", srv.Issuer, "--aud", srv.Resource, "--typ", "at+jwt", "--require-scope", scope, tok); code != 0 {
			t.Fatalf("verify --issuer: exit %d: %s", code, h.stderr)
		}
		var c struct {
			Cnf map[string]string `json:"cnf"`
		}
		if err := json.Unmarshal(h.stdout.Bytes(), &c); err != nil || c.Cnf["x5t#S256"] != want {
			t.Fatalf("cnf.x5t#S256 = %q (%v), want the certificate's thumbprint %s:\n%s", c.Cnf["x5t#S256"], err, want, h.stdout)
		}
	}

	for _, tc := range []struct {
		method, client, cert, key string
		der                       []byte
	}{
		{oauth.AuthTLSClientAuth, "mtls-pki", pkiCert, pkiKeyFile, pkiDER},
		{oauth.AuthSelfSignedTLSClientAuth, "mtls-self", selfCert, selfKeyFile, selfDER},
	} {
		t.Run(tc.method, func(t *testing.T) {
			thumb := oauth.CertThumbprint(tc.der)
			if code := fetch(tc.client, "--auth-method", tc.method, "--client-cert", tc.cert, "--client-key", tc.key, "--json", "-v"); code != 0 {
				t.Fatalf("exit %d: %s", code, h.stderr)
			}
			var resp struct {
				AccessToken string `json:"access_token"`
				TokenType   string `json:"token_type"`
			}
			if err := json.Unmarshal(h.stdout.Bytes(), &resp); err != nil || resp.TokenType != "Bearer" {
				t.Fatalf("--json: %v %s", err, h.stdout)
			}
			stderr := h.stderr.String()
			for _, want := range []string{
				"mutual TLS token endpoint (mtls_endpoint_aliases): https://127.0.0.1:",
				"> POST https://127.0.0.1:",
				"certificate-bound token: cnf.x5t#S256 " + thumb,
			} {
				if !strings.Contains(stderr, want) {
					t.Errorf("--verbose lacks %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(stderr, resp.AccessToken) || strings.Contains(stderr, "warning") {
				t.Errorf("--verbose shows the token or a warning:\n%s", stderr)
			}
			verifyBound(resp.AccessToken, thumb)
		})
	}

	t.Run("method chosen from the server's list", func(t *testing.T) {
		if code := fetch("mtls-pki", "--client-cert", pkiCert, "--client-key", pkiKeyFile, "-v"); code != 0 {
			t.Fatalf("exit %d: %s", code, h.stderr)
		}
		if !strings.Contains(h.stderr.String(), "client authentication tls_client_auth, chosen from the server's token_endpoint_auth_methods_supported") {
			t.Errorf("stderr does not name the chosen method:\n%s", h.stderr)
		}
		verifyBound(strings.TrimSpace(h.stdout.String()), oauth.CertThumbprint(pkiDER))

		// A client secret in the environment (oidc-provider lists client_secret_basic first)
		// does not outweigh the certificate given on the command line.
		h.env["JWTKIT_CLIENT_SECRET"] = "an-ambient-secret-of-another-client"
		defer delete(h.env, "JWTKIT_CLIENT_SECRET")
		if code := fetch("mtls-pki", "--client-cert", pkiCert, "--client-key", pkiKeyFile, "-v"); code != 0 {
			t.Fatalf("with $JWTKIT_CLIENT_SECRET set: exit %d: %s", code, h.stderr)
		}
		if !strings.Contains(h.stderr.String(), "client authentication tls_client_auth, chosen") {
			t.Errorf("with $JWTKIT_CLIENT_SECRET set, stderr does not name tls_client_auth:\n%s", h.stderr)
		}
	})

	t.Run("cache keeps tokens of two certificates apart", func(t *testing.T) {
		// A second certificate of the CA with the registered subject: a rotated certificate.
		rotatedKey := newECKey(t)
		rotatedDER := pki.issue(t, rotatedKey, mtlsSubject, false)
		rotated := writePEM(t, dir, "rotated.pem", "CERTIFICATE", rotatedDER)
		rotatedKeyFile := writeKeyPEM(t, dir, "rotated.key", rotatedKey)
		cached := func(cert, key string) string {
			t.Helper()
			all := []string{"fetch", "--issuer", srv.Issuer, "--ca-cert", ca, "--client-id", "mtls-pki", "--scope", scope,
				"--auth-method", "tls_client_auth", "--client-cert", cert, "--client-key", key}
			if code := h.run(all...); code != 0 {
				t.Fatalf("exit %d: %s", code, h.stderr)
			}
			return strings.TrimSpace(h.stdout.String())
		}
		first := cached(pkiCert, pkiKeyFile)
		if again := cached(pkiCert, pkiKeyFile); again != first {
			t.Error("the same certificate did not get the cached token")
		}
		second := cached(rotated, rotatedKeyFile)
		if second == first {
			t.Fatal("a token bound to one certificate was handed out from the cache for another")
		}
		verifyBound(second, oauth.CertThumbprint(rotatedDER))

		// --logout revokes the cached token at the revocation endpoint's mutual TLS alias,
		// where the server can see the certificate; the plain endpoint could not
		// authenticate the client.
		logout := []string{"fetch", "--issuer", srv.Issuer, "--ca-cert", ca, "--client-id", "mtls-pki", "--scope", scope,
			"--auth-method", "tls_client_auth", "--client-cert", rotated, "--client-key", rotatedKeyFile, "--logout", "-v"}
		if code := h.run(logout...); code != 0 {
			t.Fatalf("--logout: exit %d: %s", code, h.stderr)
		}
		if got := h.stderr.String(); !strings.Contains(got, "revoked 1 at https://127.0.0.1:") || !strings.Contains(got, "> POST https://127.0.0.1:") {
			t.Errorf("--logout did not revoke at the mutual TLS alias:\n%s", got)
		}
		if again := cached(rotated, rotatedKeyFile); again == second {
			t.Error("the token was still cached after --logout")
		}
	})

	for _, tc := range []struct {
		name, method, client, cert, key string
	}{
		{"tls_client_auth, certificate not from the CA", oauth.AuthTLSClientAuth, "mtls-pki", stranger, strangerKeyFile},
		{"tls_client_auth, another subject", oauth.AuthTLSClientAuth, "mtls-pki", otherSubject, otherKeyFile},
		{"self_signed_tls_client_auth, unregistered certificate", oauth.AuthSelfSignedTLSClientAuth, "mtls-self", stranger, strangerKeyFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code := fetch(tc.client, "--auth-method", tc.method, "--client-cert", tc.cert, "--client-key", tc.key); code != 3 {
				t.Fatalf("exit %d, want 3: %s", code, h.stderr)
			}
			got := h.stderr.String()
			if !strings.Contains(got, "invalid_client") || strings.Count(got, "\n") != 1 {
				t.Errorf("stderr %q, want the server's invalid_client on one line", got)
			}
			if h.stdout.Len() != 0 {
				t.Errorf("stdout %q after a refusal", h.stdout)
			}
		})
	}
}

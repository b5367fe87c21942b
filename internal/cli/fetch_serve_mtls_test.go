package cli

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/jwtkit/jwtkit/internal/oauth"
)

// serveMTLSFixture is jwtkit serve over TLS with mutual TLS clients: "pki" (tls_client_auth,
// subject CN=jwtkit-mtls-client from the test CA) and, unless pkiOnly, "self"
// (self_signed_tls_client_auth, registered with its certificate).
type serveMTLSFixture struct {
	run                          *serveRun
	dir, serveCA                 string
	pki                          *testPKI
	pkiCert, pkiKey, pkiDER      string
	selfCert, selfKey            string
	pkiTLS, selfTLS, strangerTLS tls.Certificate
	pkiRaw, selfRaw              []byte
}

func newServeMTLSFixture(t *testing.T, pkiOnly bool) *serveMTLSFixture {
	t.Helper()
	f := &serveMTLSFixture{dir: t.TempDir(), pki: newTestPKI(t)}
	ca := writePEM(t, f.dir, "client-ca.pem", "CERTIFICATE", f.pki.caCert.Raw)

	pkiKey := newECKey(t)
	f.pkiRaw = f.pki.issue(t, pkiKey, mtlsSubject, false)
	f.pkiCert = writePEM(t, f.dir, "pki.pem", "CERTIFICATE", f.pkiRaw)
	f.pkiKey = writeKeyPEM(t, f.dir, "pki.key", pkiKey)
	f.pkiTLS = tls.Certificate{Certificate: [][]byte{f.pkiRaw}, PrivateKey: pkiKey}

	selfKey := newECKey(t)
	f.selfRaw = (*testPKI)(nil).issue(t, selfKey, "jwtkit-self-signed", false)
	f.selfCert = writePEM(t, f.dir, "self.pem", "CERTIFICATE", f.selfRaw)
	f.selfKey = writeKeyPEM(t, f.dir, "self.key", selfKey)
	f.selfTLS = tls.Certificate{Certificate: [][]byte{f.selfRaw}, PrivateKey: selfKey}

	strangerKey := newECKey(t)
	f.strangerTLS = tls.Certificate{Certificate: [][]byte{(*testPKI)(nil).issue(t, strangerKey, mtlsSubject, false)}, PrivateKey: strangerKey}

	config := `[[client]]
id = "pki"
token_endpoint_auth_method = "tls_client_auth"
tls_client_auth_subject_dn = "CN=` + mtlsSubject + `"
scopes = ["openid", "read:users"]
`
	if !pkiOnly {
		config += `[[client]]
id = "self"
token_endpoint_auth_method = "self_signed_tls_client_auth"
jwks = "self.pem"
`
	}
	cfgFile := filepath.Join(f.dir, "serve.toml")
	if err := os.WriteFile(cfgFile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	f.serveCA = filepath.Join(f.dir, "serve-ca.pem")
	f.run = startServe(t, serveEnv{}, "--tls", "--tls-ca-out", f.serveCA, "--tls-client-ca", ca, "--config", cfgFile, "--client", "ci:s3cret")
	t.Cleanup(func() { _ = f.run.stop(t) })
	return f
}

// TestFetchMutualTLSServe: jwtkit fetch against jwtkit serve over mutual TLS, both methods:
// the token's cnf.x5t#S256 is the certificate's thumbprint, the method is chosen from serve's
// discovery when not given, and a wrong subject, no certificate or an unregistered
// self-signed certificate is exit 3 invalid_client on one line.
func TestFetchMutualTLSServe(t *testing.T) {
	f := newServeMTLSFixture(t, false)
	h := fetchHarness(t)
	delete(h.env, "JWTKIT_CLIENT_SECRET")
	fetch := func(client string, args ...string) int {
		t.Helper()
		return h.run(append([]string{"fetch", "--issuer", f.run.issuer, "--ca-cert", f.serveCA, "--client-id", client, "--no-cache"}, args...)...)
	}
	for _, tc := range []struct {
		name, method, client, cert, key string
		der                             []byte
	}{
		{"tls_client_auth", oauth.AuthTLSClientAuth, "pki", f.pkiCert, f.pkiKey, f.pkiRaw},
		{"self_signed_tls_client_auth", oauth.AuthSelfSignedTLSClientAuth, "self", f.selfCert, f.selfKey, f.selfRaw},
		{"tls_client_auth chosen from discovery", "", "pki", f.pkiCert, f.pkiKey, f.pkiRaw},
		{"self-signed client, method chosen from discovery", "", "self", f.selfCert, f.selfKey, f.selfRaw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"--client-cert", tc.cert, "--client-key", tc.key, "-v"}
			if tc.method != "" {
				args = append(args, "--auth-method", tc.method)
			}
			if code := fetch(tc.client, args...); code != 0 {
				t.Fatalf("exit %d: %s", code, h.stderr)
			}
			tok := strings.TrimSpace(h.stdout.String())
			thumb := oauth.CertThumbprint(tc.der)
			got, ok, err := oauth.ConfirmedThumbprint(tok)
			if err != nil || !ok || got != thumb {
				t.Fatalf("cnf.x5t#S256 %q (%v %v), want %s", got, ok, err, thumb)
			}
			if stderr := h.stderr.String(); !strings.Contains(stderr, "certificate-bound token: cnf.x5t#S256 "+thumb) || strings.Contains(stderr, "warning") {
				t.Errorf("--verbose:\n%s", stderr)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		client string
		args   []string
	}{
		{"wrong subject DN", "pki", []string{"--auth-method", "tls_client_auth", "--client-cert", f.selfCert, "--client-key", f.selfKey}},
		{"no certificate (a secret instead)", "pki", []string{"--client-secret", "guess"}},
		{"self-signed certificate not registered", "self", []string{"--auth-method", "self_signed_tls_client_auth", "--client-cert", f.pkiCert, "--client-key", f.pkiKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code := fetch(tc.client, tc.args...); code != 3 {
				t.Fatalf("exit %d, want 3: %s", code, h.stderr)
			}
			got := h.stderr.String()
			if !strings.Contains(got, "invalid_client") || strings.Count(got, "\n") != 1 || strings.Contains(got, mtlsSubject) {
				t.Errorf("stderr %q, want invalid_client on one line naming no subject", got)
			}
			if h.stdout.Len() != 0 {
				t.Errorf("stdout %q after a refusal", h.stdout)
			}
		})
	}
}

// TestServeMutualTLSResources: /userinfo takes a certificate-bound token only with its
// certificate on the connection, and /introspect (authenticated by the certificate) answers
// its cnf; without a self-signed client the TLS stack itself refuses a certificate that does
// not chain to --tls-client-ca.
func TestServeMutualTLSResources(t *testing.T) {
	f := newServeMTLSFixture(t, true)
	roots := readPool(t, f.serveCA)
	tok := func(c *http.Client, scope string) string {
		t.Helper()
		resp, err := c.PostForm(f.run.issuer+"/token", map[string][]string{"grant_type": {"client_credentials"}, "client_id": {"pki"}, "scope": {scope}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != 200 {
			t.Fatalf("token: %d %v", resp.StatusCode, body)
		}
		return body["access_token"].(string)
	}
	withPKI := tlsClient(roots, f.pkiTLS)
	at := tok(withPKI, "openid")
	userinfo := func(c *http.Client) int {
		t.Helper()
		req, _ := http.NewRequest("GET", f.run.issuer+"/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+at)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := userinfo(withPKI); code != 200 {
		t.Errorf("userinfo with the token's certificate: %d", code)
	}
	// Another certificate of the CA, registered to nobody, and no certificate at all.
	otherKey := newECKey(t)
	other := tls.Certificate{Certificate: [][]byte{f.pki.issue(t, otherKey, "someone-else", false)}, PrivateKey: otherKey}
	if code := userinfo(tlsClient(roots, other)); code != 401 {
		t.Errorf("userinfo with another certificate: %d, want 401", code)
	}
	if code := userinfo(tlsClient(roots)); code != 401 {
		t.Errorf("userinfo without a certificate: %d, want 401", code)
	}

	resp, err := withPKI.PostForm(f.run.issuer+"/introspect", map[string][]string{"token": {at}, "client_id": {"pki"}})
	if err != nil {
		t.Fatal(err)
	}
	var intro map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&intro)
	resp.Body.Close()
	if cnf, _ := intro["cnf"].(map[string]any); intro["active"] != true || cnf["x5t#S256"] != oauth.CertThumbprint(f.pkiRaw) {
		t.Errorf("introspect: %v", intro)
	}

	// No self-signed client: the handshake verifies a given certificate against the CA.
	if _, err := tlsClient(roots, f.strangerTLS).Get(f.run.issuer + "/jwks.json"); err == nil {
		t.Error("a certificate that does not chain to --tls-client-ca passed the handshake")
	}
	// A client without a certificate still connects (the endpoints decide).
	if resp, err := tlsClient(roots).Get(f.run.issuer + "/jwks.json"); err != nil || resp.StatusCode != 200 {
		t.Errorf("a client without a certificate: %v", err)
	} else {
		resp.Body.Close()
	}
}

// TestServeMutualTLSXOAuth2: golang.org/x/oauth2's clientcredentials, a relying-party library
// written elsewhere, gets a certificate-bound token from serve with an http.Client carrying the
// client certificate.
func TestServeMutualTLSXOAuth2(t *testing.T) {
	f := newServeMTLSFixture(t, false)
	// The client has no secret: its id goes in the body (RFC 8705 §2), the certificate on the
	// connection.
	cfg := clientcredentials.Config{ClientID: "self", TokenURL: f.run.issuer + "/token", Scopes: []string{"read:users"},
		AuthStyle: oauth2.AuthStyleInParams}
	// A plain tls.Config with Certificates, as a relying party would write it.
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: readPool(t, f.serveCA), Certificates: []tls.Certificate{f.selfTLS}}}}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, hc)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	tok, err := cfg.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := oauth.ConfirmedThumbprint(tok.AccessToken); err != nil || !ok || got != oauth.CertThumbprint(f.selfRaw) {
		t.Errorf("cnf.x5t#S256 %q, want the certificate's", got)
	}
	// Without the certificate the library gets invalid_client.
	ctx2 := context.WithValue(context.Background(), oauth2.HTTPClient, tlsClient(readPool(t, f.serveCA)))
	if _, err := cfg.Token(ctx2); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("without the certificate: %v, want invalid_client", err)
	}
}

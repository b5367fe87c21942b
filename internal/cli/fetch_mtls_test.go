package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/oauth"
)

// testPKI is a throwaway CA with the certificates the mutual TLS tests need.
type testPKI struct {
	caCert *x509.Certificate
	caKey  *ecdsa.PrivateKey
	pool   *x509.CertPool
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	key := newECKey(t)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "jwtkit test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &testPKI{caCert: ca, caKey: key, pool: pool}
}

func newECKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// issue signs a certificate for key: a client certificate named cn, or a server certificate for
// 127.0.0.1 when server is set. A nil CA (p == nil) makes it self-signed.
func (p *testPKI) issue(t *testing.T, key *ecdsa.PrivateKey, cn string, server bool) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	parent, signer := tmpl, key
	if p != nil {
		parent, signer = p.caCert, p.caKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeKeyPEM(t *testing.T, dir, name string, key *ecdsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, dir, name, "PRIVATE KEY", der)
}

// mtlsServer is an RFC 8705 authorization server over TLS: discovery names /token and the
// mutual TLS alias /mtls/token, which authenticates the client by a certificate from the test
// CA and binds the token to it (cnf.x5t#S256). Client "other-binding" gets a token bound to
// another thumbprint.
type mtlsServer struct {
	srv      *httptest.Server
	requests atomic.Int32
	// jwksURI, when set, is announced as jwks_uri, and the tokens then name the key "k1".
	jwksURI atomic.Pointer[string]
}

func newMTLSServer(t *testing.T, pki *testPKI) *mtlsServer {
	t.Helper()
	m := &mtlsServer{}
	serverKey := newECKey(t)
	serverCert := tls.Certificate{Certificate: [][]byte{pki.issue(t, serverKey, "127.0.0.1", true)}, PrivateKey: serverKey}
	m.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		base := m.srv.URL
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			jwks := ""
			if p := m.jwksURI.Load(); p != nil {
				jwks = fmt.Sprintf(`"jwks_uri":%q,`, *p)
			}
			fmt.Fprintf(w, `{"issuer":%q,"token_endpoint":%q,%s"token_endpoint_auth_methods_supported":["tls_client_auth","self_signed_tls_client_auth","client_secret_basic"],"mtls_endpoint_aliases":{"token_endpoint":%q}}`,
				base, base+"/token", jwks, base+"/mtls/token")
		case "/token":
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"invalid_client","error_description":"use the mutual TLS endpoint"}`)
		case "/mtls/token":
			_ = r.ParseForm()
			certs := r.TLS.PeerCertificates
			if len(certs) == 0 || r.Header.Get("Authorization") != "" || r.PostForm.Get("client_secret") != "" {
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"error":"invalid_client","error_description":"no client certificate"}`)
				return
			}
			if _, err := certs[0].Verify(x509.VerifyOptions{Roots: pki.pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"error":"invalid_client","error_description":"client certificate not trusted"}`)
				return
			}
			thumb := oauth.CertThumbprint(certs[0].Raw)
			if r.PostForm.Get("client_id") == "other-binding" {
				thumb = oauth.CertThumbprint([]byte("another certificate"))
			}
			payload, _ := json.Marshal(map[string]any{"sub": certs[0].Subject.CommonName, "cnf": map[string]string{"x5t#S256": thumb}})
			header := `{"alg":"ES256"}`
			if m.jwksURI.Load() != nil {
				header = `{"alg":"ES256","kid":"k1"}`
			}
			tok := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString(payload) + ".c2ln"
			fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":300}`, tok)
		default:
			http.NotFound(w, r)
		}
	}))
	m.srv.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientAuth: tls.RequestClientCert, ClientCAs: pki.pool}
	m.srv.StartTLS()
	t.Cleanup(m.srv.Close)
	return m
}

// mtlsFixture is an RFC 8705 server with its CA written to ca, and a client certificate the CA
// issued (DER certDER, PEM file cert) with its key (keyFile), all under dir.
type mtlsFixture struct {
	srv                    *mtlsServer
	dir, ca, cert, keyFile string
	certDER                []byte
}

func newMTLSFixture(t *testing.T) mtlsFixture {
	t.Helper()
	pki := newTestPKI(t)
	f := mtlsFixture{srv: newMTLSServer(t, pki), dir: t.TempDir()}
	f.ca = writePEM(t, f.dir, "ca.pem", "CERTIFICATE", pki.caCert.Raw)
	key := newECKey(t)
	f.certDER = pki.issue(t, key, "jwtkit-mtls", false)
	f.cert = writePEM(t, f.dir, "client.pem", "CERTIFICATE", f.certDER)
	f.keyFile = writeKeyPEM(t, f.dir, "client.key", key)
	return f
}

// TestFetchMutualTLS gets a certificate-bound token through the server's mtls_endpoint_aliases
// token endpoint, trusting the server by --ca-cert; --verbose names the alias and the
// binding, and never shows the key; a profile's client-cert and client-key work as the flags.
func TestFetchMutualTLS(t *testing.T) {
	f := newMTLSFixture(t)
	srv, dir, ca, cert, keyFile, certDER := f.srv, f.dir, f.ca, f.cert, f.keyFile, f.certDER
	keyPEM, _ := os.ReadFile(keyFile)
	thumb := oauth.CertThumbprint(certDER)

	h := fetchHarness(t)
	delete(h.env, "JWTKIT_CLIENT_SECRET")
	base := []string{"fetch", "--issuer", srv.srv.URL, "--ca-cert", ca, "--client-id", "svc", "--no-cache"}
	code := h.run(append(base, "--auth-method", "tls_client_auth", "--client-cert", cert, "--client-key", keyFile, "-v")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	stderr := h.stderr.String()
	for _, want := range []string{
		"mutual TLS token endpoint (mtls_endpoint_aliases): " + srv.srv.URL + "/mtls/token",
		"certificate-bound token: cnf.x5t#S256 " + thumb,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("--verbose lacks %q:\n%s", want, stderr)
		}
	}
	keyBody := strings.Split(string(keyPEM), "\n")[1]
	if strings.Contains(stderr, keyBody) || strings.Contains(stderr, "warning") {
		t.Errorf("stderr shows the key or a warning:\n%s", stderr)
	}
	if got, ok, _ := oauth.ConfirmedThumbprint(strings.TrimSpace(h.stdout.String())); !ok || got != thumb {
		t.Errorf("token cnf.x5t#S256 %q, want %q", got, thumb)
	}

	// A token bound to another certificate is worth a warning that names the expected thumbprint.
	other := append([]string{"fetch", "--issuer", srv.srv.URL, "--ca-cert", ca, "--client-id", "other-binding", "--no-cache"},
		"--auth-method", "tls_client_auth", "--client-cert", cert, "--client-key", keyFile)
	if code := h.run(other...); code != 0 {
		t.Fatalf("other binding: exit %d: %s", code, h.stderr)
	}
	if want := "is not the client certificate's thumbprint " + thumb; !strings.Contains(h.stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", h.stderr, want)
	}

	// The profile's client-cert and client-key keys.
	cfg := filepath.Join(dir, "config.toml")
	body := fmt.Sprintf("[profile.mtls]\nissuer = %q\nclient-id = \"svc\"\nauth-method = \"tls_client_auth\"\nclient-cert = %q\nclient-key = %q\n", srv.srv.URL, cert, keyFile)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := h.run("fetch", "--config", cfg, "--profile", "mtls", "--ca-cert", ca, "--no-cache"); code != 0 {
		t.Fatalf("profile: exit %d: %s", code, h.stderr)
	}
}

// TestFetchMutualTLSRefusals: a certificate the server does not trust is the server's one-line
// error (exit 3); a missing half of the pair, or a key of another certificate, is exit 2
// before any request.
func TestFetchMutualTLSRefusals(t *testing.T) {
	f := newMTLSFixture(t)
	srv, dir, ca, cert, keyFile := f.srv, f.dir, f.ca, f.cert, f.keyFile
	strangerKey := newECKey(t)
	stranger := writePEM(t, dir, "stranger.pem", "CERTIFICATE", (*testPKI)(nil).issue(t, strangerKey, "stranger", false))
	strangerKeyFile := writeKeyPEM(t, dir, "stranger.key", strangerKey)

	h := fetchHarness(t)
	delete(h.env, "JWTKIT_CLIENT_SECRET")
	base := []string{"fetch", "--issuer", srv.srv.URL, "--ca-cert", ca, "--client-id", "svc", "--no-cache", "--auth-method", "self_signed_tls_client_auth"}

	if code := h.run(append(base, "--client-cert", stranger, "--client-key", strangerKeyFile)...); code != 3 {
		t.Fatalf("untrusted certificate: exit %d, want 3: %s", code, h.stderr)
	}
	if got := h.stderr.String(); !strings.Contains(got, "invalid_client: client certificate not trusted") || strings.Count(got, "\n") != 1 {
		t.Errorf("untrusted certificate: stderr %q, want the server's error on one line", got)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"cert without key", []string{"--client-cert", cert}, "--client-cert without --client-key"},
		{"key without cert", []string{"--client-key", keyFile}, "--client-key without --client-cert"},
		{"neither", nil, "needs the TLS client certificate"},
		{"key of another certificate", []string{"--client-cert", cert, "--client-key", strangerKeyFile}, "is not the key of --client-cert"},
		{"cert with another method", []string{"--auth-method", "private_key_jwt", "--assertion-key", keyFile, "--client-cert", cert, "--client-key", keyFile},
			"--client-cert and --client-key are for tls_client_auth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.requests.Load()
			if code := h.run(append(base, tc.args...)...); code != 2 {
				t.Fatalf("exit %d, want 2: %s", code, h.stderr)
			}
			if !strings.Contains(h.stderr.String(), tc.want) {
				t.Errorf("stderr %q lacks %q", h.stderr, tc.want)
			}
			if n := srv.requests.Load() - before; n != 0 {
				t.Errorf("%d requests made before the refusal", n)
			}
		})
	}
}

// TestFetchAutoAuthMethod: without --auth-method, the method comes from the server's
// token_endpoint_auth_methods_supported and what was given (issue 14), said under --verbose;
// nothing that fits is exit 2 with the server's list.
func TestFetchAutoAuthMethod(t *testing.T) {
	f := newMTLSFixture(t)
	srv, ca, cert, keyFile := f.srv, f.ca, f.cert, f.keyFile

	h := fetchHarness(t)
	delete(h.env, "JWTKIT_CLIENT_SECRET")
	base := []string{"fetch", "--issuer", srv.srv.URL, "--ca-cert", ca, "--client-id", "svc", "--no-cache", "-v"}
	if code := h.run(append(base, "--client-cert", cert, "--client-key", keyFile)...); code != 0 {
		t.Fatalf("certificate: exit %d: %s", code, h.stderr)
	}
	want := "client authentication tls_client_auth, chosen from the server's token_endpoint_auth_methods_supported (tls_client_auth, self_signed_tls_client_auth, client_secret_basic)"
	if !strings.Contains(h.stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, h.stderr)
	}

	// A secret fits client_secret_basic, which this server lists (and then refuses at /token).
	h.env["JWTKIT_CLIENT_SECRET"] = fetchSecret
	if code := h.run(base...); code != 3 || !strings.Contains(h.stderr.String(), "client authentication client_secret_basic, chosen") {
		t.Errorf("secret: exit %d, want 3 after choosing client_secret_basic: %s", code, h.stderr)
	}
	delete(h.env, "JWTKIT_CLIENT_SECRET")

	if code := h.run(base...); code != 2 || !strings.Contains(h.stderr.String(), "no client credentials: the server supports tls_client_auth, self_signed_tls_client_auth, client_secret_basic") {
		t.Errorf("nothing given: exit %d, want 2 with the server's list: %s", code, h.stderr)
	}
}

// TestFetchMutualTLSKeySetElsewhere: the TLS client certificate is shown to the issuer's and the
// token endpoint's hosts only. A cached certificate-bound token is checked against the issuer's
// key set; served from another host that asks every client for a certificate, that host sees
// none, while the token endpoint got it (the token is bound to it).
func TestFetchMutualTLSKeySetElsewhere(t *testing.T) {
	f := newMTLSFixture(t)
	pki := newTestPKI(t) // the key set host's own CA, trusted by --ca-cert alongside the issuer's
	serverKey := newECKey(t)
	var jwksRequests, jwksWithCert atomic.Int32
	keySet := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jwksRequests.Add(1)
		if len(r.TLS.PeerCertificates) > 0 {
			jwksWithCert.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"WbbkM6BJg1k7y-8GPJOEhrmsHqxbb3Pv-7n8hBmIH2E","y":"Ss27BbPDHUzm8gNxqZnmyVQtR4kEPwoHdzJC8VUOJis"}]}`)
	}))
	keySet.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{pki.issue(t, serverKey, "127.0.0.1", true)}, PrivateKey: serverKey}},
		ClientAuth: tls.RequestClientCert}
	keySet.StartTLS()
	t.Cleanup(keySet.Close)
	uri := keySet.URL + "/jwks.json"
	f.srv.jwksURI.Store(&uri)
	bundle := filepath.Join(f.dir, "cas.pem")
	caPEM, _ := os.ReadFile(f.ca)
	if err := os.WriteFile(bundle, append(caPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.caCert.Raw})...), 0o600); err != nil {
		t.Fatal(err)
	}

	h := fetchHarness(t)
	delete(h.env, "JWTKIT_CLIENT_SECRET")
	args := []string{"fetch", "--issuer", f.srv.srv.URL, "--ca-cert", bundle, "--client-id", "svc",
		"--auth-method", "tls_client_auth", "--client-cert", f.cert, "--client-key", f.keyFile}
	for i := range 2 { // the second run finds the token in the cache and checks its key
		if code := h.run(args...); code != 0 {
			t.Fatalf("fetch %d: exit %d: %s", i+1, code, h.stderr)
		}
		if got, ok, _ := oauth.ConfirmedThumbprint(strings.TrimSpace(h.stdout.String())); !ok || got != oauth.CertThumbprint(f.certDER) {
			t.Fatalf("fetch %d: token cnf.x5t#S256 %q, want the certificate's", i+1, got)
		}
	}
	if jwksRequests.Load() == 0 {
		t.Fatal("the cached token's key was never checked against the key set: the test proves nothing")
	}
	if n := jwksWithCert.Load(); n != 0 {
		t.Errorf("the key set's host was shown the client certificate on %d of %d requests", n, jwksRequests.Load())
	}
}

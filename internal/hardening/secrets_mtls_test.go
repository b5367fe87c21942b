package hardening

import (
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"
)

// TestNoSecretLeaksMutualTLS runs fetch's mutual TLS flags (--client-cert, --client-key with
// --passphrase, --ca-cert) through success and refusal paths, with --verbose and --json, and
// checks that the client key (its PEM, its private scalars) and the passphrase never appear.
// It is a table of its own, next to TestNoSecretLeaks, so that each can grow without the other.
func TestNoSecretLeaksMutualTLS(t *testing.T) {
	w := newWorld(t)
	fx := makeSecretFixtures(t, w)
	w.env["PASS"] = passphraseCanary

	keyPEM, err := os.ReadFile(fx.rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(keyPEM)
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	signer := priv.(crypto.Signer)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "leak-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.Public(), priv)
	if err != nil {
		t.Fatal(err)
	}
	cert := w.write("client.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)

	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || r.URL.Path != "/ok" {
			rw.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(rw, `{"error":"invalid_client","error_description":"no client certificate"}`)
			return
		}
		fmt.Fprint(rw, `{"access_token":"access-mtls-leak-test","token_type":"Bearer","expires_in":300}`)
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := w.write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)

	fetch := func(path string, extra ...string) []string {
		return append([]string{"fetch", "--no-cache", "--retries", "0", "--token-url", srv.URL + path, "--client-id", "c",
			"--ca-cert", ca, "--auth-method", "tls_client_auth", "--client-cert", cert}, extra...)
	}
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"mtls --verbose", fetch("/ok", "--client-key", fx.rsaKey, "--verbose"), 0},
		{"mtls --json --verbose", fetch("/ok", "--client-key", fx.rsaKey, "--json", "-v"), 0},
		{"mtls encrypted key --verbose", fetch("/ok", "--client-key", fx.encKey, "--passphrase", "env:PASS", "-v"), 0},
		{"mtls encrypted key, wrong literal passphrase", fetch("/ok", "--client-key", fx.encKey, "--passphrase", wrongPassCanary), 2},
		{"mtls key of another certificate", fetch("/ok", "--client-key", fx.ecJWK, "-v"), 2},
		{"mtls key of another certificate --json", fetch("/ok", "--client-key", fx.ecJWK, "--json"), 2},
		{"mtls key file as the certificate", append(fetch("/ok", "--client-key", fx.rsaKey), "--client-cert", fx.rsaKey), 2},
		{"mtls refused by the server --verbose", fetch("/refuse", "--client-key", fx.rsaKey, "-v"), 3},
		// Without --auth-method the pair is checked first, when the method is to be chosen.
		{"mtls method chosen, key of another certificate --verbose", []string{"fetch", "--no-cache", "--retries", "0",
			"--token-url", srv.URL + "/ok", "--client-id", "c", "--ca-cert", ca, "--client-cert", cert, "--client-key", fx.ecJWK, "-v"}, 2},
		{"mtls method chosen --verbose", []string{"fetch", "--no-cache", "--retries", "0", "--token-url", srv.URL + "/ok",
			"--client-id", "c", "--ca-cert", ca, "--client-cert", cert, "--client-key", fx.encKey, "--passphrase", "env:PASS", "-v"}, 0},
	}
	secrets := map[string]string{
		"the passphrase": passphraseCanary, "the wrong passphrase": wrongPassCanary, "the RSA private exponent": fx.rsaD,
		"the EC private scalar": fx.ecD, "the private key PEM": fx.pemChunk,
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := w.run(nil, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d; the case does not run the path it means to: %s", r.code, tc.code, r.stderr)
			}
			problem := ""
			for what, s := range secrets {
				if how := leaks(r.stdout+"\n"+r.stderr, s); how != "" {
					problem += fmt.Sprintf("%s appears (%s); ", what, how)
				}
			}
			reportLeak(t, tc.name, problem, r)
		})
	}
}

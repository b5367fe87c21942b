package cli

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tlsClient is an HTTP client that trusts roots and offers certs, with a timeout. It sends
// the first certificate whatever CAs the server names (as curl does), so that a test of a
// certificate the server must refuse really presents it.
func tlsClient(roots *x509.CertPool, certs ...tls.Certificate) *http.Client {
	cfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if len(certs) > 0 {
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &certs[0], nil }
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
}

// readPool reads a PEM file into a certificate pool.
func readPool(t *testing.T, path string) *x509.CertPool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		t.Fatalf("%s holds no certificate", path)
	}
	return pool
}

func TestServeTLSSelfSigned(t *testing.T) {
	dir := t.TempDir()
	caOut := filepath.Join(dir, "serve-ca.pem")
	run := startServe(t, serveEnv{}, "--tls", "--tls-ca-out", caOut, "--client", "ci:s3cret")
	if !strings.HasPrefix(run.issuer, "https://127.0.0.1:") {
		t.Fatalf("issuer %q is not https on 127.0.0.1", run.issuer)
	}
	fi, err := os.Stat(caOut)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o044 != 0o044 {
		t.Errorf("--tls-ca-out mode %04o: the certificate is public and should be readable", fi.Mode().Perm())
	}
	if !strings.Contains(run.stderr.String(), caOut) {
		t.Errorf("stderr does not say where the certificate is: %s", run.stderr)
	}
	data, _ := os.ReadFile(caOut)
	certs := pemCertificates(data)
	if len(certs) != 1 {
		t.Fatalf("--tls-ca-out holds %d certificates", len(certs))
	}
	leaf, _ := x509.ParseCertificate(certs[0])
	if life := leaf.NotAfter.Sub(leaf.NotBefore); life > 25*time.Hour || life < 24*time.Hour {
		t.Errorf("certificate valid for %v, want 24h", life)
	}
	if leaf.VerifyHostname("localhost") != nil || leaf.VerifyHostname("127.0.0.1") != nil {
		t.Errorf("certificate is not for localhost and 127.0.0.1: %v %v", leaf.DNSNames, leaf.IPAddresses)
	}
	if leaf.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("key algorithm %v, want ECDSA", leaf.PublicKeyAlgorithm)
	}

	client := tlsClient(readPool(t, caOut))
	resp, err := client.Get(run.issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("discovery over TLS: %d %+v", resp.StatusCode, resp.TLS)
	}
	req, _ := http.NewRequest("POST", run.issuer+"/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("ci", "s3cret")
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("token over TLS: %d", resp.StatusCode)
	}

	// Plain HTTP to the TLS port, a client that does not trust the certificate, and TLS 1.1
	// all fail.
	if resp, err := testHTTP.Get(strings.Replace(run.issuer, "https://", "http://", 1) + "/jwks.json"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("plain HTTP to the TLS listener got 200")
		}
	}
	if _, err := tlsClient(x509.NewCertPool()).Get(run.issuer + "/jwks.json"); err == nil {
		t.Error("a client that does not trust the certificate connected")
	}
	old := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: readPool(t, caOut), MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}}}
	if _, err := old.Get(run.issuer + "/jwks.json"); err == nil {
		t.Error("a TLS 1.1 client connected; the minimum is TLS 1.2")
	}
	if err := run.stop(t); err != nil {
		t.Fatal(err)
	}
}

func TestServeTLSCertAndKey(t *testing.T) {
	pki := newTestPKI(t)
	dir := t.TempDir()
	key := newECKey(t)
	certFile := writePEM(t, dir, "server.crt", "CERTIFICATE", pki.issue(t, key, "127.0.0.1", true))
	keyFile := writeKeyPEM(t, dir, "server.key", key)
	run := startServe(t, serveEnv{}, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(run.issuer, "https://") {
		t.Fatalf("issuer %q is not https", run.issuer)
	}
	resp, err := tlsClient(pki.pool).Get(run.issuer + "/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.TLS.PeerCertificates[0].Subject.CommonName; got != "127.0.0.1" {
		t.Errorf("served certificate %q, want the --tls-cert one", got)
	}
	_ = run.stop(t)

	otherKey := writeKeyPEM(t, dir, "other.key", newECKey(t))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", certFile}, "--tls-cert without --tls-key"},
		{[]string{"--tls-key", keyFile}, "--tls-key without --tls-cert"},
		{[]string{"--tls", "--tls-cert", certFile, "--tls-key", keyFile}, "--tls makes a self-signed"},
		{[]string{"--tls-ca-out", filepath.Join(dir, "x.pem")}, "add --tls"},
		{[]string{"--tls-cert", certFile, "--tls-key", otherKey}, "is not the key of --tls-cert"},
		{[]string{"--tls-cert", keyFile, "--tls-key", keyFile}, "no PEM CERTIFICATE"},
		{[]string{"--tls-client-ca", certFile}, "--tls-client-ca needs serve over TLS"},
		{[]string{"--tls", "--tls-client-ca", keyFile}, "holds no PEM certificate"},
	} {
		_, err := tryServe(t, serveEnv{}, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to mention %q", tc.args, err, tc.want)
		}
	}
}

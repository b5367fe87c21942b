package safehttp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// selfSigned makes a throwaway self-signed client certificate named cn.
func selfSigned(t *testing.T, cn string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestClientCertificateSentWhateverTheCAList checks the client certificate reaches a server
// whose certificate request names a CA the certificate does not chain to (the case of
// self_signed_tls_client_auth next to tls_client_auth on one listener): Go's own pick among
// tls.Config.Certificates would send nothing there.
func TestClientCertificateSentWhateverTheCAList(t *testing.T) {
	other := selfSigned(t, "some CA")
	caPool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(other.Certificate[0])
	caPool.AddCert(leaf)

	var got []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, c := range r.TLS.PeerCertificates {
			got = append(got, c.Subject.CommonName)
		}
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert, ClientCAs: caPool}
	srv.StartTLS()
	defer srv.Close()
	roots := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs

	cert := selfSigned(t, "jwtkit-self-signed")
	if _, err := New(Options{RootCAs: roots, ClientCertificate: &cert}).Get(context.Background(), srv.URL); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "jwtkit-self-signed" {
		t.Fatalf("server saw client certificates %q, want [jwtkit-self-signed]", got)
	}

	got = nil
	if _, err := New(Options{RootCAs: roots}).Get(context.Background(), srv.URL); err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("without a client certificate the server saw %q", got)
	}
}

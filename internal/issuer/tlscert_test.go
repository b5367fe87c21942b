package issuer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"
)

func TestSelfSignedCert(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		hosts    []string
		dns, ips int
	}{
		{nil, 1, 1},
		{[]string{"127.0.0.1", "localhost", ""}, 1, 1},
		{[]string{"issuer.test", "::1"}, 2, 2},
	} {
		cert, certPEM, err := SelfSignedCert(rand.Reader, now, tc.hosts)
		if err != nil {
			t.Fatal(err)
		}
		leaf := cert.Leaf
		if len(leaf.DNSNames) != tc.dns || len(leaf.IPAddresses) != tc.ips {
			t.Errorf("%v: names %v, addresses %v", tc.hosts, leaf.DNSNames, leaf.IPAddresses)
		}
		for _, h := range append([]string{"127.0.0.1", "localhost"}, tc.hosts...) {
			if h != "" && leaf.VerifyHostname(h) != nil {
				t.Errorf("%v: certificate is not for %s", tc.hosts, h)
			}
		}
		if leaf.NotAfter.Sub(now) != SelfSignedTTL || leaf.NotBefore.After(now) {
			t.Errorf("validity %v to %v", leaf.NotBefore, leaf.NotAfter)
		}
		key, ok := cert.PrivateKey.(*ecdsa.PrivateKey)
		if !ok || key.Curve != elliptic.P256() {
			t.Errorf("key %T, want ECDSA P-256", cert.PrivateKey)
		}
		b, rest := pem.Decode(certPEM)
		if b == nil || b.Type != "CERTIFICATE" || len(rest) != 0 {
			t.Fatalf("PEM output is not one certificate")
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(certPEM)
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: now, DNSName: "localhost"}); err != nil {
			t.Errorf("the PEM does not make the certificate trusted: %v", err)
		}
	}
}

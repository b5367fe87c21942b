package keys

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"
)

func TestCertificate(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	ec, err := Generate(rand.Reader, "EC", 0, "P-256", "")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := Generate(rand.Reader, "EC", 0, "P-256", "")
	secret, _ := Generate(rand.Reader, "oct", 256, "", "")
	ok := CertRequest{CommonName: "ci", NotBefore: now, NotAfter: now.Add(time.Hour)}
	caPEM, err := Certificate(rand.Reader, ec, ok)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(caPEM)
	ca, err := x509.ParseCertificate(b.Bytes)
	if err != nil || !ca.IsCA || ca.Subject.CommonName != "ci" || !ca.NotAfter.Equal(now.Add(time.Hour)) {
		t.Fatalf("self-signed: %v %+v", err, ca)
	}
	leafPEM, err := Certificate(rand.Reader, other, CertRequest{CommonName: "leaf", NotBefore: now, NotAfter: now.Add(time.Hour),
		CA: ca, CAKey: ec.JWK.Key.(crypto.Signer)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = pem.Decode(leafPEM)
	leaf, _ := x509.ParseCertificate(b.Bytes)
	if leaf.IsCA || leaf.CheckSignatureFrom(ca) != nil {
		t.Errorf("CA-signed certificate: IsCA %v, signature %v", leaf.IsCA, leaf.CheckSignatureFrom(ca))
	}
	for _, tc := range []struct {
		name string
		k    Key
		req  CertRequest
		want string
	}{
		{"secret", secret, ok, "private key"},
		{"public key", ec.Public(), ok, "private key"},
		{"no name", ec, CertRequest{NotBefore: now, NotAfter: now.Add(time.Hour)}, "common name"},
		{"expired at birth", ec, CertRequest{CommonName: "x", NotBefore: now, NotAfter: now}, "expire"},
		{"CA without key", other, CertRequest{CommonName: "x", NotBefore: now, NotAfter: now.Add(time.Hour), CA: ca}, "private key"},
		{"CA key of another", other, CertRequest{CommonName: "x", NotBefore: now, NotAfter: now.Add(time.Hour), CA: ca, CAKey: other.JWK.Key.(crypto.Signer)}, "not the CA certificate's key"},
		{"leaf as CA", ec, CertRequest{CommonName: "x", NotBefore: now, NotAfter: now.Add(time.Hour), CA: leaf, CAKey: other.JWK.Key.(crypto.Signer)}, "not a CA"},
	} {
		if _, err := Certificate(rand.Reader, tc.k, tc.req); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
}

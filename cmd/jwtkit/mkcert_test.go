package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"os"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdMkcert makes test certificates for the mutual TLS scripts, without openssl:
//
//	mkcert ca NAME                  a CA: NAME.pem, NAME.key
//	mkcert client NAME CA CN        a client certificate for CN signed by CA
//	mkcert self NAME CN             a self-signed client certificate for CN
//
// Each writes NAME.pem (the certificate), NAME.key (its PKCS#8 ECDSA P-256 key) and, for
// client certificates, NAME.x5t (its RFC 8705 x5t#S256 thumbprint). Certificates are valid for
// an hour around the wall clock, which TLS checks (JWTKIT_NOW does not move it).
func cmdMkcert(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("mkcert does not fail")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: mkcert ca NAME | client NAME CA CN | self NAME CN")
	}
	kind, name := args[0], args[1]
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ts.Check(err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()),
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	parent, signer := tmpl, any(key)
	switch {
	case kind == "ca" && len(args) == 2:
		tmpl.Subject = pkix.Name{CommonName: name}
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage, tmpl.ExtKeyUsage = true, true, x509.KeyUsageCertSign, nil
	case kind == "client" && len(args) == 4:
		tmpl.Subject = pkix.Name{CommonName: args[3]}
		caCert, caKey := readCA(ts, args[2])
		parent, signer = caCert, caKey
	case kind == "self" && len(args) == 3:
		tmpl.Subject = pkix.Name{CommonName: args[2]}
	default:
		ts.Fatalf("usage: mkcert ca NAME | client NAME CA CN | self NAME CN")
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	ts.Check(err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(name+".pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	ts.Check(os.WriteFile(ts.MkAbs(name+".key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
	if kind != "ca" {
		sum := sha256.Sum256(der)
		ts.Check(os.WriteFile(ts.MkAbs(name+".x5t"), []byte(base64.RawURLEncoding.EncodeToString(sum[:])+"\n"), 0o644))
	}
}

// readCA reads the certificate and key mkcert ca wrote for name.
func readCA(ts *testscript.TestScript, name string) (*x509.Certificate, any) {
	b, _ := pem.Decode([]byte(ts.ReadFile(name + ".pem")))
	if b == nil {
		ts.Fatalf("%s.pem holds no certificate", name)
	}
	cert, err := x509.ParseCertificate(b.Bytes)
	ts.Check(err)
	kb, _ := pem.Decode([]byte(ts.ReadFile(name + ".key")))
	if kb == nil {
		ts.Fatalf("%s.key holds no key", name)
	}
	key, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	ts.Check(err)
	return cert, key
}

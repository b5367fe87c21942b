package keys

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"
)

// CertRequest says what certificate Certificate makes.
type CertRequest struct {
	// CommonName is the subject's CN, the whole subject (CN=…).
	CommonName string
	// NotBefore and NotAfter bound the validity.
	NotBefore, NotAfter time.Time
	// CA and CAKey sign the certificate; nil makes it self-signed, and then a CA too, so
	// that it can sign others (keygen --cert-ca).
	CA    *x509.Certificate
	CAKey crypto.Signer
}

// Certificate makes an X.509 certificate for the private key k, as PEM: for TLS client and
// server authentication (RFC 8705 mutual TLS, a test server). A self-signed one is also a CA.
// A secret has no certificate.
func Certificate(random io.Reader, k Key, req CertRequest) ([]byte, error) {
	signer, ok := k.JWK.Key.(crypto.Signer)
	if !ok || !k.IsPrivate() {
		return nil, errors.New("a certificate needs an RSA, EC or Ed25519 private key")
	}
	if req.CommonName == "" {
		return nil, errors.New("the certificate's common name is empty")
	}
	if !req.NotAfter.After(req.NotBefore) {
		return nil, errors.New("the certificate would expire before it is valid")
	}
	serial := make([]byte, 16)
	if _, err := io.ReadFull(random, serial); err != nil {
		return nil, fmt.Errorf("making the serial number: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(serial),
		Subject:      pkix.Name{CommonName: req.CommonName},
		NotBefore:    req.NotBefore,
		NotAfter:     req.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
	}
	if _, isRSA := signer.Public().(*rsa.PublicKey); isRSA {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	parent, parentKey := tmpl, signer
	if req.CA != nil {
		if req.CAKey == nil {
			return nil, errors.New("the CA certificate needs its private key")
		}
		pub, ok := req.CA.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
		if !ok || !pub.Equal(req.CAKey.Public()) {
			return nil, errors.New("the CA key is not the CA certificate's key")
		}
		if !req.CA.IsCA {
			return nil, errors.New("the CA certificate is not a CA (basic constraints)")
		}
		parent, parentKey = req.CA, req.CAKey
	} else {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	der, err := x509.CreateCertificate(random, tmpl, parent, signer.Public(), parentKey)
	if err != nil {
		return nil, fmt.Errorf("signing the certificate: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

package cli

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/timespec"
)

// defaultCertTTL is how long a keygen --cert certificate is valid without --cert-ttl.
const defaultCertTTL = "30d"

// addKeygenCertFlags binds keygen's certificate flags.
func addKeygenCertFlags(f *pflag.FlagSet, opts *KeygenOptions) {
	f.StringVar(&opts.Cert, "cert", "", "with -o, also write NAME.crt, an X.509 certificate for the key with subject CN=`CN` (self-signed, a CA, unless --cert-ca)")
	f.StringVar(&opts.CertTTL, "cert-ttl", defaultCertTTL, "how long the --cert certificate is valid")
	f.StringVar(&opts.CertCA, "cert-ca", "", "sign the --cert certificate with the CA certificate in `FILE` (PEM) instead of the key itself")
	f.StringVar(&opts.CertCAKey, "cert-ca-key", "", "private key `FILE` of --cert-ca (PEM or JWK, in the key grammar; --passphrase is not read, use an unencrypted key)")
}

// certPlan is a checked --cert request, the CA loaded.
type certPlan struct {
	cn    string
	ttl   time.Duration
	ca    *x509.Certificate
	caKey crypto.Signer
}

// planCert checks the certificate flags before any key is made; nil without --cert.
func planCert(g *Global, opts *KeygenOptions, p keyPlan) (*certPlan, error) {
	ttlSet := opts.CertTTL != "" && opts.CertTTL != defaultCertTTL
	switch {
	case opts.Cert == "" && (opts.CertCA != "" || opts.CertCAKey != "" || ttlSet):
		return nil, failure.Usagef("usage", "--cert-ca, --cert-ca-key and --cert-ttl shape the --cert certificate; add --cert CN")
	case opts.Cert == "":
		return nil, nil
	case opts.Out == "":
		return nil, failure.Usagef("usage", "--cert writes NAME.crt next to the key; add -o NAME")
	case p.kind == "oct":
		return nil, failure.Usagef("usage", "an HMAC secret has no certificate; use --type ec, rsa or ed25519 with --cert")
	case (opts.CertCA == "") != (opts.CertCAKey == ""):
		return nil, failure.Usagef("usage", "--cert-ca and --cert-ca-key go together: the CA certificate and its private key")
	}
	ttl, err := timespec.ParseDuration(opts.CertTTL)
	if err != nil || ttl < time.Minute {
		if err == nil {
			err = fmt.Errorf("use at least 1m")
		}
		return nil, failure.Usagef("usage", "--cert-ttl: %v", err)
	}
	cp := &certPlan{cn: opts.Cert, ttl: ttl}
	if opts.CertCA == "" {
		return cp, nil
	}
	data, name, err := resolver(g, true).KeyFile(opts.CertCA)
	if err != nil {
		return nil, fmt.Errorf("--cert-ca: %w", err)
	}
	chain := pemCertificates(data)
	if len(chain) == 0 {
		return nil, failure.Usagef("key", "--cert-ca %s holds no PEM CERTIFICATE block", name)
	}
	if cp.ca, err = x509.ParseCertificate(chain[0]); err != nil {
		return nil, failure.Usagef("key", "--cert-ca %s: the certificate cannot be read: %v", name, err)
	}
	list, err := loadKeyFile(g, opts.CertCAKey, nil, true)
	if err != nil {
		return nil, fmt.Errorf("--cert-ca-key: %w", err)
	}
	signer, ok := list[0].JWK.Key.(crypto.Signer)
	if !ok || !list[0].IsPrivate() {
		return nil, failure.Usagef("key", "--cert-ca-key %s holds no private key; pass the private key of --cert-ca", list[0].Source)
	}
	if pub, ok := cp.ca.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(signer.Public()) {
		return nil, failure.Usagef("key", "--cert-ca-key %s is not the key of --cert-ca %s (the public keys differ)", list[0].Source, name)
	}
	if !cp.ca.IsCA {
		return nil, failure.Usagef("key", "--cert-ca %s is not a CA certificate (basic constraints); make one with keygen --cert CN alone", name)
	}
	cp.caKey = signer
	return cp, nil
}

// fillCertFile makes the certificate for k and puts it in the NAME.crt file. Its validity
// follows the wall clock, not --now: TLS peers check it against their own clocks.
func fillCertFile(g *Global, files []plannedFile, k keys.Key, cp *certPlan) error {
	now := time.Now()
	pem, err := keys.Certificate(g.deps.Rand, k, keys.CertRequest{CommonName: cp.cn,
		NotBefore: now.Add(-time.Minute), NotAfter: now.Add(cp.ttl), CA: cp.ca, CAKey: cp.caKey})
	if err != nil {
		return failure.Usage("key", fmt.Errorf("--cert: %w", err))
	}
	for i := range files {
		if files[i].role == roleCert {
			files[i].data = pem
		}
	}
	return nil
}

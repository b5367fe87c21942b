package cli

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/spf13/pflag"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/issuer"
	"github.com/jwtkit/jwtkit/internal/safefile"
)

// addServeTLSFlags binds serve's TLS flags.
func addServeTLSFlags(f *pflag.FlagSet, opts *ServeOptions) {
	f.BoolVar(&opts.TLS, "tls", false, "serve HTTPS with a fresh self-signed ECDSA P-256 certificate for 127.0.0.1, localhost and the listen host, valid 24h (see --tls-ca-out)")
	f.StringVar(&opts.TLSCert, "tls-cert", "", "serve HTTPS with the certificate in `FILE` (PEM, leaf first, then its chain); needs --tls-key")
	f.StringVar(&opts.TLSKey, "tls-key", "", "private key `FILE` of --tls-cert (PEM or JWK, in the key grammar; --passphrase opens an encrypted PEM)")
	f.StringVar(&opts.TLSClientCA, "tls-client-ca", "", "CA certificates (PEM `FILE`) the certificates of tls_client_auth clients must chain to (RFC 8705 §2.1)")
	f.StringVar(&opts.TLSCAOut, "tls-ca-out", "", "with --tls, write the self-signed certificate (public, 0644) to `FILE`, for fetch --ca-cert or curl --cacert")
}

// serveTLS is the TLS side of serve: nil when serve speaks plain HTTP.
type serveTLS struct {
	config *tls.Config
	// clientCAs are the roots of --tls-client-ca, nil without it.
	clientCAs *x509.CertPool
}

// serveTLSConfig builds the TLS configuration of --tls or --tls-cert/--tls-key (nil, nil
// without them): TLS 1.2 at least. --tls makes a self-signed certificate for 127.0.0.1,
// localhost, the listen host and --issuer's host, and writes it to --tls-ca-out.
//
// The listener asks for a client certificate (RFC 8705 §2) but lets a connection without one
// through: the token endpoint decides per client. With --tls-client-ca and no
// self_signed_tls_client_auth client (selfSigned false), the TLS stack verifies a given
// certificate against those CAs; a self-signed certificate cannot chain to them, so with such
// a client it only requests one and the issuer checks each against its client. It then names
// no acceptable CAs either: Go's TLS client, among others, sends no certificate that does not
// chain to one the server names.
func serveTLSConfig(g *Global, opts *ServeOptions, listenAddr string, selfSigned bool) (*serveTLS, error) {
	hasPair := opts.TLSCert != "" || opts.TLSKey != ""
	switch {
	case opts.TLSClientCA != "" && !opts.TLS && !hasPair:
		return nil, failure.Usagef("usage", "--tls-client-ca needs serve over TLS: add --tls (or --tls-cert and --tls-key)")
	case opts.TLS && hasPair:
		return nil, failure.Usagef("usage", "--tls makes a self-signed certificate; drop it to serve --tls-cert and --tls-key, or drop those")
	case opts.TLSCert != "" && opts.TLSKey == "":
		return nil, failure.Usagef("usage", "--tls-cert without --tls-key: pass the certificate's private key with --tls-key FILE")
	case opts.TLSKey != "" && opts.TLSCert == "":
		return nil, failure.Usagef("usage", "--tls-key without --tls-cert: pass the key's certificate with --tls-cert FILE")
	case opts.TLSCAOut != "" && !opts.TLS:
		return nil, failure.Usagef("usage", "--tls-ca-out writes the certificate --tls makes; add --tls (with --tls-cert the client trusts that certificate's CA)")
	case !opts.TLS && !hasPair:
		return nil, nil
	}
	var cert tls.Certificate
	if opts.TLS {
		hosts := []string{}
		if host, _, err := net.SplitHostPort(listenAddr); err == nil {
			if ip := net.ParseIP(host); ip == nil || !ip.IsUnspecified() {
				hosts = append(hosts, host)
			}
		}
		if u, err := url.Parse(opts.Issuer); err == nil && u.Hostname() != "" {
			hosts = append(hosts, u.Hostname())
		}
		// The wall clock, not --now: TLS clients check the certificate against their own clocks.
		c, certPEM, err := issuer.SelfSignedCert(g.deps.Rand, time.Now(), hosts)
		if err != nil {
			return nil, err
		}
		cert = c
		if opts.TLSCAOut != "" {
			if err := safefile.Write(opts.TLSCAOut, certPEM, safefile.Options{Mode: 0o644, Force: true}); err != nil {
				return nil, fmt.Errorf("--tls-ca-out: %w", err)
			}
			g.Infof("TLS: self-signed certificate (ECDSA P-256, 24h) written to %s; trust it with fetch --ca-cert %s or curl --cacert %s", showPath(opts.TLSCAOut), showPath(opts.TLSCAOut), showPath(opts.TLSCAOut))
		} else {
			g.Infof("TLS: self-signed certificate (ECDSA P-256, 24h) in memory only; pass --tls-ca-out FILE to let clients trust it")
		}
	} else {
		c, err := loadServerCertificate(g, opts)
		if err != nil {
			return nil, err
		}
		cert = c
	}
	side := &serveTLS{config: &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequestClientCert,
	}}
	if opts.TLSClientCA != "" {
		data, name, err := resolver(g, true).KeyFile(opts.TLSClientCA)
		if err != nil {
			return nil, fmt.Errorf("--tls-client-ca: %w", err)
		}
		side.clientCAs = x509.NewCertPool()
		if !side.clientCAs.AppendCertsFromPEM(data) {
			return nil, failure.Usagef("key", "--tls-client-ca %s holds no PEM certificate", name)
		}
		if !selfSigned {
			side.config.ClientCAs = side.clientCAs
			side.config.ClientAuth = tls.VerifyClientCertIfGiven
		}
	}
	return side, nil
}

// anySelfSigned reports whether a client of serve, of any issuer, uses
// self_signed_tls_client_auth.
func anySelfSigned(clients []issuer.Client, users serveUsers) bool {
	all := append([]issuer.Client(nil), clients...)
	for _, ic := range users.issuers {
		all = append(all, ic.clients...)
	}
	for _, c := range all {
		if c.TLSAuth == issuer.MethodSelfSignedTLS {
			return true
		}
	}
	return false
}

// loadServerCertificate reads --tls-cert (a PEM chain) and --tls-key and checks the key is the
// certificate's.
func loadServerCertificate(g *Global, opts *ServeOptions) (tls.Certificate, error) {
	data, name, err := resolver(g, true).KeyFile(opts.TLSCert)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--tls-cert: %w", err)
	}
	chain := pemCertificates(data)
	if len(chain) == 0 {
		return tls.Certificate{}, failure.Usagef("key", "--tls-cert %s holds no PEM CERTIFICATE block", name)
	}
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		return tls.Certificate{}, failure.Usagef("key", "--tls-cert %s: the first certificate cannot be read: %v", name, err)
	}
	pass, err := resolvePassphrase(g, opts.Passphrase, true)
	if err != nil {
		return tls.Certificate{}, err
	}
	list, err := loadKeyFile(g, opts.TLSKey, pass, true)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--tls-key: %w", err)
	}
	signer, ok := list[0].JWK.Key.(crypto.Signer)
	if !ok || !list[0].IsPrivate() {
		return tls.Certificate{}, failure.Usagef("key", "--tls-key %s holds no private key; pass the private key of --tls-cert", list[0].Source)
	}
	pub, ok := leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(signer.Public()) {
		return tls.Certificate{}, failure.Usagef("key", "--tls-key %s is not the key of --tls-cert %s (the public keys differ); pass the matching pair", list[0].Source, name)
	}
	return tls.Certificate{Certificate: chain, PrivateKey: signer, Leaf: leaf}, nil
}

// pemCertificates returns the DER of every CERTIFICATE block in data, in order.
func pemCertificates(data []byte) [][]byte {
	var out [][]byte
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return out
		}
		if b.Type == "CERTIFICATE" {
			out = append(out, b.Bytes)
		}
	}
}

// roots returns the --tls-client-ca pool; nil for plain HTTP or without the flag.
func (t *serveTLS) roots() *x509.CertPool {
	if t == nil {
		return nil
	}
	return t.clientCAs
}

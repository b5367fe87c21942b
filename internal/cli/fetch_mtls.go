package cli

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/spf13/pflag"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/oauth"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// addMTLSFlags binds the mutual TLS (RFC 8705) flags and --ca-cert.
func addMTLSFlags(f *pflag.FlagSet, opts *FetchOptions) {
	f.StringVar(&opts.ClientCert, "client-cert", "", "TLS client certificate `FILE` (PEM, leaf first, then its chain) for tls_client_auth / self_signed_tls_client_auth")
	f.StringVar(&opts.ClientKey, "client-key", "", "private key `FILE` of --client-cert (PEM or JWK, in the key grammar; --passphrase opens an encrypted PEM)")
	f.StringVar(&opts.CACert, "ca-cert", "", "trust the CA certificates in `FILE` (PEM) for the server instead of the system roots")
}

// loadClientCertificate reads --client-cert and --client-key into the certificate the TLS
// handshakes offer, and checks the key is the certificate's: a missing half or a key of
// another certificate is a usage error before any request.
func loadClientCertificate(g *Global, s *fetchSettings) (*tls.Certificate, error) {
	switch {
	case s.clientCert == "" && s.clientKey == "":
		return nil, failure.Usagef("key", "%s needs the TLS client certificate: pass --client-cert FILE and --client-key FILE", s.authMethod)
	case s.clientCert == "":
		return nil, failure.Usagef("key", "--client-key without --client-cert: pass the certificate of that key with --client-cert FILE")
	case s.clientKey == "":
		return nil, failure.Usagef("key", "--client-cert without --client-key: pass the certificate's private key with --client-key FILE")
	}
	data, name, err := resolver(g, true).KeyFile(s.clientCert)
	if err != nil {
		return nil, fmt.Errorf("--client-cert: %w", err)
	}
	var chain [][]byte
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			chain = append(chain, b.Bytes)
		}
	}
	if len(chain) == 0 {
		return nil, failure.Usagef("key", "--client-cert %s holds no PEM CERTIFICATE block", name)
	}
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		return nil, failure.Usagef("key", "--client-cert %s: the first certificate cannot be read: %v", name, err)
	}
	var pass []byte
	if s.passphrase != "" {
		if pass, err = resolver(g, true).Secret(s.passphrase); err != nil {
			return nil, fmt.Errorf("--passphrase: %w", err)
		}
	}
	list, err := loadKeyFile(g, s.clientKey, pass, true)
	if err != nil {
		return nil, fmt.Errorf("--client-key: %w", err)
	}
	signer, ok := list[0].JWK.Key.(crypto.Signer)
	if !ok || !list[0].IsPrivate() {
		return nil, failure.Usagef("key", "--client-key %s holds no private key; pass the private key of --client-cert", list[0].Source)
	}
	pub, ok := leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(signer.Public()) {
		return nil, failure.Usagef("key", "--client-key %s is not the key of --client-cert %s (the public keys differ); pass the matching pair", list[0].Source, name)
	}
	return &tls.Certificate{Certificate: chain, PrivateKey: signer, Leaf: leaf}, nil
}

// loadCACerts reads --ca-cert into a pool of trusted roots; nil when there is no --ca-cert.
func loadCACerts(g *Global, spec string) (*x509.CertPool, error) {
	if spec == "" {
		return nil, nil
	}
	data, name, err := resolver(g, true).KeyFile(spec)
	if err != nil {
		return nil, fmt.Errorf("--ca-cert: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, failure.Usagef("key", "--ca-cert %s holds no PEM certificate", name)
	}
	return pool, nil
}

// checkCertBinding compares a certificate-bound token's cnf.x5t#S256 (RFC 8705 §3.1) with the
// client certificate's thumbprint: shown under --verbose, a warning when they differ or when
// the token carries none.
func (r *fetchRun) checkCertBinding(tok *oauth.Token) error {
	if r.clientCert == nil {
		return nil
	}
	want := oauth.CertThumbprint(r.clientCert.Certificate[0])
	got, ok, err := oauth.ConfirmedThumbprint(tok.AccessToken)
	switch {
	case err != nil:
		return err
	case !ok:
		r.verbosef("the access token carries no cnf.x5t#S256 (opaque, or not bound to the certificate)")
	case got != want:
		r.g.Warnf("the access token's cnf.x5t#S256 %s is not the client certificate's thumbprint %s: the token is bound to another certificate", safehttp.Sanitize(got, 60), want)
	default:
		r.verbosef("certificate-bound token: cnf.x5t#S256 %s, the client certificate's thumbprint", got)
	}
	return nil
}

// jwksClient is the client for the issuer's key set at jwksURI: the run's client when it
// carries no TLS client certificate or when the key set is on a host the certificate is for
// (the issuer's, the token endpoint's, the revocation endpoint's or their mTLS aliases'), else a
// client without the certificate, so that a key set served from elsewhere (a CDN, another
// service) is not shown who the client is.
func (r *fetchRun) jwksClient(jwksURI string) *safehttp.Client {
	if r.clientCert == nil {
		return r.client
	}
	u, err := url.Parse(jwksURI)
	if err != nil {
		return r.client // the fetcher refuses it with its own message
	}
	for _, h := range r.certHosts() {
		if strings.EqualFold(h, u.Host) {
			return r.client
		}
	}
	if r.plainClient == nil {
		var verbose io.Writer
		if r.opts.Verbose {
			verbose = r.red.writer(r.g.deps.IO.ErrOut)
		}
		// No risk to repeat: the run's client said what --insecure exposes.
		r.plainClient = newHTTPClientTLS(r.g, r.s.timeout, r.s.insecure, "", verbose, r.roots, nil)
	}
	return r.plainClient
}

// certHosts are the hosts (host[:port]) the TLS client certificate is shown to: the issuer's,
// --token-url's, and those of the metadata's token and revocation endpoints and mTLS aliases.
func (r *fetchRun) certHosts() []string {
	var hosts []string
	add := func(raw string) {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		}
	}
	add(r.s.issuer)
	add(r.s.tokenURL)
	if r.doc != nil {
		add(r.doc.TokenEndpoint)
		if r.meta != nil {
			add(r.meta.RevocationEndpoint)
		}
		for _, name := range []string{"token_endpoint", "revocation_endpoint", "device_authorization_endpoint", "introspection_endpoint"} {
			if alias, err := oauth.MTLSEndpoint(r.doc.Raw, name); err == nil {
				add(alias)
			}
		}
	}
	return hosts
}

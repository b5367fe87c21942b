package issuer

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
)

// Mutual TLS client authentication methods (RFC 8705 §2).
const (
	// MethodTLS is PKI mutual TLS: the certificate chains to a trusted CA (Config.ClientCAs)
	// and its subject matches the client's registered one (§2.1).
	MethodTLS = "tls_client_auth"
	// MethodSelfSignedTLS is self-signed mutual TLS: the certificate's public key is one of
	// the client's registered keys (§2.2).
	MethodSelfSignedTLS = "self_signed_tls_client_auth"
)

// The subject fields a tls_client_auth client registers exactly one of (RFC 8705 §2.1.2),
// named as the metadata parameter after "tls_client_auth_".
const (
	SubjectDN       = "subject_dn"
	SubjectSANDNS   = "san_dns"
	SubjectSANURI   = "san_uri"
	SubjectSANIP    = "san_ip"
	SubjectSANEmail = "san_email"
)

// TLSSubject is the certificate subject a tls_client_auth client is registered with: Field is
// one of SubjectDN, SubjectSANDNS, SubjectSANURI, SubjectSANIP, SubjectSANEmail; Value is
// the distinguished name in RFC 4514 form (as pkix.Name.String writes it), or the SAN entry.
type TLSSubject struct {
	Field, Value string
}

// IsTLSMethod reports whether method authenticates the client by its TLS certificate.
func IsTLSMethod(method string) bool {
	return method == MethodTLS || method == MethodSelfSignedTLS
}

// checkTLSSubject checks a registered subject: a known field and a value of its form.
func checkTLSSubject(s TLSSubject) error {
	switch s.Field {
	case SubjectDN, SubjectSANDNS, SubjectSANURI, SubjectSANEmail:
	case SubjectSANIP:
		if net.ParseIP(s.Value) == nil {
			return usageError("tls_client_auth_san_ip %q is not an IP address", Sanitize(s.Value, 60))
		}
	case "":
		return usageError("tls_client_auth needs exactly one of tls_client_auth_subject_dn, _san_dns, _san_uri, _san_ip, _san_email")
	default:
		return usageError("unknown certificate subject field %q", Sanitize(s.Field, 40))
	}
	if s.Value == "" || len(s.Value) > 1000 || Sanitize(s.Value, 1000) != s.Value {
		return usageError("tls_client_auth_%s must be printable ASCII, 1 to 1000 bytes", s.Field)
	}
	return nil
}

// Matches reports whether cert has the subject s (RFC 8705 §2.1.2): the subject DN in RFC
// 4514 form equal to Value, or one SAN entry of the field equal to it (DNS names without
// regard to case, IP addresses as addresses).
func (s TLSSubject) Matches(cert *x509.Certificate) bool {
	switch s.Field {
	case SubjectDN:
		return cert.Subject.String() == s.Value
	case SubjectSANDNS:
		for _, n := range cert.DNSNames {
			if strings.EqualFold(n, s.Value) {
				return true
			}
		}
	case SubjectSANURI:
		for _, u := range cert.URIs {
			if u.String() == s.Value {
				return true
			}
		}
	case SubjectSANIP:
		want := net.ParseIP(s.Value)
		for _, ip := range cert.IPAddresses {
			if want != nil && ip.Equal(want) {
				return true
			}
		}
	case SubjectSANEmail:
		for _, e := range cert.EmailAddresses {
			if e == s.Value {
				return true
			}
		}
	}
	return false
}

// checkTLSClient checks what a client registered for mutual TLS needs: a server that
// requests client certificates, and for tls_client_auth a subject and trusted CAs, for the
// self-signed method keys; neither has a secret or private_key_jwt keys.
func checkTLSClient(c *Client, cfg *Config) error {
	if c.TLSAuth == "" {
		if len(c.TLSKeys) > 0 || c.TLSSubject != (TLSSubject{}) {
			return usageError("client %q has certificate settings but no token_endpoint_auth_method; set tls_client_auth or self_signed_tls_client_auth", c.ID)
		}
		return nil
	}
	if !IsTLSMethod(c.TLSAuth) {
		return usageError("client %q: token_endpoint_auth_method %q is not tls_client_auth or self_signed_tls_client_auth", c.ID, Sanitize(c.TLSAuth, 60))
	}
	if !cfg.MTLS {
		return usageError("client %q uses %s, which needs serve over TLS: add --tls (or --tls-cert and --tls-key)", c.ID, c.TLSAuth)
	}
	if len(c.Secret) > 0 || len(c.Keys) > 0 {
		return usageError("client %q uses %s and authenticates by its certificate alone; drop its secret and private_key_jwt keys", c.ID, c.TLSAuth)
	}
	if c.TLSAuth == MethodTLS {
		if cfg.ClientCAs == nil {
			return usageError("client %q uses tls_client_auth, whose certificates must chain to a trusted CA: add --tls-client-ca FILE", c.ID)
		}
		if err := checkTLSSubject(c.TLSSubject); err != nil {
			return usageError("client %q: %v", c.ID, err)
		}
		return nil
	}
	if c.TLSSubject != (TLSSubject{}) {
		return usageError("client %q: self_signed_tls_client_auth matches the certificate's key, not a subject; drop tls_client_auth_%s", c.ID, c.TLSSubject.Field)
	}
	if len(c.TLSKeys) == 0 {
		return usageError("client %q uses self_signed_tls_client_auth and needs its certificate or public key in jwks", c.ID)
	}
	for _, k := range c.TLSKeys {
		if k.IsSymmetric() {
			return usageError("client %q: %s is a secret; self_signed_tls_client_auth needs the certificate's public key", c.ID, k.Source)
		}
	}
	return nil
}

// authenticateCert checks the TLS client certificate of r for c, a client registered for
// mutual TLS. Every refusal is the same invalid_client; the reason, which never names the
// registered subject, goes to the log.
func (s *Server) authenticateCert(r *http.Request, c *Client) *oauthError {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return clientAuthFailed("no TLS client certificate on the connection (" + c.TLSAuth + ")")
	}
	leaf := r.TLS.PeerCertificates[0]
	if c.TLSAuth == MethodSelfSignedTLS {
		for _, k := range c.TLSKeys {
			if pub, ok := leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); ok && pub.Equal(publicKeyOf(k.JWK.Key)) {
				return nil
			}
		}
		return clientAuthFailed("the TLS client certificate's key is not one the client registered")
	}
	inter := x509.NewCertPool()
	for _, ic := range r.TLS.PeerCertificates[1:] {
		inter.AddCert(ic)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: s.cfg.ClientCAs, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return clientAuthFailed("the TLS client certificate does not chain to --tls-client-ca for client authentication")
	}
	if !c.TLSSubject.Matches(leaf) {
		return clientAuthFailed("the TLS client certificate does not have the registered tls_client_auth_" + c.TLSSubject.Field)
	}
	return nil
}

// publicKeyOf returns the public key of a JWK's key, private or public.
func publicKeyOf(k any) crypto.PublicKey {
	if signer, ok := k.(crypto.Signer); ok {
		return signer.Public()
	}
	return k
}

// CertThumbprint is the RFC 8705 §3.1 x5t#S256 of a certificate: the base64url SHA-256 of its
// DER encoding.
func CertThumbprint(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// binding is what a grant's access token is bound to (cnf): a DPoP key's thumbprint (jkt,
// RFC 9449 §6.1), a client certificate's (x5t#S256, RFC 8705 §3.1), or nothing.
type binding struct {
	jkt, x5t string
}

// cnf is the confirmation claim of b, nil for an unbound token.
func (b binding) cnf() map[string]string {
	if b.jkt == "" && b.x5t == "" {
		return nil
	}
	out := map[string]string{}
	if b.jkt != "" {
		out["jkt"] = b.jkt
	}
	if b.x5t != "" {
		out["x5t#S256"] = b.x5t
	}
	return out
}

// certBinding is the x5t#S256 the tokens of a request are bound to: the certificate of a
// client that authenticated with it, "" otherwise (a client's certificate is not checked
// unless it authenticates with it, so binding it would bind to anything the client sends).
func certBinding(r *http.Request, c *Client) string {
	if c == nil || !IsTLSMethod(c.TLSAuth) || r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return ""
	}
	return CertThumbprint(r.TLS.PeerCertificates[0].Raw)
}

// resourceCert checks a certificate-bound access token presented to a resource endpoint
// (/userinfo, RFC 8705 §3): the connection's client certificate must be the one whose
// thumbprint is cnf.x5t#S256. Its error is invalid_token.
func resourceCert(r *http.Request, payload map[string]any) *oauthError {
	cnf, _ := payload["cnf"].(map[string]any)
	want, _ := cnf["x5t#S256"].(string)
	switch {
	case want == "":
		return nil
	case r.TLS == nil || len(r.TLS.PeerCertificates) == 0:
		return newError(http.StatusUnauthorized, ErrInvalidToken, "the access token is bound to a TLS client certificate; present it on the connection (RFC 8705 §3)")
	case CertThumbprint(r.TLS.PeerCertificates[0].Raw) != want:
		return newError(http.StatusUnauthorized, ErrInvalidToken, "the access token is bound to another TLS client certificate than the connection's (RFC 8705 §3)")
	}
	return nil
}

package oauth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// Mutual TLS client authentication methods (RFC 8705 §2): the client proves itself with the TLS
// client certificate of the connection and sends only its client_id in the form.
const (
	// AuthTLSClientAuth is PKI mutual TLS: the server checks the certificate chains to a CA it
	// trusts and matches the registered subject.
	AuthTLSClientAuth = "tls_client_auth"
	// AuthSelfSignedTLSClientAuth is self-signed mutual TLS: the server matches the certificate
	// against the client's registered keys.
	AuthSelfSignedTLSClientAuth = "self_signed_tls_client_auth"
)

// IsTLSAuth reports whether method authenticates the client by its TLS certificate.
func IsTLSAuth(method string) bool {
	return method == AuthTLSClientAuth || method == AuthSelfSignedTLSClientAuth
}

// CertThumbprint is the RFC 8705 §3.1 x5t#S256 of a certificate: the base64url SHA-256 of its
// DER encoding.
func CertThumbprint(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// maxConfirmationToken bounds the access tokens ConfirmedThumbprint reads.
const maxConfirmationToken = 64 << 10

// ConfirmedThumbprint reads the cnf.x5t#S256 confirmation of a JWT access token (RFC 8705 §3.1):
// the thumbprint, and whether the token is a JWT that has one. An opaque token, or a JWT
// without the member, gives ("", false); a cnf.x5t#S256 that is not a base64url SHA-256 is
// failure.Remote. The signature is not checked: the caller only compares the value with its
// own certificate.
func ConfirmedThumbprint(token string) (string, bool, error) {
	if len(token) > maxConfirmationToken {
		return "", false, nil
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", false, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false, nil
	}
	var payload struct {
		Cnf map[string]json.RawMessage `json:"cnf"`
	}
	if json.Unmarshal(raw, &payload) != nil || payload.Cnf == nil {
		return "", false, nil
	}
	m, ok := payload.Cnf["x5t#S256"]
	if !ok {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(m, &s); err != nil {
		return "", false, failure.Remotef("token_response", "the access token's cnf.x5t#S256 is not a string")
	}
	if b, err := base64.RawURLEncoding.DecodeString(s); err != nil || len(b) != sha256.Size {
		return "", false, failure.Remotef("token_response", "the access token's cnf.x5t#S256 %q is not a base64url SHA-256 thumbprint", safehttp.Sanitize(s, 60))
	}
	return s, true, nil
}

// MTLSTokenEndpoint returns the token endpoint alias of an RFC 8705 §5 mtls_endpoint_aliases
// member in a server metadata document, "" when there is none; see MTLSEndpoint.
func MTLSTokenEndpoint(metadata json.RawMessage) (string, error) {
	return MTLSEndpoint(metadata, "token_endpoint")
}

// MTLSEndpoint returns the alias of the endpoint named by the metadata member name (such as
// "token_endpoint" or "revocation_endpoint") in an RFC 8705 §5 mtls_endpoint_aliases member of
// a server metadata document, "" when there is none. An alias that is not an absolute https URL
// with a host (no user info, no fragment, at most 2 KiB of printable ASCII) is failure.Remote.
func MTLSEndpoint(metadata json.RawMessage, name string) (string, error) {
	var doc struct {
		Aliases map[string]json.RawMessage `json:"mtls_endpoint_aliases"`
	}
	if json.Unmarshal(metadata, &doc) != nil || doc.Aliases == nil {
		return "", nil
	}
	raw, ok := doc.Aliases[name]
	if !ok {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil || !isTokenText(s) || len(s) > 2048 {
		return "", failure.Remotef("discovery", "the metadata's mtls_endpoint_aliases.%s is not an https URL", name)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Hostname() == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return "", failure.Remotef("discovery", "the metadata's mtls_endpoint_aliases.%s %q is not an https URL with a host", name, safehttp.Sanitize(s, 200))
	}
	return s, nil
}

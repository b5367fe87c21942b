package oauth

import (
	"slices"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// Credentials says what the user gave for client authentication, for ChooseAuthMethod.
type Credentials struct {
	// Secret: a client secret; Key: a private key for assertions; Cert: a TLS client
	// certificate.
	Secret, Key, Cert bool
	// Public: the grant may be used by a public client (no authentication, method none).
	Public bool
}

// fits lists the methods the credentials can serve. A client certificate or an assertion key
// is given for its methods alone (fetch refuses either with any other method), so it decides
// over a secret, which may be ambient ($JWTKIT_CLIENT_SECRET); both together fit the methods
// of each, and the one not used is then refused.
func (c Credentials) fits() []string {
	var out []string
	if c.Cert {
		out = append(out, AuthTLSClientAuth, AuthSelfSignedTLSClientAuth)
	}
	if c.Key {
		out = append(out, AuthPrivateKeyJWT)
	}
	if len(out) > 0 {
		return out
	}
	if c.Secret {
		return []string{AuthClientSecretBasic, AuthClientSecretPost}
	}
	if c.Public {
		return []string{AuthNone}
	}
	return nil
}

// ChooseAuthMethod picks the client authentication method from a server's
// token_endpoint_auth_methods_supported (issue 14): among the methods the credentials fit,
// the one the server lists first. None fitting is failure.Usage naming the server's list and
// what would fit.
func ChooseAuthMethod(supported []string, c Credentials) (string, error) {
	fits := c.fits()
	for _, m := range supported {
		if slices.Contains(fits, m) {
			return m, nil
		}
	}
	list := make([]string, 0, len(supported))
	for _, m := range supported {
		list = append(list, safehttp.Sanitize(m, 60))
	}
	server := safehttp.Sanitize(strings.Join(list, ", "), 300)
	if len(fits) == 0 {
		return "", failure.Usagef("usage", "no client credentials: the server supports %s; pass --client-secret, --assertion-key or --client-cert (and --auth-method)", server)
	}
	return "", failure.Usagef("usage", "what was given fits %s, but the server supports only %s; pass the credentials of one of those, or --auth-method to try anyway",
		strings.Join(fits, ", "), server)
}

package cli

import (
	"context"
	"strings"

	"github.com/jwtkit/jwtkit/internal/oauth"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// chooseAuthMethod settles the client authentication method when neither --auth-method nor
// the profile names one (issue 14): with an issuer whose metadata lists
// token_endpoint_auth_methods_supported, the method that fits what was given (a secret, a
// private key, a client certificate, or nothing for a public client; a key or certificate
// outweighs a secret), the server's first when several fit, named under --verbose; none fitting is exit 2 with the server's list.
// Without that list the defaults stand (a client certificate means tls_client_auth).
func (r *fetchRun) chooseAuthMethod(ctx context.Context) error {
	s := r.s
	if s.authMethod != "" || s.clientID == "" {
		return nil
	}
	hasCert := s.clientCert != "" || s.clientKey != ""
	if hasCert {
		// A half pair or a key of another certificate is the user's error, said before the
		// issuer's metadata is read.
		cert, err := loadClientCertificate(r.g, s)
		if err != nil {
			return err
		}
		r.clientCert = cert
	}
	fallback := func() error {
		if hasCert {
			s.authMethod = oauth.AuthTLSClientAuth
		}
		return nil
	}
	if s.issuer == "" || s.tokenURL != "" {
		return fallback()
	}
	roots, err := loadCACerts(r.g, s.caCert)
	if err != nil {
		return err
	}
	r.roots = roots
	r.client = r.httpClient()
	if !r.opts.NoCache && s.cacheable() {
		r.cache = r.openCache()
	}
	doc, _, err := r.metadata(ctx)
	if err != nil {
		return err
	}
	supported := doc.TokenEndpointAuthMethodsSupported
	if len(supported) == 0 {
		return fallback()
	}
	method, err := oauth.ChooseAuthMethod(supported, oauth.Credentials{
		Secret: s.secretSpec != "", Key: s.assertionKey != "", Cert: hasCert, Public: s.publicClientAllowed(),
	})
	if err != nil {
		return err
	}
	s.authMethod = method
	r.verbosef("client authentication %s, chosen from the server's token_endpoint_auth_methods_supported (%s)",
		method, safehttp.Sanitize(strings.Join(supported, ", "), 300))
	return nil
}

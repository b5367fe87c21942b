package issuer

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// Client authentication methods, as discovery names them (the mutual TLS ones are in mtls.go).
const (
	MethodBasic = "client_secret_basic"
	MethodPost  = "client_secret_post"
	MethodJWT   = "private_key_jwt"
)

// AssertionType is the only client_assertion_type accepted (RFC 7523 §2.2).
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// clientAuthFailed is what every failed client authentication looks like from outside, so
// that the response does not tell an unknown client from a wrong secret; detail, the real
// reason, goes only to the request log.
func clientAuthFailed(detail string) *oauthError {
	return newError(http.StatusUnauthorized, ErrInvalidClient, "client authentication failed").withDetail(detail)
}

// authenticate finds the client of a token request and checks its credentials. It returns the
// method used; exactly one method must be present (RFC 6749 §2.3).
func (s *Server) authenticate(r *http.Request, form url.Values) (*Client, string, *oauthError) {
	authz := r.Header.Get("Authorization")
	hasBasic := authz != ""
	hasPost := form.Has("client_secret")
	hasJWT := form.Has("client_assertion") || form.Has("client_assertion_type")
	n := 0
	for _, b := range []bool{hasBasic, hasPost, hasJWT} {
		if b {
			n++
		}
	}
	if c := s.clients[claimedClientID(r, form)]; c != nil && c.TLSAuth != "" {
		if n > 0 {
			return nil, "", clientAuthFailed("the client is registered for " + c.TLSAuth + " and authenticates by its TLS certificate alone")
		}
		if oerr := s.authenticateCert(r, c); oerr != nil {
			return nil, c.TLSAuth, oerr
		}
		return c, c.TLSAuth, nil
	}
	switch {
	case n == 0:
		return nil, "", clientAuthFailed("no client authentication: use HTTP Basic, client_secret, client_assertion or a TLS client certificate")
	case n > 1:
		return nil, "", newError(http.StatusBadRequest, ErrInvalidRequest,
			"the request uses more than one client authentication method (RFC 6749 §2.3)")
	case hasBasic:
		c, err := s.authenticateBasic(authz, form)
		return c, MethodBasic, err
	case hasPost:
		c, err := s.authenticatePost(form)
		return c, MethodPost, err
	default:
		c, err := s.authenticateAssertion(form)
		return c, MethodJWT, err
	}
}

// claimedClientID returns the client id a request claims, for the log of a failed request.
func claimedClientID(r *http.Request, form url.Values) string {
	if id, _, ok := r.BasicAuth(); ok {
		if dec, err := url.QueryUnescape(id); err == nil {
			return dec
		}
		return id
	}
	return form.Get("client_id")
}

// authenticateBasic checks client_secret_basic: the id and secret are form-urlencoded before
// they are joined and base64-encoded (RFC 6749 §2.3.1), so they are decoded here.
func (s *Server) authenticateBasic(authz string, form url.Values) (*Client, *oauthError) {
	scheme, _, _ := strings.Cut(authz, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return nil, newError(http.StatusBadRequest, ErrInvalidRequest,
			"the token endpoint accepts only Basic authorization; send the client credentials with Basic, in the body, or as a client assertion")
	}
	r := http.Request{Header: http.Header{"Authorization": {authz}}}
	rawID, rawSecret, ok := r.BasicAuth()
	if !ok {
		return nil, clientAuthFailed("malformed Basic credentials")
	}
	id, err1 := url.QueryUnescape(rawID)
	secret, err2 := url.QueryUnescape(rawSecret)
	if err1 != nil || err2 != nil {
		return nil, newError(http.StatusUnauthorized, ErrInvalidClient,
			"malformed Basic credentials: form-urlencode the client id and secret before base64 (RFC 6749 §2.3.1)")
	}
	if bodyID := form.Get("client_id"); bodyID != "" && bodyID != id {
		return nil, newError(http.StatusBadRequest, ErrInvalidRequest, "client_id in the body differs from the one in the Authorization header")
	}
	return s.checkSecret(id, secret)
}

// authenticatePost checks client_secret_post.
func (s *Server) authenticatePost(form url.Values) (*Client, *oauthError) {
	id := form.Get("client_id")
	if id == "" {
		return nil, newError(http.StatusBadRequest, ErrInvalidRequest, "client_secret is given without client_id")
	}
	return s.checkSecret(id, form.Get("client_secret"))
}

// checkSecret compares secrets in constant time (over their hashes, so that the length does
// not leak either).
func (s *Server) checkSecret(id, secret string) (*Client, *oauthError) {
	c := s.clients[id]
	if c == nil {
		return nil, clientAuthFailed("unknown client")
	}
	if len(c.Secret) == 0 {
		return nil, clientAuthFailed("client has no secret; it authenticates with private_key_jwt")
	}
	got := sha256.Sum256([]byte(secret))
	want := sha256.Sum256(c.Secret)
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return nil, clientAuthFailed("wrong client secret")
	}
	return c, nil
}

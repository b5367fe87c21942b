package issuer

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

// assertionRejected is the response to an authenticated client whose assertion fails a claim
// check: the signature proved who it is, so the description may say what is wrong.
func assertionRejected(format string, args ...any) *oauthError {
	return newError(http.StatusUnauthorized, ErrInvalidClient, "client assertion: "+fmt.Sprintf(format, args...))
}

// authenticateAssertion checks private_key_jwt (RFC 7523 §3, OpenID Connect Core §9): a JWT
// signed by one of the client's registered keys with an asymmetric algorithm, iss = sub = the
// client id, aud the token endpoint or the issuer (one value), exp present and at most
// MaxAssertionLifetime away, and a jti not seen before while the assertion lives.
func (s *Server) authenticateAssertion(form url.Values) (*Client, *oauthError) {
	typ, raw := form.Get("client_assertion_type"), form.Get("client_assertion")
	if typ == "" || raw == "" {
		return nil, newError(http.StatusBadRequest, ErrInvalidRequest,
			"private_key_jwt needs both client_assertion_type and client_assertion")
	}
	if typ != AssertionType {
		return nil, clientAuthFailed("unsupported client_assertion_type " + Sanitize(typ, 100)).
			withDescription("client_assertion_type must be " + AssertionType)
	}
	p, problem := parseAssertion(raw)
	if problem != "" {
		return nil, clientAuthFailed("client assertion: " + problem).withDescription("client assertion " + problem)
	}
	alg := p.Alg()
	iss, _ := p.Payload["iss"].(string)
	sub, _ := p.Payload["sub"].(string)
	if iss == "" || iss != sub {
		return nil, clientAuthFailed("client assertion iss and sub differ or are missing").
			withDescription("client assertion iss and sub must both be the client id")
	}
	if id := form.Get("client_id"); id != "" && id != iss {
		return nil, newError(http.StatusBadRequest, ErrInvalidRequest, "client_id differs from the client assertion's iss")
	}
	c := s.clients[iss]
	if c == nil {
		return nil, clientAuthFailed("unknown client")
	}
	if len(c.Keys) == 0 {
		return nil, clientAuthFailed("client has no registered keys for private_key_jwt")
	}
	if err := verifyWithClientKeys(c.Keys, alg, p); err != nil {
		return nil, clientAuthFailed(err.Error())
	}
	if oerr := s.checkAssertionClaims(c, p); oerr != nil {
		return nil, oerr
	}
	return c, nil
}

// withDescription returns a copy of e with a different public description, keeping its detail.
func (e *oauthError) withDescription(description string) *oauthError {
	c := *e
	c.description = description
	return &c
}

// verifyWithClientKeys verifies p with the client's key named by the header kid (or one without
// a kid), or, when the header has no kid, with any of its keys that suits alg.
func verifyWithClientKeys(list []keys.Key, alg string, p *token.Parsed) error {
	kid := p.Kid()
	tried := 0
	for _, k := range list {
		// A registered key without a kid (a PEM public key) is tried whatever the header's
		// kid: signers name such keys by their thumbprint, which is only one convention.
		if kid != "" && k.JWK.KeyID != "" && k.JWK.KeyID != kid {
			continue
		}
		if keys.CheckAlg(k, alg, false) != nil {
			continue
		}
		tried++
		if verifySignature(alg, k.JWK.Key, p.SigningInput, p.Signature) == nil {
			return nil
		}
	}
	switch {
	case tried > 0:
		return errors.New("the assertion signature does not verify")
	case kid != "":
		return fmt.Errorf("no registered key with kid %s for %s", Sanitize(kid, 60), alg)
	default:
		return fmt.Errorf("no registered key suits %s", alg)
	}
}

// parseAssertion parses a JWT assertion (a client assertion or a jwt-bearer grant's) and
// checks its form: a compact JWS of at most MaxAssertionBytes, no crit, an asymmetric algorithm.
// problem, when not empty, says what is wrong, fit to follow "client assertion " or "assertion ".
func parseAssertion(raw string) (p *token.Parsed, problem string) {
	p, err := token.Parse(raw, MaxAssertionBytes)
	switch {
	case err != nil:
		return nil, "is not a well-formed JWT"
	case p.Encrypted || p.Unencoded:
		return nil, "must be a signed JWT (JWS compact form)"
	}
	if _, ok := p.Header["crit"]; ok {
		return nil, "has a crit header this server does not understand"
	}
	if !contains(assertionAlgs, p.Alg()) {
		return nil, "algorithm must be one of the token_endpoint_auth_signing_alg_values_supported"
	}
	return p, ""
}

// assertionClaims checks the claims every assertion of RFC 7523 §3 must have, once its
// signature verified: aud this server's token endpoint or issuer (one value), exp present, in
// the future and at most maxLife away, nbf and iat not in the future, and a jti (when
// requireJTI; else a jti that is present must still be a string). It returns exp and jti, or
// a problem that reads after "assertion: ".
func (s *Server) assertionClaims(p *token.Parsed, maxLife time.Duration, requireJTI bool) (exp time.Time, jti, problem string) {
	now := s.cfg.Now()
	tokenURL := s.URL(PathToken)
	if !audienceIs(p.Payload["aud"], tokenURL, s.cfg.Issuer) {
		return exp, "", fmt.Sprintf("aud must be the token endpoint %s or the issuer %s, as a single value", tokenURL, s.cfg.Issuer)
	}
	exp, ok, err := p.NumericDate("exp")
	switch {
	case err != nil:
		return exp, "", "exp is not a NumericDate"
	case !ok:
		return exp, "", "exp is missing"
	case !exp.After(now):
		return exp, "", "expired at " + exp.UTC().Format(time.RFC3339)
	case exp.Sub(now) > maxLife:
		return exp, "", fmt.Sprintf("exp is more than %s away; make assertions short-lived", maxLife)
	}
	for _, name := range []string{"nbf", "iat"} {
		t, ok, err := p.NumericDate(name)
		if err != nil {
			return exp, "", name + " is not a NumericDate"
		}
		if ok && t.After(now.Add(ClockSkew)) {
			return exp, "", fmt.Sprintf("%s is in the future (%s)", name, t.UTC().Format(time.RFC3339))
		}
	}
	jti, _ = p.Payload["jti"].(string)
	if _, present := p.Payload["jti"]; (present || requireJTI) && (jti == "" || len(jti) > 256) {
		return exp, "", "jti is missing (a unique id of at most 256 bytes is required)"
	}
	return exp, jti, ""
}

// checkAssertionClaims checks the claims of a client assertion whose signature verified, and
// records its jti.
func (s *Server) checkAssertionClaims(c *Client, p *token.Parsed) *oauthError {
	exp, jti, problem := s.assertionClaims(p, MaxAssertionLifetime, true)
	if problem != "" {
		return assertionRejected("%s", problem)
	}
	switch err := s.replay.add(c.ID+"\x00"+jti, exp, s.cfg.Now()); {
	case errors.Is(err, errReplayed):
		return assertionRejected("jti was already used; make a fresh assertion for every request")
	case err != nil:
		return newError(http.StatusServiceUnavailable, ErrTemporarilyUnavailable,
			"too many live client assertions; retry in a few minutes")
	}
	return nil
}

// audienceIs reports whether aud, a decoded claim, is a single string (or a one-element array
// of one) equal to one of want.
func audienceIs(aud any, want ...string) bool {
	if list, ok := aud.([]any); ok {
		if len(list) != 1 {
			return false
		}
		aud = list[0]
	}
	s, ok := aud.(string)
	if !ok {
		return false
	}
	return contains(want, s)
}

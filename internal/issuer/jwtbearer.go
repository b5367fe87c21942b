package issuer

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/jwtkit/jwtkit/internal/keys"
)

// GrantJWTBearer is the RFC 7523 §2.1 grant: a JWT assertion buys an access token for its sub.
const GrantJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// MaxGrantAssertionLifetime is how far in the future a jwt-bearer assertion's exp may be.
// It is longer than a client assertion's, since the libraries that make these (service
// account credentials) give them an hour.
const MaxGrantAssertionLifetime = time.Hour

// TrustedIssuer is an issuer of jwt-bearer assertions other than the registered clients: any
// authenticated client may present its assertions, and their sub becomes the token's.
type TrustedIssuer struct {
	// Issuer is the iss of its assertions.
	Issuer string
	// Keys are its public keys.
	Keys []keys.Key
}

// checkTrustedIssuers validates the trusted issuers: unique, printable, with public keys,
// and not the id of a client (whose keys would then be ambiguous).
func checkTrustedIssuers(list []TrustedIssuer, clients map[string]*Client) (map[string]*TrustedIssuer, error) {
	out := make(map[string]*TrustedIssuer, len(list))
	for i := range list {
		ti := list[i]
		if ti.Issuer == "" || len(ti.Issuer) > 500 || Sanitize(ti.Issuer, 500) != ti.Issuer {
			return nil, usageError("trusted issuer %q: the issuer must be printable ASCII, at most 500 bytes", Sanitize(ti.Issuer, 60))
		}
		if _, dup := out[ti.Issuer]; dup {
			return nil, usageError("trusted issuer %q is listed twice", ti.Issuer)
		}
		if clients[ti.Issuer] != nil {
			return nil, usageError("trusted issuer %q is also a client id; register its keys once, as the client's", ti.Issuer)
		}
		if len(ti.Keys) == 0 {
			return nil, usageError("trusted issuer %q has no keys", ti.Issuer)
		}
		pub := make([]keys.Key, len(ti.Keys))
		for j, k := range ti.Keys {
			if k.IsSymmetric() {
				return nil, usageError("trusted issuer %q: %s is a secret; jwt-bearer assertions must be signed with RSA, EC or Ed25519 keys", ti.Issuer, k.Source)
			}
			pub[j] = k.Public()
		}
		ti.Keys = pub
		out[ti.Issuer] = &ti
	}
	return out, nil
}

// bearerClient returns the client of a jwt-bearer request: the authenticated one, or, for a
// request without client authentication (perhaps with a client_id, which must then be the
// assertion's iss), the client whose id is the assertion's iss: its signature is then the
// client's credential (RFC 7523 §3.1).
func (s *Server) bearerClient(r *http.Request, form url.Values, e *Entry) (*Client, *oauthError) {
	if r.Header.Get("Authorization") == "" && !form.Has("client_secret") &&
		!form.Has("client_assertion") && !form.Has("client_assertion_type") {
		raw := form.Get("assertion")
		if raw == "" {
			return nil, newError(http.StatusBadRequest, ErrInvalidRequest, "assertion is missing")
		}
		p, problem := parseAssertion(raw)
		if problem != "" {
			return nil, invalidGrant("the assertion " + problem)
		}
		iss, _ := p.Payload["iss"].(string)
		if c := s.clients[iss]; c != nil && len(c.Keys) > 0 && (!form.Has("client_id") || form.Get("client_id") == iss) {
			e.ClientID, e.AuthMethod = Sanitize(c.ID, 100), "assertion"
			return c, nil
		}
	}
	return s.authenticateRequest(r, form, e, true)
}

// jwtBearerGrant is the RFC 7523 §2.1 grant. The assertion must be signed by the keys of its
// iss, a registered client (then only that client may present it) or a trusted issuer; its
// claims pass the checks of every assertion (aud, exp at most MaxGrantAssertionLifetime away,
// nbf, iat), its sub names who the token is for, and its jti (or, without one, its hash) is
// recorded in the Store so that it works once. Every refusal is invalid_grant with a description of what is wrong.
func (s *Server) jwtBearerGrant(c *Client, form url.Values, b binding) (tokenResponse, *oauthError) {
	raw := form.Get("assertion")
	if raw == "" {
		return tokenResponse{}, newError(http.StatusBadRequest, ErrInvalidRequest, "assertion is missing")
	}
	p, problem := parseAssertion(raw)
	if problem != "" {
		return tokenResponse{}, invalidGrant("the assertion " + problem)
	}
	iss, _ := p.Payload["iss"].(string)
	sub, _ := p.Payload["sub"].(string)
	if iss == "" || sub == "" {
		return tokenResponse{}, invalidGrant("the assertion must have iss (who signed it) and sub (who the token is for)")
	}
	var trusted []keys.Key
	if owner := s.clients[iss]; owner != nil && len(owner.Keys) > 0 {
		if owner.ID != c.ID {
			return tokenResponse{}, invalidGrant("the assertion was issued by client " + Sanitize(iss, 100) + "; only that client may present it")
		}
		trusted = owner.Keys
	} else if ti := s.trusted[iss]; ti != nil {
		trusted = ti.Keys
	} else {
		return tokenResponse{}, invalidGrant("the assertion's iss " + Sanitize(iss, 100) +
			" is neither a client with registered keys nor a trusted issuer")
	}
	if err := verifyWithClientKeys(trusted, p.Alg(), p); err != nil {
		return tokenResponse{}, invalidGrant("the assertion is not signed by a key of " + Sanitize(iss, 100)).withDetail(err.Error())
	}
	exp, jti, problem := s.assertionClaims(p, MaxGrantAssertionLifetime, false)
	if problem != "" {
		return tokenResponse{}, invalidGrant("assertion: " + problem)
	}
	// Without a jti (RFC 7523 §3 makes it optional, and service-account libraries leave it
	// out) the assertion itself is the identifier: it still works once.
	replayKey := "jti\x00" + jti
	if jti == "" {
		replayKey = "hash\x00" + TokenHash(raw)
	}
	if err := checkSubject(sub); err != nil {
		return tokenResponse{}, invalidGrant("the assertion's sub must be printable ASCII without spaces, at most 200 bytes")
	}
	// The scope parameter, or else the assertion's scope claim, which Google-style
	// service-account libraries (x/oauth2/jwt) send instead.
	requested := form.Get("scope")
	if sc, ok := p.Payload["scope"].(string); ok && requested == "" {
		requested = sc
	}
	scope, oerr := grantScope(c, requested)
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	aud, oerr := s.requestedAudience(form)
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	// Last, so that a refused request does not use the jti up.
	switch err := s.store.UseJTI("jwt-bearer\x00"+iss+"\x00"+replayKey, exp, s.cfg.Now()); {
	case errors.Is(err, ErrReplayed):
		return tokenResponse{}, invalidGrant("the assertion's jti was already used; make a fresh assertion for every request")
	case err != nil:
		return tokenResponse{}, storeFailed(err)
	}
	g := grant{binding: b, grantType: GrantJWTBearer, client: c, scope: scope, audience: aud, subject: sub}
	return s.userTokens(&g, "", "")
}

package issuer

import (
	"net/http"
	"net/url"
	"time"
)

// RFC 8693 identifiers.
const (
	GrantTokenExchange   = "urn:ietf:params:oauth:grant-type:token-exchange"
	TokenTypeAccessToken = "urn:ietf:params:oauth:token-type:access_token"
	TokenTypeJWT         = "urn:ietf:params:oauth:token-type:jwt"
	TokenTypeIDToken     = "urn:ietf:params:oauth:token-type:id_token"
)

// presentedToken reads a subject or actor token (RFC 8693 §2.1): it must be a live, unrevoked
// token of this issuer of the declared type (an access token is typ at+jwt, an ID token typ
// JWT; the jwt type takes either). Tokens of another issuer are refused with invalid_request,
// as §2.2.2 says for any unacceptable token.
func (s *Server) presentedToken(form url.Values, name string) (map[string]any, time.Time, *oauthError) {
	raw, typ := form.Get(name), form.Get(name+"_type")
	if typ == "" {
		return nil, time.Time{}, newError(http.StatusBadRequest, ErrInvalidRequest, name+"_type is missing")
	}
	want := ""
	switch typ {
	case TokenTypeAccessToken:
		want = "at+jwt"
	case TokenTypeIDToken:
		want = "JWT"
	case TokenTypeJWT:
	default:
		return nil, time.Time{}, newError(http.StatusBadRequest, ErrInvalidRequest,
			name+"_type "+Sanitize(typ, 80)+" is not supported; use "+TokenTypeAccessToken+", "+TokenTypeIDToken+" or "+TokenTypeJWT)
	}
	p, exp, err := s.ownToken(raw, want)
	if err != nil {
		return nil, time.Time{}, newError(http.StatusBadRequest, ErrInvalidRequest,
			name+" is not acceptable: only live tokens issued by this server are exchanged").withDetail(name + ": " + err.Error())
	}
	if sub, _ := p.Payload["sub"].(string); sub == "" {
		return nil, time.Time{}, newError(http.StatusBadRequest, ErrInvalidRequest, name+" has no sub")
	}
	return p.Payload, exp, nil
}

// exchangeGrant is RFC 8693 token exchange for an authenticated client: an access token for
// the subject of subject_token, with the requested audience or resources, a scope that may
// only narrow the subject token's, an act claim naming the actor_token's subject (delegation,
// §4.1), and an exp no later than the subject token's.
func (s *Server) exchangeGrant(c *Client, form url.Values, b binding) (tokenResponse, *oauthError) {
	if rt := form.Get("requested_token_type"); rt != "" && rt != TokenTypeAccessToken && rt != TokenTypeJWT {
		return tokenResponse{}, newError(http.StatusBadRequest, ErrInvalidRequest,
			"requested_token_type "+Sanitize(rt, 80)+" is not supported; this server issues "+TokenTypeAccessToken)
	}
	subject, subjectExp, oerr := s.presentedToken(form, "subject_token")
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	var act map[string]any
	if form.Has("actor_token") {
		actor, _, oerr := s.presentedToken(form, "actor_token")
		if oerr != nil {
			return tokenResponse{}, oerr
		}
		act = map[string]any{"sub": actor["sub"]}
		if prior, ok := actor["act"]; ok {
			act["act"] = prior
		}
	} else if form.Has("actor_token_type") {
		return tokenResponse{}, newError(http.StatusBadRequest, ErrInvalidRequest, "actor_token_type is given without actor_token")
	}
	if prior, ok := subject["act"].(map[string]any); ok && act == nil {
		// No new actor: the subject token's delegation chain stays as it was.
		act = prior
	}
	granted, _ := subject["scope"].(string)
	scope, oerr := narrowScope(granted, form.Get("scope"))
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	if form.Get("scope") != "" {
		if _, oerr := grantScope(c, scope); oerr != nil {
			return tokenResponse{}, oerr
		}
	}
	aud, oerr := s.requestedAudience(form)
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	g := grant{binding: b, grantType: GrantTokenExchange, client: c, scope: scope, audience: aud, subject: subject["sub"].(string), act: act, notAfter: subjectExp}
	tok, oerr := s.accessToken(&g)
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	ttl := s.ttl
	if until := subjectExp.Sub(s.cfg.Now()); until < ttl {
		ttl = until
	}
	return tokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int64(ttl.Seconds()), Scope: scope,
		IssuedTokenType: TokenTypeAccessToken}, nil
}

package issuer

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// invalidGrant is the answer to a code or refresh token that cannot be used (RFC 6749 §5.2).
func invalidGrant(description string) *oauthError {
	return newError(http.StatusBadRequest, ErrInvalidGrant, description)
}

// storeFailed maps a Store error to a response.
func storeFailed(err error) *oauthError {
	if errors.Is(err, ErrStoreFull) {
		return newError(http.StatusServiceUnavailable, ErrTemporarilyUnavailable,
			"the server holds as many live grants as it may; retry when some have expired").withDetail(err.Error())
	}
	return serverError("the token store failed").withDetail(Sanitize(err.Error(), 200))
}

// codeGrant is the authorization code grant (RFC 6749 §4.1.3): the code must be live, unused,
// issued to this client for this redirect_uri, and the PKCE verifier must match its challenge
// (RFC 7636 §4.6). A code used a second time revokes every token issued from its first use
// (RFC 6749 §4.1.2).
func (s *Server) codeGrant(c *Client, form url.Values, b binding) (tokenResponse, *oauthError) {
	code := form.Get("code")
	if code == "" {
		return tokenResponse{}, newError(http.StatusBadRequest, ErrInvalidRequest, "code is missing")
	}
	now := s.cfg.Now()
	hash := TokenHash(code)
	ac, ok := s.store.Code(hash, now)
	switch {
	case !ok:
		return tokenResponse{}, invalidGrant("the authorization code is unknown or expired")
	case ac.ClientID != c.ID:
		return tokenResponse{}, invalidGrant("the authorization code was issued to another client")
	case form.Get("redirect_uri") != ac.RedirectURI:
		return tokenResponse{}, invalidGrant("redirect_uri must be the one of the authorization request (RFC 6749 §4.1.3)")
	}
	verifier := form.Get("code_verifier")
	switch {
	case ac.Challenge == "" && verifier != "":
		// RFC 9700 §2.1.1: a verifier without a challenge is a PKCE downgrade attempt.
		return tokenResponse{}, invalidGrant("code_verifier is given but the authorization request had no code_challenge")
	case ac.Challenge != "" && verifier == "":
		return tokenResponse{}, invalidGrant("code_verifier is missing; the authorization request had a code_challenge")
	case ac.Challenge != "" && !validVerifier(verifier):
		return tokenResponse{}, invalidGrant("code_verifier must be 43 to 128 unreserved characters (RFC 7636 §4.1)")
	case ac.Challenge != "" && !verifierMatches(verifier, ac.Challenge, ac.Method):
		return tokenResponse{}, invalidGrant("code_verifier does not match the code_challenge")
	}
	aud, oerr := s.requestedAudience(form)
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	familyID, oerr := s.randomID(16)
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	if first, replayed := s.store.RedeemCode(hash, familyID, now); replayed {
		s.store.RevokeFamily(first, now)
		return tokenResponse{}, invalidGrant("the authorization code was already used; the tokens issued for it are revoked (RFC 6749 §4.1.2)")
	}
	g := grant{binding: b, grantType: GrantAuthorizationCode, client: c, scope: ac.Scope, audience: aud, subject: ac.Subject, authTime: ac.AuthTime.Unix(), loginClaims: ac.Claims}
	// Without a refresh token the family matters only while its code could be replayed;
	// revoking it copies its access tokens' jti to the revocation list, which keeps them until
	// they expire.
	return s.startFamily(&g, familyID, ac.AuthTime, now.Add(s.codeTTL), ac.Nonce, now)
}

// startFamily issues the first tokens of a login: g's access token (its jti is set here), a
// refresh token when the client or the offline_access scope asks for one, and the Family that
// ties them together, so that a replay of what was redeemed revokes them. Without a refresh
// token the family lives until replayable, when its grant can no longer be replayed.
func (s *Server) startFamily(g *grant, familyID string, authTime, replayable time.Time, nonce string, now time.Time) (tokenResponse, *oauthError) {
	var oerr *oauthError
	if g.jti, oerr = s.randomID(16); oerr != nil {
		return tokenResponse{}, oerr
	}
	f := Family{
		ID: familyID, ClientID: g.client.ID, Subject: g.subject, Scope: g.scope, AuthTime: authTime,
		Expires: replayable,
		JTIs:    map[string]time.Time{g.jti: now.Add(s.ttl)},
		JKT:     refreshBinding(g),
		Claims:  g.loginClaims,
	}
	refresh := ""
	if g.client.RefreshTokens || hasScope(g.scope, "offline_access") {
		if refresh, oerr = s.randomID(32); oerr != nil {
			return tokenResponse{}, oerr
		}
		f.Current = TokenHash(refresh)
		f.Expires = now.Add(s.refreshTTL)
	}
	if oerr := s.keepLoginClaims(g, now); oerr != nil {
		return tokenResponse{}, oerr
	}
	if err := s.store.PutFamily(f, now); err != nil {
		return tokenResponse{}, storeFailed(err)
	}
	return s.userTokens(g, refresh, nonce)
}

// refreshGrant is the refresh token grant (RFC 6749 §6) with rotation: every use returns a new
// refresh token and the old one stops working; presenting a replaced one revokes the whole
// family (RFC 9700 §4.14.2). The scope may narrow, never widen.
func (s *Server) refreshGrant(c *Client, form url.Values, b binding) (tokenResponse, *oauthError) {
	rt := form.Get("refresh_token")
	if rt == "" {
		return tokenResponse{}, newError(http.StatusBadRequest, ErrInvalidRequest, "refresh_token is missing")
	}
	now := s.cfg.Now()
	hash := TokenHash(rt)
	f, current, ok := s.store.Refresh(hash, now)
	switch {
	case !ok:
		return tokenResponse{}, invalidGrant("the refresh token is unknown or expired")
	case f.ClientID != c.ID:
		return tokenResponse{}, invalidGrant("the refresh token was issued to another client")
	}
	if oerr := checkRefreshBinding(f, b.jkt); oerr != nil {
		return tokenResponse{}, oerr
	}
	scope := f.Scope
	var oerr *oauthError
	if current {
		if scope, oerr = narrowScope(f.Scope, form.Get("scope")); oerr != nil {
			return tokenResponse{}, oerr
		}
	}
	aud, oerr := s.requestedAudience(form)
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	g := grant{binding: b, grantType: GrantRefreshToken, client: c, scope: scope, audience: aud, subject: f.Subject, authTime: f.AuthTime.Unix(), loginClaims: f.Claims}
	if g.jti, oerr = s.randomID(16); oerr != nil {
		return tokenResponse{}, oerr
	}
	// Recorded before the rotation, so that a store with no room refuses the refresh while
	// the presented token still works; an unused record goes away when it expires.
	if oerr := s.keepLoginClaims(&g, now); oerr != nil {
		return tokenResponse{}, oerr
	}
	next, oerr := s.randomID(32)
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	_, state, err := s.store.RotateRefresh(hash, TokenHash(next), g.jti, now.Add(s.ttl), now)
	switch {
	case err != nil:
		return tokenResponse{}, storeFailed(err)
	case state == RefreshUnknown:
		return tokenResponse{}, invalidGrant("the refresh token is unknown or expired")
	case state == RefreshReused:
		return tokenResponse{}, invalidGrant("the refresh token was already used or revoked; every token of its grant is revoked now (RFC 9700 §4.14.2)")
	}
	return s.userTokens(&g, next, "")
}

// keepLoginClaims records the claims typed at the login page of g, if any, for its access
// token (g.jti), so that /userinfo answers them while the token lives.
func (s *Server) keepLoginClaims(g *grant, now time.Time) *oauthError {
	if g.loginClaims == nil {
		return nil
	}
	if err := s.store.PutLoginClaims(g.jti, g.loginClaims, now.Add(s.ttl), now); err != nil {
		return storeFailed(err)
	}
	return nil
}

// narrowScope returns the requested scope when every scope in it is in granted (RFC 6749 §6),
// or granted when none is requested.
func narrowScope(granted, requested string) (string, *oauthError) {
	if requested == "" {
		return granted, nil
	}
	have := strings.Fields(granted)
	var out []string
	for _, sc := range strings.Split(requested, " ") {
		if sc == "" {
			continue
		}
		if !contains(have, sc) {
			return "", newError(http.StatusBadRequest, ErrInvalidScope,
				"scope "+Sanitize(sc, 60)+" was not granted originally; a refresh may narrow the scope, never widen it")
		}
		if !contains(out, sc) {
			out = append(out, sc)
		}
	}
	return strings.Join(out, " "), nil
}

// hasScope reports whether the space-separated scope holds sc.
func hasScope(scope, sc string) bool {
	return contains(strings.Fields(scope), sc)
}

// userTokens signs the access token of g and, when the scope has openid, an ID token, and
// returns them with refresh (which may be empty).
func (s *Server) userTokens(g *grant, refresh, nonce string) (tokenResponse, *oauthError) {
	at, oerr := s.accessToken(g)
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	resp := tokenResponse{AccessToken: at, TokenType: "Bearer", ExpiresIn: int64(s.ttl.Seconds()), Scope: g.scope, RefreshToken: refresh}
	if hasScope(g.scope, "openid") {
		if resp.IDToken, oerr = s.idToken(g, at, nonce); oerr != nil {
			return tokenResponse{}, oerr
		}
	}
	return resp, nil
}

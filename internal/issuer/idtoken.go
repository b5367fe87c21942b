package issuer

import (
	"crypto"
	"encoding/base64"

	"github.com/jwtkit/jwtkit/internal/claims"
)

// idToken signs an OpenID Connect ID token (OpenID Connect Core §2, §3.1.3.6) for g: typ JWT,
// aud and azp the client, auth_time, nonce when the authorization request had one, at_hash of
// accessToken, the user's claims that the scope releases, and the claims typed at the login
// page, which win over the user's (a person typed them for this login; none is reserved).
func (s *Server) idToken(g *grant, accessToken, nonce string) (string, *oauthError) {
	now := s.cfg.Now()
	st := s.ring.current()
	header := claims.NewObject()
	header.Set("alg", st.signer.alg)
	header.Set("typ", "JWT")
	header.Set("kid", st.signer.kid)

	p := claims.NewObject()
	p.Set("iss", s.cfg.Issuer)
	p.Set("sub", g.subject)
	p.Set("aud", g.client.ID)
	p.Set("azp", g.client.ID)
	p.Set("iat", now.Unix())
	p.Set("exp", now.Add(s.ttl).Unix())
	if g.authTime != 0 {
		p.Set("auth_time", g.authTime)
	}
	if nonce != "" {
		p.Set("nonce", nonce)
	}
	p.Set("at_hash", halfHash(st.signer.alg, accessToken))
	released, oerr := userClaims(s.lookupUser(g.subject), g.scope,
		TemplateData{ClientID: g.client.ID, Scope: g.scope, Subject: g.subject, GrantType: g.grantType}, now)
	if oerr != nil {
		return "", oerr
	}
	for _, kv := range released {
		p.Set(kv[0].(string), kv[1])
	}
	setLoginClaims(p, g.loginClaims)
	return s.sign(st.signer, header, p)
}

// setLoginClaims sets in p the claims typed at the login page (nil for none) over those p
// has, except the reserved ones, which the form refuses already.
func setLoginClaims(p, typed *claims.Object) {
	if typed == nil {
		return
	}
	for _, name := range typed.Keys() {
		if !contains(reservedUserClaims, name) {
			v, _ := typed.Get(name)
			p.Set(name, v)
		}
	}
}

// lookupUser returns the configured user of sub, or a user of that sub without claims.
func (s *Server) lookupUser(sub string) *User {
	if u := s.users[sub]; u != nil {
		return u
	}
	return &User{Subject: sub}
}

// halfHash is at_hash (OpenID Connect Core §3.1.3.6): the base64url of the left half of the
// hash of value, with the hash of the signing algorithm (SHA-512 for EdDSA with Ed25519).
func halfHash(alg, value string) string {
	h := crypto.SHA256
	switch alg {
	case "RS384", "PS384", "ES384":
		h = crypto.SHA384
	case "RS512", "PS512", "ES512", "EdDSA":
		h = crypto.SHA512
	}
	d := h.New()
	d.Write([]byte(value))
	sum := d.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

package issuer

import (
	"crypto"
	"errors"
	"time"

	"github.com/jwtkit/jwtkit/internal/token"
)

// MaxTokenBytes caps a token presented to /userinfo, /introspect or /revoke.
const MaxTokenBytes = 16 << 10

// ownToken verifies that raw is a live JWT this server signed with a key it still publishes:
// a JWS with a known kid and its algorithm, iss this issuer, exp in the future, nbf not, the
// given typ ("" for any), and not revoked. It returns the parsed token and its exp.
func (s *Server) ownToken(raw, typ string) (*token.Parsed, time.Time, error) {
	p, err := token.Parse(raw, MaxTokenBytes)
	if err != nil || p.Encrypted || p.Unencoded || p.Payload == nil {
		return nil, time.Time{}, errors.New("not a signed JWT")
	}
	sg, ok := s.ring.current().byKid[p.Kid()]
	if !ok || p.Alg() != sg.alg {
		return nil, time.Time{}, errors.New("not signed by a key of this issuer")
	}
	signer, ok := sg.key.(crypto.Signer)
	if !ok || verifySignature(sg.alg, signer.Public(), p.SigningInput, p.Signature) != nil {
		return nil, time.Time{}, errors.New("signature does not verify")
	}
	if typ != "" && p.Typ() != typ {
		return nil, time.Time{}, errors.New("typ is not " + typ)
	}
	if iss, _ := p.Payload["iss"].(string); iss != s.cfg.Issuer {
		return nil, time.Time{}, errors.New("issued by another issuer")
	}
	now := s.cfg.Now()
	exp, ok, err := p.NumericDate("exp")
	if err != nil || !ok || !exp.After(now) {
		return nil, time.Time{}, errors.New("expired")
	}
	if nbf, ok, err := p.NumericDate("nbf"); err != nil || ok && nbf.After(now) {
		return nil, time.Time{}, errors.New("not valid yet")
	}
	if jti, _ := p.Payload["jti"].(string); jti != "" && s.store.Revoked(jti, now) {
		return nil, time.Time{}, errors.New("revoked")
	}
	return p, exp, nil
}

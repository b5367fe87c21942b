package issuer

import "github.com/jwtkit/jwtkit/internal/token"

// errBadSignature is returned for every signature that does not verify.
var errBadSignature = token.ErrBadSignature

// verifySignature checks a JWS signature by the rules of RFC 7518 §3 (token.VerifySignature,
// shared with the DPoP proof verifier).
func verifySignature(alg string, pub any, signingInput string, sig []byte) error {
	return token.VerifySignature(alg, pub, signingInput, sig)
}

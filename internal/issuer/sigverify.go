package issuer

import "github.com/jwtkit/jwtkit/internal/token"

// verifySignature checks a JWS signature by the rules of RFC 7518 §3 (token.VerifySignature,
// shared with the DPoP proof verifier).
func verifySignature(alg string, pub any, signingInput string, sig []byte) error {
	return token.VerifySignature(alg, pub, signingInput, sig)
}

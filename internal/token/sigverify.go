package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash
	_ "crypto/sha512" // registers SHA-384 and SHA-512
	"math/big"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// ErrBadSignature is returned by VerifySignature for every signature that does not verify.
var ErrBadSignature error = failure.Sentinel("signature does not verify")

// VerifySignature checks a JWS signature over signingInput with a public key, by the rules of
// RFC 7518 §3: PKCS#1 v1.5 for RS*, PSS with a salt as long as the hash for PS* (not the
// automatic length Go and go-jose otherwise allow), a fixed-size r||s pair on the algorithm's
// own curve for ES*, and Ed25519 for EdDSA. Any other algorithm, or a key of the wrong type,
// fails.
func VerifySignature(alg string, pub any, signingInput string, sig []byte) error {
	var hash crypto.Hash
	switch alg {
	case "RS256", "PS256", "ES256":
		hash = crypto.SHA256
	case "RS384", "PS384", "ES384":
		hash = crypto.SHA384
	case "RS512", "PS512", "ES512":
		hash = crypto.SHA512
	}
	if alg == "EdDSA" {
		k, ok := pub.(ed25519.PublicKey)
		if !ok || len(k) != ed25519.PublicKeySize || !ed25519.Verify(k, []byte(signingInput), sig) {
			return ErrBadSignature
		}
		return nil
	}
	if hash == 0 {
		return ErrBadSignature
	}
	h := hash.New()
	h.Write([]byte(signingInput))
	digest := h.Sum(nil)
	switch alg[:2] {
	case "RS", "PS":
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return ErrBadSignature
		}
		var err error
		if alg[0] == 'R' {
			err = rsa.VerifyPKCS1v15(k, hash, digest, sig)
		} else {
			err = rsa.VerifyPSS(k, hash, digest, sig, &rsa.PSSOptions{SaltLength: hash.Size()})
		}
		if err != nil {
			return ErrBadSignature
		}
		return nil
	case "ES":
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok || k.Curve != curveFor(alg) {
			return ErrBadSignature
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return ErrBadSignature
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		if !ecdsa.Verify(k, digest, r, s) {
			return ErrBadSignature
		}
		return nil
	}
	return ErrBadSignature
}

// curveFor returns the curve an ES algorithm signs on.
func curveFor(alg string) elliptic.Curve {
	switch alg {
	case "ES256":
		return elliptic.P256()
	case "ES384":
		return elliptic.P384()
	case "ES512":
		return elliptic.P521()
	}
	return nil
}

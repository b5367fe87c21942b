package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"math/big"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/token"
)

// SignatureChecker verifies the signature of p for alg with one public key (*rsa.PublicKey,
// *ecdsa.PublicKey, ed25519.PublicKey, or []byte for HMAC). The Verifier has already checked that
// alg is allowed and that the key suits it. CheckSignature returns nil only for a good signature;
// a *SignatureError explains a refusal worth explaining (a DER-encoded ECDSA signature, r = 0,
// a PSS salt of the wrong length); any other error means the signature does not verify.
//
// Implementations must be safe for concurrent use. Fast is the default: it gives Reference's
// verdicts (FuzzFastSignature), faster; Options.Signature can name another.
type SignatureChecker interface {
	CheckSignature(p *token.Parsed, alg string, key any) error
}

// SignatureError is a refusal with a reason, for example "ES256 signature is 72 bytes; it must
// be 64 (r||s, RFC 7518 §3.4), not DER".
type SignatureError struct{ Reason string }

func (e *SignatureError) Error() string { return e.Reason }

func sigError(format string, args ...any) error {
	return &SignatureError{Reason: fmt.Sprintf(format, args...)}
}

// errNoMatch is the plain verdict: the signature does not verify with the key.
var errNoMatch error = failure.Sentinel("signature does not verify")

// Reference is the reference SignatureChecker: it verifies with go-jose v4
// (ParseSignedCompact with the one algorithm, then Verify) and adds what go-jose does not
// enforce: RSA signatures exactly the modulus size, ECDSA signatures exactly 2 × the curve size
// with 0 < r, s < N, HMAC tags exactly the hash size, and PSS with the salt length equal to the
// hash size (RFC 7518 §3.5; go-jose accepts any salt).
type Reference struct{}

// CheckSignature implements SignatureChecker.
func (Reference) CheckSignature(p *token.Parsed, alg string, key any) error {
	if err := CheckShape(alg, key, p.Signature); err != nil {
		return err
	}
	if secret, ok := key.([]byte); ok && len(secret) < hmacSize(alg) {
		// go-jose refuses secrets shorter than the hash (RFC 7518 §3.2); the Verifier lets
		// them through only under Policy.AllowWeak, and then they are checked here.
		return checkHMAC(alg, secret, p)
	}
	jws, err := jose.ParseSignedCompact(p.Raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		return sigError("the token is not a JWS that go-jose can verify with %s: %v", alg, trimJose(err))
	}
	if _, err := jws.Verify(key); err != nil {
		return errNoMatch
	}
	if h, ok := pssHash(alg); ok {
		pub := key.(*rsa.PublicKey)
		digest := hashOf(h, p.SigningInput)
		if err := rsa.VerifyPSS(pub, h, digest, p.Signature, &rsa.PSSOptions{SaltLength: h.Size(), Hash: h}); err != nil {
			return sigError("the %s signature uses a salt that is not %d bytes; RFC 7518 §3.5 fixes the salt to the hash size", alg, h.Size())
		}
	}
	return nil
}

// CheckShape applies the structural rules every signature must meet before any cryptography:
// the size of an HMAC tag, of an RSA signature (the modulus size) and of an ECDSA signature
// (fixed-size r||s, not DER), and 0 < r, s < N for ECDSA (refusing the all-zero "psychic
// signature" of CVE-2022-21449 by name). It returns a *SignatureError, or nil.
func CheckShape(alg string, key any, sig []byte) error {
	switch k := key.(type) {
	case []byte:
		if want := hmacSize(alg); want != 0 && len(sig) != want {
			return sigError("%s signature is %d bytes; it must be %d", alg, len(sig), want)
		}
	case *rsa.PublicKey:
		if want := k.Size(); len(sig) != want {
			return sigError("%s signature is %d bytes; the key's modulus is %d bytes and the signature must be as long", alg, len(sig), want)
		}
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			hint := ""
			if len(sig) > 0 && sig[0] == 0x30 {
				hint = ", not DER"
			}
			return sigError("%s signature is %d bytes; it must be %d (r||s, RFC 7518 §3.4%s)", alg, len(sig), 2*size, hint)
		}
		n := k.Curve.Params().N
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		if r.Sign() == 0 || s.Sign() == 0 {
			return sigError("%s signature has r = 0 or s = 0, which no signer produces (the \"psychic signature\", CVE-2022-21449)", alg)
		}
		if r.Cmp(n) >= 0 || s.Cmp(n) >= 0 {
			return sigError("%s signature has r or s not below the curve order", alg)
		}
	case ed25519.PublicKey:
		if len(sig) != ed25519.SignatureSize {
			return sigError("EdDSA signature is %d bytes; it must be %d", len(sig), ed25519.SignatureSize)
		}
	}
	return nil
}

// hmacSize is the tag size of an HMAC algorithm, also the smallest secret RFC 7518 §3.2 allows.
func hmacSize(alg string) int {
	switch alg {
	case "HS256":
		return 32
	case "HS384":
		return 48
	case "HS512":
		return 64
	}
	return 0
}

// checkHMAC verifies an HMAC tag with the standard library, in constant time.
func checkHMAC(alg string, secret []byte, p *token.Parsed) error {
	var h func() hash.Hash
	switch alg {
	case "HS256":
		h = sha256.New
	case "HS384":
		h = sha512.New384
	case "HS512":
		h = sha512.New
	default:
		return sigError("%s is not an HMAC algorithm", alg)
	}
	mac := hmac.New(h, secret)
	mac.Write([]byte(p.SigningInput))
	if !hmac.Equal(mac.Sum(nil), p.Signature) {
		return errNoMatch
	}
	return nil
}

func pssHash(alg string) (crypto.Hash, bool) {
	switch alg {
	case "PS256":
		return crypto.SHA256, true
	case "PS384":
		return crypto.SHA384, true
	case "PS512":
		return crypto.SHA512, true
	}
	return 0, false
}

func hashOf(h crypto.Hash, s string) []byte {
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256([]byte(s))
		return d[:]
	case crypto.SHA384:
		d := sha512.Sum384([]byte(s))
		return d[:]
	default:
		d := sha512.Sum512([]byte(s))
		return d[:]
	}
}

// trimJose removes go-jose's "go-jose/go-jose: " prefix from its messages.
func trimJose(err error) string {
	const prefix = "go-jose/go-jose: "
	msg := err.Error()
	if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		return msg[len(prefix):]
	}
	return msg
}

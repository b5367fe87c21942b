package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
)

const (
	// MaxInputSize caps every input this package reads: a key file, a secret, stdin, a JWK Set.
	MaxInputSize = 1 << 20
	// MinRSABits is the smallest RSA modulus accepted from any source (RFC 7518 §3.3).
	MinRSABits = 2048
	// MaxRSABits is the largest RSA modulus accepted from any source; larger keys cost seconds
	// per operation and are a denial-of-service lever in untrusted input.
	MaxRSABits = 16384
	// MaxKeys caps the number of keys one input (a PEM bundle, a JWK Set) may hold.
	MaxKeys = 1000
)

// unsupportedError marks a key this package recognises but cannot use (an unknown kty, X25519,
// Ed448, secp256k1, P-224…). A JWK Set skips such keys instead of failing.
type unsupportedError struct{ msg string }

func (e *unsupportedError) Error() string { return e.msg }

func unsupported(format string, args ...any) error {
	return &unsupportedError{msg: fmt.Sprintf(format, args...)}
}

func isUnsupported(err error) bool {
	var u *unsupportedError
	return errors.As(err, &u)
}

// checkKey applies the checks every key must pass, whatever its source.
func checkKey(key any) error {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return checkRSA(k)
	case *rsa.PrivateKey:
		if len(k.Primes) != 2 {
			return unsupported("multi-prime RSA keys (%d primes) are not supported", len(k.Primes))
		}
		return checkRSA(&k.PublicKey)
	case *ecdsa.PublicKey:
		return checkCurve(k.Curve)
	case *ecdsa.PrivateKey:
		return checkCurve(k.Curve)
	case ed25519.PublicKey:
		return checkEd25519(k)
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return errors.New("invalid Ed25519 private key")
		}
		return checkEd25519(k.Public().(ed25519.PublicKey))
	case []byte:
		if len(k) == 0 {
			return errors.New("the secret is empty")
		}
		return nil
	}
	return unsupported("unsupported key type %T", key)
}

// checkRSABits refuses moduli outside [MinRSABits, MaxRSABits].
func checkRSABits(bits int) error {
	if bits < MinRSABits {
		return fmt.Errorf("RSA key is %d bits; at least %d are required (RFC 7518 §3.3)", bits, MinRSABits)
	}
	if bits > MaxRSABits {
		return unsupported("RSA key is %d bits; at most %d are supported", bits, MaxRSABits)
	}
	return nil
}

func checkRSA(pub *rsa.PublicKey) error {
	if pub.N == nil || pub.N.Sign() <= 0 {
		return errors.New("invalid RSA key: missing modulus")
	}
	if err := checkRSABits(pub.N.BitLen()); err != nil {
		return err
	}
	if pub.N.Bit(0) == 0 {
		return errors.New("invalid RSA key: the modulus is even")
	}
	// The standard library refuses other exponents at use; refuse them at load with a clear message.
	if pub.E < 3 || pub.E > 1<<31-1 || pub.E%2 == 0 {
		return errors.New("invalid RSA key: the public exponent must be odd, at least 3 and below 2^31")
	}
	return nil
}

func checkCurve(c elliptic.Curve) error {
	if c == nil {
		return errors.New("invalid EC key: no curve")
	}
	switch c {
	case elliptic.P256(), elliptic.P384(), elliptic.P521():
		return nil
	}
	return unsupported("EC curve %s is not used by JWS; ES256, ES384 and ES512 need P-256, P-384 or P-521", c.Params().Name)
}

// Order-8 points of Edwards25519, as little-endian y-coordinates (RFC 8032 encoding, sign bit
// clear). With 0 (order 4), 1 (the identity) and p-1 (order 2) they are the y-coordinates of the
// eight points of small order.
const (
	ed25519Order8A = "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"
	ed25519Order8B = "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"
)

// ed25519Params returns the field prime p = 2^255 - 19, the curve constant d = -121665/121666
// mod p, and the y-coordinates of the points of small order. They are computed per call so that
// no mutable value is shared between callers; the cost is a few microseconds.
func ed25519Params() (p, d *big.Int, smallOrderY []*big.Int) {
	p = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	d = new(big.Int).ModInverse(big.NewInt(121666), p)
	d.Mul(d, big.NewInt(-121665))
	d.Mod(d, p)
	smallOrderY = []*big.Int{
		big.NewInt(0),
		big.NewInt(1),
		new(big.Int).Sub(p, big.NewInt(1)),
		littleEndianInt(ed25519Order8A),
		littleEndianInt(ed25519Order8B),
	}
	return p, d, smallOrderY
}

func littleEndianInt(hexLE string) *big.Int {
	le, _ := hex.DecodeString(hexLE) // constant input
	return new(big.Int).SetBytes(reversed(le))
}

func reversed(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

// checkEd25519 decodes an Ed25519 public key as RFC 8032 §5.1.3 does and refuses encodings that
// are not canonical (y ≥ p), that are not on the curve, or that
// are points of small order, which let one signature verify for many messages.
func checkEd25519(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("invalid Ed25519 public key: %d bytes instead of 32", len(pub))
	}
	p, d, smallOrderY := ed25519Params()
	be := reversed(pub)
	be[0] &= 0x7f // the sign of x
	y := new(big.Int).SetBytes(be)
	if y.Cmp(p) >= 0 {
		return errors.New("invalid Ed25519 public key: not canonically encoded")
	}
	for _, weak := range smallOrderY {
		if y.Cmp(weak) == 0 {
			return errors.New("weak Ed25519 public key: a point of small order")
		}
	}
	// x² = (y² - 1) / (d·y² + 1) mod p must have a square root.
	y2 := new(big.Int).Mul(y, y)
	y2.Mod(y2, p)
	u := new(big.Int).Sub(y2, big.NewInt(1))
	v := new(big.Int).Mul(d, y2)
	v.Add(v, big.NewInt(1))
	v.ModInverse(v, p)
	x2 := u.Mul(u, v)
	x2.Mod(x2, p)
	// x = 0 only for y = ±1, refused above, so the sign bit needs no check of its own.
	if new(big.Int).ModSqrt(x2, p) == nil {
		return errors.New("invalid Ed25519 public key: not a point on the curve")
	}
	return nil
}

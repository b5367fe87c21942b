package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
)

// Key is one key, public or private, with its JWK metadata.
//
// JWK.Key holds *rsa.PrivateKey, *rsa.PublicKey, *ecdsa.PrivateKey, *ecdsa.PublicKey,
// ed25519.PrivateKey, ed25519.PublicKey or []byte (an HMAC secret, JWK kty "oct"). JWK.KeyID,
// JWK.Algorithm and JWK.Use carry the JWK's kid, alg and use; KeyOps carries its key_ops, which
// go-jose's type has no room for. Keys made by this package hold only those types and have
// passed the package's checks (RSA size, EC curve, Ed25519 point).
type Key struct {
	JWK    jose.JSONWebKey
	KeyOps []string // the JWK's key_ops member (RFC 7517 §4.3), nil when absent
	Source string   // display name of where the key came from, never its content
}

// IsPrivate reports whether k holds an asymmetric private key. A secret is not private in this
// sense; see IsSymmetric.
func (k Key) IsPrivate() bool {
	switch k.JWK.Key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return true
	}
	return false
}

// IsSymmetric reports whether k is an HMAC secret (JWK kty "oct").
func (k Key) IsSymmetric() bool {
	_, ok := k.JWK.Key.([]byte)
	return ok
}

// Public returns the public half of k, keeping kid, alg, use and source. Private-key operations
// in key_ops are turned into their public counterparts (sign → verify, decrypt → encrypt,
// unwrapKey → wrapKey), so that the public key stays usable by verifiers that honour key_ops.
// A secret, having no public half, is returned as it is.
func (k Key) Public() Key {
	pub := k
	switch key := k.JWK.Key.(type) {
	case *rsa.PrivateKey:
		pub.JWK.Key = &key.PublicKey
	case *ecdsa.PrivateKey:
		pub.JWK.Key = &key.PublicKey
	case ed25519.PrivateKey:
		pub.JWK.Key = key.Public().(ed25519.PublicKey)
	default:
		// Already public, or a secret: its key_ops say what it may do as they stand (a public
		// JWK whose key_ops say "sign" is not for verifying, RFC 7517 §4.3).
		return k
	}
	pub.KeyOps = publicKeyOps(k.KeyOps)
	return pub
}

func publicKeyOps(ops []string) []string {
	if ops == nil {
		return nil
	}
	out := make([]string, 0, len(ops))
	for _, op := range ops {
		switch op {
		case "sign":
			op = "verify"
		case "decrypt":
			op = "encrypt"
		case "unwrapKey":
			op = "wrapKey"
		}
		if !slices.Contains(out, op) {
			out = append(out, op)
		}
	}
	return out
}

// Family returns the JWK key type: "RSA", "EC", "OKP" or "oct" ("" for a Key this package did
// not make).
func (k Key) Family() string {
	switch k.JWK.Key.(type) {
	case *rsa.PrivateKey, *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PrivateKey, *ecdsa.PublicKey:
		return "EC"
	case ed25519.PrivateKey, ed25519.PublicKey:
		return "OKP"
	case []byte:
		return "oct"
	}
	return ""
}

// Describe says what k is in a few words for messages: "RSA 2048-bit private key",
// "EC P-256 public key", "Ed25519 private key", "256-bit secret". It never shows key material.
func (k Key) Describe() string {
	half := "public"
	if k.IsPrivate() {
		half = "private"
	}
	switch key := k.JWK.Key.(type) {
	case *rsa.PrivateKey:
		return fmt.Sprintf("RSA %d-bit %s key", key.N.BitLen(), half)
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d-bit %s key", key.N.BitLen(), half)
	case *ecdsa.PrivateKey:
		return fmt.Sprintf("EC %s %s key", key.Curve.Params().Name, half)
	case *ecdsa.PublicKey:
		return fmt.Sprintf("EC %s %s key", key.Curve.Params().Name, half)
	case ed25519.PrivateKey, ed25519.PublicKey:
		return "Ed25519 " + half + " key"
	case []byte:
		return fmt.Sprintf("%d-bit secret", 8*len(key))
	}
	return "unknown key"
}

// Curve returns the JWK crv of an EC or OKP key ("P-256", "P-384", "P-521", "Ed25519") and ""
// for RSA keys and secrets.
func (k Key) Curve() string {
	switch key := k.JWK.Key.(type) {
	case *ecdsa.PrivateKey:
		return key.Curve.Params().Name
	case *ecdsa.PublicKey:
		return key.Curve.Params().Name
	case ed25519.PrivateKey, ed25519.PublicKey:
		return "Ed25519"
	}
	return ""
}

// Thumbprint returns the RFC 7638 JWK thumbprint of k: base64url(SHA-256) of the key's required
// members in lexicographic order. A key and its public half share a thumbprint. For a secret the
// thumbprint is a hash of the secret itself: do not publish it for a low-entropy secret.
func (k Key) Thumbprint() (string, error) {
	var input string
	switch key := k.Public().JWK.Key.(type) {
	case *rsa.PublicKey:
		if key.N == nil || key.N.Sign() <= 0 || key.E <= 0 {
			return "", errors.New("invalid RSA key")
		}
		input = `{"e":"` + b64(bigEndian(uint64(key.E))) + `","kty":"RSA","n":"` + b64(key.N.Bytes()) + `"}`
	case *ecdsa.PublicKey:
		x, y, err := ecCoordinates(key)
		if err != nil {
			return "", err
		}
		input = `{"crv":"` + key.Curve.Params().Name + `","kty":"EC","x":"` + b64(x) + `","y":"` + b64(y) + `"}`
	case ed25519.PublicKey:
		if len(key) != ed25519.PublicKeySize {
			return "", errors.New("invalid Ed25519 key")
		}
		input = `{"crv":"Ed25519","kty":"OKP","x":"` + b64(key) + `"}`
	case []byte:
		input = `{"k":"` + b64(key) + `","kty":"oct"}`
	default:
		return "", fmt.Errorf("unsupported key type %T", k.JWK.Key)
	}
	sum := sha256.Sum256([]byte(input))
	return b64(sum[:]), nil
}

// SecretKey wraps HMAC secret bytes as an oct Key. It copies secret.
func SecretKey(secret []byte, source string) Key {
	return Key{JWK: jose.JSONWebKey{Key: bytes.Clone(secret)}, Source: source}
}

// ecCoordinates returns the fixed-size big-endian x and y of an EC public key.
func ecCoordinates(pub *ecdsa.PublicKey) (x, y []byte, err error) {
	point, err := pub.Bytes() // 0x04 || x || y, validated by the standard library
	if err != nil {
		return nil, nil, fmt.Errorf("invalid EC key: %w", err)
	}
	n := (len(point) - 1) / 2
	return point[1 : 1+n], point[1+n:], nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// bigEndian returns v in big-endian order without leading zero bytes (one zero byte for 0).
func bigEndian(v uint64) []byte {
	var buf [8]byte
	for i := 7; i >= 0; i-- {
		buf[i] = byte(v)
		v >>= 8
	}
	i := 0
	for i < 7 && buf[i] == 0 {
		i++
	}
	return buf[i:]
}

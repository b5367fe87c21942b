package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// jwkJSON is a JWK as written, members in a fixed, readable order.
type jwkJSON struct {
	Kty    string    `json:"kty"`
	Kid    string    `json:"kid,omitempty"`
	Use    string    `json:"use,omitempty"`
	Alg    string    `json:"alg,omitempty"`
	KeyOps *[]string `json:"key_ops,omitempty"` // a pointer: an empty key_ops (allow nothing) must survive
	Crv    string    `json:"crv,omitempty"`
	X      string    `json:"x,omitempty"`
	Y      string    `json:"y,omitempty"`
	N      string    `json:"n,omitempty"`
	E      string    `json:"e,omitempty"`
	D      string    `json:"d,omitempty"`
	P      string    `json:"p,omitempty"`
	Q      string    `json:"q,omitempty"`
	DP     string    `json:"dp,omitempty"`
	DQ     string    `json:"dq,omitempty"`
	QI     string    `json:"qi,omitempty"`
	K      string    `json:"k,omitempty"`
}

// toJWKJSON converts k (already reduced to what should be written) into its JSON form.
func toJWKJSON(k Key) (jwkJSON, error) {
	j := jwkJSON{Kid: k.JWK.KeyID, Use: k.JWK.Use, Alg: k.JWK.Algorithm}
	if k.KeyOps != nil {
		ops := slices.Clone(k.KeyOps)
		j.KeyOps = &ops
	}
	if j.Kid == "" {
		tp, err := k.Thumbprint()
		if err != nil {
			return jwkJSON{}, err
		}
		j.Kid = tp
	}
	switch key := k.JWK.Key.(type) {
	case *rsa.PublicKey:
		j.Kty, j.N, j.E = "RSA", b64(key.N.Bytes()), b64(bigEndian(uint64(key.E)))
	case *rsa.PrivateKey:
		if len(key.Primes) != 2 {
			return jwkJSON{}, errors.New("multi-prime RSA keys cannot be written as a JWK")
		}
		p, q := key.Primes[0], key.Primes[1]
		one := big.NewInt(1)
		dp := new(big.Int).Mod(key.D, new(big.Int).Sub(p, one))
		dq := new(big.Int).Mod(key.D, new(big.Int).Sub(q, one))
		qi := new(big.Int).ModInverse(q, p)
		if qi == nil {
			return jwkJSON{}, errors.New("invalid RSA private key")
		}
		j.Kty, j.N, j.E = "RSA", b64(key.N.Bytes()), b64(bigEndian(uint64(key.E)))
		j.D, j.P, j.Q = b64(key.D.Bytes()), b64(p.Bytes()), b64(q.Bytes())
		j.DP, j.DQ, j.QI = b64(dp.Bytes()), b64(dq.Bytes()), b64(qi.Bytes())
	case *ecdsa.PublicKey:
		x, y, err := ecCoordinates(key)
		if err != nil {
			return jwkJSON{}, err
		}
		j.Kty, j.Crv, j.X, j.Y = "EC", key.Curve.Params().Name, b64(x), b64(y)
	case *ecdsa.PrivateKey:
		x, y, err := ecCoordinates(&key.PublicKey)
		if err != nil {
			return jwkJSON{}, err
		}
		d, err := key.Bytes()
		if err != nil {
			return jwkJSON{}, errors.New("invalid EC private key")
		}
		j.Kty, j.Crv, j.X, j.Y, j.D = "EC", key.Curve.Params().Name, b64(x), b64(y), b64(d)
	case ed25519.PublicKey:
		j.Kty, j.Crv, j.X = "OKP", "Ed25519", b64(key)
	case ed25519.PrivateKey:
		j.Kty, j.Crv, j.X, j.D = "OKP", "Ed25519", b64(key.Public().(ed25519.PublicKey)), b64(key.Seed())
	case []byte:
		j.Kty, j.K = "oct", b64(key)
	default:
		return jwkJSON{}, fmt.Errorf("unsupported key type %T", k.JWK.Key)
	}
	return j, nil
}

// MarshalJWK marshals one key as indented JWK JSON. Private members are written only when k is
// private and includePrivate is true; otherwise the public half is written. A secret has no
// public half, so it is written only with includePrivate. An empty kid is filled with the
// RFC 7638 thumbprint.
func MarshalJWK(k Key, includePrivate bool) ([]byte, error) {
	j, err := exportJWK(k, includePrivate)
	if err != nil {
		return nil, failure.Usagef("key", "%s: %w", keyName(k), err)
	}
	out, err := marshalIndented(j)
	if err != nil {
		return nil, failure.Usage("key", err)
	}
	return out, nil
}

func exportJWK(k Key, includePrivate bool) (jwkJSON, error) {
	if k.IsSymmetric() && !includePrivate {
		return jwkJSON{}, errors.New("a secret has no public half; export it only with its private members")
	}
	if err := checkKey(k.JWK.Key); err != nil {
		return jwkJSON{}, err
	}
	if !includePrivate {
		k = k.Public()
	}
	return toJWKJSON(k)
}

func marshalIndented(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

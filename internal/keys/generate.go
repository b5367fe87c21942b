package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// Generate makes a new private key: kind "RSA" (size 2048, 3072 or 4096 bits; 0 means 2048),
// "EC" (curve "P-256", "P-384" or "P-521"; "" means P-256), "OKP" (curve "Ed25519" or ""), or
// "oct" (a secret of size bits, at least 128 and a multiple of 8; 0 means 256). kind is matched
// without regard to case. The key's kid is its RFC 7638 thumbprint and its use "sig"; alg, when
// given, must fit the key and is recorded in it.
//
// random feeds Ed25519 seeds and secrets (nil means crypto/rand.Reader). RSA and EC keys come
// from the standard library, which since Go 1.26 always uses its own secure source. Errors are
// failure.Usage with code "key" (or "alg_mismatch" for an alg that does not fit).
func Generate(random io.Reader, kind string, size int, curve string, alg string) (Key, error) {
	if random == nil {
		random = rand.Reader
	}
	key, err := generate(random, kind, size, curve)
	if err != nil {
		return Key{}, failure.Usage("key", err)
	}
	k := Key{JWK: jose.JSONWebKey{Key: key, Use: "sig"}, Source: "generated key"}
	if alg != "" {
		if err := CheckAlg(k, alg, false); err != nil {
			return Key{}, err
		}
		k.JWK.Algorithm = alg
	}
	if k.JWK.KeyID, err = k.Thumbprint(); err != nil {
		return Key{}, failure.Usage("key", err)
	}
	return k, nil
}

func generate(random io.Reader, kind string, size int, curve string) (any, error) {
	switch {
	case strings.EqualFold(kind, "RSA"):
		if curve != "" {
			return nil, errors.New("RSA keys have no curve")
		}
		if size == 0 {
			size = 2048
		}
		if size != 2048 && size != 3072 && size != 4096 {
			return nil, fmt.Errorf("RSA keys are made with 2048, 3072 or 4096 bits, not %d", size)
		}
		return rsa.GenerateKey(random, size)
	case strings.EqualFold(kind, "EC"):
		if size != 0 {
			return nil, errors.New("EC keys take a curve (P-256, P-384, P-521), not a size")
		}
		var c elliptic.Curve
		switch curve {
		case "", "P-256":
			c = elliptic.P256()
		case "P-384":
			c = elliptic.P384()
		case "P-521":
			c = elliptic.P521()
		default:
			return nil, fmt.Errorf("unsupported EC curve %q; use P-256, P-384 or P-521", truncate(curve, 40))
		}
		return ecdsa.GenerateKey(c, random)
	case strings.EqualFold(kind, "OKP"):
		if size != 0 {
			return nil, errors.New("OKP keys take a curve (Ed25519), not a size")
		}
		if curve != "" && curve != "Ed25519" {
			return nil, fmt.Errorf("unsupported OKP curve %q; use Ed25519", truncate(curve, 40))
		}
		_, priv, err := ed25519.GenerateKey(random)
		if err != nil {
			return nil, fmt.Errorf("generating an Ed25519 key: %w", err)
		}
		return priv, nil
	case strings.EqualFold(kind, "oct"):
		if curve != "" {
			return nil, errors.New("secrets have no curve")
		}
		if size == 0 {
			size = 256
		}
		if size < 128 || size%8 != 0 || size > 8*1024 {
			return nil, fmt.Errorf("secrets are made with a multiple of 8 bits from 128 to 8192, not %d", size)
		}
		secret := make([]byte, size/8)
		if _, err := io.ReadFull(random, secret); err != nil {
			return nil, fmt.Errorf("reading randomness: %w", err)
		}
		return secret, nil
	}
	return nil, fmt.Errorf("unknown key type %q; use RSA, EC, OKP or oct", truncate(kind, 40))
}

// EncodePEM writes a private key as PKCS#8 "PRIVATE KEY" and a public key as PKIX
// "PUBLIC KEY". A secret has no PEM form and is an error (failure.Usage, code "key").
func EncodePEM(k Key) ([]byte, error) {
	if k.IsSymmetric() {
		return nil, failure.Usagef("key", "a secret has no PEM form; write it as a JWK or as raw bytes")
	}
	if err := checkKey(k.JWK.Key); err != nil {
		return nil, failure.Usagef("key", "%s: %w", keyName(k), err)
	}
	var block pem.Block
	var err error
	if k.IsPrivate() {
		block.Type = "PRIVATE KEY"
		block.Bytes, err = x509.MarshalPKCS8PrivateKey(k.JWK.Key)
	} else {
		block.Type = "PUBLIC KEY"
		block.Bytes, err = x509.MarshalPKIXPublicKey(k.JWK.Key)
	}
	if err != nil {
		return nil, failure.Usagef("key", "encoding %s as PEM: %s", keyName(k), plainX509Error(err))
	}
	return pem.EncodeToMemory(&block), nil
}

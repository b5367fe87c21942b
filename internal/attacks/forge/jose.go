package forge

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"math/big"
	"strings"
)

// seg is the base64url encoding of s without padding.
func seg(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// segB is seg for bytes.
func segB(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jws builds a compact JWS from the exact header and payload JSON, signed by sign.
func jws(header, payload string, sign func(input string) []byte) string {
	input := seg(header) + "." + seg(payload)
	return input + "." + segB(sign(input))
}

// hashFor returns the hash of a JWS algorithm name ending in 256, 384 or 512.
func hashFor(alg string) (crypto.Hash, func() hash.Hash) {
	switch alg[len(alg)-3:] {
	case "384":
		return crypto.SHA384, sha512.New384
	case "512":
		return crypto.SHA512, sha512.New
	}
	return crypto.SHA256, sha256.New
}

func digest(alg, input string) []byte {
	h, _ := hashFor(alg)
	w := h.New()
	w.Write([]byte(input))
	return w.Sum(nil)
}

// hs signs with HMAC; the secret may be anything, including a public key's bytes.
func hs(alg string, secret []byte) func(string) []byte {
	return func(input string) []byte {
		_, newHash := hashFor(alg)
		m := hmac.New(newHash, secret)
		m.Write([]byte(input))
		return m.Sum(nil)
	}
}

// signES signs input with ECDSA in JWS form, r||s each the curve size (RFC 7518 §3.4).
func signES(alg string, key *ecdsa.PrivateKey, input string) ([]byte, error) {
	r, s, err := ecdsa.Sign(rand.Reader, key, digest(alg, input))
	if err != nil {
		return nil, fmt.Errorf("signing %s: %w", alg, err)
	}
	return rawECDSA(key.Curve, r, s), nil
}

// signRS signs input with RSASSA-PKCS1-v1_5.
func signRS(alg string, key *rsa.PrivateKey, input string) ([]byte, error) {
	h, _ := hashFor(alg)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, h, digest(alg, input))
	if err != nil {
		return nil, fmt.Errorf("signing %s: %w", alg, err)
	}
	return sig, nil
}

// rawECDSA encodes r and s as fixed-size big-endian octets, concatenated.
func rawECDSA(c elliptic.Curve, r, s *big.Int) []byte {
	size := (c.Params().BitSize + 7) / 8
	out := make([]byte, 2*size)
	r.FillBytes(out[:size])
	s.FillBytes(out[size:])
	return out
}

// compactJSON renders v as JSON with sorted members, no spaces and no HTML escaping.
func compactJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only called with maps of strings and slices, which always encode
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// ecJWK is the public JWK of an EC key.
func ecJWK(pub *ecdsa.PublicKey, kid string) map[string]any {
	b, err := pub.Bytes()
	if err != nil {
		panic(err)
	}
	size := (len(b) - 1) / 2
	return map[string]any{"kty": "EC", "kid": kid, "use": "sig", "crv": pub.Curve.Params().Name, "x": segB(b[1 : 1+size]), "y": segB(b[1+size:])}
}

// rsaJWK is the public JWK of an RSA key.
func rsaJWK(pub *rsa.PublicKey, kid string) map[string]any {
	return map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "n": segB(pub.N.Bytes()), "e": segB(big.NewInt(int64(pub.E)).Bytes())}
}

// parts splits a compact token.
func parts(tok string) []string { return strings.Split(tok, ".") }

package forge

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"hash"
	"math/big"
)

// The encoding helpers below are the corpus generator's building blocks, exported for it.

// Seg is the base64url encoding of s without padding.
func Seg(s string) string { return seg(s) }

// SegB is Seg for bytes.
func SegB(b []byte) string { return segB(b) }

// JWS builds a compact JWS from the exact header and payload JSON, signed by sign.
func JWS(header, payload string, sign func(input string) []byte) string {
	return jws(header, payload, sign)
}

// HS returns a signer computing HMAC with the hash of alg (HS256, HS384, HS512), keyed by
// secret, whatever its bytes.
func HS(alg string, secret []byte) func(string) []byte { return hs(alg, secret) }

// HashFor returns the hash of a JWS algorithm name ending in 256, 384 or 512.
func HashFor(alg string) (crypto.Hash, func() hash.Hash) { return hashFor(alg) }

// Digest hashes input with the hash of alg.
func Digest(alg, input string) []byte { return digest(alg, input) }

// RawECDSA encodes r and s as fixed-size big-endian octets, concatenated (RFC 7518 §3.4).
func RawECDSA(c elliptic.Curve, r, s *big.Int) []byte { return rawECDSA(c, r, s) }

// CompactJSON renders v as JSON with sorted members, no spaces and no HTML escaping.
func CompactJSON(v any) string { return compactJSON(v) }

// ECJWK is the public JWK of an EC key, with use sig.
func ECJWK(pub *ecdsa.PublicKey, kid string) map[string]any { return ecJWK(pub, kid) }

// RSAJWK is the public JWK of an RSA key, with use sig.
func RSAJWK(pub *rsa.PublicKey, kid string) map[string]any { return rsaJWK(pub, kid) }

// Parts splits a compact token at its dots.
func Parts(tok string) []string { return parts(tok) }

// CaseName names a spelling of none: lower, capitalised, upper or mixed.
func CaseName(none string) string { return caseName(none) }

// TrimNewline drops one final newline.
func TrimNewline(b []byte) []byte { return trimNewline(b) }

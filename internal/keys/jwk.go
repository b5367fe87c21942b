package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
)

// jsonObject is one JSON object's members, read strictly: duplicate names are an error (Go's
// decoder would keep the last one silently) and names match exactly (it would match any case).
type jsonObject map[string]json.RawMessage

// readObject reads data as exactly one JSON object.
func readObject(data []byte) (jsonObject, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	obj := jsonObject{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errors.New("malformed JSON")
		}
		name, ok := tok.(string)
		if !ok {
			return nil, errors.New("malformed JSON")
		}
		if _, dup := obj[name]; dup {
			return nil, fmt.Errorf("member %q appears twice", truncate(name, 40))
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errors.New("malformed JSON")
		}
		obj[name] = v
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errors.New("malformed JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return obj, nil
}

// str returns a string member; present is false when the member is absent.
func (o jsonObject) str(name string) (v string, present bool, err error) {
	raw, ok := o[name]
	if !ok {
		return "", false, nil
	}
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &v) != nil {
		return "", true, fmt.Errorf("member %q must be a string", name)
	}
	return v, true, nil
}

// b64 returns a base64url member decoded (RFC 7515 §2; padding tolerated).
func (o jsonObject) b64(name string) (v []byte, present bool, err error) {
	s, present, err := o.str(name)
	if err != nil || !present {
		return nil, present, err
	}
	v, err = decodeBase64(s, base64.URLEncoding)
	if err != nil {
		return nil, true, fmt.Errorf("member %q is not valid base64url", name)
	}
	return v, true, nil
}

// need returns a base64url member that must be present and non-empty.
func (o jsonObject) need(kty, name string) ([]byte, error) {
	v, present, err := o.b64(name)
	if err != nil {
		return nil, err
	}
	if !present || len(v) == 0 {
		return nil, fmt.Errorf("%s JWK lacks member %q", kty, name)
	}
	return v, nil
}

// privateMember returns the first member of o that holds secret material (RFC 7518 §6,
// RFC 8037 §2, and "priv" of RFC 9964), if any.
func (o jsonObject) privateMember() (string, bool) {
	for _, m := range [...]string{"d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"} {
		if _, ok := o[m]; ok {
			return m, true
		}
	}
	return "", false
}

// parseJWK builds a Key from one JWK object. Unsupported key types and curves come back as
// *unsupportedError.
func parseJWK(o jsonObject, source string) (Key, error) {
	k := Key{Source: source}
	var err error
	kty, present, err := o.str("kty")
	if err != nil {
		return Key{}, err
	}
	if !present || kty == "" {
		return Key{}, errors.New(`JWK lacks member "kty"`)
	}
	if k.JWK.KeyID, _, err = o.str("kid"); err != nil {
		return Key{}, err
	}
	if k.JWK.Algorithm, _, err = o.str("alg"); err != nil {
		return Key{}, err
	}
	if k.JWK.Use, _, err = o.str("use"); err != nil {
		return Key{}, err
	}
	if k.KeyOps, err = keyOps(o); err != nil {
		return Key{}, err
	}
	switch kty {
	case "RSA":
		k.JWK.Key, err = jwkRSA(o)
	case "EC":
		k.JWK.Key, err = jwkEC(o)
	case "OKP":
		k.JWK.Key, err = jwkOKP(o)
	case "oct":
		k.JWK.Key, err = o.need("oct", "k")
	default:
		err = unsupported("unsupported key type (kty) %q", truncate(kty, 40))
	}
	if err != nil {
		return Key{}, err
	}
	if err := checkKey(k.JWK.Key); err != nil {
		return Key{}, err
	}
	return k, nil
}

func keyOps(o jsonObject) ([]string, error) {
	raw, ok := o["key_ops"]
	if !ok {
		return nil, nil
	}
	var ops []string
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &ops) != nil {
		return nil, errors.New(`member "key_ops" must be an array of strings`)
	}
	for i, op := range ops {
		if slices.Contains(ops[:i], op) {
			return nil, fmt.Errorf(`member "key_ops" lists %q twice (RFC 7517 §4.3)`, truncate(op, 40))
		}
	}
	if ops == nil {
		ops = []string{}
	}
	return ops, nil
}

func jwkRSA(o jsonObject) (any, error) {
	if _, ok := o["oth"]; ok {
		return nil, unsupported("multi-prime RSA keys are not supported")
	}
	n, err := o.need("RSA", "n")
	if err != nil {
		return nil, err
	}
	e, err := o.need("RSA", "e")
	if err != nil {
		return nil, err
	}
	if len(n) > MaxRSABits/8+1 {
		return nil, unsupported("RSA key is over %d bits; at most %d are supported", MaxRSABits, MaxRSABits)
	}
	e = bytes.TrimLeft(e, "\x00")
	if len(e) > 4 {
		return nil, errors.New("invalid RSA key: the public exponent must be odd, at least 3 and below 2^31")
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if err := checkRSA(pub); err != nil {
		return nil, err
	}
	if _, ok := o["d"]; !ok {
		return pub, nil
	}
	// Bound every number by the modulus before the standard library does arithmetic on them.
	limit := len(n)
	num := func(name string, required bool) (*big.Int, error) {
		v, present, err := o.b64(name)
		if err != nil {
			return nil, err
		}
		if !present {
			if required {
				return nil, fmt.Errorf("RSA private JWK lacks member %q; keys without their primes are not supported", name)
			}
			return nil, nil
		}
		if len(v) == 0 || len(v) > limit {
			return nil, fmt.Errorf("RSA private JWK member %q is out of range", name)
		}
		return new(big.Int).SetBytes(v), nil
	}
	priv := &rsa.PrivateKey{PublicKey: *pub}
	var p, q *big.Int
	var crt [3]*big.Int
	for _, f := range []struct {
		name     string
		required bool
		dst      **big.Int
	}{
		{"d", true, &priv.D}, {"p", true, &p}, {"q", true, &q},
		{"dp", false, &crt[0]}, {"dq", false, &crt[1]}, {"qi", false, &crt[2]},
	} {
		if *f.dst, err = num(f.name, f.required); err != nil {
			return nil, err
		}
	}
	priv.Primes = []*big.Int{p, q}
	if crt[0] != nil && crt[1] != nil && crt[2] != nil {
		priv.Precomputed.Dp, priv.Precomputed.Dq, priv.Precomputed.Qinv = crt[0], crt[1], crt[2]
	}
	priv.Precompute()
	if err := priv.Validate(); err != nil {
		return nil, errors.New("invalid RSA private key: its numbers are inconsistent")
	}
	return priv, nil
}

func curveByName(crv string) (elliptic.Curve, error) {
	switch crv {
	case "P-256":
		return elliptic.P256(), nil
	case "P-384":
		return elliptic.P384(), nil
	case "P-521":
		return elliptic.P521(), nil
	case "secp256k1":
		return nil, unsupported("secp256k1 keys (ES256K) are not supported; use P-256, P-384 or P-521")
	}
	return nil, unsupported("unsupported EC curve %q; use P-256, P-384 or P-521", truncate(crv, 40))
}

func jwkEC(o jsonObject) (any, error) {
	crv, _, err := o.str("crv")
	if err != nil {
		return nil, err
	}
	curve, err := curveByName(crv)
	if err != nil {
		return nil, err
	}
	size := (curve.Params().BitSize + 7) / 8
	x, err := o.need("EC", "x")
	if err != nil {
		return nil, err
	}
	y, err := o.need("EC", "y")
	if err != nil {
		return nil, err
	}
	// RFC 7518 §6.2.1.2: x and y are the full coordinate size.
	if len(x) != size || len(y) != size {
		return nil, fmt.Errorf("invalid EC key: %s coordinates must be %d bytes", crv, size)
	}
	point := append(append([]byte{4}, x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, fmt.Errorf("invalid EC key: the point is not on curve %s", crv)
	}
	d, present, err := o.b64("d")
	if err != nil || !present {
		return pub, err
	}
	if len(d) != size {
		return nil, fmt.Errorf("invalid EC private key: %s member \"d\" must be %d bytes", crv, size)
	}
	priv, err := ecdsa.ParseRawPrivateKey(curve, d)
	if err != nil {
		return nil, errors.New("invalid EC private key: \"d\" is out of range")
	}
	if !priv.PublicKey.Equal(pub) {
		return nil, errors.New("invalid EC private key: \"x\" and \"y\" do not match \"d\"")
	}
	return priv, nil
}

func jwkOKP(o jsonObject) (any, error) {
	crv, _, err := o.str("crv")
	if err != nil {
		return nil, err
	}
	switch crv {
	case "Ed25519":
	case "X25519", "X448":
		return nil, unsupported("%s keys are for key agreement, not signatures; use an Ed25519 key for EdDSA", crv)
	case "Ed448":
		return nil, unsupported("Ed448 keys are not supported; use an Ed25519 key for EdDSA")
	default:
		return nil, unsupported("unsupported OKP curve %q; use Ed25519", truncate(crv, 40))
	}
	x, err := o.need("OKP", "x")
	if err != nil {
		return nil, err
	}
	if len(x) != ed25519.PublicKeySize {
		return nil, errors.New("invalid Ed25519 key: \"x\" must be 32 bytes")
	}
	pub := ed25519.PublicKey(x)
	d, present, err := o.b64("d")
	if err != nil || !present {
		return pub, err
	}
	if len(d) != ed25519.SeedSize {
		return nil, errors.New("invalid Ed25519 private key: \"d\" must be 32 bytes")
	}
	priv := ed25519.NewKeyFromSeed(d)
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), pub) {
		return nil, errors.New("invalid Ed25519 private key: \"x\" does not match \"d\"")
	}
	return priv, nil
}

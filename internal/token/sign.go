package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash
	_ "crypto/sha512" // registers SHA-384 and SHA-512 for crypto.Hash
	"fmt"
	"io"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// Failure codes of Sign.
const (
	CodeUnsupportedAlg = "unsupported_alg"
	CodeBadKey         = "bad_key"
	CodeBadHeader      = "bad_header"
	CodeBadPayload     = "bad_payload"
)

// MinRSABits is the smallest RSA modulus Sign accepts (RFC 7518 §3.3).
const MinRSABits = 2048

// Algs lists the algorithms Sign accepts, "none" last.
func Algs() []string {
	return []string{
		"HS256", "HS384", "HS512",
		"RS256", "RS384", "RS512",
		"PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512",
		"EdDSA", "none",
	}
}

// Sign makes a compact JWS: base64url(header) "." base64url(payload) "." base64url(signature),
// using headerJSON and payloadJSON byte for byte as given, so the caller controls member order
// and spacing.
//
// Both must pass the checks Parse makes (one JSON object each, no duplicate names, …), the
// header's "alg" must equal alg and its "b64" must not be false, so everything Sign makes,
// Parse reads back.
//
// alg and key:
//
//	HS256, HS384, HS512  []byte, not empty; RFC 7518 §3.2 wants at least the hash size, a
//	                     policy keys.CheckAlg enforces unless told to allow weak secrets
//	RS256, RS384, RS512  *rsa.PrivateKey of at least MinRSABits, PKCS #1 v1.5
//	PS256, PS384, PS512  *rsa.PrivateKey of at least MinRSABits, PSS with a salt as long as
//	                     the hash (RFC 7518 §3.5)
//	ES256, ES384, ES512  *ecdsa.PrivateKey on P-256, P-384, P-521; the signature is the
//	                     fixed-size r||s, not DER (RFC 7518 §3.4)
//	EdDSA                ed25519.PrivateKey or *ed25519.PrivateKey
//	none                 nil; the signature is empty and the token ends with "."
//
// rand is the randomness for PSS (nil means crypto/rand.Reader). ECDSA always uses the
// system's secure randomness: since Go 1.26 crypto/ecdsa ignores the reader it is given.
// HS*, RS* and EdDSA are deterministic: identical input gives byte-identical output.
//
// Errors are failure.Usage errors with codes CodeUnsupportedAlg, CodeBadKey, CodeBadHeader or
// CodeBadPayload; they never contain key material.
func Sign(alg string, key any, headerJSON, payloadJSON []byte, rand io.Reader) (string, error) {
	if err := checkSignInput(alg, headerJSON, payloadJSON); err != nil {
		return "", err
	}
	enc := Base64()
	n := enc.EncodedLen(len(headerJSON)) + 1 + enc.EncodedLen(len(payloadJSON))
	var sb strings.Builder
	sb.Grow(n + 1 + enc.EncodedLen(maxRSASignature))
	buf := make([]byte, n)
	enc.Encode(buf, headerJSON)
	h := enc.EncodedLen(len(headerJSON))
	buf[h] = '.'
	enc.Encode(buf[h+1:], payloadJSON)

	sig, err := signBytes(alg, key, buf, rand)
	if err != nil {
		return "", err
	}
	sb.Write(buf)
	sb.WriteByte('.')
	sb.WriteString(enc.EncodeToString(sig))
	return sb.String(), nil
}

// checkSignInput applies Parse's checks to the header and payload Sign is given.
func checkSignInput(alg string, headerJSON, payloadJSON []byte) error {
	if _, _, known := SignatureSize(alg); !known {
		return failure.Usagef(CodeUnsupportedAlg, "cannot sign with alg %s; use one of %s",
			quoteName(alg), strings.Join(Algs(), ", "))
	}
	header, err := decodeObject(headerJSON, "header")
	if err != nil {
		return failure.Usage(CodeBadHeader, err)
	}
	got, present := header["alg"]
	if s, ok := got.(string); !present || !ok || s != alg {
		what := "has no alg"
		if present {
			what = "has alg " + compactJSON(got)
		}
		return failure.Usagef(CodeBadHeader, "header %s but the token is signed with %s; the two must match", what, alg)
	}
	if b, ok := header["b64"]; ok && b != true {
		return failure.Usagef(CodeBadHeader, "header has b64 %s; jwtkit signs only base64url-encoded payloads", compactJSON(b))
	}
	if _, err := decodeObject(payloadJSON, "payload"); err != nil {
		return failure.Usage(CodeBadPayload, err)
	}
	return nil
}

// hashFor returns the hash of a 256/384/512 alg.
func hashFor(alg string) crypto.Hash {
	switch alg[len(alg)-3:] {
	case "384":
		return crypto.SHA384
	case "512":
		return crypto.SHA512
	}
	return crypto.SHA256
}

func badKey(alg, want string, key any) error {
	return failure.Usagef(CodeBadKey, "%s needs %s, but the key is %s", alg, want, describeKey(key))
}

// signBytes signs input with alg and key.
func signBytes(alg string, key any, input []byte, random io.Reader) ([]byte, error) {
	if random == nil {
		random = rand.Reader
	}
	switch alg {
	case "none":
		if key != nil {
			return nil, failure.Usagef(CodeBadKey, "alg none takes no key, but one was given (%s)", describeKey(key))
		}
		return []byte{}, nil
	case "EdDSA":
		var priv ed25519.PrivateKey
		switch k := key.(type) {
		case ed25519.PrivateKey:
			priv = k
		case *ed25519.PrivateKey:
			if k != nil {
				priv = *k
			}
		default:
			return nil, badKey(alg, "an Ed25519 private key", key)
		}
		if len(priv) != ed25519.PrivateKeySize {
			return nil, failure.Usagef(CodeBadKey, "the Ed25519 private key has %d bytes; it must have %d", len(priv), ed25519.PrivateKeySize)
		}
		return ed25519.Sign(priv, input), nil
	}

	hash := hashFor(alg)
	hh := hash.New()
	hh.Write(input)
	digest := hh.Sum(nil)

	switch alg[:2] {
	case "HS":
		secret, ok := key.([]byte)
		if !ok {
			return nil, badKey(alg, "a secret ([]byte)", key)
		}
		if len(secret) == 0 {
			return nil, failure.Usagef(CodeBadKey, "the %s secret is empty", alg)
		}
		mac := hmac.New(hash.New, secret)
		mac.Write(input)
		return mac.Sum(nil), nil
	case "RS", "PS":
		priv, ok := key.(*rsa.PrivateKey)
		if !ok || priv == nil || priv.N == nil {
			return nil, badKey(alg, "an RSA private key", key)
		}
		if bits := priv.N.BitLen(); bits < MinRSABits {
			return nil, failure.Usagef(CodeBadKey, "the RSA key has %d bits; %s needs at least %d (RFC 7518 §3.3)", bits, alg, MinRSABits)
		}
		var sig []byte
		var err error
		if alg[:2] == "RS" {
			sig, err = rsa.SignPKCS1v15(nil, priv, hash, digest)
		} else {
			sig, err = rsa.SignPSS(random, priv, hash, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		if err != nil {
			return nil, failure.Usagef(CodeBadKey, "signing with the RSA key failed (%v); check that the key file is intact", err)
		}
		return sig, nil
	case "ES":
		priv, ok := key.(*ecdsa.PrivateKey)
		if !ok || priv == nil || priv.Curve == nil {
			return nil, badKey(alg, "an EC private key", key)
		}
		want := elliptic.P256()
		switch alg {
		case "ES384":
			want = elliptic.P384()
		case "ES512":
			want = elliptic.P521()
		}
		if priv.Curve != want {
			return nil, failure.Usagef(CodeBadKey, "%s needs a key on %s, but the key is on %s", alg, want.Params().Name, curveName(priv.Curve))
		}
		r, s, err := ecdsa.Sign(random, priv, digest)
		if err != nil {
			return nil, failure.Usagef(CodeBadKey, "signing with the EC key failed (%v); check that the key file is intact", err)
		}
		size := (want.Params().BitSize + 7) / 8
		sig := make([]byte, 2*size)
		r.FillBytes(sig[:size])
		s.FillBytes(sig[size:])
		return sig, nil
	}
	return nil, failure.Usagef(CodeUnsupportedAlg, "cannot sign with alg %s", quoteName(alg))
}

func curveName(c elliptic.Curve) string {
	if p := c.Params(); p != nil && p.Name != "" {
		return p.Name
	}
	return "an unnamed curve"
}

// describeKey names what kind of key a value is, never its contents.
func describeKey(key any) string {
	switch k := key.(type) {
	case nil:
		return "missing"
	case []byte:
		return "a secret"
	case string:
		return "a string (pass secrets as []byte)"
	case *rsa.PrivateKey:
		return "an RSA private key"
	case *rsa.PublicKey:
		return "an RSA public key (signing needs the private key)"
	case *ecdsa.PrivateKey:
		if k != nil && k.Curve != nil {
			return "an EC private key on " + curveName(k.Curve)
		}
		return "an EC private key"
	case *ecdsa.PublicKey:
		return "an EC public key (signing needs the private key)"
	case ed25519.PrivateKey, *ed25519.PrivateKey:
		return "an Ed25519 private key"
	case ed25519.PublicKey:
		return "an Ed25519 public key (signing needs the private key)"
	}
	return fmt.Sprintf("of an unsupported type (%T)", key)
}

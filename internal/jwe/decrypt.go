package jwe

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

// MaxPlaintext is the default cap on a decrypted (and decompressed) plaintext: 256 KiB, the
// size cap of a token, since the plaintext is claims or a nested token. go-jose itself stops
// inflating a "zip": "DEF" plaintext past max(250 kB, 10 × the ciphertext), so memory stays
// bounded by a few MB however far a payload would inflate.
const MaxPlaintext = 256 << 10

// CodeDecrypt is the code of ErrDecrypt.
const CodeDecrypt = "decryption_failed"

// ErrDecrypt is matched (errors.Is) by the one error Decrypt returns for every failure of the
// cryptography itself: a wrong key, a tampered header, encrypted key, IV, ciphertext or tag,
// bad padding, a CEK of the wrong size. One message and one code (failure.Invalid, exit 1) so
// that no difference between them can serve as an oracle (RFC 7516 §11.5, RFC 8725 §3.2).
var ErrDecrypt = errors.New("decryption failed: no key given opens this token, or the token was altered")

// DecryptOptions say which keys and limits Decrypt uses.
type DecryptOptions struct {
	// Passwords are tried for PBES2 tokens, and only for them.
	Passwords [][]byte
	// AllowRSA1_5 lets RSA1_5 tokens be opened; refused by default (RFC 8725 §3.2).
	AllowRSA1_5 bool
	// MaxSize caps the compact token (default token.MaxSize), MaxPlaintext the plaintext
	// (default MaxPlaintext), MaxP2C the PBES2 count (default MaxP2C). Zero means the default.
	MaxSize, MaxPlaintext, MaxP2C int
}

// Result is an opened JWE.
type Result struct {
	// Plaintext is the decrypted and, for "zip": "DEF", decompressed payload.
	Plaintext []byte
	// HeaderJSON is the protected header exactly as in the token; Header it decoded.
	HeaderJSON []byte
	Header     map[string]any
	// Alg and Enc are the header's algorithms.
	Alg, Enc string
	// Key is the key that opened the token (zero when a password did).
	Key keys.Key
}

// Nested reports whether the header says the plaintext is a JWT (see IsNestedJWT).
func (r *Result) Nested() bool { return IsNestedJWT(r.Header) }

// Decrypt opens a compact JWE with the first of list (or opts.Passwords) that can, trying only
// the keys that fit the header's alg: private RSA keys for RSA-OAEP, private EC keys on the
// epk's curve for ECDH-ES, AES keys of the right size for key wrap and dir, passwords for
// PBES2; a JWK whose alg differs, or whose use or key_ops rule out decryption, is skipped.
//
// Errors: the token's form as token.Parse reports it, and a JWS is failure.Usage ("not_jwe",
// exit 2); a header that asks for something refused is failure.Invalid (CodeUnsupported,
// CodeP2C, CodeEPK); no usable key among those given is failure.Usage ("key"); every failure
// of the cryptography is ErrDecrypt (failure.Invalid, CodeDecrypt).
func Decrypt(compact string, list []keys.Key, opts DecryptOptions) (*Result, error) {
	maxSize := opts.MaxSize
	if maxSize <= 0 {
		maxSize = token.MaxSize
	}
	maxPlain := opts.MaxPlaintext
	if maxPlain <= 0 {
		maxPlain = MaxPlaintext
	}
	maxP2C := opts.MaxP2C
	if maxP2C <= 0 {
		maxP2C = MaxP2C
	}
	p, err := token.Parse(compact, maxSize)
	if err != nil {
		return nil, err
	}
	if !p.Encrypted {
		return nil, failure.Usagef("not_jwe", "the token is a signed JWT (3 segments), not an encrypted JWE (5 segments); decode or verify it instead")
	}
	h, err := readHeader(p, opts.AllowRSA1_5, maxP2C)
	if err != nil {
		return nil, err
	}
	cands, err := candidates(h, list, opts.Passwords)
	if err != nil {
		return nil, err
	}
	obj, err := jose.ParseEncryptedCompact(compact, []jose.KeyAlgorithm{h.alg.name}, []jose.ContentEncryption{h.enc})
	if err != nil {
		// The form and header were checked above; what go-jose still refuses (an epk it cannot
		// read, say) is about the token, not the key.
		return nil, failure.Invalidf("bad_header", "JWE header refused: %s", plainJose(err))
	}
	for _, c := range cands {
		plain, err := obj.Decrypt(c.raw)
		if err != nil {
			continue
		}
		if len(plain) > maxPlain {
			return nil, failure.Invalidf("too_large", "the decrypted plaintext is %d bytes; the limit is %d", len(plain), maxPlain)
		}
		return &Result{Plaintext: plain, HeaderJSON: h.json, Header: h.all, Alg: string(h.alg.name), Enc: string(h.enc), Key: c.key}, nil
	}
	if h.zip {
		// zip is in the header, for anyone to read: saying it is no oracle.
		return nil, failure.Invalid(CodeDecrypt, fmt.Errorf("%w (or its compressed plaintext inflates past go-jose's limit of 250 kB or 10 times its size)", ErrDecrypt))
	}
	return nil, failure.Invalid(CodeDecrypt, ErrDecrypt)
}

// candidate is one key to try, in the form go-jose takes.
type candidate struct {
	raw any
	key keys.Key
}

// candidates picks the keys that fit h, those whose kid matches h's first. It says why none
// fits when none does, which depends only on the public header and the keys given.
func candidates(h *header, list []keys.Key, passwords [][]byte) ([]candidate, error) {
	alg := string(h.alg.name)
	if h.alg.family == familyPassword {
		var out []candidate
		for _, pw := range passwords {
			out = append(out, candidate{raw: pw})
		}
		if len(out) == 0 {
			return nil, failure.Usagef("key", "the token is encrypted with a password (%s); give the password, not a key", alg)
		}
		return out, nil
	}
	var first, rest []candidate
	var skipped []string
	for _, k := range list {
		raw, why := fitsForDecrypt(k, h)
		if why != "" {
			skipped = append(skipped, keyName(k)+" "+why)
			continue
		}
		if h.alg.family == familyEC {
			if crv, _ := h.epk["crv"].(string); crv != k.Curve() {
				skipped = append(skipped, fmt.Sprintf("%s is on %s; the token's epk is on %s", keyName(k), k.Curve(), quoteValue(h.epk["crv"])))
				continue
			}
			if err := checkEPK(h.epk, k.Curve()); err != nil {
				return nil, err
			}
		}
		c := candidate{raw: raw, key: k}
		if h.kid != "" && k.JWK.KeyID == h.kid {
			first = append(first, c)
		} else {
			rest = append(rest, c)
		}
	}
	out := append(first, rest...)
	if len(out) == 0 {
		why := "no key was given"
		if len(skipped) > 0 {
			why = skipped[0]
			if len(skipped) > 1 {
				why += fmt.Sprintf(" (and %d more keys do not fit)", len(skipped)-1)
			}
		}
		if len(list) == 0 && len(passwords) > 0 {
			why = "a password opens only PBES2 tokens"
		}
		return nil, failure.Usagef("key", "no key fits this token (alg %s, enc %s): %s", alg, h.enc, why)
	}
	return out, nil
}

// fitsForDecrypt returns the raw key go-jose decrypts with, or why k cannot open h.
func fitsForDecrypt(k keys.Key, h *header) (any, string) {
	alg := string(h.alg.name)
	if familyOf(k) != h.alg.family {
		return nil, fmt.Sprintf("(%s) does not fit: %s needs %s", k.Describe(), alg, familyText(h.alg.family))
	}
	if jalg := k.JWK.Algorithm; !jwkAlgAllows(jalg, alg, string(h.enc)) {
		return nil, fmt.Sprintf("is for %q (its JWK \"alg\"), not %s (RFC 8725 §3.1)", clip(jalg), alg)
	}
	if why := PurposeConflict(k, false); why != "" {
		return nil, "cannot decrypt: " + why
	}
	switch key := k.JWK.Key.(type) {
	case *rsa.PrivateKey:
		return key, ""
	case *ecdsa.PrivateKey:
		return key, ""
	case []byte:
		n := len(key)
		if h.alg.keySize != 0 && n != h.alg.keySize {
			return nil, fmt.Sprintf("is a %d-byte secret; %s needs %d bytes", n, alg, h.alg.keySize)
		}
		if h.alg.keySize == 0 && n != contentKeySize(string(h.enc)) {
			return nil, fmt.Sprintf("is a %d-byte secret; dir with %s needs %d bytes", n, h.enc, contentKeySize(string(h.enc)))
		}
		return key, ""
	}
	return nil, "is a public key; decrypting needs the private key"
}

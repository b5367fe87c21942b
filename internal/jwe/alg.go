package jwe

import (
	"fmt"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/suggest"
)

// keyFamily is the kind of key material a key-management algorithm takes.
type keyFamily string

const (
	familyRSA      keyFamily = "RSA"
	familyEC       keyFamily = "EC"
	familyOct      keyFamily = "oct"
	familyPassword keyFamily = "password"
)

// keyAlgSpec describes one key-management algorithm (RFC 7518 §4.1).
type keyAlgSpec struct {
	name    jose.KeyAlgorithm
	family  keyFamily
	keySize int // for oct: the AES key size in bytes (0: dir, any CEK size)
}

// keyAlgSpecs lists every key-management algorithm jwtkit handles. RSA1_5 is listed for
// decryption only; Encrypt refuses it.
var keyAlgSpecs = []keyAlgSpec{
	{jose.RSA1_5, familyRSA, 0},
	{jose.RSA_OAEP, familyRSA, 0},
	{jose.RSA_OAEP_256, familyRSA, 0},
	{jose.ECDH_ES, familyEC, 0},
	{jose.ECDH_ES_A128KW, familyEC, 0},
	{jose.ECDH_ES_A192KW, familyEC, 0},
	{jose.ECDH_ES_A256KW, familyEC, 0},
	{jose.A128KW, familyOct, 16},
	{jose.A192KW, familyOct, 24},
	{jose.A256KW, familyOct, 32},
	{jose.A128GCMKW, familyOct, 16},
	{jose.A192GCMKW, familyOct, 24},
	{jose.A256GCMKW, familyOct, 32},
	{jose.DIRECT, familyOct, 0},
	{jose.PBES2_HS256_A128KW, familyPassword, 0},
	{jose.PBES2_HS384_A192KW, familyPassword, 0},
	{jose.PBES2_HS512_A256KW, familyPassword, 0},
}

// contentSpecs lists the content-encryption algorithms (RFC 7518 §5.1) with their CEK sizes.
var contentSpecs = []struct {
	name    jose.ContentEncryption
	keySize int
}{
	{jose.A128GCM, 16},
	{jose.A192GCM, 24},
	{jose.A256GCM, 32},
	{jose.A128CBC_HS256, 32},
	{jose.A192CBC_HS384, 48},
	{jose.A256CBC_HS512, 64},
}

// KeyAlgorithms returns the names of the key-management algorithms Encrypt accepts (all but
// RSA1_5), in RFC 7518 order.
func KeyAlgorithms() []string {
	var out []string
	for _, s := range keyAlgSpecs {
		if s.name != jose.RSA1_5 {
			out = append(out, string(s.name))
		}
	}
	return out
}

// ContentAlgorithms returns the names of the content-encryption algorithms.
func ContentAlgorithms() []string {
	out := make([]string, len(contentSpecs))
	for i, s := range contentSpecs {
		out[i] = string(s.name)
	}
	return out
}

func lookupKeyAlg(name string) (keyAlgSpec, bool) {
	for _, s := range keyAlgSpecs {
		if string(s.name) == name {
			return s, true
		}
	}
	return keyAlgSpec{}, false
}

// contentKeySize returns the CEK size of enc in bytes, or 0 for an unknown enc.
func contentKeySize(enc string) int {
	for _, s := range contentSpecs {
		if string(s.name) == enc {
			return s.keySize
		}
	}
	return 0
}

func unknownKeyAlg(alg string) error {
	names := KeyAlgorithms()
	return failure.Usagef("alg_mismatch", "unsupported key-management algorithm %q; use one of %s%s", clip(alg), strings.Join(names, ", "), suggest.Hint(alg, names))
}

func unknownEnc(enc string) error {
	names := ContentAlgorithms()
	return failure.Usagef("alg_mismatch", "unsupported content encryption %q; use one of %s%s", clip(enc), strings.Join(names, ", "), suggest.Hint(enc, names))
}

// familyOf returns the key family of k for encryption, "" for keys that cannot encrypt
// (Ed25519).
func familyOf(k keys.Key) keyFamily {
	switch k.Family() {
	case "RSA":
		return familyRSA
	case "EC":
		return familyEC
	case "oct":
		return familyOct
	}
	return ""
}

// DefaultEnc is the content encryption used when none is asked for (RFC 7518 §5.1 lists
// A128GCM and A256GCM as recommended; the 256-bit one needs no thought about key sizes).
const DefaultEnc = string(jose.A256GCM)

// InferAlgs chooses the key-management alg and enc for a recipient when the caller gives
// none (either may be given; the other is inferred):
//
//   - a JWK's "alg" wins when it names a key-management algorithm;
//   - RSA → RSA-OAEP-256 (RSA-OAEP with SHA-256; RSA1_5 never);
//   - EC P-256/384/521 → ECDH-ES (direct key agreement, "Recommended+" in RFC 7518 §4.1: no
//     key wrap, the CEK is the agreed key, as OpenID Connect's encrypted ID tokens commonly use);
//   - an AES key of 16, 24 or 32 bytes → A128KW, A192KW or A256KW with A256GCM; of 48 or 64
//     bytes → dir with A192CBC-HS384 or A256CBC-HS512 (the only encs of those sizes);
//   - a password → PBES2-HS256+A128KW;
//   - enc defaults to A256GCM, and for dir to the enc whose key size is the key's.
func InferAlgs(r Recipient, alg, enc string) (string, string, error) {
	if alg == "" {
		switch {
		case r.Password != nil:
			alg = string(jose.PBES2_HS256_A128KW)
		case r.Key.JWK.Algorithm != "" && familyOf(r.Key) == familyOct && contentKeySize(r.Key.JWK.Algorithm) != 0:
			// An oct JWK whose alg is a content encryption is a CEK for dir (RFC 7520 §5.6).
			alg = string(jose.DIRECT)
			if enc == "" {
				enc = r.Key.JWK.Algorithm
			}
		case r.Key.JWK.Algorithm != "":
			if _, ok := lookupKeyAlg(r.Key.JWK.Algorithm); !ok {
				return "", "", failure.Usagef("alg_mismatch", "%s is for %q (its JWK \"alg\"), which is not a key-management algorithm; give another key or --key-alg", keyName(r.Key), clip(r.Key.JWK.Algorithm))
			}
			alg = r.Key.JWK.Algorithm
		default:
			switch familyOf(r.Key) {
			case familyRSA:
				alg = string(jose.RSA_OAEP_256)
			case familyEC:
				alg = string(jose.ECDH_ES)
			case familyOct:
				switch n := len(r.Key.JWK.Key.([]byte)); n {
				case 16:
					alg = string(jose.A128KW)
				case 24:
					alg = string(jose.A192KW)
				case 32:
					alg = string(jose.A256KW)
				case 48, 64:
					alg = string(jose.DIRECT)
				default:
					return "", "", failure.Usagef("alg_mismatch", "a %d-byte secret fits no JWE algorithm: AES key wrap takes 16, 24 or 32 bytes, dir 16 to 64 by enc; for a passphrase use the password flag (PBES2)", n)
				}
			default:
				return "", "", failure.Usagef("alg_mismatch", "%s (%s) cannot encrypt: JWE takes RSA, EC P-256/384/521 or AES keys, or a password", keyName(r.Key), r.Key.Describe())
			}
		}
	}
	if enc == "" {
		enc = DefaultEnc
		if alg == string(jose.DIRECT) && r.Password == nil && familyOf(r.Key) == familyOct {
			for _, s := range contentSpecs {
				if s.keySize == len(r.Key.JWK.Key.([]byte)) {
					enc = string(s.name)
					break
				}
			}
		}
	}
	return alg, enc, nil
}

// checkRecipient says whether r can be used with alg and enc to encrypt, as a user-facing
// error when not.
func checkRecipient(r Recipient, alg, enc string) (keyAlgSpec, error) {
	spec, ok := lookupKeyAlg(alg)
	if !ok {
		return spec, unknownKeyAlg(alg)
	}
	if spec.name == jose.RSA1_5 {
		return spec, failure.Usagef("alg_mismatch", "RSA1_5 is refused for encryption: RSAES-PKCS1-v1_5 invites padding-oracle attacks (RFC 8725 §3.2); use RSA-OAEP-256")
	}
	cekSize := contentKeySize(enc)
	if cekSize == 0 {
		return spec, unknownEnc(enc)
	}
	if r.Password != nil {
		if spec.family != familyPassword {
			return spec, failure.Usagef("alg_mismatch", "a password can only be used with PBES2 (PBES2-HS256+A128KW, PBES2-HS384+A192KW, PBES2-HS512+A256KW), not %s", alg)
		}
		return spec, nil
	}
	k := r.Key
	if spec.family == familyPassword {
		return spec, failure.Usagef("alg_mismatch", "%s needs a password, not %s", alg, k.Describe())
	}
	if fam := familyOf(k); fam != spec.family {
		return spec, failure.Usagef("alg_mismatch", "%s needs %s; %s is %s", alg, familyText(spec.family), keyName(k), k.Describe())
	}
	if jalg := k.JWK.Algorithm; !jwkAlgAllows(jalg, alg, enc) {
		return spec, failure.Usagef("alg_mismatch", "%s is for %q (its JWK \"alg\"), not %s (RFC 8725 §3.1)", keyName(k), clip(jalg), alg)
	}
	if why := PurposeConflict(k, true); why != "" {
		return spec, failure.Usagef("key_use", "%s cannot encrypt: %s", keyName(k), why)
	}
	if spec.family == familyOct {
		n := len(k.JWK.Key.([]byte))
		switch {
		case spec.keySize != 0 && n != spec.keySize:
			return spec, failure.Usagef("alg_mismatch", "%s needs a %d-byte key; the secret is %d bytes", alg, spec.keySize, n)
		case spec.keySize == 0 && n != cekSize:
			return spec, failure.Usagef("alg_mismatch", "dir with %s needs a %d-byte key; the secret is %d bytes", enc, cekSize, n)
		}
	}
	return spec, nil
}

// PurposeConflict says why a key's declared purpose rules it out for JWE, or "" when it does
// not: a JWK "use" must be absent or "enc" (RFC 7517 §4.2; case-sensitive), and "key_ops",
// when present, must list "encrypt" or "wrapKey" to encrypt (encrypting), "decrypt" or
// "unwrapKey" to decrypt (§4.3).
func PurposeConflict(k keys.Key, encrypting bool) string {
	if u := k.JWK.Use; u != "" && u != "enc" {
		return fmt.Sprintf("its \"use\" is %q, not \"enc\" (RFC 7517 §4.2)", clip(u))
	}
	if k.KeyOps == nil {
		return ""
	}
	ops := [2]string{"decrypt", "unwrapKey"}
	if encrypting {
		ops = [2]string{"encrypt", "wrapKey"}
	}
	if slices.Contains(k.KeyOps, ops[0]) || slices.Contains(k.KeyOps, ops[1]) {
		return ""
	}
	return fmt.Sprintf("its \"key_ops\" include neither %q nor %q (RFC 7517 §4.3)", ops[0], ops[1])
}

func familyText(f keyFamily) string {
	switch f {
	case familyRSA:
		return "an RSA key"
	case familyEC:
		return "an EC P-256, P-384 or P-521 key"
	case familyOct:
		return "an AES key (an oct JWK or a secret)"
	}
	return "a password"
}

func keyName(k keys.Key) string {
	name := k.Source
	if name == "" {
		name = "the key"
	}
	if k.JWK.KeyID != "" {
		name += fmt.Sprintf(" (kid %q)", clip(k.JWK.KeyID))
	}
	return name
}

// clip bounds a value quoted from input in a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// jwkAlgAllows reports whether a JWK's "alg" (jalg, "" when absent) lets the key be used with
// the key-management alg and content enc: it must name alg, or for dir, whose key is the CEK
// itself, it may name enc (as RFC 7520 §5.6's key does). A mismatch is refused (RFC 8725 §3.1).
func jwkAlgAllows(jalg, alg, enc string) bool {
	return jalg == "" || jalg == alg || alg == string(jose.DIRECT) && jalg == enc
}

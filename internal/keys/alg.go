package keys

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/suggest"
)

// algSpec describes one signing algorithm: the key family and curve it needs, and for HMAC the
// hash size that is also the minimum secret length (RFC 7518 §3.2).
type algSpec struct {
	name      string
	family    string // "oct", "RSA", "EC", "OKP"
	curve     string // EC and OKP only
	hashBytes int    // HMAC only
}

func algSpecs() []algSpec {
	return []algSpec{
		{"HS256", "oct", "", 32}, {"HS384", "oct", "", 48}, {"HS512", "oct", "", 64},
		{"RS256", "RSA", "", 0}, {"RS384", "RSA", "", 0}, {"RS512", "RSA", "", 0},
		{"PS256", "RSA", "", 0}, {"PS384", "RSA", "", 0}, {"PS512", "RSA", "", 0},
		{"ES256", "EC", "P-256", 0}, {"ES384", "EC", "P-384", 0}, {"ES512", "EC", "P-521", 0},
		{"EdDSA", "OKP", "Ed25519", 0},
	}
}

func lookupAlg(alg string) (algSpec, bool) {
	for _, s := range algSpecs() {
		if s.name == alg {
			return s, true
		}
	}
	return algSpec{}, false
}

// Algorithms lists every signing algorithm jwtkit supports, in a stable order:
// HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA.
func Algorithms() []string {
	var out []string
	for _, s := range algSpecs() {
		out = append(out, s.name)
	}
	return out
}

// unknownAlg explains an algorithm name jwtkit does not sign or verify with.
func unknownAlg(alg string) error {
	if strings.EqualFold(alg, "none") {
		return failure.Usagef("alg_mismatch", `alg "none" is never accepted here: it means an unsigned token`)
	}
	for _, known := range Algorithms() {
		if strings.EqualFold(alg, known) {
			return failure.Usagef("alg_mismatch", "unsupported algorithm %q; did you mean %s? (names are case-sensitive)", alg, known)
		}
	}
	return failure.Usagef("alg_mismatch", "unsupported algorithm %q; use one of %s%s", truncate(alg, 40), strings.Join(Algorithms(), ", "), suggest.Hint(alg, Algorithms()))
}

// jwkAlg returns the signing algorithm a JWK's alg member names, mapping RFC 9864's fully
// specified "Ed25519" to EdDSA.
func jwkAlg(k Key) string {
	if k.JWK.Algorithm == "Ed25519" && k.Family() == "OKP" {
		return "EdDSA"
	}
	return k.JWK.Algorithm
}

// InferAlg returns the algorithm to use with k when none is given: the JWK's alg when set,
// else RSA→RS256, P-256→ES256, P-384→ES384, P-521→ES512, Ed25519→EdDSA, secret→HS256.
// Errors (failure.Usage, code "alg_mismatch") say when the JWK's alg is not a signing
// algorithm jwtkit supports or does not fit the key.
func InferAlg(k Key) (string, error) {
	if alg := jwkAlg(k); alg != "" {
		spec, ok := lookupAlg(alg)
		if !ok {
			return "", failure.Usagef("alg_mismatch", "%s is for %q (its JWK \"alg\"), which is not a signing algorithm jwtkit supports", keyName(k), truncate(alg, 40))
		}
		if err := fits(k, spec); err != nil {
			return "", err
		}
		return alg, nil
	}
	switch k.Family() {
	case "RSA":
		return "RS256", nil
	case "oct":
		return "HS256", nil
	case "OKP":
		return "EdDSA", nil
	case "EC":
		for _, s := range algSpecs() {
			if s.family == "EC" && s.curve == k.Curve() {
				return s.name, nil
			}
		}
	}
	return "", failure.Usagef("alg_mismatch", "no signing algorithm fits %s (%s)", keyName(k), k.Describe())
}

// CheckAlg says whether k can be used with alg, as a user-facing error when not:
//   - the key family and, for EC, the curve must fit the algorithm exactly
//     ("ES256 needs an EC P-256 key; key.pem is an RSA 2048-bit private key");
//   - a JWK alg that differs from alg is refused (RFC 8725 §3.1);
//   - a JWK use other than "sig", or key_ops without the operation the key can do (see
//     PurposeConflict), is refused (RFC 7517 §4.2–4.3);
//   - an HMAC secret shorter than the hash (32/48/64 bytes for HS256/384/512) is refused unless
//     allowWeak (RFC 7518 §3.2);
//   - "none" is never accepted.
//
// Errors are failure.Usage with code "alg_mismatch", or "weak_key" for weak key material.
func CheckAlg(k Key, alg string, allowWeak bool) error {
	spec, ok := lookupAlg(alg)
	if !ok {
		return unknownAlg(alg)
	}
	if err := fits(k, spec); err != nil {
		return err
	}
	if err := checkKey(k.JWK.Key); err != nil {
		return failure.Usagef("weak_key", "%s: %w", keyName(k), err)
	}
	if jalg := jwkAlg(k); jalg != "" && jalg != alg {
		return failure.Usagef("alg_mismatch", "%s is for %s (its JWK \"alg\"), not %s (RFC 8725 §3.1)", keyName(k), quoteAlg(jalg), alg)
	}
	if why := PurposeConflict(k, opFor(k)); why != "" {
		return failure.Usagef("alg_mismatch", "%s cannot sign or verify: %s", keyName(k), why)
	}
	if spec.family == "oct" && !allowWeak {
		if n := len(k.JWK.Key.([]byte)); n < spec.hashBytes {
			return failure.Usagef("weak_key", "the secret is %d bytes; %s needs at least %d (RFC 7518 §3.2); use a longer secret or --allow-weak", n, alg, spec.hashBytes)
		}
	}
	return nil
}

// PurposeConflict says why a key's declared purpose rules it out for op ("sign" or "verify"),
// or returns "" when it does not: a JWK "use" must be absent or "sig" (RFC 7517 §4.2; the
// values are case-sensitive, so "ENC" and "Sig" are no signing uses), and "key_ops", when
// present, must list op (§4.3). The reason reads after a key's name:
// `its "use" is "enc", not "sig" (RFC 7517 §4.2)`.
func PurposeConflict(k Key, op string) string {
	if u := k.JWK.Use; u != "" && u != "sig" {
		return fmt.Sprintf("its \"use\" is %q, not \"sig\" (RFC 7517 §4.2)", truncate(u, 40))
	}
	if k.KeyOps == nil {
		return ""
	}
	if op == "" {
		if slices.Contains(k.KeyOps, "sign") || slices.Contains(k.KeyOps, "verify") {
			return ""
		}
		return fmt.Sprintf("its \"key_ops\" %s include neither \"sign\" nor \"verify\" (RFC 7517 §4.3)", opsText(k.KeyOps))
	}
	if slices.Contains(k.KeyOps, op) {
		return ""
	}
	return fmt.Sprintf("its \"key_ops\" %s do not include %q (RFC 7517 §4.3)", opsText(k.KeyOps), op)
}

// opFor is the signature operation a key can do by its kind: "sign" for a private key,
// "verify" for a public key, "" (either) for a secret.
func opFor(k Key) string {
	switch {
	case k.IsSymmetric():
		return ""
	case k.IsPrivate():
		return "sign"
	}
	return "verify"
}

// opsText renders key_ops for messages, bounded.
func opsText(ops []string) string {
	if len(ops) == 0 {
		return "[]"
	}
	shown := ops
	if len(shown) > 8 {
		shown = shown[:8]
	}
	parts := make([]string, len(shown))
	for i, op := range shown {
		parts[i] = strconv.Quote(truncate(op, 40))
	}
	more := ""
	if len(ops) > len(shown) {
		more = ", …"
	}
	return "[" + strings.Join(parts, ", ") + more + "]"
}

// fits checks the key family and curve against an algorithm.
func fits(k Key, spec algSpec) error {
	if k.Family() == spec.family && (spec.curve == "" || k.Curve() == spec.curve) {
		return nil
	}
	var need string
	switch spec.family {
	case "oct":
		need = "a secret"
	case "RSA":
		need = "an RSA key"
	case "EC":
		need = "an EC " + spec.curve + " key"
	case "OKP":
		need = "an Ed25519 key"
	}
	if k.IsSymmetric() {
		return failure.Usagef("alg_mismatch", "%s needs %s; %s is an HMAC secret, which only HS256, HS384 and HS512 use", spec.name, need, keyName(k))
	}
	// Every asymmetric description starts with a vowel sound: RSA, EC, Ed25519, unknown.
	return failure.Usagef("alg_mismatch", "%s needs %s; %s is an %s", spec.name, need, keyName(k), k.Describe())
}

// keyName names a key in a message by its source.
func keyName(k Key) string {
	if k.Source == "" {
		return "the key"
	}
	return k.Source
}

func quoteAlg(alg string) string {
	if _, ok := lookupAlg(alg); ok {
		return alg
	}
	return fmt.Sprintf("%q", truncate(alg, 40))
}

// KeyForAlg returns what Generate needs to make a key for alg: RS*/PS* → ("RSA", 2048, ""),
// ES256/384/512 → ("EC", 0, "P-256"/"P-384"/"P-521"), EdDSA → ("OKP", 0, "Ed25519"),
// HS256/384/512 → ("oct", 256/384/512, "").
func KeyForAlg(alg string) (kind string, size int, curve string, err error) {
	spec, ok := lookupAlg(alg)
	if !ok {
		return "", 0, "", unknownAlg(alg)
	}
	switch spec.family {
	case "RSA":
		return "RSA", 2048, "", nil
	case "oct":
		return "oct", 8 * spec.hashBytes, "", nil
	}
	return spec.family, 0, spec.curve, nil
}

// CheckHMACSecret refuses bytes that are key material given as an HMAC secret: a PEM block of
// any kind, a JWK or JWK Set with kty RSA, EC or OKP, a DER public key or certificate, or an
// OpenSSH public key. Verifying HS256 with an RS256 key's public half is the RS/HS
// key-confusion attack done by hand (RFC 8725 §3.1). Errors are failure.Usage with code "key"
// and never show the secret.
func CheckHMACSecret(secret []byte) error {
	const advice = "HMAC with public-key material is the RS/HS key-confusion attack (RFC 8725 §3.1); pass key files with --key"
	if bytes.Contains(secret, []byte("-----BEGIN")) {
		return failure.Usagef("key", "the secret is a PEM block; %s", advice)
	}
	text := bytes.TrimSpace(bytes.TrimPrefix(secret, []byte("\xef\xbb\xbf"))) // as Parse reads it
	if isOpenSSHPublicKey(text) {
		return failure.Usagef("key", "the secret is an OpenSSH public key; %s", advice)
	}
	if len(text) > 0 && text[0] == '{' && len(text) <= MaxInputSize {
		if kty := asymmetricJWK(text); kty != "" {
			return failure.Usagef("key", "the secret is a JWK with kty %s; %s", kty, advice)
		}
	}
	if len(secret) > 0 && secret[0] == 0x30 {
		_, errPKIX := x509.ParsePKIXPublicKey(secret)
		_, errCert := x509.ParseCertificate(secret)
		_, errPKCS1 := x509.ParsePKCS1PublicKey(secret)
		if errPKIX == nil || errCert == nil || errPKCS1 == nil {
			return failure.Usagef("key", "the secret is a DER public key or certificate; %s", advice)
		}
	}
	// Whatever else Parse would read as a key of its own (a JWK behind a byte order mark, a
	// format the checks above do not name) is refused too, so that no bytes --key accepts as
	// a public key can serve as an HMAC secret.
	if found, _, err := parseAny(secret, "the secret", nil); err == nil {
		for _, k := range found {
			if !k.IsSymmetric() {
				return failure.Usagef("key", "the secret is a key file (%s); %s", k.Describe(), advice)
			}
		}
	}
	return nil
}

// asymmetricJWK returns the kty of an RSA, EC or OKP key in a JWK or JWK Set, or "".
func asymmetricJWK(text []byte) string {
	obj, err := readObject(text)
	if err != nil {
		return ""
	}
	objects := []jsonObject{obj}
	if raw, ok := obj["keys"]; ok {
		var entries []json.RawMessage
		if json.Unmarshal(raw, &entries) == nil {
			for _, e := range entries {
				if o, err := readObject(e); err == nil {
					objects = append(objects, o)
				}
			}
		}
	}
	for _, o := range objects {
		if kty, _, err := o.str("kty"); err == nil && (kty == "RSA" || kty == "EC" || kty == "OKP") {
			return kty
		}
	}
	return ""
}

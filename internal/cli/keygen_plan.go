package cli

import (
	"fmt"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/suggest"
)

// keyPlan is what keygen will generate.
type keyPlan struct {
	kind  string // "RSA", "EC", "OKP" or "oct", as keys.Generate takes it
	size  int    // RSA modulus or secret bits
	curve string // EC curve
	alg   string // canonical algorithm, "" when not given
}

// planKey turns --alg, --type, --curve and --bits into one key description, refusing flags
// that disagree.
func planKey(opts *KeygenOptions) (keyPlan, error) {
	var p keyPlan
	from := "" // the flag that decided the kind, for messages
	if opts.Alg != "" {
		alg, err := canonicalAlg(opts.Alg)
		if err != nil {
			return p, err
		}
		kind, size, curve, err := keys.KeyForAlg(alg)
		if err != nil {
			return p, failure.Usage("usage", err)
		}
		p, from = keyPlan{kind: kind, size: size, curve: curve, alg: alg}, "--alg "+alg
	}
	if opts.Type != "" {
		kind, err := keygenKind(opts.Type)
		if err != nil {
			return p, err
		}
		if p.kind != "" && p.kind != kind {
			return p, failure.Usagef("usage", "%s makes %s, but --type is %s; drop one of them", from, kindName(p.kind), opts.Type)
		}
		if p.kind == "" {
			p, from = keyPlan{kind: kind}, "--type "+opts.Type
		}
	}
	if opts.Curve != "" {
		kind, curve, err := keygenCurve(opts.Curve)
		if err != nil {
			return p, err
		}
		switch {
		case p.kind == "":
			p, from = keyPlan{kind: kind, curve: curve}, "--curve "+curve
		case p.kind != kind:
			return p, failure.Usagef("usage", "%s makes %s, which has no --curve %s", from, kindName(p.kind), curve)
		case p.curve != "" && p.curve != curve:
			return p, failure.Usagef("usage", "%s needs curve %s, not %s", from, p.curve, curve)
		}
		p.curve = curve
	}
	if p.kind == "" {
		p.kind = "RSA"
	}
	if opts.Bits != 0 {
		if err := applyBits(&p, opts.Bits, from); err != nil {
			return p, err
		}
	}
	switch p.kind {
	case "RSA":
		if p.size == 0 {
			p.size = 2048
		}
		switch {
		case p.size < 2048:
			return p, failure.Usagef("usage", "RSA keys of %d bits are too weak; use 2048, 3072 or 4096 (RFC 7518 §3.3)", p.size)
		case p.size != 2048 && p.size != 3072 && p.size != 4096:
			return p, failure.Usagef("usage", "RSA keys come in 2048, 3072 or 4096 bits, not %d", p.size)
		}
	case "EC":
		if p.curve == "" {
			p.curve = "P-256"
		}
	case "oct":
		if p.size == 0 {
			p.size = defaultSecretBits
		}
		if p.size < 128 || p.size%8 != 0 || p.size > maxSecretBits {
			return p, failure.Usagef("usage", "a secret of %d bits is not offered; use a multiple of 8 from 128 to %d (256 or more for HS256)", p.size, maxSecretBits)
		}
		if need := hmacBits(p.alg); p.size < need {
			return p, failure.Usagef("usage", "%s needs a secret of at least %d bits (RFC 7518 §3.2), not %d", p.alg, need, p.size)
		}
	}
	if opts.Use != "" && opts.Use != "sig" && opts.Use != "enc" {
		return p, failure.Usagef("usage", `invalid --use %q: use sig, enc, or "" to leave it out`, opts.Use)
	}
	if opts.Use == "enc" && p.alg != "" {
		return p, failure.Usagef("usage", "--use enc does not fit %s, a signing algorithm; drop one of them", p.alg)
	}
	if err := checkKid(opts.Kid); err != nil {
		return p, err
	}
	return p, nil
}

// applyBits applies --bits to the plan: a size for RSA and secrets, a curve for EC.
func applyBits(p *keyPlan, bits int, from string) error {
	switch p.kind {
	case "RSA", "oct":
		p.size = bits
	case "EC":
		curve := map[int]string{256: "P-256", 384: "P-384", 521: "P-521"}[bits]
		if curve == "" {
			return failure.Usagef("usage", "EC keys come in 256, 384 and 521 bits (P-256, P-384, P-521), not %d", bits)
		}
		if p.curve != "" && p.curve != curve {
			return failure.Usagef("usage", "%s needs curve %s, which is not %d bits", from, p.curve, bits)
		}
		p.curve = curve
	case "OKP":
		return failure.Usagef("usage", "Ed25519 keys have a fixed size; drop --bits")
	}
	return nil
}

// hmacBits is the shortest secret an HMAC algorithm accepts (its hash size), 0 for others.
func hmacBits(alg string) int {
	switch alg {
	case "HS256":
		return 256
	case "HS384":
		return 384
	case "HS512":
		return 512
	}
	return 0
}

// canonicalAlg matches an algorithm name case-insensitively against the supported ones.
func canonicalAlg(s string) (string, error) {
	if strings.EqualFold(s, "none") {
		return "", failure.Usagef("usage", `alg "none" signs nothing and needs no key; use one of %s`, strings.Join(keys.Algorithms(), ", "))
	}
	for _, a := range keys.Algorithms() {
		if strings.EqualFold(a, s) {
			return a, nil
		}
	}
	return "", failure.Usagef("usage", "unknown --alg %q: use one of %s%s", s, strings.Join(keys.Algorithms(), ", "), suggest.Hint(s, keys.Algorithms()))
}

func keygenKind(s string) (string, error) {
	switch strings.ToLower(s) {
	case "rsa":
		return "RSA", nil
	case "ec", "ecdsa":
		return "EC", nil
	case "ed25519", "okp", "eddsa":
		return "OKP", nil
	case "oct", "hmac", "secret":
		return "oct", nil
	}
	return "", failure.Usagef("usage", "unknown --type %q: use rsa, ec, ed25519 or oct%s", s, suggest.Hint(s, []string{"rsa", "ec", "ecdsa", "ed25519", "okp", "eddsa", "oct", "hmac", "secret"}))
}

func keygenCurve(s string) (kind, curve string, err error) {
	switch strings.ToLower(strings.ReplaceAll(s, "-", "")) {
	case "p256", "prime256v1", "secp256r1":
		return "EC", "P-256", nil
	case "p384", "secp384r1":
		return "EC", "P-384", nil
	case "p521", "secp521r1":
		return "EC", "P-521", nil
	case "ed25519":
		return "OKP", "Ed25519", nil
	}
	return "", "", failure.Usagef("usage", "unknown --curve %q: use P-256, P-384, P-521 or Ed25519%s", s, suggest.Hint(s, []string{"P-256", "P-384", "P-521", "Ed25519"}))
}

// kindName names a key kind in a sentence.
func kindName(kind string) string {
	switch kind {
	case "RSA":
		return "an RSA key"
	case "EC":
		return "an EC key"
	case "OKP":
		return "an Ed25519 key"
	case "oct":
		return "an HMAC secret"
	}
	return "a key"
}

// checkKid refuses a kid that would be unreadable in a header or a message.
func checkKid(kid string) error {
	if len(kid) > 256 {
		return failure.Usagef("usage", "--kid is %d bytes long; keep it under 256", len(kid))
	}
	for _, r := range kid {
		if r < ' ' || r == 0x7f || r == '\uFFFD' {
			return failure.Usagef("usage", "--kid contains a control character or invalid UTF-8; use printable text")
		}
	}
	return nil
}

// planDescription names the key being made: "an RSA 4096-bit key", "a 256-bit secret".
func planDescription(p keyPlan) string {
	switch p.kind {
	case "RSA":
		return fmt.Sprintf("an RSA %d-bit key", p.size)
	case "EC":
		return "an EC " + p.curve + " key"
	case "OKP":
		return "an Ed25519 key"
	case "oct":
		return fmt.Sprintf("a %d-bit secret", p.size)
	}
	return "a key"
}

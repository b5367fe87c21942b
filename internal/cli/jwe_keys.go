package cli

import (
	"fmt"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/jwe"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// decryptKeys is the key material a command was given to open JWEs with.
type decryptKeys struct {
	keys      []keys.Key
	passwords [][]byte
}

// loadDecryptKeys reads every key file in specs (the key grammar) and the password (the
// secret grammar), if any. flag names the key flag in messages.
func loadDecryptKeys(g *Global, flag string, specs []string, passwordSpec, passphraseFlag string, stdinFree bool) (*decryptKeys, error) {
	dk := &decryptKeys{}
	var pass []byte
	if len(specs) > 0 {
		var err error
		if pass, err = resolvePassphrase(g, passphraseFlag, stdinFree); err != nil {
			return nil, err
		}
	}
	for _, spec := range specs {
		list, err := loadKeyFile(g, spec, pass, stdinFree)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flag, err)
		}
		dk.keys = append(dk.keys, list...)
	}
	if passwordSpec != "" {
		pw, err := resolver(g, stdinFree).Secret(passwordSpec)
		if err != nil {
			return nil, fmt.Errorf("--password: %w", err)
		}
		warnReadableFile(g, passwordSpec, false)
		dk.passwords = append(dk.passwords, pw)
	}
	return dk, nil
}

// open decrypts one compact JWE with dk, warning when RSA1_5 was allowed and used.
func (dk *decryptKeys) open(g *Global, compact string, allowRSA1_5 bool, maxSize int) (*jwe.Result, error) {
	res, err := jwe.Decrypt(compact, dk.keys, jwe.DecryptOptions{Passwords: dk.passwords, AllowRSA1_5: allowRSA1_5, MaxSize: maxSize})
	if err != nil {
		return nil, err
	}
	if res.Alg == "RSA1_5" {
		g.Warnf("--allow-rsa1_5: this token is encrypted with RSA1_5, which is open to padding-oracle attacks (RFC 8725 §3.2); ask its issuer for RSA-OAEP-256")
	}
	return res, nil
}

// innerToken returns the JWT inside a nested JWE (cty JWT, RFC 7519 §5.2), or an error that
// says why there is none (failure.Invalid: the token was opened but holds no signed token).
func innerToken(res *jwe.Result) (string, error) {
	if !res.Nested() {
		cty, _ := res.Header["cty"].(string)
		what := "has no \"cty\""
		if cty != "" {
			what = fmt.Sprintf("has cty %q", clipText(cty, 40))
		}
		return "", failure.Invalidf("not_nested", "the JWE %s, not \"JWT\": it holds no signed token (RFC 7519 §5.2); jwtkit decrypt shows its plaintext", what)
	}
	inner := strings.TrimSpace(string(res.Plaintext))
	if strings.Count(inner, ".") != 2 {
		return "", failure.Invalidf("not_nested", "the JWE says cty JWT but its plaintext is not a signed JWT (header.payload.signature)")
	}
	return inner, nil
}

func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

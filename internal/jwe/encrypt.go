package jwe

import (
	"crypto/rsa"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// PBES2 iteration counts. DefaultP2C follows OWASP's 2023 figure for PBKDF2-HMAC-SHA256
// (600,000; about 0.1–0.3 s on a 2020s core, measured with crypto/pbkdf2). MaxP2C, the most a
// token may ask of a decrypter, is go-jose's own ceiling, checked here from the header before
// any work so that a token asking for 10^9 iterations (minutes of CPU) is refused at once:
// 1,000,000 iterations of HMAC-SHA-512 take under a second, an acceptable cost for a CLI run
// and still above every count real encrypters use. MinP2C is RFC 7518 §4.8.1.2's recommended
// minimum, enforced when encrypting.
const (
	DefaultP2C = 600_000
	MaxP2C     = 1_000_000
	MinP2C     = 1000
)

// Recipient is whom a token is encrypted to: a key (public, private — its public half is
// used — or an AES secret as an oct key), or a password for PBES2.
type Recipient struct {
	Key      keys.Key
	Password []byte // non-nil selects PBES2; Key is then ignored
}

// EncryptOptions say how to encrypt. Zero values pick the defaults of InferAlgs.
type EncryptOptions struct {
	Alg         string // key-management algorithm ("alg"), "" to infer from the key
	Enc         string // content encryption ("enc"), "" to infer
	ContentType string // "cty", e.g. "JWT" for a nested token (RFC 7519 §5.2); "" for none
	Type        string // "typ", "" for none
	Zip         bool   // compress the plaintext with DEFLATE ("zip": "DEF") before encrypting
	P2C         int    // PBES2 iteration count, 0 for DefaultP2C
	KeyID       string // "kid", "" for the key's own kid
}

// Encrypt returns plaintext encrypted to r as a compact JWE, with the header's alg and enc
// chosen by InferAlgs unless opts names them. RSA1_5 is refused (RFC 8725 §3.2), as are keys
// whose JWK says they are not for encryption. Errors are failure.Usage: nothing was decrypted.
func Encrypt(plaintext []byte, r Recipient, opts EncryptOptions) (string, error) {
	alg, enc, err := InferAlgs(r, opts.Alg, opts.Enc)
	if err != nil {
		return "", err
	}
	spec, err := checkRecipient(r, alg, enc)
	if err != nil {
		return "", err
	}
	rcpt := jose.Recipient{Algorithm: spec.name, KeyID: opts.KeyID}
	if r.Password != nil {
		p2c := opts.P2C
		if p2c == 0 {
			p2c = DefaultP2C
		}
		if p2c < MinP2C || p2c > MaxP2C {
			return "", failure.Usagef("usage", "the PBES2 iteration count must be from %d to %d (decrypters refuse more); got %d", MinP2C, MaxP2C, p2c)
		}
		rcpt.Key = r.Password
		rcpt.PBES2Count = p2c
	} else {
		pub := r.Key.Public()
		rcpt.Key = pub.JWK.Key
		if rcpt.KeyID == "" {
			rcpt.KeyID = r.Key.JWK.KeyID
		}
		if rsaPub, ok := rcpt.Key.(*rsa.PublicKey); ok && rsaPub.N.BitLen() < 2048 {
			return "", failure.Usagef("weak_key", "%s is under 2048 bits (RFC 7518 §4.2)", keyName(r.Key))
		}
	}
	eo := &jose.EncrypterOptions{}
	if opts.ContentType != "" {
		eo.WithContentType(jose.ContentType(opts.ContentType))
	}
	if opts.Type != "" {
		eo.WithType(jose.ContentType(opts.Type))
	}
	if opts.Zip {
		eo.Compression = jose.DEFLATE
	}
	encrypter, err := jose.NewEncrypter(jose.ContentEncryption(enc), rcpt, eo)
	if err != nil {
		return "", failure.Usagef("key", "cannot encrypt with %s and %s to %s: %s", alg, enc, recipientName(r), plainJose(err))
	}
	obj, err := encrypter.Encrypt(plaintext)
	if err != nil {
		return "", failure.Usagef("key", "encrypting with %s and %s: %s", alg, enc, plainJose(err))
	}
	compact, err := obj.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("serializing the JWE: %w", err)
	}
	return compact, nil
}

func recipientName(r Recipient) string {
	if r.Password != nil {
		return "the password"
	}
	return keyName(r.Key)
}

// plainJose drops go-jose's package prefix from its error messages.
func plainJose(err error) string {
	msg := err.Error()
	const prefix = "go-jose/go-jose: "
	if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		return msg[len(prefix):]
	}
	return msg
}

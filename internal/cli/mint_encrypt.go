package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/jwe"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// MintEncryptOptions are mint's flags for encrypted tokens (JWE, RFC 7516).
type MintEncryptOptions struct {
	To, Password, Kid string
	KeyAlg, Enc       string
	NoSign, Zip       bool
	P2C               int
}

// encrypting reports whether mint was asked to encrypt.
func (o *MintEncryptOptions) encrypting() bool { return o.To != "" || o.Password != "" }

// addMintEncryptFlags adds the encryption flags to mint's flag set.
func addMintEncryptFlags(f *pflag.FlagSet, o *MintEncryptOptions) {
	f.StringVar(&o.To, "encrypt-to", "", "encrypt the token to this key `FILE` (a public key, certificate, JWK or JWK Set; an AES key as an oct JWK), nesting the signed token in a JWE with cty JWT")
	f.StringVar(&o.Password, "encrypt-password", "", "encrypt the token with a PBES2 password `SPEC` in the secret grammar")
	f.StringVar(&o.Kid, "encrypt-kid", "", "pick the encryption key from a JWK Set by `KID`, and put it in the JWE header")
	f.StringVar(&o.KeyAlg, "key-alg", "", "JWE key-management `ALG`: "+strings.Join(jwe.KeyAlgorithms(), ", ")+" (default: from the key)")
	f.StringVar(&o.Enc, "enc", "", "JWE content encryption `ENC`: "+strings.Join(jwe.ContentAlgorithms(), ", ")+" (default A256GCM)")
	f.BoolVar(&o.NoSign, "no-sign", false, "with --encrypt-to or --encrypt-password: encrypt the claims themselves, unsigned (an encrypted-only JWT)")
	f.BoolVar(&o.Zip, "zip", false, "compress the plaintext before encrypting (zip DEF)")
	f.IntVar(&o.P2C, "p2c", jwe.DefaultP2C, fmt.Sprintf("PBES2 iteration `COUNT`, %d to %d", jwe.MinP2C, jwe.MaxP2C))
}

// checkMintEncryptFlags refuses encryption flags given without anything to encrypt to.
func checkMintEncryptFlags(o *MintEncryptOptions, changed func(string) bool) error {
	if o.To != "" && o.Password != "" {
		return failure.Usagef("usage", "--encrypt-to and --encrypt-password both given; use one")
	}
	if o.encrypting() {
		return nil
	}
	for _, name := range []string{"no-sign", "key-alg", "enc", "zip", "p2c", "encrypt-kid"} {
		if changed(name) {
			return failure.Usagef("usage", "--%s needs --encrypt-to or --encrypt-password", name)
		}
	}
	return nil
}

// recipientFlags names the flags a command takes the recipient with, for messages.
type recipientFlags struct{ to, password, kid string }

var (
	mintRecipientFlags    = recipientFlags{"--encrypt-to", "--encrypt-password", "--encrypt-kid"}
	encryptRecipientFlags = recipientFlags{"--to", "--password", "--kid"}
)

// loadRecipient loads whom a token is encrypted to (mint --encrypt-to, encrypt --to).
func loadRecipient(g *Global, o *MintEncryptOptions, flags recipientFlags, stdinFree bool) (jwe.Recipient, error) {
	if o.Password != "" {
		pw, err := resolver(g, stdinFree).Secret(o.Password)
		if err != nil {
			return jwe.Recipient{}, fmt.Errorf("%s: %w", flags.password, err)
		}
		warnReadableFile(g, o.Password, false)
		return jwe.Recipient{Password: pw}, nil
	}
	data, name, err := resolver(g, stdinFree).KeyFile(o.To)
	if err != nil {
		return jwe.Recipient{}, fmt.Errorf("%s: %w", flags.to, err)
	}
	list, err := keys.Parse(data, keys.ParseOptions{Source: name})
	if err != nil {
		return jwe.Recipient{}, fmt.Errorf("%s: %w", flags.to, err)
	}
	k, err := pickEncryptionKey(list, o.Kid, name, flags.kid)
	if err != nil {
		return jwe.Recipient{}, err
	}
	if k.IsSymmetric() {
		warnReadableFile(g, o.To, true)
	}
	return jwe.Recipient{Key: k}, nil
}

// pickEncryptionKey chooses the key to encrypt to: the one with kid, else the only key whose
// use and key_ops allow encryption (RFC 7517 §4.2-4.3).
func pickEncryptionKey(list []keys.Key, kid, src, kidFlag string) (keys.Key, error) {
	var usable []keys.Key
	var why string
	for _, k := range list {
		if kid != "" && k.JWK.KeyID != kid {
			continue
		}
		if c := jwe.PurposeConflict(k, true); c != "" {
			why = fmt.Sprintf("%s cannot encrypt: %s", src, c)
			if k.JWK.KeyID != "" {
				why = fmt.Sprintf("key %q of %s cannot encrypt: %s", clipText(k.JWK.KeyID, 40), src, c)
			}
			continue
		}
		if k.Family() == "OKP" {
			why = fmt.Sprintf("%s is an Ed25519 key, which signs but cannot encrypt", src)
			continue
		}
		usable = append(usable, k)
	}
	switch {
	case len(usable) == 1:
		return usable[0], nil
	case len(usable) > 1:
		return keys.Key{}, failure.Usagef("key", "%s holds %d keys that can encrypt; choose one with %s", src, len(usable), kidFlag)
	case kid != "" && why == "":
		return keys.Key{}, failure.Usagef("key", "no key with kid %q in %s", clipText(kid, 40), src)
	case why == "":
		why = src + " holds no key that can encrypt"
	}
	if strings.Contains(why, `"use"`) {
		why += "; make an encryption key with keygen --use enc"
	}
	return keys.Key{}, failure.Usagef("key_use", "%s", why)
}

// encryptMinted wraps the minted token (or, with --no-sign, the claims) in a JWE.
func encryptMinted(r jwe.Recipient, o *MintEncryptOptions, plaintext []byte, nested bool) (string, error) {
	opts := jwe.EncryptOptions{Alg: o.KeyAlg, Enc: o.Enc, Zip: o.Zip, P2C: o.P2C, KeyID: o.Kid}
	if nested {
		opts.ContentType = "JWT" // RFC 7519 §5.2: the plaintext is a JWT
	} else {
		opts.Type = "JWT" // an encrypted-only JWT (RFC 7519 §5.1 allows typ JWT on the JWE)
	}
	return jwe.Encrypt(plaintext, r, opts)
}

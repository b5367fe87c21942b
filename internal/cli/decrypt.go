package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/termsafe"
	"github.com/jwtkit/jwtkit/internal/token"
)

// DecryptOptions are the flags of `jwtkit decrypt`.
type DecryptOptions struct {
	Keys        []string
	Password    string
	Passphrase  string
	AllowRSA1_5 bool
	Verbose     bool
	Paste       bool
	MaxSize     int
}

func newDecryptCmd(g *Global) *cobra.Command {
	opts := &DecryptOptions{}
	cmd := &cobra.Command{
		Use:   "decrypt [TOKEN|-]",
		Short: "Open an encrypted token (JWE) with a key and print its plaintext",
		Long: `Decrypt a compact JWE (RFC 7516) and write its plaintext to stdout: indented JSON on a
terminal when it is JSON; otherwise a nested token (cty JWT) alone on one line, so that it
pipes into jwtkit verify or decode, and any other plaintext byte for byte. --verbose shows the
protected header on stderr; --json gives {header, alg, enc, plaintext}.

Keys: --key (repeatable) takes a private key or a key set, PEM, JWK or JWK Set, in the key
grammar (@path, env:NAME, b64:…, -), and AES keys as oct JWKs; --password takes a PBES2
password in the secret grammar. Only keys that fit the token's alg are tried, and a JWK whose
use is not "enc", or whose key_ops lack decrypt or unwrapKey, is passed over.

Refused before any cryptography: a PBES2 p2c above 1,000,000, an ECDH-ES epk that is not a
point on the key's curve, a zip other than DEF, crit, and RSA1_5 unless --allow-rsa1_5 (with
a warning). Every failed decryption, whatever failed, is the same one-line error and exit 1.

` + exitCodesHelp,
		Example: `  $ jwtkit decrypt --key enc.key "$JWE"
  $ jwtkit decrypt --key enc.key "$JWE" | jwtkit verify --key signing.pub --aud api://orders
  $ jwtkit mint --no-sign --sub alice --encrypt-password env:JWE_PASSWORD | jwtkit decrypt --password env:JWE_PASSWORD --verbose`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDecrypt(g, opts, args)
		},
	}
	f := cmd.Flags()
	stringArrayVar(f, &opts.Keys, "key", "decryption key `FILE`: PEM, JWK or JWK Set (also @file, env:NAME, b64:…, -); repeatable (default $JWTKIT_DECRYPT_KEY)")
	f.StringVar(&opts.Password, "password", "", "PBES2 password `SPEC` in the secret grammar (default $JWTKIT_JWE_PASSWORD)")
	f.StringVar(&opts.Passphrase, "passphrase", "", "passphrase of an encrypted PEM key, in the secret grammar (default $JWTKIT_PASSPHRASE)")
	f.BoolVar(&opts.AllowRSA1_5, "allow-rsa1_5", false, "open RSA1_5 tokens (open to padding-oracle attacks; warns)")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "show the protected header on stderr")
	f.BoolVar(&opts.Paste, "paste", false, "read the token from the clipboard")
	f.IntVar(&opts.MaxSize, "max-size", token.MaxSize, "refuse tokens larger than `BYTES`")
	return cmd
}

// decryptedJSON is the --json form of a decrypted token.
type decryptedJSON struct {
	Header       json.RawMessage `json:"header"`
	Alg          string          `json:"alg"`
	Enc          string          `json:"enc"`
	Plaintext    any             `json:"plaintext"`
	PlaintextB64 string          `json:"plaintext_b64,omitempty"`
}

func runDecrypt(g *Global, opts *DecryptOptions, args []string) error {
	if opts.MaxSize <= 0 {
		return failure.Usagef("usage", "--max-size must be positive")
	}
	keySpecs := opts.Keys
	if len(keySpecs) == 0 {
		if env := g.deps.Getenv("JWTKIT_DECRYPT_KEY"); env != "" {
			keySpecs = []string{env}
		}
	}
	password := envDefault(g, opts.Password, "JWTKIT_JWE_PASSWORD")
	if len(keySpecs) == 0 && password == "" {
		return failure.Usagef("key", "no decryption key: pass --key or --password (or set JWTKIT_DECRYPT_KEY or JWTKIT_JWE_PASSWORD)")
	}
	in, err := openTokenInput(g, args, tokenSource{paste: opts.Paste}, opts.MaxSize)
	if err != nil {
		return err
	}
	dk, err := loadDecryptKeys(g, "--key", keySpecs, password, opts.Passphrase, !in.StdinUsed())
	if err != nil {
		return err
	}
	tok, _, err := in.Next()
	if err != nil {
		return err
	}
	if _, _, err := in.Next(); err == nil && in.Stream() {
		return failure.Usagef("usage", "decrypt takes one token; stdin holds more than one line")
	}
	res, err := dk.open(g, tok, opts.AllowRSA1_5, opts.MaxSize)
	if err != nil {
		return err
	}
	if opts.Verbose {
		g.Infof("jwtkit: JWE header: %s", termsafe.Line(compactJSON(res.HeaderJSON)))
	}
	out := g.deps.IO.Out
	isJSON := json.Valid(res.Plaintext)
	switch {
	case g.JSONOutput():
		doc := decryptedJSON{Header: res.HeaderJSON, Alg: res.Alg, Enc: res.Enc}
		switch {
		case isJSON:
			doc.Plaintext = json.RawMessage(res.Plaintext)
		case utf8.Valid(res.Plaintext):
			doc.Plaintext = string(res.Plaintext)
		default:
			doc.PlaintextB64 = base64.RawURLEncoding.EncodeToString(res.Plaintext)
		}
		return writeJSONValue(out, doc, true)
	case !g.deps.IO.IsStdoutTTY():
		if inner, err := innerToken(res); err == nil {
			// A nested token is the product, alone on one line as mint prints tokens.
			_, err = fmt.Fprintln(out, inner)
			return err
		}
		_, err = out.Write(res.Plaintext)
		return err
	case isJSON:
		return writeJSONValue(out, json.RawMessage(res.Plaintext), true)
	case utf8.Valid(res.Plaintext):
		_, err = fmt.Fprintln(out, termsafe.Line(string(res.Plaintext)))
		return err
	}
	return failure.Usagef("usage", "the plaintext is %d bytes of binary data; redirect stdout to a file, or use --json for base64url", len(res.Plaintext))
}

// compactJSON returns data compacted, or as it is when it does not compact.
func compactJSON(data []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return string(data)
	}
	return buf.String()
}

package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/jwe"
)

// EncryptOptions are the flags of `jwtkit encrypt`.
type EncryptOptions struct {
	Recipient MintEncryptOptions // To, Password, Kid, KeyAlg, Enc, Zip, P2C (NoSign unused)
	Cty       string
}

func newEncryptCmd(g *Global) *cobra.Command {
	opts := &EncryptOptions{}
	cmd := &cobra.Command{
		Use:   "encrypt",
		Short: "Encrypt stdin as a JWE to a key or with a password",
		Long: `Encrypt what stdin holds (up to 256 KiB) as a compact JWE (RFC 7516) and print the token
alone on stdout. The recipient and the algorithms are chosen as for mint --encrypt-to:
--to KEY (a public key, certificate, JWK or JWK Set; an AES key as an oct JWK) or --password
SPEC; the key-management alg follows the key unless --key-alg says otherwise, and --enc
defaults to A256GCM. --cty sets the header's content type: JWT when stdin is a token, which
makes a nested JWT (RFC 7519 §5.2) that verify --decrypt-key opens.

` + exitCodesHelp,
		Example: `  $ echo '{"card":"4111"}' | jwtkit encrypt --to enc.pub
  $ jwtkit mint --key signing.key --sub alice | jwtkit encrypt --to enc.pub --cty JWT | jwtkit decrypt --key enc.key`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEncrypt(g, opts)
		},
	}
	f := cmd.Flags()
	r := &opts.Recipient
	f.StringVar(&r.To, "to", "", "encrypt to this key `FILE` (a public key, certificate, JWK or JWK Set; an AES key as an oct JWK)")
	f.StringVar(&r.Password, "password", "", "encrypt with a PBES2 password `SPEC` in the secret grammar")
	f.StringVar(&r.Kid, "kid", "", "pick the key from a JWK Set by `KID`, and put it in the header")
	f.StringVar(&r.KeyAlg, "key-alg", "", "key-management `ALG` (default: from the key)")
	f.StringVar(&r.Enc, "enc", "", "content encryption `ENC` (default A256GCM)")
	f.BoolVar(&r.Zip, "zip", false, "compress the plaintext before encrypting (zip DEF)")
	f.IntVar(&r.P2C, "p2c", jwe.DefaultP2C, fmt.Sprintf("PBES2 iteration `COUNT`, %d to %d", jwe.MinP2C, jwe.MaxP2C))
	f.StringVar(&opts.Cty, "cty", "", "header content type `CTY` (JWT for a nested token)")
	return cmd
}

func runEncrypt(g *Global, opts *EncryptOptions) error {
	r := &opts.Recipient
	if r.To != "" && r.Password != "" {
		return failure.Usagef("usage", "--to and --password both given; use one")
	}
	if !r.encrypting() {
		return failure.Usagef("key", "no recipient: pass --to KEY or --password SPEC")
	}
	if g.deps.IO.IsStdinTTY() {
		return failure.Usagef("usage", "encrypt reads the plaintext from stdin; pipe it in")
	}
	g.stdinTakenBy = "the plaintext"
	rcpt, err := loadRecipient(g, r, encryptRecipientFlags, false)
	if err != nil {
		return err
	}
	plaintext, err := io.ReadAll(io.LimitReader(g.deps.IO.In, jwe.MaxPlaintext+1))
	if err != nil {
		return failure.Usagef("usage", "reading stdin: %w", err)
	}
	if len(plaintext) > jwe.MaxPlaintext {
		return failure.Usagef("usage", "stdin holds more than %d bytes; jwtkit encrypts tokens and claims, not files", jwe.MaxPlaintext)
	}
	tok, err := jwe.Encrypt(plaintext, rcpt, jwe.EncryptOptions{Alg: r.KeyAlg, Enc: r.Enc, Zip: r.Zip, P2C: r.P2C, KeyID: r.Kid, ContentType: opts.Cty})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(g.deps.IO.Out, tok)
	return err
}

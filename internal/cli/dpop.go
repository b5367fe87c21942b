package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/dpop"
	"github.com/jwtkit/jwtkit/internal/failure"
)

// DPoPOptions are the flags of `jwtkit dpop`.
type DPoPOptions struct {
	Key, Kid, Alg, Passphrase string
	Method, URL               string
	Token, Nonce              string
}

func newDPoPCmd(g *Global) *cobra.Command {
	opts := &DPoPOptions{}
	cmd := &cobra.Command{
		Use:   "dpop",
		Short: "Print a DPoP proof (RFC 9449) for one request",
		Long: `Print one DPoP proof (RFC 9449 §4) alone on stdout: a JWT signed with --key whose header has
typ dpop+jwt, the key's algorithm and its public JWK (never a private member), and whose
claims are a random jti, htm (--method), htu (--url without its query and fragment), iat,
and, with --token, ath: the base64url SHA-256 of the access token, as a resource server
wants with a DPoP-bound token. --nonce adds the server's DPoP-Nonce.

--key takes the key grammar (a PEM, JWK or JWK Set file, @FILE, env:NAME, b64:…) and defaults
to $JWTKIT_DPOP_KEY; it must be the key 'jwtkit fetch --dpop-key' bound the token to. --token
takes the secret grammar (env:NAME, @FILE, - for stdin, or the token itself) and defaults to
$JWTKIT_TOKEN, which 'jwtkit exec' sets, so the token stays out of argv. A proof is good for
one request: make a new one for each.

` + exitCodesHelp,
		Example: `  $ curl -H "Authorization: DPoP $TOKEN" -H "DPoP: $(jwtkit dpop --key dpop.key --method GET --url https://api.example/users --token env:TOKEN)" https://api.example/users`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDPoP(g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Key, "key", "", "private key `FILE` that signs the proof (PEM, JWK or JWK Set; default $JWTKIT_DPOP_KEY)")
	f.StringVar(&opts.Kid, "kid", "", "pick the key from a JWK Set by `KID`")
	f.StringVar(&opts.Alg, "alg", "", "signing `ALG` (default: from the key; never HS* or none)")
	f.StringVar(&opts.Passphrase, "passphrase", "", "passphrase of an encrypted PEM key, in the secret grammar (default $JWTKIT_PASSPHRASE)")
	f.StringVarP(&opts.Method, "method", "X", "", "HTTP `METHOD` of the request (htm), e.g. GET")
	f.StringVar(&opts.URL, "url", "", "`URL` of the request (htu is it without query and fragment)")
	f.StringVar(&opts.Token, "token", "", "access token for ath, in the secret grammar (default $JWTKIT_TOKEN; none: no ath)")
	f.StringVar(&opts.Nonce, "nonce", "", "the server's DPoP-Nonce to include")
	return cmd
}

func runDPoP(g *Global, opts *DPoPOptions) error {
	keySpec := envDefault(g, opts.Key, "JWTKIT_DPOP_KEY")
	switch {
	case keySpec == "":
		return failure.Usagef("key", "no DPoP key: pass --key FILE (the private key the token is bound to) or set JWTKIT_DPOP_KEY")
	case opts.Method == "":
		return failure.Usagef("usage", "no HTTP method: pass --method GET (or the request's method)")
	case opts.URL == "":
		return failure.Usagef("usage", "no URL: pass --url with the request's URL")
	}
	tokenSpec := envDefault(g, opts.Token, "JWTKIT_TOKEN")
	stdinUsers := 0
	for _, spec := range []string{keySpec, tokenSpec, envDefault(g, opts.Passphrase, "JWTKIT_PASSPHRASE")} {
		if spec == "-" {
			stdinUsers++
		}
	}
	if stdinUsers > 1 {
		return failure.Usagef("usage", `"-" (stdin) is given for more than one of --key, --token and --passphrase; stdin can be read once`)
	}
	pass, err := resolvePassphrase(g, opts.Passphrase, true)
	if err != nil {
		return err
	}
	signer, err := loadDPoPSigner(g, "--key", keySpec, opts.Kid, opts.Alg, pass)
	if err != nil {
		return err
	}
	warnReadableFile(g, keySpec, true)
	var tok string
	if tokenSpec != "" {
		raw, err := resolver(g, true).Secret(tokenSpec)
		if err != nil {
			return fmt.Errorf("--token: %w", err)
		}
		if tok, err = cleanAccessToken(string(raw)); err != nil {
			return err
		}
	}
	proof, err := signer.Sign(dpop.Proof{Method: opts.Method, URL: opts.URL, AccessToken: tok, Nonce: opts.Nonce})
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(g.deps.IO.Out, proof); err != nil {
		return fmt.Errorf("writing the proof: %w", err)
	}
	return nil
}

// cleanAccessToken takes an access token as people paste it (surrounding space, an
// "Authorization:" header name, a Bearer or DPoP scheme) and checks it is one token of
// printable ASCII. The error never shows the token.
func cleanAccessToken(s string) (string, error) {
	s = strings.TrimSpace(s)
	if name, rest, ok := strings.Cut(s, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "authorization") {
		s = strings.TrimSpace(rest)
	}
	for _, scheme := range []string{"bearer ", "dpop "} {
		if len(s) > len(scheme) && strings.EqualFold(s[:len(scheme)], scheme) {
			s = strings.TrimSpace(s[len(scheme):])
		}
	}
	if s == "" || len(s) > 64<<10 || strings.ContainsFunc(s, func(r rune) bool { return r <= 0x20 || r >= 0x7f }) {
		return "", failure.Usagef("usage", "--token is not an access token: one word of printable ASCII (up to 64 KiB)")
	}
	return s, nil
}

package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/dpop"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/oauth"
)

// newHeaderCmd is fetch with another output: the request header lines that carry the token,
// for curl's -H @-.
func newHeaderCmd(g *Global) *cobra.Command {
	opts := &FetchOptions{}
	var method, target string
	cmd := newFetchCmdWith(g, opts)
	cmd.Use = "header"
	cmd.Aliases = nil
	cmd.Short = "Print the Authorization header (and DPoP proof) of a fetched token, for curl -H @-"
	cmd.Long = `Get an access token exactly as 'jwtkit fetch' does (every fetch flag, profile and the
cache apply) and print the request header that carries it, one per line:

  Authorization: Bearer TOKEN

For a DPoP-bound token (--dpop-key) it prints the RFC 9449 pair instead, the proof made for
--method and --url (with ath, the token's hash):

  Authorization: DPoP TOKEN
  DPoP: PROOF

curl reads the lines with -H @-, so the token never appears in argv (where ps shows it).
--json prints them as one JSON object instead ({"Authorization": "…", "DPoP": "…"}) and errors
as JSON. fetch's --copy, --decode and --logout are not taken here: use jwtkit fetch for them.

` + exitCodesHelp
	cmd.Example = `  $ jwtkit header --profile staging | curl -H @- https://api.example/users
  $ jwtkit header --issuer http://127.0.0.1:8080/ --client-id ci --client-secret env:CI_SECRET --dpop-key dpop.key --url https://api.example/users | curl -H @- https://api.example/users`
	hideFetchOutputFlags(cmd)
	fetchRunE := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := refuseFetchOutputFlags(cmd); err != nil {
			return err
		}
		return fetchRunE(cmd, args)
	}
	f := cmd.Flags()
	f.StringVar(&method, "method", "GET", "HTTP method of the request the DPoP proof is for")
	f.StringVar(&target, "url", "", "`URL` of the request the DPoP proof is for (needed with --dpop-key)")
	opts.deliver = func(r *fetchRun, tok *oauth.Token) error {
		lines, err := headerLines(r.dpop, tok, method, target)
		if err != nil {
			return err
		}
		if g.JSONOutput() {
			return writeJSONValue(g.deps.IO.Out, headerJSON(lines), true)
		}
		if _, err := fmt.Fprint(g.deps.IO.Out, lines); err != nil {
			return fmt.Errorf("writing the header: %w", err)
		}
		return nil
	}
	return cmd
}

// headerLines renders the header lines that carry tok: a Bearer Authorization line, or for a
// DPoP token the DPoP Authorization line and a proof from signer for method and target.
func headerLines(signer *dpop.Signer, tok *oauth.Token, method, target string) (string, error) {
	if tok.TokenType == oauth.TokenTypeNA {
		return "", failure.Usagef("usage", "the token exchange issued a token that is not an access token (token_type N_A); it does not go in an Authorization header: use jwtkit fetch to print it")
	}
	if !strings.EqualFold(tok.TokenType, "DPoP") {
		return "Authorization: Bearer " + tok.AccessToken + "\n", nil
	}
	if signer == nil {
		return "", failure.Usagef("usage", "the token is DPoP-bound; pass --dpop-key with the key it is bound to")
	}
	if target == "" {
		return "", failure.Usagef("usage", "the token is DPoP-bound, and a DPoP proof is for one request: pass --url (and --method unless GET)")
	}
	proof, err := signer.Sign(dpop.Proof{Method: method, URL: target, AccessToken: tok.AccessToken})
	if err != nil {
		return "", err
	}
	return "Authorization: DPoP " + tok.AccessToken + "\nDPoP: " + proof + "\n", nil
}

// headerJSON is the --json form of header lines: each field name and its value.
func headerJSON(lines string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(lines, "\n"), "\n") {
		if name, value, ok := strings.Cut(line, ": "); ok {
			out[name] = value
		}
	}
	return out
}

package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// JWKSOptions are the flags of `jwtkit jwks`.
type JWKSOptions struct {
	Private    bool
	Passphrase string
}

// thumbprintURIPrefix is RFC 9278's URI form of a SHA-256 JWK thumbprint.
const thumbprintURIPrefix = "urn:ietf:params:oauth:jwk-thumbprint:sha-256:"

func newJWKSCmd(g *Global) *cobra.Command {
	opts := &JWKSOptions{}
	cmd := &cobra.Command{
		Use:   "jwks FILE...",
		Short: "Turn key files into a public JWK Set; print thumbprints; convert a JWK to PEM",
		Long: `Build a JWK Set from key files and print it on stdout, ready to serve as jwks.json.

Inputs may be PEM (PKCS#1, PKCS#8, SEC 1, PKIX, X.509 certificates), a JWK or a JWK Set, in
any mix; each FILE also takes @path, env:NAME, b64:… or - (stdin). Only public keys go out:
private members (d, p, q, dp, dq, qi) are stripped, and an HMAC secret, which has no public
half, is refused. Every key gets a kid (its RFC 7638 thumbprint when it has none), a key given
twice appears once, and the order is the order of the inputs, so the same files always make
the same set. Two different keys with the same kid are an error: verifiers pick keys by kid.

--private keeps the private parts (and secrets) for a set you keep to yourself, such as a
signing key file for mint --key; it warns, because such a set must never be published.

Subcommands: "jwks thumbprint" prints RFC 7638 thumbprints, "jwks pem" converts a JWK back to
PEM. A key file named like a subcommand can be given as ./thumbprint.

` + exitCodesHelp,
		Example: `  $ jwtkit jwks signing.pub > jwks.json
  $ jwtkit jwks old.pub new.key rotated.jwk > jwks.json     # public halves only
  $ jwtkit jwks --private a.key b.key > signing-keys.jwks.json
  $ jwtkit jwks thumbprint signing.pub
  $ jwtkit jwks pem key.jwk > key.pem`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return failure.Usagef("usage", "jwks needs at least one key file, as in: jwtkit jwks signing.pub")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runJWKS(g, cmd, opts, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Private, "private", false, "keep private key parts and secrets (never publish the result)")
	f.StringVar(&opts.Passphrase, "passphrase", "", "passphrase of encrypted PEM inputs, in the secret grammar (default $JWTKIT_PASSPHRASE)")
	cmd.AddCommand(newJWKSThumbprintCmd(g), newJWKSPEMCmd(g))
	cmd.SuggestionsMinimumDistance = 2
	return cmd
}

// loadedKey is a key with the input it came from.
type loadedKey struct {
	key keys.Key
	// input is the FILE argument as given.
	input string
}

// loadKeyInputs reads every key in every input, in order. At most one input may be stdin.
func loadKeyInputs(g *Global, cmd *cobra.Command, specs []string, passphraseFlag string) ([]loadedKey, error) {
	stdinInputs := 0
	for _, s := range specs {
		if s == "-" {
			stdinInputs++
		}
	}
	if stdinInputs > 1 {
		return nil, failure.Usagef("usage", `"-" (stdin) is given %d times; stdin can be read once`, stdinInputs)
	}
	pass, err := resolvePassphrase(g, passphraseFlag, stdinInputs == 0)
	if err != nil {
		return nil, err
	}
	r := resolver(g, true)
	var out []loadedKey
	for _, spec := range specs {
		data, name, err := r.KeyFile(spec)
		if err != nil {
			return nil, withSubcommandHint(cmd, spec, err)
		}
		list, notes, err := keys.ParseNotes(data, keys.ParseOptions{Source: name, Passphrase: pass})
		if err != nil {
			if looksLikeSecret(data) {
				return nil, failure.Usagef("key", "%s holds no key jwtkit can read (PEM, DER, JWK or JWK Set); if it is an HMAC secret, it has no public half and no place in a key set others fetch: leave it out", name)
			}
			return nil, err
		}
		for _, n := range notes {
			g.Warnf("%s", n)
		}
		if len(list) == 0 {
			return nil, failure.Usagef("key", "%s holds no key", name)
		}
		// Warn, as loadKeyFile does for the other commands, when a private key or secret file
		// can be read by others: whether the output is public or not, the file is not.
		if slices.ContainsFunc(list, func(k keys.Key) bool { return k.IsPrivate() || k.IsSymmetric() }) {
			warnReadableFile(g, spec, true)
		}
		for _, k := range list {
			out = append(out, loadedKey{key: k, input: spec})
		}
	}
	return out, nil
}

// withSubcommandHint adds "did you mean" to a missing-file error whose name is close to one of
// cmd's subcommands (a typo such as "jwks thumbprnt key.pem").
func withSubcommandHint(cmd *cobra.Command, spec string, err error) error {
	if !errors.Is(err, fs.ErrNotExist) && !strings.Contains(err.Error(), "no such file") {
		return err
	}
	if s := cmd.SuggestionsFor(spec); len(s) > 0 {
		return failure.Usagef("key", "%v; did you mean '%s %s'?", err, cmd.CommandPath(), s[0])
	}
	return err
}

func runJWKS(g *Global, cmd *cobra.Command, opts *JWKSOptions, args []string) error {
	loaded, err := loadKeyInputs(g, cmd, args, opts.Passphrase)
	if err != nil {
		return err
	}
	set, err := buildKeySet(g, loaded, opts.Private)
	if err != nil {
		return err
	}
	data, err := keys.MarshalJWKS(set, opts.Private)
	if err != nil {
		return err
	}
	if opts.Private {
		g.Warnf("--private: the set holds private keys or secrets; keep it secret and never publish it")
	}
	_, err = g.deps.IO.Out.Write(append(data, '\n'))
	return err
}

// buildKeySet prepares keys for a set: public halves (unless private), a kid on every key, keys
// given twice kept once (first wins), and different keys with one kid refused.
func buildKeySet(g *Global, loaded []loadedKey, private bool) ([]keys.Key, error) {
	var set []keys.Key
	byThumbprint := map[string]int{} // thumbprint → index in set
	byKid := map[string]int{}
	for _, l := range loaded {
		k := l.key
		if k.IsSymmetric() && !private {
			return nil, failure.Usagef("key", "%s holds an HMAC secret, which has no public half and must not be published; leave it out (or use --private for a set you keep secret)", k.Source)
		}
		if !private {
			k = k.Public()
		}
		tp, err := k.Thumbprint()
		if err != nil {
			return nil, failure.Usagef("key", "%s: %w", k.Source, err)
		}
		if k.JWK.KeyID == "" {
			k.JWK.KeyID = tp
		}
		if k.JWK.Use == "" && !k.IsSymmetric() {
			// The keys jwtkit reads are signing keys; say so, as keygen --jwk does, so that
			// verifiers that pick keys by use (RFC 7517 §4.2) take them.
			k.JWK.Use = "sig"
		}
		if i, dup := byThumbprint[tp]; dup {
			if set[i].JWK.KeyID != k.JWK.KeyID {
				g.Warnf("%s repeats the key of %s (kid %s) under kid %s; kept the first", k.Source, set[i].Source, set[i].JWK.KeyID, k.JWK.KeyID)
			}
			continue
		}
		if i, dup := byKid[k.JWK.KeyID]; dup {
			return nil, failure.Usagef("key", "%s and %s hold different keys with the same kid %q; verifiers pick keys by kid, so give one another kid", set[i].Source, k.Source, k.JWK.KeyID)
		}
		byThumbprint[tp] = len(set)
		byKid[k.JWK.KeyID] = len(set)
		set = append(set, k)
	}
	return set, nil
}

// JWKSThumbprintOptions are the flags of `jwtkit jwks thumbprint`.
type JWKSThumbprintOptions struct {
	URI        bool
	Passphrase string
}

// thumbprintJSON is one key's entry in `jwks thumbprint --json`.
type thumbprintJSON struct {
	Source     string `json:"source"`
	Kid        string `json:"kid,omitempty"`
	Kty        string `json:"kty"`
	Thumbprint string `json:"thumbprint"`
	URI        string `json:"uri"`
}

func newJWKSThumbprintCmd(g *Global) *cobra.Command {
	opts := &JWKSThumbprintOptions{}
	cmd := &cobra.Command{
		Use:   "thumbprint FILE...",
		Short: "Print the RFC 7638 thumbprint of every key in the files",
		Long: `Print the RFC 7638 JWK thumbprint (base64url of the SHA-256 of the key's required members)
of every key in the files, one per line in input order. A key's private and public halves have
the same thumbprint, and it is the kid keygen and jwks give a key that has none. --uri prints
the RFC 9278 form (urn:ietf:params:oauth:jwk-thumbprint:sha-256:…).

The thumbprint of an HMAC secret is a hash of the secret: do not publish it for a secret a
person chose.

--json prints an array of {source, kid, kty, thumbprint, uri}.

` + exitCodesHelp,
		Example: `  $ jwtkit jwks thumbprint signing.pub
  $ jwtkit jwks thumbprint --uri key.jwk
  $ jwtkit jwks thumbprint --json jwks.json | jq -r '.[].thumbprint'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return failure.Usagef("usage", "jwks thumbprint needs at least one key file, as in: jwtkit jwks thumbprint key.pem")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			loaded, err := loadKeyInputs(g, cmd, args, opts.Passphrase)
			if err != nil {
				return err
			}
			entries := make([]thumbprintJSON, 0, len(loaded))
			var text strings.Builder
			for _, l := range loaded {
				tp, err := l.key.Thumbprint()
				if err != nil {
					return failure.Usagef("key", "%s: %w", l.key.Source, err)
				}
				entries = append(entries, thumbprintJSON{
					Source: l.key.Source, Kid: l.key.JWK.KeyID, Kty: l.key.Family(),
					Thumbprint: tp, URI: thumbprintURIPrefix + tp,
				})
				if opts.URI {
					tp = thumbprintURIPrefix + tp
				}
				text.WriteString(tp + "\n")
			}
			if g.JSONOutput() {
				return writeJSONValue(g.deps.IO.Out, entries, true)
			}
			_, err = fmt.Fprint(g.deps.IO.Out, text.String())
			return err
		},
	}
	cmd.Flags().BoolVar(&opts.URI, "uri", false, "print RFC 9278 thumbprint URIs")
	cmd.Flags().StringVar(&opts.Passphrase, "passphrase", "", "passphrase of encrypted PEM inputs, in the secret grammar (default $JWTKIT_PASSPHRASE)")
	return cmd
}

// JWKSPEMOptions are the flags of `jwtkit jwks pem`.
type JWKSPEMOptions struct {
	Kid        string
	Public     bool
	Passphrase string
}

func newJWKSPEMCmd(g *Global) *cobra.Command {
	opts := &JWKSPEMOptions{}
	cmd := &cobra.Command{
		Use:   "pem FILE",
		Short: "Convert a JWK (or any key file) to PEM",
		Long: `Convert a key to PEM on stdout: a private key as PKCS#8 ("PRIVATE KEY"), a public key as
PKIX ("PUBLIC KEY"). FILE may be a JWK, a JWK Set (choose the key with --kid when it holds
several) or PEM. --public writes the public half of a private key. HMAC secrets have no PEM
form.

` + exitCodesHelp,
		Example: `  $ jwtkit jwks pem key.jwk > key.pem
  $ jwtkit jwks pem --public key.jwk > key.pub
  $ curl -s https://idp.example/jwks.json | jwtkit jwks pem --kid 2026-01 - > idp.pub`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return failure.Usagef("usage", "jwks pem takes one key file, got %d; as in: jwtkit jwks pem key.jwk", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			loaded, err := loadKeyInputs(g, cmd, args, opts.Passphrase)
			if err != nil {
				return err
			}
			list := make([]keys.Key, 0, len(loaded))
			for _, l := range loaded {
				list = append(list, l.key)
			}
			k, err := keys.Select(list, opts.Kid)
			if err != nil {
				return err
			}
			if k.IsSymmetric() {
				return failure.Usagef("key", "%s holds an HMAC secret, which has no PEM form", k.Source)
			}
			if opts.Public {
				k = k.Public()
			}
			data, err := keys.EncodePEM(k)
			if err != nil {
				return failure.Usagef("key", "%s: %w", k.Source, err)
			}
			_, err = g.deps.IO.Out.Write(data)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Kid, "kid", "", "the key to convert, when FILE holds several")
	f.BoolVar(&opts.Public, "public", false, "write the public half of a private key")
	f.StringVar(&opts.Passphrase, "passphrase", "", "passphrase of an encrypted PEM input, in the secret grammar (default $JWTKIT_PASSPHRASE)")
	return cmd
}

// looksLikeSecret reports whether data that parsed as no key may rather be a secret: short, with
// no PEM armour and no JSON, as keygen --type hmac and most secret stores write one.
func looksLikeSecret(data []byte) bool {
	t := strings.TrimSpace(string(data))
	return t != "" && len(t) <= 1024 && !strings.HasPrefix(t, "{") && !strings.Contains(t, "-----BEGIN")
}

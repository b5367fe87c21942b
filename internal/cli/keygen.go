package cli

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/safefile"
	"github.com/jwtkit/jwtkit/internal/spinner"
	"github.com/jwtkit/jwtkit/internal/suggest"
)

// KeygenOptions are the flags of `jwtkit keygen`.
type KeygenOptions struct {
	Type, Curve, Alg string
	Bits             int
	Kid, Use         string

	Out         string
	JWK         bool
	Format      string
	Force       bool
	PrintPublic bool

	// Cert, the common name, makes -o also write NAME.crt, a certificate for the key, valid
	// for CertTTL, signed by CertCA with CertCAKey or else self-signed (and a CA).
	Cert, CertTTL, CertCA, CertCAKey string

	// writeFile writes one file safely; tests replace it to make a write fail.
	writeFile func(path string, data []byte, opts safefile.Options) error
	// newTicker drives the progress spinner; tests replace it to tick at will.
	newTicker func() spinner.Ticker
}

// Secret sizes: the default, and the bounds keygen accepts.
const (
	defaultSecretBits = 256
	maxSecretBits     = 4096
)

func newKeygenCmd(g *Global) *cobra.Command {
	opts := &KeygenOptions{
		writeFile: safefile.Write,
		newTicker: func() spinner.Ticker { return spinner.Every(100 * time.Millisecond) },
	}
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Generate an RSA, EC, Ed25519 or HMAC key as PEM and JWK",
		Long: `Generate a signing key: RSA (2048 bits by default; 3072 and 4096 too, never under 2048),
EC on P-256, P-384 or P-521, Ed25519, or an HMAC secret (oct, 256 random bits by default).
Without flags keygen makes an RSA 2048-bit key. --alg picks the type and size from an
algorithm (ES384 → EC P-384, EdDSA → Ed25519, HS512 → a 512-bit secret) and records it in the
JWK's "alg", so verifiers that honour it accept nothing else (PEM cannot record it: to sign
with a PS256 key's NAME.key, pass --alg PS256 to mint, or sign with NAME.jwk). The kid is the
key's RFC 7638 thumbprint unless --kid says otherwise; "use" is "sig".

With -o NAME keygen writes files and prints only a summary on stderr:
  NAME.key        the private key, PEM PKCS#8, mode 0600
  NAME.pub        the public key, PEM PKIX (SubjectPublicKeyInfo), mode 0644
and with --jwk also
  NAME.jwk        the private key as a JWK, mode 0600
  NAME.jwks.json  the public key as a JWK Set, mode 0644, ready to serve
It writes all of them or none: an existing file is never replaced without --force, each file
is written to a temporary file and renamed into place, so an interrupted run never leaves half
a key, and a failed run removes what it wrote. --force replaces existing files but never writes
through a symbolic link. Here -o names the files; for JSON output use --json.

An HMAC secret written with -o goes to NAME.key as its raw random bytes, mode 0600, with no
newline: pass it back as --secret @NAME.key (a secret read from a file loses one trailing
newline, so keygen never makes a secret whose last byte is a newline). There is no NAME.pub or
NAME.jwks.json for a secret; --jwk writes NAME.jwk with the secret in "k".

Without -o the private key goes to stdout: PEM PKCS#8 (default) or a JWK with --format jwk;
--print-public adds the public key on stderr. A secret is printed as base64url, and jwtkit
reads that form back as --secret b64url:VALUE.

--cert CN adds NAME.crt (mode 0644): an X.509 certificate for the key with subject CN=CN,
for TLS client and server authentication (mutual TLS, RFC 8705; serve --tls-client-ca),
valid from now for --cert-ttl (default 30d). It is self-signed, and a CA that can sign others,
unless --cert-ca FILE and --cert-ca-key FILE name a CA certificate and its key to sign it.

With --json the summary is a JSON object {kid, alg, kty, crv, bits, use, files}, or, without
-o, the private key as a JWK.

` + exitCodesHelp,
		Example: `  $ jwtkit keygen -o signing                      # RSA 2048: signing.key, signing.pub
  $ jwtkit keygen --alg ES256 -o ec --jwk          # also ec.jwk and ec.jwks.json
  $ jwtkit keygen --type ed25519 --format jwk > ed.jwk
  $ jwtkit keygen --type rsa --bits 4096 -o big --force
  $ jwtkit keygen --type oct -o hs && jwtkit mint --secret @hs.key --sub alice
  $ jwtkit keygen --alg HS512                      # a 512-bit secret as base64url
  $ jwtkit keygen --alg ES256 -o dev --cert dev    # also dev.crt, self-signed (and a CA)
  $ jwtkit keygen -o ca --cert "test CA" && jwtkit keygen -o svc --cert svc --cert-ca ca.crt --cert-ca-key ca.key`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("use") {
				opts.Use = "sig"
			}
			return runKeygen(g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Type, "type", "", "key `TYPE`: rsa, ec, ed25519 or oct (an HMAC secret) (default rsa, or from --alg)")
	f.IntVar(&opts.Bits, "bits", 0, "RSA modulus size (2048, 3072, 4096), secret size (≥ 128, a multiple of 8) or EC curve size (256, 384, 521)")
	f.StringVar(&opts.Curve, "curve", "", "EC curve: P-256, P-384 or P-521 (or Ed25519) (default P-256)")
	f.StringVar(&opts.Alg, "alg", "", "make a key for `ALG` ("+strings.Join(keys.Algorithms(), ", ")+") and record it in the JWK")
	f.StringVar(&opts.Kid, "kid", "", "key ID (default: the RFC 7638 thumbprint)")
	f.StringVar(&opts.Use, "use", "sig", `JWK "use": sig, enc, or "" to leave it out`)
	f.StringVarP(&opts.Out, "output", "o", "", "write the key to `NAME`.key and NAME.pub (and NAME.jwk, NAME.jwks.json with --jwk) instead of stdout")
	f.BoolVar(&opts.JWK, "jwk", false, "with -o, also write NAME.jwk (private) and NAME.jwks.json (public set)")
	f.StringVar(&opts.Format, "format", "", "stdout `FORMAT` without -o: pem or jwk (default pem; a secret is base64url)")
	f.BoolVar(&opts.Force, "force", false, "replace existing files (never through a symbolic link)")
	f.BoolVar(&opts.PrintPublic, "print-public", false, "without -o, also print the public key on stderr")
	addKeygenCertFlags(f, opts)
	return cmd
}

// runKeygen plans the key from the flags, checks the output before any work, generates the key
// and writes it to stdout or to the -o files.
func runKeygen(g *Global, opts *KeygenOptions) error {
	plan, err := planKey(opts)
	if err != nil {
		return err
	}
	if err := checkKeygenOutput(g, opts, plan); err != nil {
		return err
	}
	cert, err := planCert(g, opts, plan)
	if err != nil {
		return err
	}
	var files []plannedFile
	if opts.Out != "" {
		// Check every target before spending time on the key.
		files = keyFiles(opts.Out, plan.kind == "oct", opts.JWK)
		if cert != nil {
			files = append(files, plannedFile{path: opts.Out + ".crt", mode: 0o644, role: roleCert})
		}
		if err := checkTargets(files, opts.Force); err != nil {
			return err
		}
	}

	k, err := generateKey(g, opts, plan)
	if err != nil {
		return err
	}

	if opts.Out == "" {
		return printKey(g, opts, k)
	}
	if err := fillKeyFiles(files, k); err != nil {
		return err
	}
	if cert != nil {
		if err := fillCertFile(g, files, k, cert); err != nil {
			return err
		}
	}
	if err := writeAllOrNone(files, opts.Force, opts.writeFile, g.deps.Rand); err != nil {
		return err
	}
	return reportKeyFiles(g, k, files)
}

// checkKeygenOutput refuses output flags that do not fit together, before any work is done.
func checkKeygenOutput(g *Global, opts *KeygenOptions, p keyPlan) error {
	switch opts.Format {
	case "", "pem", "jwk":
	default:
		return failure.Usagef("usage", "invalid --format %q: use pem or jwk%s", opts.Format, suggest.Hint(opts.Format, []string{"pem", "jwk"}))
	}
	if opts.Out != "" {
		switch {
		case opts.Out == "json" || opts.Out == "text":
			return failure.Usagef("usage", "keygen's -o names the key files (%s.key, %s.pub); for JSON output use --json, or write -o ./%s for files named so", opts.Out, opts.Out, opts.Out)
		case opts.Format != "":
			return failure.Usagef("usage", "--format sets what goes to stdout; with -o the files have fixed formats (add --jwk for JWK files)")
		case opts.PrintPublic:
			return failure.Usagef("usage", "--print-public prints to stderr without -o; with -o the public key is in %s.pub", opts.Out)
		case strings.HasSuffix(opts.Out, "/") || strings.HasSuffix(opts.Out, string(os.PathSeparator)):
			return failure.Usagef("usage", "-o %s is a directory; give a file name without extension, as in -o %ssigning", opts.Out, opts.Out)
		}
		return nil
	}
	if opts.JWK {
		return failure.Usagef("usage", "--jwk adds JWK files next to -o NAME; to print a JWK on stdout use --format jwk")
	}
	if opts.Force {
		return failure.Usagef("usage", "--force replaces files written with -o NAME; without -o keygen writes to stdout")
	}
	if p.kind == "oct" {
		if opts.Format == "pem" {
			return failure.Usagef("usage", "an HMAC secret has no PEM form; drop --format for base64url, or use --format jwk")
		}
		if opts.PrintPublic {
			return failure.Usagef("usage", "an HMAC secret has no public part; drop --print-public")
		}
	}
	if g.JSONOutput() && opts.Format == "pem" {
		return failure.Usagef("usage", "--json prints the key as a JWK; drop --format pem")
	}
	return nil
}

// maxSecretDraws bounds the redraws of a secret ending in a newline byte; with a working random
// source one draw in 256 needs a redraw.
const maxSecretDraws = 64

// generateKey makes the key, showing a spinner on a terminal while it takes its time, and applies
// --kid and --use.
func generateKey(g *Global, opts *KeygenOptions, p keyPlan) (keys.Key, error) {
	var sp *spinner.Spinner
	if g.deps.IO.IsStderrTTY() && !g.Quiet {
		sp = spinner.Start(g.deps.IO.ErrOut, "generating "+planDescription(p)+"…", opts.newTicker())
	}
	k, err := generateOnce(g.deps.Rand, p)
	// A secret read back from a file (--secret @NAME.key) loses one trailing newline, so a
	// secret must not end in one. Redrawing keeps the choice uniform over the other secrets.
	for draws := 1; err == nil && p.kind == "oct" && endsInNewline(k); draws++ {
		if draws == maxSecretDraws {
			err = failure.Usagef("key", "the random source keeps producing secrets that end in a newline byte; it is broken")
			break
		}
		k, err = generateOnce(g.deps.Rand, p)
	}
	sp.Stop()
	if err != nil {
		return keys.Key{}, err
	}
	if p.alg != "" {
		if err := keys.CheckAlg(k, p.alg, false); err != nil {
			return keys.Key{}, err
		}
	}
	if opts.Kid != "" {
		k.JWK.KeyID = opts.Kid
	}
	k.JWK.Use = opts.Use
	k.Source = "the new key"
	return k, nil
}

func generateOnce(rand io.Reader, p keyPlan) (keys.Key, error) {
	k, err := keys.Generate(rand, p.kind, p.size, p.curve, p.alg)
	if err != nil {
		return keys.Key{}, failure.Usage("key", fmt.Errorf("generating %s: %w", planDescription(p), err))
	}
	return k, nil
}

func endsInNewline(k keys.Key) bool {
	secret, _ := k.JWK.Key.([]byte)
	return len(secret) > 0 && secret[len(secret)-1] == '\n'
}

// defaultAlg is the algorithm mint will use with k.
func defaultAlg(k keys.Key) string {
	alg, err := keys.InferAlg(k)
	if err != nil {
		return ""
	}
	return alg
}

// keygenJSON is the --json summary of a key written with -o.
type keygenJSON struct {
	Kid   string   `json:"kid"`
	Alg   string   `json:"alg"`
	Kty   string   `json:"kty"`
	Crv   string   `json:"crv,omitempty"`
	Bits  int      `json:"bits,omitempty"`
	Use   string   `json:"use,omitempty"`
	Files []string `json:"files"`
}

// printKey writes the new key to stdout in the chosen format, and the public key to stderr when
// asked.
func printKey(g *Global, opts *KeygenOptions, k keys.Key) error {
	out := g.deps.IO.Out
	format := opts.Format
	if g.JSONOutput() {
		format = "jwk"
	}
	var data []byte
	var err error
	switch {
	case format == "jwk":
		data, err = keys.MarshalJWK(k, true)
		data = append(data, '\n')
	case k.IsSymmetric():
		data = []byte(base64.RawURLEncoding.EncodeToString(k.JWK.Key.([]byte)) + "\n")
	default:
		data, err = keys.EncodePEM(k)
	}
	if err != nil {
		return failure.Usage("key", fmt.Errorf("encoding the new key: %w", err))
	}
	if _, err := out.Write(data); err != nil {
		return err
	}

	if opts.PrintPublic {
		var pub []byte
		if format == "jwk" {
			pub, err = keys.MarshalJWK(k, false)
			pub = append(pub, '\n')
		} else {
			pub, err = keys.EncodePEM(k.Public())
		}
		if err != nil {
			return failure.Usage("key", fmt.Errorf("encoding the public key: %w", err))
		}
		if _, err := g.deps.IO.ErrOut.Write(pub); err != nil {
			return err
		}
	}
	if g.JSONOutput() {
		return nil
	}
	kid := k.JWK.KeyID
	if k.IsSymmetric() && format != "jwk" {
		value := strings.TrimSpace(string(data))
		if g.deps.IO.IsStdoutTTY() {
			// The secret is on the screen already; show the form jwtkit's flags accept.
			g.Infof("%s; kid %s; use it as --secret b64url:%s", k.Describe(), kid, value)
		} else {
			g.Infof("%s written to stdout as base64url; kid %s; jwtkit reads it as --secret b64url:VALUE", k.Describe(), kid)
		}
		return nil
	}
	g.Infof("%s; kid %s; alg %s", k.Describe(), kid, algNote(k))
	return nil
}

// withoutAlg returns k with no alg recorded, as it reads back from PEM.
func withoutAlg(k keys.Key) keys.Key {
	k.JWK.Algorithm = ""
	return k
}

// algNote says which algorithm the key is for: the one recorded in its JWK, else the default.
func algNote(k keys.Key) string {
	if k.JWK.Algorithm != "" {
		return k.JWK.Algorithm
	}
	return defaultAlg(k) + " by default"
}

// reportKeyFiles says what was written: a line on stderr, or the JSON summary on stdout.
func reportKeyFiles(g *Global, k keys.Key, files []plannedFile) error {
	if g.JSONOutput() {
		doc := keygenJSON{Kid: k.JWK.KeyID, Alg: k.JWK.Algorithm, Kty: k.Family(), Crv: k.Curve(), Use: k.JWK.Use, Files: []string{}}
		if doc.Alg == "" {
			doc.Alg = defaultAlg(k)
		}
		switch key := k.JWK.Key.(type) {
		case []byte:
			doc.Bits = 8 * len(key)
		case *rsa.PrivateKey:
			doc.Bits = key.N.BitLen()
		}
		for _, f := range files {
			doc.Files = append(doc.Files, f.path)
		}
		return writeJSONValue(g.deps.IO.Out, doc, true)
	}
	var b bytes.Buffer
	b.WriteString("wrote ")
	for i, f := range files {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(showPath(f.path))
		switch {
		case i == 0:
			fmt.Fprintf(&b, " (%s, %04o)", k.Describe(), f.mode)
		case f.mode&0o077 == 0:
			fmt.Fprintf(&b, " (%04o)", f.mode)
		}
	}
	fmt.Fprintf(&b, "; kid %s", k.JWK.KeyID)
	if k.IsSymmetric() {
		fmt.Fprintf(&b, "; use it as --secret @%s", showPath(files[0].path))
	} else {
		fmt.Fprintf(&b, "; alg %s", algNote(k))
		if alg := k.JWK.Algorithm; alg != "" && alg != defaultAlg(withoutAlg(k)) {
			fmt.Fprintf(&b, "; PEM cannot record it: pass --alg %s when signing with %s", alg, showPath(files[0].path))
		}
	}
	g.Infof("%s", b.String())
	return nil
}

package cli

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/jwe"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/scopes"
	"github.com/jwtkit/jwtkit/internal/timespec"
	"github.com/jwtkit/jwtkit/internal/token"
)

// MintOptions are the flags of `jwtkit mint`.
type MintOptions struct {
	Secret, Key, Passphrase, Kid, Alg string
	AllowWeak                         bool

	Iss, Sub        string
	Aud             []string
	Exp, Nbf, Iat   string
	NoExp, NoIat    bool
	Jti, Typ        string
	Claims, Headers []string
	ClaimsFile      string

	Scopes      []string
	ScopeFormat string
	ScopeClaim  string

	Copy bool

	Encrypt MintEncryptOptions

	// expSet and iatSet say whether --exp and --iat were given, so that a base payload's own
	// exp and iat survive the defaults.
	expSet, iatSet bool
}

func newMintCmd(g *Global) *cobra.Command {
	opts := &MintOptions{}
	cmd := &cobra.Command{
		Use:     "mint",
		Aliases: []string{"sign", "encode"},
		Short:   "Build and sign a token from flags, a JSON file or stdin",
		Long: `Build a JWT from flags (and optionally a base payload from --claims), sign it and print
it alone on stdout.

The key is --secret for HMAC (HS256/384/512) or --key for a private key file (PEM, JWK or
JWK Set). Both take @path, env:NAME, b64:…, b64url:…, hex:… or - (stdin); a bare --secret is
the secret itself and a bare --key is a path. JWTKIT_SECRET and JWTKIT_KEY are used when the
flags are absent, which keeps secrets out of argv and shell history.

The algorithm follows the key (RSA → RS256, P-256 → ES256, P-384 → ES384, P-521 → ES512,
Ed25519 → EdDSA, a secret → HS256, a JWK's alg wins); --alg overrides. --alg none makes an
unsecured token, with a warning.

Times (--exp, --nbf, --iat, --now) take a duration from now (15m, +1h, -2d), an RFC 3339
instant or Unix seconds. With --now the same flags and key give the same token, byte for byte,
for HS*, RS* and EdDSA.

Scopes: --scope is repeatable and splits on spaces and commas. --scope-format space (the
"scope" claim, a space-separated string; default), array (a "scopes" array) or structured
(Auth0's {"users":{"actions":["read"]}} from read:users); --scope-claim renames the claim.

Claims: -c name=value sets a claim; the value is JSON when it parses as JSON (true, 42,
[1,2], {"a":1}), else a string. a.b=c nests, name+=value appends to an array.

Encryption: --encrypt-to KEY (a public key, certificate, JWK or JWK Set; an AES key as an oct
JWK) or --encrypt-password SPEC wraps the signed token in a JWE with cty JWT (sign, then
encrypt: RFC 7519 §5.2); --no-sign encrypts the claims themselves instead. The key-management
algorithm follows the key (RSA → RSA-OAEP-256, EC → ECDH-ES, a 16/24/32-byte AES key →
A128KW/A192KW/A256KW, 48/64 bytes → dir, a password → PBES2-HS256+A128KW with --p2c 600000);
--key-alg and --enc (default A256GCM) override. RSA1_5 is refused, as are keys whose JWK use
is "sig" (make one with keygen --use enc).

` + exitCodesHelp,
		Example: `  $ jwtkit mint --secret env:JWT_SECRET --sub alice --scope "read:users write:posts"
  $ jwtkit mint --key signing.key --iss https://issuer.test --aud api --exp 15m
  $ jwtkit mint --secret @secret.txt --scope read:users,create:users --scope-format structured
  $ jwtkit mint --key ec.jwk --typ at+jwt -c client_id=ci -c 'roles=["admin"]' -c org.id=42
  $ echo '{"sub":"bob","admin":true}' | jwtkit mint --secret env:JWT_SECRET --claims -
  $ jwtkit mint --secret env:JWT_SECRET --now 2026-01-01T00:00:00Z --jti fixed-id   # reproducible
  $ jwtkit mint --key signing.key --sub alice --aud api://orders --encrypt-to enc.pub   # signed, then encrypted
  $ curl -H "Authorization: Bearer $(jwtkit mint --secret env:JWT_SECRET --sub ci)" http://localhost:8080/api`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.expSet = cmd.Flags().Changed("exp")
			opts.iatSet = cmd.Flags().Changed("iat")
			if err := checkMintEncryptFlags(&opts.Encrypt, cmd.Flags().Changed); err != nil {
				return err
			}
			return runMint(g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Secret, "secret", "", "HMAC secret: literal, @file, env:NAME, b64:…, b64url:…, hex:… or - (default $JWTKIT_SECRET)")
	f.StringVar(&opts.Key, "key", "", "private key `FILE` (PEM, JWK or JWK Set; also @file, env:NAME, b64:…, -) (default $JWTKIT_KEY)")
	f.StringVar(&opts.Passphrase, "passphrase", "", "passphrase of an encrypted PEM key, in the secret grammar (default $JWTKIT_PASSPHRASE)")
	f.StringVar(&opts.Kid, "kid", "", "key ID for the header; also picks the key in a JWK Set (default: the key's kid or RFC 7638 thumbprint)")
	f.StringVar(&opts.Alg, "alg", "", "signing algorithm: "+strings.Join(keys.Algorithms(), ", ")+" or none (default: from the key)")
	f.BoolVar(&opts.AllowWeak, "allow-weak", false, "allow an HMAC secret shorter than the hash (unsafe; for testing legacy systems)")
	f.StringVar(&opts.Iss, "iss", "", "issuer claim")
	f.StringVar(&opts.Sub, "sub", "", "subject claim")
	stringArrayVar(f, &opts.Aud, "aud", "audience claim; repeat for several (one stays a string)")
	f.StringVar(&opts.Exp, "exp", "1h", "expiry: `TIME` (duration from now, RFC 3339 or Unix seconds)")
	f.BoolVar(&opts.NoExp, "no-exp", false, "omit the exp claim")
	f.StringVar(&opts.Nbf, "nbf", "", "not-before `TIME`")
	f.StringVar(&opts.Iat, "iat", "", "issued-at `TIME` (default now)")
	f.BoolVar(&opts.NoIat, "no-iat", false, "omit the iat claim")
	f.StringVar(&opts.Jti, "jti", "", "token ID; auto makes a random one")
	f.StringVar(&opts.Typ, "typ", "JWT", "header typ (at+jwt for RFC 9068 access tokens; empty to omit)")
	stringArrayVarP(f, &opts.Claims, "claim", "c", "claim `name=value` (JSON when it parses; a.b=c nests; name+=value appends)")
	stringArrayVar(f, &opts.Headers, "header", "extra header member `name=value`")
	f.StringVar(&opts.ClaimsFile, "claims", "", "base payload: a JSON object `FILE`, or - for stdin; flags override it")
	stringArrayVar(f, &opts.Scopes, "scope", "scope; repeatable, splits on spaces and commas")
	f.StringVar(&opts.ScopeFormat, "scope-format", "space", "scope shape: "+strings.Join(scopes.Formats(), ", "))
	f.StringVar(&opts.ScopeClaim, "scope-claim", "", "scope claim name (default scope, or scopes for array and structured; scp for Okta/Azure)")
	f.BoolVar(&opts.Copy, "copy", false, "also copy the token to the clipboard")
	addMintEncryptFlags(f, &opts.Encrypt)
	return cmd
}

// signingKey is what mint signs with: the key (nil for alg none), the alg and the kid.
type signingKey struct {
	key any
	alg string
	kid string
}

func runMint(g *Global, opts *MintOptions) error {
	if err := checkMintUTF8(opts); err != nil {
		return err
	}
	now := g.Now()
	payload, stdinUsed, err := mintBasePayload(g, opts)
	if err != nil {
		return err
	}
	if stdinUsed {
		g.stdinTakenBy = "--claims -"
	}
	enc := &opts.Encrypt
	var sk signingKey
	if enc.NoSign {
		if opts.Secret != "" || opts.Key != "" || opts.Alg != "" {
			return failure.Usagef("usage", "--no-sign makes an unsigned, encrypted token and takes no --secret, --key or --alg")
		}
	} else if sk, err = mintKey(g, opts, !stdinUsed); err != nil {
		return err
	}
	var rcpt jwe.Recipient
	if enc.encrypting() {
		if rcpt, err = loadRecipient(g, enc, mintRecipientFlags, !stdinUsed); err != nil {
			return err
		}
	}
	if err := applyMintClaims(g, opts, payload, now); err != nil {
		return err
	}

	header := claims.NewObject()
	header.Set("alg", sk.alg)
	if opts.Typ != "" {
		header.Set("typ", opts.Typ)
	}
	if sk.kid != "" {
		header.Set("kid", sk.kid)
	}
	for _, h := range opts.Headers {
		a, err := claims.ParseAssignment(h)
		if err != nil {
			return failure.Usagef("usage", "--header: %w", err) // the error quotes the value
		}
		if len(a.Path) == 1 && a.Path[0] == "alg" {
			return failure.Usagef("usage", "--header cannot set alg; use --alg")
		}
		if err := header.Apply(a); err != nil {
			return failure.Usagef("usage", "--header %s: %w", showArg(h), err)
		}
	}
	headerJSON, err := header.MarshalJSON()
	if err != nil {
		return fmt.Errorf("encoding the header: %w", err)
	}
	payloadJSON, err := payload.MarshalJSON()
	if err != nil {
		return fmt.Errorf("encoding the claims: %w", err)
	}
	var tok string
	if enc.NoSign {
		headerJSON = nil
		if tok, err = encryptMinted(rcpt, enc, payloadJSON, false); err != nil {
			return err
		}
	} else {
		if tok, err = token.Sign(sk.alg, sk.key, headerJSON, payloadJSON, g.deps.Rand); err != nil {
			return failure.Usagef("key", "signing: %w", err)
		}
		if enc.encrypting() {
			if tok, err = encryptMinted(rcpt, enc, []byte(tok), true); err != nil {
				return err
			}
		}
	}

	out := g.deps.IO.Out
	if g.JSONOutput() {
		err = writeJSONValue(out, struct {
			Token  string          `json:"token"`
			Header json.RawMessage `json:"header"`
			Claims json.RawMessage `json:"claims"`
			// Encrypted is set for a JWE; Header is then the inner token's (null with --no-sign).
			Encrypted bool `json:"encrypted,omitempty"`
		}{tok, headerJSON, payloadJSON, enc.encrypting()}, true)
	} else {
		_, err = fmt.Fprintln(out, tok)
	}
	if err != nil {
		return err
	}
	if opts.Copy {
		copyToClipboard(g, tok, "token")
	}
	return nil
}

// checkMintUTF8 refuses a flag value that would end up in the token but is not valid UTF-8:
// JSON cannot carry it, and encoding/json would silently write U+FFFD instead, so the token
// would say something other than what was asked (and a later verify --sub or --require-scope
// with the same value would fail). --claim and --header check their own values.
func checkMintUTF8(opts *MintOptions) error {
	for _, f := range []struct {
		flag   string
		values []string
	}{
		{"--iss", []string{opts.Iss}},
		{"--sub", []string{opts.Sub}},
		{"--aud", opts.Aud},
		{"--jti", []string{opts.Jti}},
		{"--kid", []string{opts.Kid}},
		{"--typ", []string{opts.Typ}},
		{"--scope", opts.Scopes},
		{"--scope-claim", []string{opts.ScopeClaim}},
	} {
		for _, v := range f.values {
			if !utf8.ValidString(v) {
				i := invalidUTF8At(v)
				return failure.Usagef("usage", "%s is not valid UTF-8 (byte 0x%02x at offset %d); a token's JSON can only hold UTF-8 text", f.flag, v[i], i)
			}
		}
	}
	return nil
}

// invalidUTF8At returns the offset of the first byte of s that is not part of valid UTF-8.
func invalidUTF8At(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(s)
}

// copyToClipboard puts text on the clipboard and says so; a missing clipboard is a warning.
func copyToClipboard(g *Global, text, what string) {
	if err := g.deps.Clipboard.WriteAll(text); err != nil {
		g.Warnf("could not copy the %s to the clipboard: %v", what, err)
		return
	}
	g.Infof("copied the %s to the clipboard", what)
}

// mintBasePayload reads --claims, if any, and reports whether it used stdin.
func mintBasePayload(g *Global, opts *MintOptions) (*claims.Object, bool, error) {
	if opts.ClaimsFile == "" {
		return claims.NewObject(), false, nil
	}
	var data []byte
	var err error
	name := opts.ClaimsFile
	if name == "-" {
		name = "stdin"
		data, err = io.ReadAll(io.LimitReader(g.deps.IO.In, 1<<20+1))
	} else {
		data, err = g.deps.ReadFile(strings.TrimPrefix(name, "@"))
	}
	if err != nil {
		return nil, false, failure.Usagef("usage", "reading --claims %s: %w", showPath(name), plainFileError(err))
	}
	obj, err := claims.ParseObject(data)
	if err != nil {
		return nil, false, failure.Usagef("usage", "--claims %s: %w", showPath(name), err)
	}
	return obj, opts.ClaimsFile == "-", nil
}

func mintKey(g *Global, opts *MintOptions, stdinFree bool) (signingKey, error) {
	secretSpec := envDefault(g, opts.Secret, "JWTKIT_SECRET")
	keySpec := envDefault(g, opts.Key, "JWTKIT_KEY")
	if opts.Secret != "" && opts.Key != "" {
		return signingKey{}, failure.Usagef("usage", "--secret and --key both given; use one")
	}
	if opts.Secret != "" {
		keySpec = ""
	}
	if opts.Key != "" {
		secretSpec = ""
	}
	if strings.EqualFold(opts.Alg, "none") {
		if opts.Secret != "" || opts.Key != "" {
			return signingKey{}, failure.Usagef("usage", "--alg none makes an unsigned token and takes no --secret or --key")
		}
		g.Warnf("--alg none: this token is unsigned and any verifier that accepts it can be fooled")
		return signingKey{alg: "none", kid: opts.Kid}, nil
	}
	if secretSpec != "" && keySpec != "" {
		return signingKey{}, failure.Usagef("usage", "both JWTKIT_SECRET and JWTKIT_KEY are set; choose with --secret or --key")
	}
	var k keys.Key
	switch {
	case secretSpec != "":
		secret, err := resolver(g, stdinFree).Secret(secretSpec)
		if err != nil {
			return signingKey{}, fmt.Errorf("--secret: %w", err)
		}
		warnReadableFile(g, secretSpec, false)
		if err := keys.CheckHMACSecret(secret); err != nil {
			return signingKey{}, err
		}
		k = keys.SecretKey(secret, "--secret")
	case keySpec != "":
		pass, err := resolvePassphrase(g, opts.Passphrase, stdinFree)
		if err != nil {
			return signingKey{}, err
		}
		list, err := loadKeyFile(g, keySpec, pass, stdinFree)
		if err != nil {
			return signingKey{}, err
		}
		// --kid picks a key from a set; a lone key without a kid of its own is simply named by it.
		selectKid := opts.Kid
		if len(list) == 1 && list[0].JWK.KeyID == "" {
			selectKid = ""
		}
		k, err = keys.Select(list, selectKid)
		if err != nil {
			return signingKey{}, err
		}
		if !k.IsPrivate() && !k.IsSymmetric() {
			return signingKey{}, failure.Usagef("key", "%s is a %s; signing needs the private key", k.Source, k.Describe())
		}
	default:
		return signingKey{}, failure.Usagef("key", "no signing key: pass --secret or --key (or set JWTKIT_SECRET or JWTKIT_KEY)")
	}

	alg := opts.Alg
	if alg == "" {
		var err error
		if alg, err = keys.InferAlg(k); err != nil {
			return signingKey{}, err
		}
	}
	if err := keys.CheckAlg(k, alg, opts.AllowWeak); err != nil {
		return signingKey{}, err
	}
	if opts.AllowWeak && k.IsSymmetric() && len(k.JWK.Key.([]byte))*8 < 256 {
		g.Warnf("--allow-weak: the secret is shorter than %s needs; anyone who guesses it can mint tokens", alg)
	}
	kid := opts.Kid
	if kid == "" && !k.IsSymmetric() {
		kid = k.JWK.KeyID
		if kid == "" {
			tp, err := k.Thumbprint()
			if err != nil {
				return signingKey{}, err
			}
			kid = tp
		}
	}
	return signingKey{key: k.JWK.Key, alg: alg, kid: kid}, nil
}

// applyMintClaims sets the registered claims (iss, sub, aud, iat, nbf, exp, jti), the scopes and
// the -c claims on payload, in that order, over whatever --claims gave.
func applyMintClaims(g *Global, opts *MintOptions, payload *claims.Object, now time.Time) error {
	setString := func(name, v string) {
		if v != "" {
			payload.Set(name, v)
		}
	}
	setTime := func(flag, name, spec string) (time.Time, error) {
		t, err := timespec.Parse(spec, now)
		if err != nil {
			return time.Time{}, failure.Usagef("usage", "--%s: %w", flag, err)
		}
		payload.Set(name, t.Unix())
		return t, nil
	}
	setString("iss", opts.Iss)
	setString("sub", opts.Sub)
	switch len(opts.Aud) {
	case 0:
	case 1:
		payload.Set("aud", opts.Aud[0])
	default:
		payload.Set("aud", opts.Aud)
	}
	_, baseIat := payload.Get("iat")
	_, baseExp := payload.Get("exp")
	if !opts.NoIat {
		switch {
		case opts.iatSet:
			if _, err := setTime("iat", "iat", opts.Iat); err != nil {
				return err
			}
		case !baseIat:
			payload.Set("iat", now.Unix())
		}
	} else {
		payload.Delete("iat")
	}
	if opts.Nbf != "" {
		if _, err := setTime("nbf", "nbf", opts.Nbf); err != nil {
			return err
		}
	}
	if !opts.NoExp && (opts.expSet || !baseExp) {
		exp, err := setTime("exp", "exp", opts.Exp)
		if err != nil {
			return err
		}
		if !exp.After(now) {
			g.Warnf("the token expires at %s, which is not in the future: it is already expired", exp.UTC().Format(time.RFC3339))
		}
	} else if opts.NoExp {
		payload.Delete("exp")
	}
	if opts.Jti != "" {
		jti := opts.Jti
		if jti == "auto" {
			b := make([]byte, 16)
			if _, err := io.ReadFull(g.deps.Rand, b); err != nil {
				return fmt.Errorf("making a random jti: %w", err)
			}
			jti = base64.RawURLEncoding.EncodeToString(b)
		}
		payload.Set("jti", jti)
	}
	if err := applyScopes(opts, payload); err != nil {
		return err
	}
	for _, c := range opts.Claims {
		a, err := claims.ParseAssignment(c)
		if err != nil {
			return failure.Usagef("usage", "--claim: %w", err) // the error quotes the value
		}
		if err := payload.Apply(a); err != nil {
			return failure.Usagef("usage", "--claim %s: %w", showArg(c), err)
		}
	}
	return nil
}

func applyScopes(opts *MintOptions, payload *claims.Object) error {
	format, err := scopes.ParseFormat(opts.ScopeFormat)
	if err != nil {
		return failure.Usage("usage", fmt.Errorf("--scope-format: %w", err))
	}
	list := scopes.Split(opts.Scopes)
	if len(list) == 0 {
		return nil
	}
	value, err := scopes.Build(list, format)
	if err != nil {
		return failure.Usage("usage", fmt.Errorf("--scope: %w", err))
	}
	name := opts.ScopeClaim
	if name == "" {
		name = scopes.DefaultClaim(format)
	}
	payload.Set(name, value)
	return nil
}

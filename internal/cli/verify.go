package cli

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
	"github.com/jwtkit/jwtkit/internal/scopes"
	"github.com/jwtkit/jwtkit/internal/timespec"
	"github.com/jwtkit/jwtkit/internal/token"
	"github.com/jwtkit/jwtkit/internal/verify"
)

// VerifyOptions are the flags of `jwtkit verify`.
type VerifyOptions struct {
	Secrets, Keys, JWKS, Issuers []string
	Passphrase                   string
	Algs                         []string
	AllowWeak                    bool

	Leeway, MaxAge string
	RequireExp     bool
	Iss, Sub, Typ  string
	Aud            []string
	RequireClaims  []string
	RequireScopes  []string
	AnyScopes      []string
	ScopeClaim     string

	Timeout  string
	Insecure bool
	NoCache  bool
	CACert   string

	Strict    bool
	Unchecked []string

	Paste   bool
	Header  string // -H: the token as an HTTP header line, as curl takes it
	MaxSize int
	Stream  bool

	DecryptKeys     []string
	DecryptPassword string

	introspect introspectOptions
	timeout    time.Duration
	roots      *x509.CertPool // from --ca-cert; nil: the system's
}

func newVerifyCmd(g *Global) *cobra.Command {
	opts := &VerifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify [TOKEN|-]",
		Short: "Check a token's signature and claims against a secret, key, JWK Set or OIDC issuer",
		Long: `Verify a JWT's signature and claims. A valid token's claims are printed as JSON on stdout
(exit 0), so they pipe into jq; an invalid token's reason goes to stderr (exit 1), naming the
first check that failed, what the token has and what was expected.

Keys (several may be given; the key is chosen by the token's kid, then by algorithm):
  --secret SPEC     an HMAC secret: literal, @file, env:NAME, b64:…, b64url:…, hex:… or -
  --key FILE        a PEM, JWK or JWK Set file, public or private (the public half is used)
  --jwks FILE|URL   a JWK Set file or URL
  --issuer URL      an OIDC issuer: its jwks_uri comes from /.well-known/openid-configuration,
                    and the token's iss must be that issuer
Without any, JWTKIT_SECRET or JWTKIT_KEY is used.

Encrypted tokens: a JWE is refused unless --decrypt-key (or --decrypt-password) opens it; its
header must say cty JWT (a nested, sign-then-encrypt token, RFC 7519 §5.2), and the signed token
inside is then verified with every check below. A failed decryption is exit 1, one message.

Algorithms: --alg (repeatable) sets the allow-list; by default it follows the keys (RSA → RS*
and PS*, EC → the ES* of its curve, Ed25519 → EdDSA, a secret → HS*, a JWK's alg wins). "none"
never passes and an HMAC algorithm is never accepted with a public key. The token's jku, x5u,
jwk and x5c headers are never used to find a key; unknown crit parameters are refused.

Claims: exp (a token is expired from the second of exp on), nbf and iat (not in the future) are
checked against the clock with --leeway (default 0); --max-age limits the time since iat.
--iss, --aud (the token's aud may be a string or an array; repeat --aud to accept any of
several), --sub and --typ (compared without case and "application/", e.g. at+jwt) must match.
--require-claim name needs a claim (not null); name=value needs it equal, the value read as
JSON when it parses (true, 42, "42", ["a"]) and else as a string; an array claim matches when
it contains the value; a.b names a nested member. --require-scope needs every scope given,
--any-scope one of them; both read scope, scp and scopes in every shape, or with
--scope-claim NAME that claim alone (permissions, for Auth0 RBAC).

Remote sets (--jwks URL, --issuer) are fetched with a --timeout (default 10s), a size cap and
redirects only within the same host; plain http only to loopback hosts unless --insecure;
--ca-cert FILE trusts a private CA (a local 'jwtkit serve --tls', say) instead of the system's. They
are cached under the user cache directory as long as Cache-Control max-age says (5 minutes
without one); a token whose kid is not in the cached set makes jwtkit fetch the set again (at
most every 30s) to follow key rotation. --no-cache bypasses the cache.

Several tokens on stdin (one per line) are verified as a stream, in parallel, writing one JSON
line per token in input order: {"line":n,"valid":bool,"reason":…,"code":…,"claims":…}; the exit
code is 1 if any was invalid. --stream forces this form for a single token. --json gives the
result object with every check (name, ok, found, expected). -q prints nothing at all.

` + exitCodesHelp,
		Example: `  $ jwtkit verify --secret env:JWT_SECRET "$TOKEN"
  $ jwtkit verify --jwks https://idp.example/.well-known/jwks.json --aud api://orders "$TOKEN" | jq .sub
  $ jwtkit verify --issuer https://idp.example --typ at+jwt --require-scope read:orders "$TOKEN"
  $ jwtkit fetch --issuer https://idp.example --client-id ci | jwtkit verify --issuer https://idp.example
  $ if jwtkit verify -q --key signing.pub --leeway 30s "$TOKEN"; then echo ok; fi
  $ jwtkit verify --key signing.pub --require-claim roles=admin --require-claim 'org.id=42' "$TOKEN"
  $ jwtkit verify --json --key signing.pub "$TOKEN" | jq '.checks[] | select(.ok | not)'
  $ cat tokens.txt | jwtkit verify --jwks keys.json | jq -c 'select(.valid | not)'
  $ jwtkit verify --decrypt-key enc.key --key signing.pub --aud api://orders "$JWE"`,
		// openTokenInput explains extra arguments better than cobra would.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			return runVerify(ctx, g, opts, args)
		},
	}
	f := cmd.Flags()
	stringArrayVar(f, &opts.Secrets, "secret", "HMAC secret `SPEC`: literal, @file, env:NAME, b64:…, b64url:…, hex:… or - (default $JWTKIT_SECRET)")
	stringArrayVar(f, &opts.Keys, "key", "key `FILE`: PEM, JWK or JWK Set, public or private (default $JWTKIT_KEY)")
	stringArrayVar(f, &opts.JWKS, "jwks", "JWK Set file or URL (`FILE|URL`)")
	stringArrayVar(f, &opts.Issuers, "issuer", "OIDC issuer `URL`: keys from its discovery document, and iss must match")
	f.StringVar(&opts.Passphrase, "passphrase", "", "passphrase of an encrypted PEM key, in the secret grammar (`SPEC`) (default $JWTKIT_PASSPHRASE)")
	stringArrayVar(f, &opts.Algs, "alg", "allowed algorithm `ALG`; repeatable or comma-separated (default: from the keys)")
	f.BoolVar(&opts.AllowWeak, "allow-weak", false, "accept an HMAC secret shorter than the hash (unsafe; for legacy systems)")
	f.StringVar(&opts.Leeway, "leeway", "0s", "clock skew allowed on exp, nbf, iat and --max-age (a `DURATION` such as 30s)")
	f.StringVar(&opts.MaxAge, "max-age", "", "refuse tokens issued (iat) longer ago than `DURATION`")
	f.BoolVar(&opts.RequireExp, "require-exp", false, "refuse tokens without exp")
	f.StringVar(&opts.Iss, "iss", "", "required issuer (iss claim) `ISS`")
	stringArrayVar(f, &opts.Aud, "aud", "required audience `AUD`; repeat to accept any of several")
	f.StringVar(&opts.Sub, "sub", "", "required subject (sub claim) `SUB`")
	f.StringVar(&opts.Typ, "typ", "", "required header `TYP`, e.g. at+jwt")
	stringArrayVar(f, &opts.RequireClaims, "require-claim", "required claim: `NAME[=VALUE]` (VALUE is JSON when it parses); repeatable")
	stringArrayVar(f, &opts.RequireScopes, "require-scope", "`SCOPE` that must be granted; repeatable, splits on spaces and commas (all needed)")
	stringArrayVar(f, &opts.AnyScopes, "any-scope", "`SCOPES` of which one must be granted; splits on spaces and commas")
	f.BoolVar(&opts.Strict, "strict", false, "require exp, --aud and --iss (or --issuer), unless --unchecked names them (default $JWTKIT_STRICT)")
	stringArrayVar(f, &opts.Unchecked, "unchecked", "`CLAIMS` (exp, aud, iss) you accept unchecked: no warning, and --strict does not require them (default $JWTKIT_UNCHECKED)")
	f.StringVar(&opts.ScopeClaim, "scope-claim", "", "read --require-scope and --any-scope from this `CLAIM` only, in any shape (e.g. permissions for Auth0 RBAC; default: scope, scp and scopes)")
	f.StringVar(&opts.Timeout, "timeout", "10s", "deadline (`DURATION`) for each JWKS or discovery request")
	f.BoolVar(&opts.Insecure, "insecure", false, "allow plain http to any host and skip TLS certificate checks (dangerous)")
	f.StringVar(&opts.CACert, "ca-cert", "", "trust the CA certificates in `FILE` (PEM) instead of the system roots for --jwks URLs, --issuer and --introspect")
	f.BoolVar(&opts.NoCache, "no-cache", false, "neither read nor write the JWKS and discovery cache")
	f.BoolVar(&opts.Paste, "paste", false, "read the token from the clipboard")
	addIntrospectFlags(f, &opts.introspect)
	f.StringVarP(&opts.Header, "header", "H", "", "the token as an HTTP `HEADER` line, as given to curl -H (\"Authorization: Bearer …\")")
	f.IntVar(&opts.MaxSize, "max-size", token.MaxSize, "refuse tokens larger than `BYTES`")
	f.BoolVar(&opts.Stream, "stream", false, "write JSON lines even for a single token on stdin")
	stringArrayVar(f, &opts.DecryptKeys, "decrypt-key", "open an encrypted (nested) token with this private key `FILE` first, then verify the signed token inside; repeatable")
	f.StringVar(&opts.DecryptPassword, "decrypt-password", "", "open a PBES2-encrypted nested token with this password `SPEC` (secret grammar) first")
	return cmd
}

// verifyPolicy turns the flags into a verify.Policy.
func verifyPolicy(opts *VerifyOptions, issuer string) (verify.Policy, error) {
	p := verify.Policy{
		AllowWeak:  opts.AllowWeak,
		RequireExp: opts.RequireExp,
		Issuer:     opts.Iss,
		Audience:   opts.Aud,
		Subject:    opts.Sub,
		Type:       opts.Typ,
		ScopeClaim: opts.ScopeClaim,
	}
	for _, a := range opts.Algs {
		for _, one := range strings.Split(a, ",") {
			if one = strings.TrimSpace(one); one != "" {
				p.Algs = append(p.Algs, one)
			}
		}
	}
	var err error
	if p.Leeway, err = timespec.ParseDuration(opts.Leeway); err != nil {
		return p, failure.Usagef("usage", "--leeway: %w", err)
	}
	if opts.MaxAge != "" {
		if p.MaxAge, err = timespec.ParseDuration(opts.MaxAge); err != nil {
			return p, failure.Usagef("usage", "--max-age: %w", err)
		}
		if p.MaxAge <= 0 {
			return p, failure.Usagef("usage", "--max-age must be longer than 0s")
		}
	}
	if issuer != "" {
		if opts.Iss != "" && opts.Iss != issuer {
			return p, failure.Usagef("usage", "--iss %q differs from the issuer %q that --issuer names; drop --iss", opts.Iss, issuer)
		}
		p.Issuer = issuer
	}
	accepted, err := parseUnchecked(opts.Unchecked)
	if err != nil {
		return p, err
	}
	if opts.Strict {
		strictP := p
		if strictP.Issuer == "" && len(opts.Issuers) > 0 {
			strictP.Issuer = opts.Issuers[0] // before discovery: the issuer to be
		}
		if err := applyStrict(&strictP, accepted); err != nil {
			return p, err
		}
		p.RequireExp = strictP.RequireExp
	}
	for _, spec := range opts.RequireClaims {
		r, err := verify.ParseClaimRequirement(spec)
		if err != nil {
			return p, err
		}
		p.Claims = append(p.Claims, r)
	}
	p.RequireScopes = scopes.Split(opts.RequireScopes)
	p.AnyScopes = scopes.Split(opts.AnyScopes)
	return p, nil
}

// verifyRun is one invocation of verify.
type verifyRun struct {
	g       *Global
	opts    *VerifyOptions
	ring    *verifyKeyring
	maxSize int
	watch   *claimWatch
	decrypt *decryptKeys // keys to open nested tokens with; nil without --decrypt-key
	// introspect, when set, asks the introspection endpoint after the local checks pass.
	introspect *introspector
	ctx        context.Context
}

func runVerify(ctx context.Context, g *Global, opts *VerifyOptions, args []string) error {
	if opts.MaxSize <= 0 {
		return failure.Usagef("usage", "--max-size must be positive")
	}
	var err error
	if opts.timeout, err = timespec.ParseDuration(opts.Timeout); err != nil || opts.timeout <= 0 {
		if err == nil {
			err = errors.New("it must be longer than 0s")
		}
		return failure.Usagef("usage", "--timeout: %w", err)
	}
	verifyDefaults(g, opts)
	// The flags are checked before anything is read or fetched.
	if _, err := verifyPolicy(opts, ""); err != nil {
		return err
	}
	if opts.roots, err = loadCACerts(g, opts.CACert); err != nil {
		return err
	}
	for _, a := range opts.Algs {
		if strings.EqualFold(strings.TrimSpace(a), "none") {
			return failure.Usagef("usage", "--alg none is never accepted by verify: an unsigned token proves nothing")
		}
	}
	in, err := openTokenInput(g, args, tokenSource{paste: opts.Paste, header: opts.Header}, opts.MaxSize)
	if err != nil {
		return err
	}
	ring, issuer, err := loadVerifyKeys(ctx, g, opts, !in.StdinUsed())
	if err != nil {
		return err
	}
	if ring.policy, err = verifyPolicy(opts, issuer); err != nil {
		return err
	}
	ring.opts = verify.Options{Detail: g.JSONOutput()}
	if _, err := ring.build(); err != nil {
		return err
	}
	accepted, _ := parseUnchecked(opts.Unchecked) // checked with the policy above
	r := &verifyRun{g: g, opts: opts, ring: ring, maxSize: opts.MaxSize,
		watch: &claimWatch{g: g, policy: ring.policy, accepted: accepted}, ctx: ctx}
	if len(opts.DecryptKeys) > 0 || opts.DecryptPassword != "" {
		if r.decrypt, err = loadDecryptKeys(g, "--decrypt-key", opts.DecryptKeys, opts.DecryptPassword, opts.Passphrase, !in.StdinUsed()); err != nil {
			return err
		}
	}
	client := newHTTPClientTLS(g, opts.timeout, opts.Insecure, "the introspection request and its answer may be read or changed on the way", nil, opts.roots, nil)
	if r.introspect, err = newIntrospector(g, &opts.introspect, client, !in.StdinUsed()); err != nil {
		return err
	}

	first, line, err := in.Next()
	if errors.Is(err, io.EOF) {
		return failure.Usagef(token.CodeMalformed, "no token on stdin")
	}
	if !in.Stream() {
		return r.single(first, err)
	}
	if err != nil && failure.CodeOf(err) == token.CodeReadFailed {
		return err
	}
	pending := []streamItem{{line: line, tok: first, err: err}}
	if opts.Stream {
		// Asked for a stream: no need to look ahead (which would hold the first result until a
		// second line arrives, as from tail -f).
		return r.stream(in, pending)
	}
	second, line2, err2 := in.Next()
	if errors.Is(err2, io.EOF) && !opts.Stream {
		return r.single(first, err)
	}
	if !errors.Is(err2, io.EOF) {
		pending = append(pending, streamItem{line: line2, tok: second, err: err2})
	}
	return r.stream(in, pending)
}

// verdict is the outcome for one token: a verification result, or the error that kept the
// token from being verified (not a JWT, a remote failure while following a rotation).
type verdict struct {
	res     verify.Result
	checked bool
	err     error
}

// check parses and verifies one token, following a key rotation when its kid is unknown.
func (r *verifyRun) check(raw string) verdict {
	if r.decrypt != nil && strings.Count(raw, ".") == 4 {
		res, err := r.decrypt.open(r.g, raw, false, r.maxSize)
		if err != nil {
			return verdict{err: err}
		}
		if raw, err = innerToken(res); err != nil {
			return verdict{err: err}
		}
	}
	p, err := verify.Parse(raw, r.maxSize) // token.Parse's result, faster for common tokens
	if err != nil {
		return verdict{err: err}
	}
	now := r.g.Now()
	v := r.ring.verifier()
	res := v.Verify(p, now)
	if !res.Valid && r.ring.fetcher != nil && r.mayBeRotation(v, &res) {
		nv, note, err := r.ring.rotate(v, res.Kid)
		if err != nil {
			return verdict{res: res, err: err}
		}
		if nv != nil {
			res = nv.Verify(p, now)
		}
		if err := res.Err(); err != nil && note != "" {
			// One line: what failed, then what was tried to follow a rotation.
			return verdict{res: res, checked: true, err: failure.Annotate(err, note)}
		}
	}
	_, hasExp := p.Payload["exp"]
	if res.Valid && r.introspect != nil {
		if err := r.introspect.check(r.ctx, raw); err != nil {
			if failure.KindOf(err) == failure.KindInvalid {
				return verdict{res: res, checked: true, err: err}
			}
			return verdict{res: res, err: err}
		}
	}
	if res.Valid {
		r.watch.valid(hasExp)
	}
	return verdict{res: res, checked: true, err: res.Err()}
}

// mayBeRotation says whether a failure could come from a key the remote sets gained since they
// were fetched: an unknown kid, or, with the allow-list derived from the keys, the algorithm of
// a new key whose kid is unknown (an issuer moving from RS256 to ES256). Fetching again cannot
// make an unsigned token or a token under an explicit --alg pass.
func (r *verifyRun) mayBeRotation(v *verify.Verifier, res *verify.Result) bool {
	c, _ := res.Failure()
	switch c.Code {
	case verify.CodeUnknownKid:
		// A kid the set holds on a key passed over (not for verifying) is no rotation.
		return !v.HasKid(res.Kid)
	case verify.CodeAlgNotAllowed:
		return len(r.ring.policy.Algs) == 0 && res.Kid != "" && !v.HasKid(res.Kid) &&
			!strings.EqualFold(res.Alg, "none") && !strings.HasPrefix(res.Alg, "HS")
	}
	return false
}

// resultJSON is the JSON form of one result: the --json object, and one line of a stream.
type resultJSON struct {
	Line   int             `json:"line,omitempty"`
	Valid  bool            `json:"valid"`
	Reason *string         `json:"reason"`
	Code   string          `json:"code,omitempty"`
	Alg    string          `json:"alg,omitempty"`
	Kid    string          `json:"kid,omitempty"`
	Key    string          `json:"key,omitempty"`
	Claims json.RawMessage `json:"claims"`
	Checks []verify.Check  `json:"checks,omitempty"`
}

// toJSON describes a verdict; detail adds alg, kid, key and the checks.
func (vd verdict) toJSON(line int, detail bool) resultJSON {
	out := resultJSON{Line: line, Valid: vd.err == nil}
	if vd.err != nil {
		msg := vd.err.Error()
		out.Reason = &msg
		out.Code = failure.CodeOf(vd.err)
	} else {
		out.Claims = vd.res.Claims
	}
	if detail && vd.checked {
		out.Alg, out.Kid, out.Key = safehttp.Sanitize(vd.res.Alg, 80), safehttp.Sanitize(vd.res.Kid, 200), vd.res.Key
		out.Checks = vd.res.Checks
	}
	return out
}

// single verifies one token and reports it: claims on stdout when valid, the reason as the
// command's error when not.
func (r *verifyRun) single(raw string, readErr error) error {
	if readErr != nil {
		return readErr
	}
	vd := r.check(raw)
	g := r.g
	if vd.err != nil && !vd.checked {
		// Not a JWT, or a remote failure: an error, never a verdict on stdout.
		return r.quietly(vd.err)
	}
	if !g.Quiet {
		var err error
		switch {
		case g.JSONOutput():
			err = writeJSONValue(g.deps.IO.Out, vd.toJSON(0, true), true)
		case vd.err == nil:
			err = writeJSONValue(g.deps.IO.Out, json.RawMessage(vd.res.Claims), true)
		}
		if err != nil {
			return fmt.Errorf("writing the result: %w", err)
		}
	}
	return r.quietly(vd.err)
}

// quietly returns err as it is, or, under -q, as an error that sets the exit code silently.
func (r *verifyRun) quietly(err error) error {
	if err != nil && r.g.Quiet {
		return silentError{err}
	}
	return err
}

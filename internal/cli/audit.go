package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/attacks/forge"
	"github.com/jwtkit/jwtkit/internal/audit"
	"github.com/jwtkit/jwtkit/internal/discovery"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/safehttp"
	"github.com/jwtkit/jwtkit/internal/termsafe"
	"github.com/jwtkit/jwtkit/internal/timespec"
	"github.com/jwtkit/jwtkit/internal/token"
)

// AuditOptions are audit's flags.
type AuditOptions struct {
	URL, Method, Data string
	Headers           []string
	Command           string
	JWKS, Issuer      string
	Key, Secret       string
	AcceptStatus      []int
	RejectStatus      []int
	AcceptBody        string
	Only, Skip        []string
	Rate              float64
	Timeout           string
	Insecure          bool
	List              bool

	timeout time.Duration
}

const auditLong = `audit tests a service's own token checks. From a token the service accepts, it builds every
forged variant jwtkit's attack corpus knows and sends each once: alg none in four casings, the
signature stripped or kept over edited claims, RS/ES→HS256 key confusion with each of the
service's public keys (--jwks or --issuer) in each byte form, kid path traversal and SQL
injection, an embedded jwk (CVE-2018-0114), x5c, jku and x5u pointing at a listener audit runs
on 127.0.0.1 (it reports whether the service fetched it), and psychic ECDSA signatures
(CVE-2022-21449).

First it sends the genuine token, which must be accepted (HTTP 2xx, or exit 0 for --command),
and a token that is no JWT at all, which must be refused; otherwise no verdict would mean
anything and audit exits 2. A forged token is accepted when its answer is the genuine one's
status, or as --accept-status / --reject-status say; --accept-body REGEX must also match the
body (the command's stdout) of an acceptance.

Claim probes change one claim: exp an hour ago, nbf ahead, a wrong aud, a wrong iss, no exp,
an added scope, another sub. With --key or --secret (the service's signing key, for a test
instance) they are re-signed and sent; without, they are sent under each forgery the service
accepted. Accepting an expired, not-yet-valid, wrong-audience or wrong-issuer token fails the
audit; accepting no exp, an added scope or another sub is reported ("accepted") but does not,
since a service may rightly allow them.

--url sends the token in an HTTP request (--header 'Name: … {token}', default
'Authorization: Bearer {token}'; --data with {token} for a body). No redirect is followed and
no other host is contacted (no proxy either). --command 'CMD {token}' runs CMD with /bin/sh for
each token instead; {token} becomes "$JWTKIT_AUDIT_TOKEN", which holds the token, so the token
is never part of the shell text; exit status 0 means accepted.

Requests are spaced by --rate (per second) and bounded by --timeout. --only and --skip take
names or patterns (confusion-*, claim-*); --list prints the names.

` + exitCodesHelp + `

For audit: 0 means every forged token was refused; 1 that the service accepted a forged token,
or one with exp, nbf, aud or iss wrong, or fetched a jku/x5u URL a token named; 2 also that the
genuine token was refused or a non-JWT accepted; 3 that the service, JWKS or issuer could not
be reached.`

func newAuditCmd(g *Global) *cobra.Command {
	opts := &AuditOptions{}
	cmd := &cobra.Command{
		Use:   "audit (--url URL | --command CMD) [flags] [TOKEN]",
		Short: "Test a service's token checks with forged tokens",
		Long:  auditLong,
		Example: `  $ jwtkit audit --url https://api.example/me --jwks https://idp.example/.well-known/jwks.json "$TOKEN"
  $ jwtkit audit --url https://api.example/orders --header 'X-Token: {token}' --skip 'claim-*' "$TOKEN"
  $ jwtkit audit --command 'jwtkit verify -q --key signing.pub --aud api://orders {token}' --jwks jwks.json "$TOKEN"
  $ jwtkit audit --url https://api.example/me --issuer https://idp.example --json "$TOKEN" | jq '.results[] | select(.counts)'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAudit(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.URL, "url", "", "the endpoint to audit (`URL`)")
	f.StringVar(&opts.Method, "method", "", "HTTP `METHOD` (default GET, or POST with --data)")
	stringArrayVar(f, &opts.Headers, "header", "request header `'Name: value'` with {token} where the token goes (repeatable; default 'Authorization: Bearer {token}')")
	f.StringVar(&opts.Data, "data", "", "request `BODY` with {token} where the token goes")
	f.StringVar(&opts.Command, "command", "", "audit a local verifier: shell `CMD` with {token}; exit 0 means accepted")
	f.StringVar(&opts.JWKS, "jwks", "", "the service's public keys (`URL|FILE`: JWK Set, JWK or PEM) for the key-confusion variants")
	f.StringVar(&opts.Issuer, "issuer", "", "OIDC issuer `URL` whose published keys make the key-confusion variants")
	f.StringVar(&opts.Key, "key", "", "the service's signing `KEY` (test instance) to re-sign the claim probes")
	f.StringVar(&opts.Secret, "secret", "", "the service's HMAC `SECRET` (test instance) to re-sign the claim probes")
	f.IntSliceVar(&opts.AcceptStatus, "accept-status", nil, "the `CODES` that mean accepted (default: the genuine token's status)")
	f.IntSliceVar(&opts.RejectStatus, "reject-status", nil, "the `CODES` that mean refused; any other is accepted")
	f.StringVar(&opts.AcceptBody, "accept-body", "", "an acceptance's body must also match `REGEX`")
	f.StringSliceVar(&opts.Only, "only", nil, "send only the variants and probes whose name matches a `PATTERN`")
	f.StringSliceVar(&opts.Skip, "skip", nil, "leave out the variants and probes whose name matches a `PATTERN`")
	f.Float64Var(&opts.Rate, "rate", 10, "at most `N` requests per second (0: no limit)")
	f.StringVar(&opts.Timeout, "timeout", "10s", "deadline (`DURATION`) for each request or command run")
	f.BoolVar(&opts.Insecure, "insecure", false, "allow plain http to a host other than loopback, and unverified TLS (dangerous)")
	f.BoolVar(&opts.List, "list", false, "print the names of the variants and probes, and exit")
	cmd.AddCommand(newAuditSecretCmd(g))
	return cmd
}

func runAudit(ctx context.Context, g *Global, opts *AuditOptions, args []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if opts.List {
		return listAuditNames(g, opts)
	}
	if err := checkAuditFlags(opts); err != nil {
		return err
	}
	judge, err := auditJudge(opts)
	if err != nil {
		return err
	}
	in, err := openTokenInput(g, args, tokenSource{}, token.MaxSize)
	if err != nil {
		return err
	}
	raw, _, err := in.Next()
	if err != nil {
		return failure.Usagef("usage", "reading the token: %v", err)
	}
	genuine, err := forge.ParseGenuine(raw)
	if err != nil {
		return failure.Usagef("malformed_token", "the genuine token: %v", err)
	}
	pubs, set, err := auditPublicKeys(ctx, g, opts)
	if err != nil {
		return err
	}
	resign, err := auditResigner(g, opts, genuine, !in.StdinUsed())
	if err != nil {
		return err
	}
	target, err := auditTarget(g, opts)
	if err != nil {
		return err
	}
	atk, err := forge.NewAttacker(g.Now())
	if err != nil {
		return err
	}
	listener, err := audit.Listen("", atk)
	if err != nil {
		return failure.Usagef("usage", "starting the jku/x5u listener on 127.0.0.1: %v", err)
	}
	defer listener.Close()
	variants, err := forge.Forge(genuine, forge.Options{PublicKeys: pubs, KeySet: set, Attacker: atk, KeyURL: listener.URL()})
	if err != nil {
		return err
	}
	variants = selectVariants(variants, opts)
	probes := selectProbes(forge.ClaimProbes(), opts)
	if len(variants) == 0 && len(probes) == 0 {
		return failure.Usagef("usage", "--only and --skip leave nothing to send; see the names with --list")
	}
	if len(pubs) == 0 && opts.JWKS == "" && opts.Issuer == "" && isAsymmetric(genuine) {
		g.Warnf("no --jwks or --issuer: the key-confusion variants (RS/ES→HS256 with the service's public key) are left out")
	}
	if u, err := url.Parse(opts.URL); err == nil && opts.URL != "" && !safehttp.IsLoopback(u.Hostname()) && wanted("jku-elsewhere", opts) {
		g.Infof("jwtkit: note: the jku and x5u variants name audit's listener on 127.0.0.1, which a service on another machine cannot reach; their verdicts say less there")
	}
	rep, err := audit.Run(ctx, audit.Config{
		Target: target, Judge: judge, Genuine: genuine, Variants: variants, Probes: probes,
		Resign: resign, Listener: listener, Rate: opts.Rate, Now: g.Now(),
	})
	if err != nil {
		return err
	}
	where := opts.URL
	if where == "" {
		where = "the command"
	}
	if g.JSONOutput() {
		if err := writeAuditJSON(g.deps.IO.Out, where, rep); err != nil {
			return err
		}
	} else {
		writeAuditTable(g, rep)
	}
	failed := rep.Failed()
	if failed == 0 {
		g.Infof("jwtkit: %s refused every forged token (%d sent)", termsafe.Line(safehttp.Sanitize(where, 200)), len(rep.Results)+2)
		return nil
	}
	return silentError{failure.Invalidf("audit_failed", "%d of the tokens sent to %s were accepted or made it fetch a URL", failed, where)}
}

func checkAuditFlags(opts *AuditOptions) error {
	switch {
	case opts.URL == "" && opts.Command == "":
		return failure.Usagef("usage", "audit needs --url URL (an HTTP endpoint) or --command CMD (a local verifier)")
	case opts.URL != "" && opts.Command != "":
		return failure.Usagef("usage", "--url and --command both given; audit one target at a time")
	case opts.JWKS != "" && opts.Issuer != "":
		return failure.Usagef("usage", "--jwks and --issuer both given; use one")
	case opts.Key != "" && opts.Secret != "":
		return failure.Usagef("usage", "--key and --secret both given; use the one the service signs with")
	case opts.Rate < 0:
		return failure.Usagef("usage", "--rate must not be negative")
	case opts.Command != "" && (len(opts.Headers) > 0 || opts.Data != "" || opts.Method != ""):
		return failure.Usagef("usage", "--header, --data and --method are for --url, not --command")
	case opts.Command != "" && !strings.Contains(opts.Command, audit.Placeholder) && !strings.Contains(opts.Command, audit.TokenEnv):
		return failure.Usagef("usage", "--command holds neither %s nor $%s, so the token would never reach it", audit.Placeholder, audit.TokenEnv)
	}
	d, err := timespec.ParseDuration(opts.Timeout)
	if err != nil || d <= 0 {
		if err == nil {
			err = errors.New("must be positive")
		}
		return failure.Usagef("usage", "--timeout: %v", err)
	}
	opts.timeout = d
	if opts.URL != "" {
		if len(opts.Headers) == 0 {
			opts.Headers = []string{"Authorization: Bearer " + audit.Placeholder}
		}
		if err := audit.ParseHeaders(opts.Headers, opts.Data); err != nil {
			return err
		}
	}
	return nil
}

// auditMaxBody caps one answer of the audited service: a page larger than this fails the
// audit as a misbehaving service (exit 3) rather than be judged on part of its body.
const auditMaxBody = 8 << 20

func auditJudge(opts *AuditOptions) (audit.Judge, error) {
	j := audit.Judge{AcceptStatus: opts.AcceptStatus, RejectStatus: opts.RejectStatus}
	if opts.AcceptBody != "" {
		re, err := regexp.Compile(opts.AcceptBody)
		if err != nil {
			return j, failure.Usagef("usage", "--accept-body: %v", err)
		}
		j.AcceptBody = re
	}
	return j, nil
}

func auditTarget(g *Global, opts *AuditOptions) (audit.Target, error) {
	if opts.Command != "" {
		return &audit.CommandTarget{Command: opts.Command, Env: g.deps.environ(), Timeout: opts.timeout}, nil
	}
	if opts.Insecure {
		g.Warnf("--insecure: plain http and unverified TLS certificates are allowed")
	}
	// No proxy: the named host is the only one contacted.
	client := safehttp.New(safehttp.Options{Timeout: opts.timeout, AllowInsecure: opts.Insecure, Transport: g.deps.Transport,
		MaxBody: auditMaxBody, Version: resolveVersion(g.deps.Build).Version})
	if _, err := client.CheckURL(opts.URL); err != nil {
		return nil, err
	}
	return &audit.HTTPTarget{Client: client, URL: opts.URL, Method: strings.ToUpper(opts.Method), Headers: opts.Headers, Body: opts.Data}, nil
}

// auditPublicKeys loads the service's public keys from --jwks (a URL or a file) or --issuer's
// jwks_uri, with the document as published for the whole-set form.
func auditPublicKeys(ctx context.Context, g *Global, opts *AuditOptions) ([]forge.PublicKey, []byte, error) {
	if opts.JWKS == "" && opts.Issuer == "" {
		return nil, nil, nil
	}
	var data []byte
	var list []keys.Key
	source := opts.JWKS
	if opts.Issuer != "" || isURL(opts.JWKS) {
		client := newHTTPClient(g, opts.timeout, opts.Insecure, "anyone on the network path can substitute the keys", nil)
		if opts.Issuer != "" {
			doc, err := (&discovery.Fetcher{Client: client, Warn: func(s string) { g.Warnf("%s", s) }}).Fetch(ctx, opts.Issuer)
			if err != nil {
				return nil, nil, err
			}
			if doc.JWKSURI == "" {
				return nil, nil, failure.Remotef("jwks", "the metadata of issuer %s has no jwks_uri; pass the keys with --jwks", safehttp.Sanitize(opts.Issuer, 300))
			}
			source = doc.JWKSURI
		}
		resp, err := client.Get(ctx, source)
		if err != nil {
			return nil, nil, err
		}
		data = resp.Body
		if list, _, err = keys.ParseJWKS(data, safehttp.Sanitize(source, 200)); err != nil {
			return nil, nil, err
		}
	} else {
		var err error
		if data, _, err = resolver(g, true).KeyFile(opts.JWKS); err != nil {
			return nil, nil, fmt.Errorf("--jwks: %w", err)
		}
		if list, err = keys.Parse(data, keys.ParseOptions{Source: opts.JWKS}); err != nil {
			return nil, nil, fmt.Errorf("--jwks: %w", err)
		}
	}
	published := publishedJWKs(data)
	var out []forge.PublicKey
	for _, k := range list {
		pub := k.Public().JWK.Key
		switch pub.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey:
			out = append(out, forge.PublicKey{Kid: k.JWK.KeyID, Key: pub, JWK: published[k.JWK.KeyID]})
		}
	}
	var set []byte
	if published != nil {
		set = data
	}
	return out, set, nil
}

// publishedJWKs maps kid to the JWK as the set published it; nil when data is no JWK Set.
func publishedJWKs(data []byte) map[string][]byte {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if json.Unmarshal(data, &doc) != nil || doc.Keys == nil {
		return nil
	}
	out := map[string][]byte{}
	for _, raw := range doc.Keys {
		var k struct {
			Kid string `json:"kid"`
		}
		if json.Unmarshal(raw, &k) == nil && k.Kid != "" {
			out[k.Kid] = raw
		}
	}
	return out
}

// auditResigner returns the signer of the claim probes when --key or --secret gives the
// service's signing key; it signs with the genuine token's header.
func auditResigner(g *Global, opts *AuditOptions, genuine forge.Genuine, stdinFree bool) (func(string) (string, error), error) {
	if opts.Key == "" && opts.Secret == "" {
		return nil, nil
	}
	alg, _ := genuine.Header.String("alg")
	var k keys.Key
	if opts.Secret != "" {
		secret, err := resolver(g, stdinFree).Secret(opts.Secret)
		if err != nil {
			return nil, fmt.Errorf("--secret: %w", err)
		}
		k = keys.SecretKey(secret, "--secret")
	} else {
		list, err := loadKeyFile(g, opts.Key, nil, stdinFree)
		if err != nil {
			return nil, fmt.Errorf("--key: %w", err)
		}
		k = list[0]
		if !k.IsPrivate() {
			return nil, failure.Usagef("key", "--key %s holds no private key; the claim probes are signed with the service's signing key", opts.Key)
		}
	}
	if err := keys.CheckAlg(k, alg, true); err != nil {
		return nil, fmt.Errorf("the genuine token's alg and the key given: %w", err)
	}
	header := []byte(genuine.Header.JSON())
	rand := g.deps.Rand
	return func(payload string) (string, error) {
		return token.Sign(alg, k.JWK.Key, header, []byte(payload), rand)
	}, nil
}

func isAsymmetric(g forge.Genuine) bool {
	alg, _ := g.Header.String("alg")
	return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS") || strings.HasPrefix(alg, "ES")
}

// nameMatches says whether name matches one of the patterns (path.Match syntax, or equal).
func nameMatches(name string, patterns []string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok || p == name {
			return true
		}
	}
	return false
}

func wanted(name string, opts *AuditOptions) bool {
	if len(opts.Only) > 0 && !nameMatches(name, opts.Only) {
		return false
	}
	return !nameMatches(name, opts.Skip)
}

func selectVariants(vs []forge.Variant, opts *AuditOptions) []forge.Variant {
	var out []forge.Variant
	for _, v := range vs {
		if wanted(v.Name, opts) {
			out = append(out, v)
		}
	}
	return out
}

func selectProbes(ps []forge.ClaimProbe, opts *AuditOptions) []forge.ClaimProbe {
	var out []forge.ClaimProbe
	for _, p := range ps {
		if wanted(p.Name, opts) {
			out = append(out, p)
		}
	}
	return out
}

// listAuditNames prints the names --only and --skip select from, for a sample RS256 token with
// one RSA public key; with several keys, confusion names end in -k1, -k2… in the set's order.
func listAuditNames(g *Global, opts *AuditOptions) error {
	sample, err := forge.ParseGenuine(forge.Compact(`{"alg":"RS256","kid":"k"}`, `{}`, []byte{0}))
	if err != nil {
		return err
	}
	atk, err := forge.NewAttacker(g.Now())
	if err != nil {
		return err
	}
	// An RSA key, so the list shows every form (PKCS#1 is RSA's alone).
	sampleKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	vs, err := forge.Forge(sample, forge.Options{Attacker: atk, KeyURL: "http://127.0.0.1", KeySet: []byte("{}"),
		PublicKeys: []forge.PublicKey{{Kid: "k", Key: &sampleKey.PublicKey}}})
	if err != nil {
		return err
	}
	w := g.deps.IO.Out
	for _, v := range selectVariants(vs, opts) {
		fmt.Fprintf(w, "%-31s %s\n", v.Name, v.Title)
	}
	for _, p := range selectProbes(forge.ClaimProbes(), opts) {
		fmt.Fprintf(w, "%-31s %s\n", p.Name, p.Title)
	}
	return nil
}

// shortCite is a citation's first reference: "RFC 8725 §2.1", "CVE-2022-21449".
func shortCite(c string) string {
	if i := strings.IndexAny(c, ":;("); i > 0 {
		c = c[:i]
	}
	return strings.TrimSpace(c)
}

func writeAuditTable(g *Global, rep *audit.Report) {
	w := g.deps.IO.Out
	p := g.deps.IO.OutPalette()
	rows := [][4]string{{"ATTACK", "REFERENCE", "ANSWER", "VERDICT"}}
	for _, r := range rep.Results {
		answer := r.Answer
		if r.Fetched {
			answer += ", fetched"
		}
		if answer == "" {
			answer = "-"
		}
		rows = append(rows, [4]string{r.Name, shortCite(r.Cite), answer, r.Verdict})
	}
	var width [3]int
	for _, row := range rows {
		for i := 0; i < 3; i++ {
			width[i] = max(width[i], len([]rune(row[i])))
		}
	}
	fmt.Fprintf(w, "genuine token: %s; not a JWT: %s\n\n", rep.Genuine.Text, rep.Invalid.Text)
	for i, row := range rows {
		line := ""
		for j := 0; j < 3; j++ {
			line += row[j] + strings.Repeat(" ", width[j]-len([]rune(row[j]))+2)
		}
		verdict := row[3]
		switch {
		case i == 0:
			fmt.Fprintln(w, p.Heading.Sprint(line+verdict))
			continue
		case verdict == audit.Accepted || verdict == audit.Fetched:
			verdict = p.Danger.Sprint(verdict)
		case verdict == audit.AcceptedInfo:
			verdict = p.Warning.Sprint(verdict)
		case verdict == audit.Refused:
			verdict = p.Success.Sprint(verdict)
		default:
			verdict = p.Dim.Sprint(verdict)
		}
		fmt.Fprintln(w, line+verdict)
	}
	var info, skipped int
	for _, r := range rep.Results {
		switch r.Verdict {
		case audit.AcceptedInfo:
			info++
		case audit.Skipped:
			skipped++
		}
	}
	fmt.Fprintf(w, "\n%d failing, %d accepted without failing the audit (claims a service may allow, or claims under a forgery already failing), %d skipped\n", rep.Failed(), info, skipped)
	if skipped > 0 {
		fmt.Fprintln(w, "skipped: claim probes need --key or --secret (the signing key of a test instance), or a forgery the service accepts")
	}
}

// auditJSON is audit's --json document.
type auditJSON struct {
	Target  string         `json:"target"`
	Genuine string         `json:"genuine"`
	Invalid string         `json:"invalid"`
	Failed  int            `json:"failed"`
	Results []audit.Result `json:"results"`
}

func writeAuditJSON(w io.Writer, target string, rep *audit.Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	results := rep.Results
	if results == nil {
		results = []audit.Result{}
	}
	return enc.Encode(auditJSON{Target: target, Genuine: rep.Genuine.Text, Invalid: rep.Invalid.Text, Failed: rep.Failed(), Results: results})
}

package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/jsonappend"
	"github.com/jwtkit/jwtkit/internal/render"
	"github.com/jwtkit/jwtkit/internal/scopes"
	"github.com/jwtkit/jwtkit/internal/suggest"
	"github.com/jwtkit/jwtkit/internal/termsafe"
	"github.com/jwtkit/jwtkit/internal/timespec"
	"github.com/jwtkit/jwtkit/internal/token"
)

// DecodeOptions are the flags of `jwtkit decode`.
type DecodeOptions struct {
	Pretty  bool
	Part    string
	Paste   bool
	Header  string // -H: the token as an HTTP header line, as curl takes it
	MaxSize int

	Keys     []string // --key: opens a nested JWE to show the token inside
	Password string

	decrypt *decryptKeys
}

// timeClaims are the members annotated with their instant and relative time.
var timeClaims = []string{"exp", "nbf", "iat", "auth_time"}

func newDecodeCmd(g *Global) *cobra.Command {
	opts := &DecodeOptions{}
	cmd := &cobra.Command{
		Use:     "decode [TOKEN|-]",
		Aliases: []string{"inspect"},
		Short:   "Show a token's header and claims without verifying it",
		Long: `Decode a JWT without verifying its signature and show its header and claims.

On a terminal the report is indented, coloured and annotated: times as instants and as "in 59m"
or "3h ago", scopes in one line whatever their shape, and findings worth a look (expired, alg
none, no exp, keys referenced from the header…). When stdout is not a terminal, decode writes
one JSON object per token instead, so "jwtkit decode | jq" just works; --pretty forces the
report.

The JSON object has: header, payload (both exactly as in the token, member order kept; an
unencoded RFC 7797 payload, b64: false, is a JSON string holding it), signature (base64url), alg, encrypted, scopes, times (per time claim: unix, time, relative),
findings (severity, code, message) and, for tokens read from stdin, line. With --key (or
--decrypt-password) a nested encrypted token is opened and the token inside is shown, with the JWE's
protected header as jwe_header.

The token is the argument, or stdin when it is absent or "-" (one token per line: each is
decoded in order), or the clipboard with --paste. Pasted forms are cleaned: quotes, "Bearer ",
a whole "Authorization: Bearer …" line.

` + exitCodesHelp,
		Example: `  $ jwtkit decode eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.ambcPNdFzkF_OdJpAyNmo0ctF-_T3NFsT-2s8w8bfSc
  $ jwtkit mint --secret env:JWT_SECRET --sub alice | jwtkit decode
  $ jwtkit decode --part payload "$TOKEN" | jq -r .sub
  $ pbpaste | jwtkit decode --pretty
  $ jwtkit decode --paste`,
		// openTokenInput checks the argument count with a message that says what to do instead.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDecode(g, opts, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Pretty, "pretty", false, "write the human report even when stdout is not a terminal")
	f.StringVar(&opts.Part, "part", "", "print only `PART`: header, payload (compact JSON) or signature (base64url)")
	f.BoolVar(&opts.Paste, "paste", false, "read the token from the clipboard")
	f.StringVarP(&opts.Header, "header", "H", "", "the token as an HTTP `HEADER` line, as given to curl -H (\"Authorization: Bearer …\")")
	f.IntVar(&opts.MaxSize, "max-size", token.MaxSize, "refuse tokens larger than `BYTES`")
	stringArrayVar(f, &opts.Keys, "key", "open an encrypted (nested) token with this private key `FILE` and show the token inside; repeatable")
	f.StringVar(&opts.Password, "decrypt-password", "", "open a PBES2-encrypted nested token with this password `SPEC` (secret grammar)")
	return cmd
}

// decodedJSON is the stable JSON form of one decoded token.
type decodedJSON struct {
	Line      int                    `json:"line,omitempty"`
	Header    json.RawMessage        `json:"header"`
	Payload   json.RawMessage        `json:"payload,omitempty"`
	Signature string                 `json:"signature"`
	Alg       string                 `json:"alg"`
	Encrypted bool                   `json:"encrypted"`
	JWEHeader json.RawMessage        `json:"jwe_header,omitempty"`
	Scopes    []string               `json:"scopes"`
	Times     map[string]decodedTime `json:"times"`
	Findings  []token.Finding        `json:"findings"`
}

type decodedTime struct {
	Unix     int64  `json:"unix"`
	Time     string `json:"time"`
	Relative string `json:"relative"`
}

func runDecode(g *Global, opts *DecodeOptions, args []string) error {
	switch opts.Part {
	case "", "header", "payload", "signature":
	default:
		return failure.Usagef("usage", "invalid --part %q: use header, payload or signature%s", opts.Part, suggest.Hint(opts.Part, []string{"header", "payload", "signature"}))
	}
	if opts.MaxSize <= 0 {
		return failure.Usagef("usage", "--max-size must be positive")
	}
	in, err := openTokenInput(g, args, tokenSource{paste: opts.Paste, header: opts.Header}, opts.MaxSize)
	if err != nil {
		return err
	}
	if len(opts.Keys) > 0 || opts.Password != "" {
		if opts.decrypt, err = loadDecryptKeys(g, "--key", opts.Keys, opts.Password, "", !in.StdinUsed()); err != nil {
			return err
		}
	}
	human := opts.Part == "" && !g.JSONOutput() && (opts.Pretty || g.deps.IO.IsStdoutTTY())

	// Look at the first two tokens to tell one token on stdin from several: a lone token is
	// shown and its error reported like an argument's; several get titles and per-line errors.
	first, ok := nextToken(in)
	if !ok {
		return failure.Usagef("malformed_token", "no token on stdin")
	}
	second, several := nextToken(in)
	var tally streamTally
	cur := first
	for index := 0; ; index++ {
		err := cur.err
		if err == nil {
			// The clock is read per token: in a pipe the token may arrive long after start-up.
			err = decodeOne(g, opts, in, cur, index, several, human, g.Now())
		}
		if err != nil {
			if !several {
				return err
			}
			// In a stream one bad line does not stop the rest; it is reported where its result
			// would have been, and the exit code says something failed.
			reportLineError(g, cur.line, err)
		}
		if several && tally.add(cur.line, err) {
			// Lines in a row that are not JWTs: not token input; one summary line, exit 2.
			return tally.err("")
		}
		if index == 0 {
			cur, ok = second, several
		} else {
			cur, ok = nextToken(in)
		}
		if !ok {
			break
		}
	}
	if tally.worst != nil {
		// Each line's error was reported where it occurred; the exit code is the worst's.
		return silentError{tally.worst}
	}
	return nil
}

// tokenLine is one token read from the input, or the error that kept it from being read.
type tokenLine struct {
	tok  string
	line int
	err  error
}

// nextToken returns the next token, skipping blank lines in a stream; false at the end.
func nextToken(in *tokenInput) (tokenLine, bool) {
	for {
		tok, line, err := in.Next()
		if errors.Is(err, io.EOF) {
			return tokenLine{}, false
		}
		if err == nil && tok == "" && in.Stream() {
			continue
		}
		return tokenLine{tok: tok, line: line, err: err}, true
	}
}

func reportLineError(g *Global, line int, err error) {
	if g.JSONOutput() {
		writeJSONError(g.deps.IO.ErrOut, fmt.Errorf("line %d: %w", line, err))
		return
	}
	p := g.deps.IO.ErrPalette()
	fmt.Fprintf(g.deps.IO.ErrOut, "%s line %d: %s\n", p.Danger.Sprint("jwtkit:"), line, termsafe.Line(err.Error()))
}

func decodeOne(g *Global, opts *DecodeOptions, in *tokenInput, t tokenLine, index int, several, human bool, now time.Time) error {
	p, err := token.Parse(t.tok, opts.MaxSize)
	if err != nil {
		return err
	}
	var jweHeader json.RawMessage
	if p.Encrypted && opts.decrypt != nil {
		res, err := opts.decrypt.open(g, t.tok, false, opts.MaxSize)
		if err != nil {
			return err
		}
		inner, err := innerToken(res)
		if err != nil {
			return err
		}
		if p, err = token.Parse(inner, opts.MaxSize); err != nil {
			return fmt.Errorf("the token inside the JWE: %w", err)
		}
		jweHeader = res.HeaderJSON
		g.Infof("jwtkit: opened the JWE (%s, %s); showing the token inside", res.Alg, res.Enc)
	}
	out := g.deps.IO.Out
	switch opts.Part {
	case "header":
		return writeCompact(out, p.HeaderJSON)
	case "payload":
		if p.Encrypted {
			return failure.Usagef("usage", "the token is encrypted (JWE); only its header can be shown")
		}
		return writeCompact(out, payloadJSON(p))
	case "signature":
		_, err := fmt.Fprintln(out, base64.RawURLEncoding.EncodeToString(p.Signature))
		return err
	}

	findings := token.Findings(p, now)
	var granted, shapes []string
	if p.Payload != nil {
		granted, shapes = scopes.Extract(p.Payload)
	}
	times := decodeTimes(p, now)

	if !human {
		lineNo := 0
		if in.Stream() {
			lineNo = t.line
		}
		doc := decodedJSON{
			Line: lineNo, Header: p.HeaderJSON, Signature: base64.RawURLEncoding.EncodeToString(p.Signature),
			Alg: p.Alg(), Encrypted: p.Encrypted, Scopes: nonNil(granted), Times: times, Findings: findings,
			JWEHeader: jweHeader,
		}
		if !p.Encrypted {
			doc.Payload = payloadJSON(p)
		}
		return writeDecodedJSON(out, &doc, !several)
	}

	rep := render.Report{
		Encrypted:    p.Encrypted,
		Header:       p.HeaderJSON,
		Scopes:       granted,
		ScopeShapes:  shapes,
		PayloadNotes: map[string]string{},
	}
	if several {
		rep.Title = fmt.Sprintf("line %d", t.line)
		if index > 0 {
			fmt.Fprintln(out)
		}
	}
	var sigProblem *render.Finding
	if !p.Encrypted {
		rep.Payload = payloadJSON(p)
		rep.Signature, sigProblem = describeSignature(p)
	}
	for name, t := range times {
		rep.PayloadNotes[name] = timeNote(name, t, now)
	}
	if sigProblem != nil {
		rep.Findings = append(rep.Findings, *sigProblem)
	}
	for _, f := range findings {
		rep.Findings = append(rep.Findings, render.Finding{Severity: string(f.Severity), Message: f.Message})
	}
	return render.DecodeReport(out, g.deps.IO.OutPalette(), rep)
}

// payloadJSON is the payload as decode shows it: the token's JSON, exactly as it is, or for an
// unencoded payload (RFC 7797, b64: false), which is raw bytes and seldom JSON, a JSON string
// holding them, so the JSON form and the report can show it (escaped) with the b64_false finding
// rather than fail on it. A string whatever the bytes, so that its type says it is not claims.
func payloadJSON(p *token.Parsed) []byte {
	if !p.Unencoded {
		return p.PayloadJSON
	}
	return jsonappend.String(nil, string(p.PayloadJSON))
}

// decodeTimes reads the time claims that are valid numbers; the others are findings.
func decodeTimes(p *token.Parsed, now time.Time) map[string]decodedTime {
	times := map[string]decodedTime{}
	if p.Payload == nil {
		return times
	}
	for _, name := range timeClaims {
		t, ok, err := p.NumericDate(name)
		if !ok || err != nil {
			continue
		}
		times[name] = decodedTime{Unix: t.Unix(), Time: t.UTC().Format(time.RFC3339), Relative: timespec.Relative(t, now)}
	}
	return times
}

func timeNote(name string, t decodedTime, now time.Time) string {
	rel := t.Relative
	if name == "exp" && t.Unix <= now.Unix() {
		rel = "expired " + rel
	}
	return t.Time + " (" + rel + ")"
}

// describeSignature says what the signature is and whether its size fits the alg; a size that
// does not fit (truncated, DER-encoded ECDSA, a short RSA key) also becomes a finding.
func describeSignature(p *token.Parsed) (line string, problem *render.Finding) {
	info := p.SignatureInfo()
	line = info.Message
	if !info.OK {
		return line, &render.Finding{Severity: "danger", Message: "signature " + info.Message}
	}
	return line + " (not verified)", nil
}

func writeCompact(w io.Writer, data []byte) error {
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return fmt.Errorf("compacting JSON: %w", err)
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

// writeJSONValue writes v as JSON: indented for a single result, one compact line per result in
// a stream.
func writeJSONValue(w io.Writer, v any, indent bool) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(termsafe.JSON(buf.Bytes()))
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/iostreams"
	"github.com/jwtkit/jwtkit/internal/suggest"
	"github.com/jwtkit/jwtkit/internal/termsafe"
	"github.com/jwtkit/jwtkit/internal/timespec"
)

const exitCodesHelp = `Exit codes:
  0  success
  1  the token is invalid (bad signature, expired, wrong audience, missing scope…)
  2  usage or input error (bad flag, unreadable key, not a JWT)
  3  a remote party failed (network, TLS, JWKS or token endpoint error)`

// Global holds the flags every command shares, and the clock they resolve to.
type Global struct {
	deps *Deps
	// stdinTakenBy names the flag that read stdin in this run ("--claims -"), when it was not
	// the token, for the error that refuses a second "-".
	stdinTakenBy string
	JSON         bool
	Output       string
	NoColor      bool
	Quiet        bool
	NowFlag      string
	now          func() time.Time
}

// JSONOutput reports whether results and errors are JSON.
func (g *Global) JSONOutput() bool { return g.JSON || g.Output == "json" }

// Now is the command's clock: --now or JWTKIT_NOW when given, else the real clock.
func (g *Global) Now() time.Time {
	if g.now != nil {
		return g.now()
	}
	return g.deps.Now()
}

// Warnf writes a warning line on stderr unless -q was given.
func (g *Global) Warnf(format string, args ...any) {
	if g.Quiet {
		return
	}
	p := g.deps.IO.ErrPalette()
	fmt.Fprintf(g.deps.IO.ErrOut, "%s %s\n", p.Warning.Sprint("jwtkit: warning:"), termsafe.Line(fmt.Sprintf(format, args...)))
}

// Infof writes an informational line on stderr unless -q was given.
func (g *Global) Infof(format string, args ...any) {
	if g.Quiet {
		return
	}
	fmt.Fprintf(g.deps.IO.ErrOut, format+"\n", args...)
}

// resolve applies the shared flags once cobra has parsed them.
func (g *Global) resolve() error {
	switch g.Output {
	case "", "text", "json":
	default:
		return failure.Usagef("usage", "invalid --output %q: use text or json%s", g.Output, suggest.Hint(g.Output, []string{"text", "json"}))
	}
	if g.NoColor || !iostreams.ColorAllowedByEnv(g.deps.Getenv) {
		g.deps.IO.DisableColor()
	}
	g.deps.IO.Quiet = g.Quiet
	spec := g.NowFlag
	if spec == "" {
		spec = g.deps.Getenv("JWTKIT_NOW")
	}
	if spec != "" {
		t, err := timespec.Parse(spec, g.deps.Now())
		if err != nil {
			return failure.Usagef("usage", "--now: %w", err)
		}
		g.now = func() time.Time { return t }
	}
	return nil
}

// NewRoot builds the jwtkit command tree.
func NewRoot(deps *Deps) *cobra.Command {
	return newRoot(deps, nil)
}

// newRoot builds the root command. For a run (args not nil) whose command can stand alone, it
// adds that command only (see standalone.go); else every command, with their completions.
func newRoot(deps *Deps, args []string) *cobra.Command {
	g := &Global{deps: deps}
	root := &cobra.Command{
		Use:   "jwtkit",
		Short: "Mint, decode, verify and fetch JSON Web Tokens",
		Long: `jwtkit mints, decodes and verifies JSON Web Tokens, encrypts and decrypts them, generates
keys and key sets, fetches access tokens (client credentials, a login, a refresh, a token
exchange), serves a local OAuth 2.0 / OpenID Connect provider for tests, and audits a service's
token checks.

Tokens are read from the argument, or from stdin when it is absent or "-". The product goes to
stdout alone, so commands compose in pipes; diagnostics go to stderr.

` + exitCodesHelp,
		Example: `  $ jwtkit mint --secret env:JWT_SECRET --sub alice --scope read:users
  $ jwtkit mint --secret env:JWT_SECRET --sub alice | jwtkit decode
  $ jwtkit verify --jwks https://idp.example/.well-known/jwks.json --aud api "$TOKEN"`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		DisableAutoGenTag: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return g.resolve()
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return errUnknownCommand(cmd, args[0])
			}
			return writeOverview(cmd, deps.IO.Out)
		},
		Args:                       cobra.ArbitraryArgs,
		SuggestionsMinimumDistance: 2,
	}
	root.SetIn(deps.IO.In)
	root.SetOut(deps.IO.Out)
	root.SetErr(deps.IO.ErrOut)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return flagError(cmd, err)
	})

	pf := root.PersistentFlags()
	pf.BoolVar(&g.NoColor, "no-color", false, "disable colour (also NO_COLOR or TERM=dumb)")
	pf.BoolVar(&g.JSON, "json", false, "write results and errors as JSON")
	pf.StringVarP(&g.Output, "output", "o", "", "output format: text or json (under keygen, -o names the files)")
	pf.BoolVarP(&g.Quiet, "quiet", "q", false, "silence warnings and progress on stderr")
	pf.StringVar(&g.NowFlag, "now", "", "pretend the time is `TIME` (RFC 3339, Unix seconds or a duration from now; also JWTKIT_NOW)")

	if args != nil && addStandalone(root, g, args) {
		return root
	}
	root.AddCommand(
		newMintCmd(g),
		newDecodeCmd(g),
		newVersionCmd(g),
		newKeygenCmd(g),
		newJWKSCmd(g),
		newVerifyCmd(g),
		newDecryptCmd(g),
		newEncryptCmd(g),
		newServeCmd(g),
		newFetchCmd(g),
		newConfigCmd(g),
		newAuditCmd(g),
		newDPoPCmd(g),
		newHeaderCmd(g),
		newExecCmd(g),
		newCompletionCmd(g),
	)
	registerCompletions(root, g)
	return root
}

// Execute runs jwtkit with args (without the program name) and returns the exit code. It prints
// the error, if any, on stderr: as text, or as JSON under --json.
func Execute(args []string, deps *Deps) int {
	args = versionFlagAsCommand(args)
	root := newRoot(deps, args)
	root.SetArgs(args)
	var cmd *cobra.Command
	var err error
	if err = unknownHelpTopic(root, args); err == nil {
		cmd, err = root.ExecuteC()
	}
	if err == nil {
		return 0
	}
	var child childExit
	if errors.As(err, &child) {
		return child.code
	}
	var silent silentError
	if errors.As(err, &silent) {
		return failure.ExitCode(err)
	}
	jsonMode := false
	if cmd != nil {
		if f := cmd.Flags().Lookup("json"); f != nil && f.Value.String() == "true" {
			jsonMode = true
		}
		// keygen's own -o names files: "keygen -o json" asked for no JSON, even in its error.
		if f := cmd.Flags().Lookup("output"); f != nil && f == root.PersistentFlags().Lookup("output") && f.Value.String() == "json" {
			jsonMode = true
		}
	}
	err = classifyCobraError(err)
	printError(deps, err, jsonMode)
	return failure.ExitCode(err)
}

// classifyCobraError turns cobra's own unclassified errors (unknown command, bad arguments)
// into usage errors with a hint.
func classifyCobraError(err error) error {
	var fe *failure.Error
	if errors.As(err, &fe) {
		return err
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "unknown command") {
		// cobra's message spans lines with its suggestions; keep them on one line.
		msg = strings.Join(strings.Fields(msg), " ")
	}
	return failure.Usage("usage", errors.New(msg))
}

// printError is the one place errors reach the user: one "jwtkit: …" line, or one JSON object
// under --json. Either way the message goes through termsafe.Line, so a user value that reached it
// unquoted cannot split it into lines or put control characters on the terminal (JSON escapes
// C0 controls but not DEL, C1 or bidi overrides, which `jq -r` would print raw).
func printError(deps *Deps, err error, jsonMode bool) {
	if jsonMode {
		writeJSONError(deps.IO.ErrOut, err)
		return
	}
	p := deps.IO.ErrPalette()
	fmt.Fprintf(deps.IO.ErrOut, "%s %s\n", p.Danger.Sprint("jwtkit:"), termsafe.Line(err.Error()))
}

func writeJSONError(w io.Writer, err error) {
	body := map[string]any{"error": map[string]any{
		"code":    failure.CodeOf(err),
		"kind":    failure.KindOf(err).String(),
		"message": termsafe.Line(err.Error()),
	}}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body)
}

// silentError carries an exit code for a failure that the command has already reported in its
// own way (for example verify -q, or a stream where each line carries its verdict).
type silentError struct{ error }

func (s silentError) Unwrap() error { return s.error }

// versionFlagAsCommand reads "jwtkit --version" and "jwtkit -v" (what people type first, and
// what most tools answer) as "jwtkit version"; the flag may follow other root flags such as
// --json. Elsewhere -v and --version mean nothing.
func versionFlagAsCommand(args []string) []string {
	for i, a := range args {
		switch {
		case a == "--version" || a == "-v":
			out := append([]string{"version"}, args[:i]...)
			return append(out, args[i+1:]...)
		case a == "--json" || a == "--no-color" || a == "-q" || a == "--quiet":
			continue
		}
		return args
	}
	return args
}

// unknownHelpTopic refuses "jwtkit help NAME" for a NAME that is no command (cobra would print
// the root help and exit 0, hiding the typo) with the unknown-command error and its hint.
func unknownHelpTopic(root *cobra.Command, args []string) error {
	if len(args) < 2 || args[0] != "help" {
		return nil
	}
	parent := root
	for _, name := range args[1:] {
		if strings.HasPrefix(name, "-") {
			return nil
		}
		next, _, err := parent.Find([]string{name})
		if err != nil || next == parent {
			return errUnknownCommand(parent, name)
		}
		parent = next
	}
	return nil
}

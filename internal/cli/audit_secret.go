package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/hmacsearch"
	"github.com/jwtkit/jwtkit/internal/token"
)

// AuditSecretOptions are audit secret's flags.
type AuditSecretOptions struct {
	Wordlist string
	Workers  int
}

func newAuditSecretCmd(g *Global) *cobra.Command {
	opts := &AuditSecretOptions{}
	cmd := &cobra.Command{
		Use:   "secret [flags] [TOKEN]",
		Short: "Find an HS256/384/512 token's secret in a word list",
		Long: `audit secret tries to find the secret an HS256, HS384 or HS512 token was signed with: first a
small built-in list of secrets commonly left in place (secret, changeme, your-256-bit-secret,
framework and tutorial samples), then each line of --wordlist FILE, on every core. Anyone who
holds one token can run this search offline; a secret it finds lets them mint any token.

The secret found goes to stdout in jwtkit's key grammar, ready for --secret: as it is when it is
printable text, else as b64url:…; the exit code is then 1. When none is found it says so on
stderr and exits 0. A progress bar is drawn on stderr when it is a terminal.

` + exitCodesHelp + `

For audit secret: 0 means no secret was found, 1 that it was found (the token is as good as
forged), 2 a token that is not HS256/384/512 or an unreadable word list.`,
		Example: `  $ jwtkit mint --secret changeme --allow-weak --sub alice | jwtkit audit secret || echo "weak secret"
  $ printf 'letmein\nhunter2\n' > words.txt && jwtkit mint -q --secret hunter2 --allow-weak | jwtkit audit secret --wordlist words.txt || echo "weak secret"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAuditSecret(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Wordlist, "wordlist", "", "also try each line of `FILE` (- for stdin when the token is an argument)")
	f.IntVar(&opts.Workers, "workers", 0, "`N` goroutines hashing (default: one per core)")
	return cmd
}

// secretResult is audit secret's --json document.
type secretResult struct {
	Alg    string `json:"alg"`
	Found  bool   `json:"found"`
	Secret string `json:"secret,omitempty"`
	Tried  int64  `json:"tried"`
}

func runAuditSecret(ctx context.Context, g *Global, opts *AuditSecretOptions, args []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	in, err := openTokenInput(g, args, tokenSource{}, token.MaxSize)
	if err != nil {
		return err
	}
	raw, _, err := in.Next()
	if err != nil {
		return failure.Usagef("usage", "reading the token: %v", err)
	}
	target, err := hmacsearch.ParseTarget(raw)
	if err != nil {
		return failure.Usagef("malformed_token", "%v", err)
	}
	var list io.Reader
	var size int64
	if opts.Wordlist != "" {
		if opts.Wordlist == "-" {
			if in.StdinUsed() {
				return failure.Usagef("usage", "--wordlist - and the token both read stdin; pass the token as an argument")
			}
			list = g.deps.IO.In
		} else {
			f, err := os.Open(opts.Wordlist)
			if err != nil {
				return failure.Usagef("usage", "--wordlist: %v", err)
			}
			defer f.Close()
			if st, err := f.Stat(); err == nil {
				if st.IsDir() {
					return failure.Usagef("usage", "--wordlist: %s is a directory", opts.Wordlist)
				}
				size = st.Size()
			}
			list = f
		}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	bar := startProgress(g, size)
	start := time.Now()
	res, err := hmacsearch.Search(ctx, target, hmacsearch.Defaults(), list, workers, bar.update)
	bar.stop()
	if err != nil {
		return failure.Usagef("usage", "%v", err)
	}
	elapsed := time.Since(start)
	out := secretResult{Alg: target.Alg, Found: res.Secret != nil, Tried: res.Tried}
	if out.Found {
		out.Secret = secretSpec(res.Secret)
	}
	if g.JSONOutput() {
		enc := json.NewEncoder(g.deps.IO.Out)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else if out.Found {
		fmt.Fprintln(g.deps.IO.Out, out.Secret)
	}
	rate := ""
	if secs := elapsed.Seconds(); secs > 0.05 {
		rate = fmt.Sprintf(" in %s (%.0f/s on %d workers)", elapsed.Round(time.Millisecond), float64(res.Tried)/secs, workers)
	}
	if !out.Found {
		g.Infof("jwtkit: no secret found among %d candidates%s", res.Tried, rate)
		return nil
	}
	g.Infof("jwtkit: found the %s secret after %d candidates%s: anyone holding a token can mint tokens; use a random secret of at least %d bytes (RFC 7518 §3.2)",
		target.Alg, res.Tried, rate, map[string]int{"HS256": 32, "HS384": 48, "HS512": 64}[target.Alg])
	return silentError{failure.Invalidf("weak_secret", "the token's secret was found")}
}

// secretSpec writes a secret in the key grammar: as itself when it is printable text that the
// grammar reads back as a literal, else as b64url:….
func secretSpec(secret []byte) string {
	s := string(secret)
	literal := len(s) > 0 && utf8.ValidString(s) && s != "-" && strings.TrimSpace(s) == s
	for _, prefix := range []string{"@", "env:", "b64:", "b64url:", "hex:"} {
		literal = literal && !strings.HasPrefix(s, prefix)
	}
	for _, r := range s {
		literal = literal && unicode.IsPrint(r)
	}
	if literal {
		return s
	}
	return "b64url:" + base64.RawURLEncoding.EncodeToString(secret)
}

// progress draws a bar on stderr when it is a terminal and the total is known.
type progress struct {
	w     io.Writer
	total int64
	mu    sync.Mutex
	done  int64
	quit  chan struct{}
	ended chan struct{}
}

func startProgress(g *Global, total int64) *progress {
	p := &progress{}
	if total <= 0 || g.Quiet || !g.deps.IO.IsStderrTTY() {
		return p
	}
	p.w, p.total, p.quit, p.ended = g.deps.IO.ErrOut, total, make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.ended)
		t := time.NewTicker(150 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				fmt.Fprint(p.w, "\r\x1b[K")
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
	return p
}

func (p *progress) update(n int64) {
	p.mu.Lock()
	p.done = n
	p.mu.Unlock()
}

func (p *progress) draw() {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	const width = 30
	frac := min(float64(done)/float64(p.total), 1)
	filled := int(frac * width)
	fmt.Fprintf(p.w, "\r\x1b[K[%s%s] %3.0f%% of the word list", strings.Repeat("#", filled), strings.Repeat("-", width-filled), frac*100)
}

func (p *progress) stop() {
	if p.quit == nil {
		return
	}
	close(p.quit)
	<-p.ended
}

package attacks

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jwtkit/jwtkit/internal/cli"
	"github.com/jwtkit/jwtkit/internal/clipboard"
	"github.com/jwtkit/jwtkit/internal/iostreams"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// knownBroken lists runs whose correct expectation jwtkit does not meet yet, keyed by
// "<case>/verify-<n>" (n counts from 1 in the case's verify list) or "<case>/decode", with what
// is wrong and what shows it. Each is reported to the owner of the code at fault. A listed run
// that starts to pass fails the test, so that the entry is removed and the case guards the fix.
var knownBroken = map[string]string{}

// maxErrorLine bounds the one-line error of any run: a token cannot make jwtkit's messages
// grow with it.
const maxErrorLine = 2048

// TestAttacks runs every case of the corpus through `jwtkit verify` (each key setup the case
// lists, in text and --json modes) and `jwtkit decode`, and checks the exit code, the failure
// code, the reason, that nothing reaches stdout on failure, that stderr is one printable line,
// and that no network request is made (the transport fails the test on any).
func TestAttacks(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) < 50 {
		t.Fatalf("the corpus has %d cases; expected the whole of testdata/attacks", len(cases))
	}
	runs := map[string]bool{}
	var total, broken, passing atomic.Int64
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range c.Files {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			now, _ := c.clock()
			env := &runEnv{t: t, dir: dir, now: now}
			check := func(id string, problems []string) {
				runs[id] = true
				total.Add(1)
				reason, listed := knownBroken[id]
				switch {
				case listed && len(problems) == 0:
					t.Errorf("%s meets its expectation now; remove it from knownBroken", id)
				case listed:
					broken.Add(1)
					t.Logf("known broken: %s (%s): %s", id, reason, strings.Join(problems, "; "))
				case len(problems) > 0:
					t.Errorf("%s: %s\n%s", id, c.Spec.Title, strings.Join(problems, "\n"))
				default:
					passing.Add(1)
				}
			}
			for i, e := range c.Spec.Verify {
				check(fmt.Sprintf("%s/verify-%d", c.Name, i+1), env.check("verify", e, c.Spec.Token))
			}
			check(c.Name+"/decode", env.check("decode", c.Spec.Decode, c.Spec.Token))
			if n := env.requests.Load(); n > 0 {
				t.Errorf("%d network requests were made; jwtkit must never fetch what a token points at", n)
			}
		})
	}
	var stale []string
	for id := range knownBroken {
		if !runs[id] {
			stale = append(stale, id)
		}
	}
	sort.Strings(stale)
	for _, id := range stale {
		t.Errorf("knownBroken lists %s, which is not a run of the corpus", id)
	}
	t.Logf("%d cases, %d runs: %d as expected, %d known broken", len(cases), total.Load(), passing.Load(), broken.Load())
}

// runEnv runs jwtkit in-process for one case: files in dir, the case's clock, no environment,
// and an HTTP transport that refuses and counts every request.
type runEnv struct {
	t        *testing.T
	dir      string
	now      time.Time
	requests atomic.Int64
}

// RoundTrip refuses every request and counts it.
func (e *runEnv) RoundTrip(r *http.Request) (*http.Response, error) {
	e.requests.Add(1)
	return nil, fmt.Errorf("the attack corpus allows no network request (got %s %s)", r.Method, r.URL)
}

// run executes jwtkit with args and returns the exit code and the output streams.
func (e *runEnv) run(args ...string) (code int, stdout, stderr []byte) {
	return e.runStdin("", args...)
}

// runStdin is run with stdin.
func (e *runEnv) runStdin(stdin string, args ...string) (code int, stdout, stderr []byte) {
	streams, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	deps := &cli.Deps{
		IO:     streams,
		Getenv: func(string) string { return "" },
		Now:    func() time.Time { return e.now },
		ReadFile: func(p string) ([]byte, error) {
			if !filepath.IsAbs(p) {
				p = filepath.Join(e.dir, p)
			}
			return keys.ReadFile(p)
		},
		Clipboard: &clipboard.Memory{},
		Rand:      rand.Reader,
		Transport: e,
		CacheDir:  func() (string, error) { return filepath.Join(e.dir, "cache"), nil },
		ConfigDir: func() (string, error) { return filepath.Join(e.dir, "config"), nil },
	}
	code = cli.Execute(args, deps)
	return code, out.Bytes(), errOut.Bytes()
}

// check runs command (verify or decode) on tok as e says, in text mode and under --json, and
// returns every way the outcome differs from e.
func (e *runEnv) check(command string, x expectation, tok string) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	args := append(append([]string{command}, x.Args...), "--", tok)
	shown := command + " " + strings.Join(x.Args, " ")

	code, stdout, stderr := e.run(args...)
	e.t.Logf("%s → exit %d %s", shown, code, strings.TrimSpace(clip(stderr)))
	if code != x.Exit {
		bad("%s: exit %d, want %d (stderr: %s)", shown, code, x.Exit, clip(stderr))
	}
	if msg := printableProblem(stderr); msg != "" {
		bad("%s: stderr %s: %q", shown, msg, clip(stderr))
	}
	if code != 0 {
		line := string(stderr)
		switch {
		case len(stdout) > 0:
			bad("%s: failed with output on stdout: %s", shown, clip(stdout))
		case !strings.HasPrefix(line, "jwtkit: ") || strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n"):
			bad("%s: stderr is not one \"jwtkit: …\" line: %q", shown, clip(stderr))
		case len(line) > maxErrorLine:
			bad("%s: the error is %d bytes long; messages must stay short whatever the token holds", shown, len(line))
		}
		if !strings.Contains(line, x.Reason) {
			bad("%s: reason %q lacks %q", shown, strings.TrimSpace(line), x.Reason)
		}
	} else {
		problems = append(problems, e.checkSuccess(command, x, tok, stdout)...)
	}

	switch {
	case command == "decode":
		problems = append(problems, e.checkPretty(x, tok, code)...)
	case !strings.ContainsAny(tok, "\r\n") && tok != "":
		problems = append(problems, e.checkStream(x, tok)...)
	}

	if code != 0 && x.Code != "" {
		jcode, _, jerr := e.run(append([]string{command, "--json"}, args[1:]...)...)
		var doc struct {
			Error struct{ Code, Kind, Message string }
		}
		if jcode != code {
			bad("%s --json: exit %d, text mode exit %d", shown, jcode, code)
		}
		if err := json.Unmarshal(jerr, &doc); err != nil {
			bad("%s --json: stderr is not a JSON error: %q", shown, clip(jerr))
		} else if !oneOf(doc.Error.Code, x.Code) {
			bad("%s --json: code %q, want %s (%s)", shown, doc.Error.Code, x.Code, doc.Error.Message)
		}
	}
	return problems
}

// checkPretty runs decode --pretty, the human report a terminal gets: same exit code as the
// JSON form, and nothing on stdout that a terminal would interpret (colour is off, as stdout is
// not a terminal, so any control character came from the token).
func (e *runEnv) checkPretty(x expectation, tok string, jsonCode int) []string {
	var problems []string
	code, stdout, stderr := e.run("decode", "--pretty", "--", tok)
	if code != jsonCode {
		problems = append(problems, fmt.Sprintf("decode --pretty: exit %d, the JSON form exit %d (stderr: %s)", code, jsonCode, clip(stderr)))
	}
	if msg := printableProblem(bytes.ReplaceAll(stdout, []byte("\t"), nil)); msg != "" {
		problems = append(problems, fmt.Sprintf("decode --pretty: stdout %s", msg))
	}
	if msg := printableProblem(stderr); msg != "" {
		problems = append(problems, fmt.Sprintf("decode --pretty: stderr %s", msg))
	}
	return problems
}

// streamKeyCodes are failure codes of key and flag errors: they stop verify before any token
// is read, in stream mode too.
var streamKeyCodes = map[string]bool{"usage": true, "key": true, "weak_key": true, "alg_mismatch": true}

// checkStream runs the same verify with the token on stdin under --stream, the form a pipeline
// of many tokens gets, which runs on worker goroutines: its one JSON line must carry the same
// verdict and code. A key or flag error stops the command before any line (exit 2); any other
// failure makes its line invalid, and the stream exits as the single token does: 2 when it is
// not a JWT at all, 1 when it is one that must not be trusted (DESIGN.md, exit codes).
func (e *runEnv) checkStream(x expectation, tok string) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	shown := "verify --stream " + strings.Join(x.Args, " ") + " < token"
	code, stdout, stderr := e.runStdin(tok+"\n", append(append([]string{"verify", "--stream"}, x.Args...), "-")...)
	first, _, _ := strings.Cut(x.Code, "|")
	if x.Exit == 2 && streamKeyCodes[first] {
		if code != 2 || len(stdout) > 0 {
			bad("%s: exit %d with stdout %q, want exit 2 and no line", shown, code, clip(stdout))
		}
		return problems
	}
	want := x.Exit
	var line struct {
		Line   int     `json:"line"`
		Valid  bool    `json:"valid"`
		Code   string  `json:"code"`
		Reason *string `json:"reason"`
	}
	switch {
	case code != want:
		bad("%s: exit %d, want %d (stderr: %s)", shown, code, want, clip(stderr))
	case bytes.Count(stdout, []byte("\n")) != 1 || json.Unmarshal(stdout, &line) != nil:
		bad("%s: stdout is not one JSON line: %q", shown, clip(stdout))
	case line.Line != 1 || line.Valid != (x.Exit == 0):
		bad("%s: line %d valid %v, want line 1 valid %v", shown, line.Line, line.Valid, x.Exit == 0)
	case x.Code != "" && !oneOf(line.Code, x.Code):
		bad("%s: code %q, want %s", shown, line.Code, x.Code)
	case x.Reason != "" && (line.Reason == nil || !strings.Contains(*line.Reason, x.Reason)):
		bad("%s: reason %v lacks %q", shown, line.Reason, x.Reason)
	}
	return problems
}

// checkSuccess checks the output of a run that exited 0: verify prints the token's claims,
// decode its JSON report with the expected findings.
func (e *runEnv) checkSuccess(command string, x expectation, tok string, stdout []byte) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	switch command {
	case "verify":
		var got bytes.Buffer
		if err := json.Compact(&got, stdout); err != nil {
			bad("verify: stdout is not JSON: %q", clip(stdout))
			break
		}
		payload := decodedPayload(tok)
		var want bytes.Buffer
		if err := json.Compact(&want, payload); err != nil || !bytes.Equal(got.Bytes(), want.Bytes()) {
			bad("verify: stdout %s is not the token's claims %s", clip(got.Bytes()), clip(payload))
		}
	case "decode":
		var doc struct {
			Findings []struct{ Code string }
		}
		if err := json.Unmarshal(stdout, &doc); err != nil {
			bad("decode: stdout is not one JSON object: %q", clip(stdout))
			break
		}
		have := map[string]bool{}
		for _, f := range doc.Findings {
			have[f.Code] = true
		}
		for _, want := range x.Findings {
			if !have[want] {
				bad("decode: findings %v lack %q", doc.Findings, want)
			}
		}
	}
	return problems
}

// decodedPayload returns the payload JSON of a compact JWS, after removing the decoration the
// command cleans (whitespace, Bearer, Authorization:).
func decodedPayload(tok string) []byte {
	tok = strings.TrimSpace(tok)
	if i := strings.LastIndex(tok, " "); i >= 0 {
		tok = tok[i+1:]
	}
	p := strings.Split(tok, ".")
	if len(p) < 2 {
		return nil
	}
	return mustB64(p[1])
}

// printableProblem says what is wrong with stderr: a control character other than the line
// ends, or invalid UTF-8; "" when it is clean.
func printableProblem(b []byte) string {
	if !utf8.Valid(b) {
		return "is not valid UTF-8"
	}
	for _, r := range string(b) {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return fmt.Sprintf("holds the control character U+%04X", r)
		}
	}
	return ""
}

// oneOf reports whether code is one of the "|"-separated alternatives.
func oneOf(code, alternatives string) bool {
	for _, a := range strings.Split(alternatives, "|") {
		if code == a {
			return true
		}
	}
	return false
}

// clip shortens output for messages.
func clip(b []byte) string {
	s := string(b)
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/clipboard"
	"github.com/jwtkit/jwtkit/internal/iostreams"
)

const testSecret = "cli-test-secret-that-is-32-bytes-long"

// harness runs jwtkit in-process with buffers for streams and a fixed clock.
type harness struct {
	deps   *Deps
	stdin  *bytes.Buffer
	stdout *bytes.Buffer
	stderr *bytes.Buffer
	clip   *clipboard.Memory
	env    map[string]string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	io, in, out, errOut := iostreams.Test()
	h := &harness{stdin: in, stdout: out, stderr: errOut, clip: &clipboard.Memory{}, env: map[string]string{}}
	h.deps = &Deps{
		IO:        io,
		Getenv:    func(k string) string { return h.env[k] },
		Now:       func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) },
		ReadFile:  os.ReadFile,
		Clipboard: h.clip,
		Rand:      bytes.NewReader(bytes.Repeat([]byte{7}, 1<<16)),
		CacheDir:  func() (string, error) { return t.TempDir(), nil },
		ConfigDir: func() (string, error) { return t.TempDir(), nil },
	}
	return h
}

func (h *harness) run(args ...string) int {
	h.stdout.Reset()
	h.stderr.Reset()
	return Execute(args, h.deps)
}

func (h *harness) mint(t *testing.T, args ...string) string {
	t.Helper()
	if code := h.run(append([]string{"mint", "--secret", testSecret}, args...)...); code != 0 {
		t.Fatalf("mint exit %d: %s", code, h.stderr)
	}
	return strings.TrimSpace(h.stdout.String())
}

func TestDecodeOnTerminalIsColouredReport(t *testing.T) {
	h := newHarness(t)
	tok := h.mint(t, "--sub", "alice", "--no-exp")
	h.deps.IO.SetTTY(false, true, true)
	if code := h.run("decode", tok); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	out := h.stdout.String()
	for _, want := range []string{"\x1b[", "Payload", "no exp", "use jwtkit verify", "2026-11-25T10:00:00Z (just now)"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal report lacks %q:\n%s", want, out)
		}
	}
}

func TestNoColorTurnsColourOff(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"flag", nil, []string{"--no-color"}},
		{"NO_COLOR", map[string]string{"NO_COLOR": "1"}, nil},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			tok := h.mint(t, "--sub", "alice")
			for k, v := range tc.env {
				h.env[k] = v
			}
			h.deps.IO.SetTTY(false, true, true)
			if code := h.run(append([]string{"decode", tok}, tc.args...)...); code != 0 {
				t.Fatalf("exit %d: %s", code, h.stderr)
			}
			if strings.Contains(h.stdout.String(), "\x1b[") {
				t.Errorf("colour escape codes despite %s", tc.name)
			}
		})
	}
}

func TestDecodeToPipeIsJSON(t *testing.T) {
	h := newHarness(t)
	tok := h.mint(t, "--sub", "alice", "--scope", "read:users")
	if code := h.run("decode", tok); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	var doc struct {
		Header  map[string]any `json:"header"`
		Payload map[string]any `json:"payload"`
		Scopes  []string       `json:"scopes"`
		Times   map[string]struct {
			Unix     int64
			Relative string
		} `json:"times"`
		Findings []struct{ Severity, Code, Message string } `json:"findings"`
	}
	if err := json.Unmarshal(h.stdout.Bytes(), &doc); err != nil {
		t.Fatalf("decode output is not JSON: %v\n%s", err, h.stdout)
	}
	if doc.Payload["sub"] != "alice" || doc.Header["alg"] != "HS256" {
		t.Errorf("unexpected header/payload: %+v", doc)
	}
	if len(doc.Scopes) != 1 || doc.Scopes[0] != "read:users" {
		t.Errorf("scopes = %v", doc.Scopes)
	}
	if doc.Times["exp"].Relative != "in 1h" {
		t.Errorf("exp relative = %q, want \"in 1h\"", doc.Times["exp"].Relative)
	}
}

// TestDecodeUnencodedPayload: an RFC 7797 token (b64: false) carries its payload raw, seldom
// as JSON. decode shows it as a JSON string, in the JSON form, --part payload and the report,
// with the b64_false finding, and exits 0.
func TestDecodeUnencodedPayload(t *testing.T) {
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","b64":false,"crit":["b64"]}`))
	for _, raw := range []string{"admin", "123", "null"} {
		tok := header + "." + raw + ".c2ln"
		h := newHarness(t)
		if code := h.run("decode", tok); code != 0 {
			t.Fatalf("%s: exit %d: %s", raw, code, h.stderr)
		}
		var doc struct {
			Payload  json.RawMessage `json:"payload"`
			Findings []struct{ Code string }
		}
		if err := json.Unmarshal(h.stdout.Bytes(), &doc); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", raw, err, h.stdout)
		}
		if want := `"` + raw + `"`; string(doc.Payload) != want {
			t.Errorf("%s: payload %s, want the string %s", raw, doc.Payload, want)
		}
		if !slices.ContainsFunc(doc.Findings, func(f struct{ Code string }) bool { return f.Code == "b64_false" }) {
			t.Errorf("%s: findings %v lack b64_false", raw, doc.Findings)
		}
		if code := h.run("decode", "--part", "payload", tok); code != 0 || h.stdout.String() != `"`+raw+"\"\n" {
			t.Errorf("%s: --part payload: exit %d, stdout %q", raw, code, h.stdout)
		}
		if code := h.run("decode", "--pretty", tok); code != 0 || !strings.Contains(h.stdout.String(), "Payload\n\""+raw+"\"\n") ||
			!strings.Contains(h.stdout.String(), "b64: false") {
			t.Errorf("%s: --pretty: exit %d, report:\n%s%s", raw, code, h.stdout, h.stderr)
		}
	}
}

func TestCopyAndPaste(t *testing.T) {
	h := newHarness(t)
	tok := h.mint(t, "--sub", "alice", "--copy")
	if h.clip.Text != tok {
		t.Fatalf("clipboard holds %q, want the token", h.clip.Text)
	}
	if !strings.Contains(h.stderr.String(), "copied the token to the clipboard") {
		t.Errorf("stderr does not say the token was copied: %q", h.stderr)
	}
	h.clip.Text = "Authorization: Bearer " + tok + "\n"
	if code := h.run("decode", "--paste", "--part", "payload"); code != 0 {
		t.Fatalf("decode --paste exit %d: %s", code, h.stderr)
	}
	if !strings.Contains(h.stdout.String(), `"sub":"alice"`) {
		t.Errorf("pasted token not decoded: %s", h.stdout)
	}
}

func TestCopyWithoutClipboardIsAWarning(t *testing.T) {
	h := newHarness(t)
	h.clip.Err = errors.New("no clipboard available")
	tok := h.mint(t, "--sub", "alice", "--copy")
	if tok == "" {
		t.Fatal("no token printed")
	}
	if !strings.Contains(h.stderr.String(), "warning: could not copy") {
		t.Errorf("missing warning: %q", h.stderr)
	}
	h.run("mint", "--secret", testSecret, "--copy", "-q")
	if h.stderr.Len() != 0 {
		t.Errorf("-q should silence the warning, got %q", h.stderr)
	}
}

func TestErrorsAsJSONUnderJSONFlag(t *testing.T) {
	h := newHarness(t)
	code := h.run("decode", "not-a-token", "--json")
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	var body struct {
		Error struct{ Code, Kind, Message string } `json:"error"`
	}
	if err := json.Unmarshal(h.stderr.Bytes(), &body); err != nil {
		t.Fatalf("stderr is not JSON: %v: %q", err, h.stderr)
	}
	if body.Error.Kind != "usage" || body.Error.Code != "malformed_token" || body.Error.Message == "" {
		t.Errorf("unexpected error body: %+v", body.Error)
	}
	if h.stdout.Len() != 0 {
		t.Errorf("stdout should be empty on error, got %q", h.stdout)
	}
}

func TestExitCodes(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"version"}, 0},
		{[]string{"mint", "--bogus"}, 2},
		{[]string{"decode", "a.b"}, 2},
		{[]string{"nosuchcommand"}, 2},
		{[]string{"mint", "--secret", testSecret, "--now", "yesterday-ish"}, 2},
	} {
		if got := h.run(tc.args...); got != tc.want {
			t.Errorf("jwtkit %s: exit %d, want %d (stderr %q)", strings.Join(tc.args, " "), got, tc.want, h.stderr)
		}
	}
}

func TestStdinTerminalWithoutTokenIsUsageError(t *testing.T) {
	h := newHarness(t)
	h.deps.IO.SetTTY(true, true, true)
	if code := h.run("decode"); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(h.stderr.String(), "no token given") {
		t.Errorf("stderr = %q", h.stderr)
	}
}

func TestSecretNeverInOutput(t *testing.T) {
	h := newHarness(t)
	const secret = "s3cr3t-that-must-never-be-printed-anywhere!"
	for _, args := range [][]string{
		{"mint", "--secret", secret, "--alg", "ES256"},
		{"mint", "--secret", secret, "--alg", "RS256"},
		{"mint", "--secret", secret[:10]},
		{"mint", "--secret", secret, "--exp", "bad"},
		{"mint", "--secret", secret, "--json"},
	} {
		h.run(args...)
		for _, s := range []string{h.stdout.String(), h.stderr.String()} {
			if strings.Contains(s, secret[:10]) {
				t.Errorf("jwtkit %v printed the secret: %q", args, s)
			}
		}
	}
}

// clockOnRead is a stdin that moves the clock forward when it is first read, as a slow producer
// in a pipe (jwtkit fetch | jwtkit decode) delivers its token after the reader has started.
type clockOnRead struct {
	r     io.Reader
	now   *time.Time
	later time.Time
}

func (c *clockOnRead) Read(p []byte) (int, error) {
	*c.now = c.later
	return c.r.Read(p)
}

func TestDecodeReadsTheClockAfterTheToken(t *testing.T) {
	h := newHarness(t)
	start := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	now := start
	h.deps.Now = func() time.Time { return now }
	tok := h.mint(t, "--sub", "alice", "--iat", "2026-11-25T10:00:05Z")
	now = start
	h.deps.IO.In = &clockOnRead{r: strings.NewReader(tok + "\n"), now: &now, later: start.Add(10 * time.Second)}
	if code := h.run("decode"); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	if strings.Contains(h.stdout.String(), "iat_in_future") {
		t.Errorf("decode judged iat against the clock read before the token arrived:\n%s", h.stdout)
	}
}

func TestDecodeLoneStdinTokenIsNotAStream(t *testing.T) {
	h := newHarness(t)
	tok := h.mint(t, "--sub", "alice")
	h.stdin.WriteString(tok + "\n")
	if code := h.run("decode", "--pretty"); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	if strings.Contains(h.stdout.String(), "── line") {
		t.Errorf("a lone token got a stream title:\n%s", h.stdout)
	}
	h.stdin.WriteString("not-a-token\n")
	if code := h.run("decode"); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if got := h.stderr.String(); strings.Contains(got, "line 1") || !strings.HasPrefix(got, "jwtkit: token has 1 segment") {
		t.Errorf("a lone bad token should be reported like an argument, got %q", got)
	}
}

package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/termsafe"
)

func TestShowArg(t *testing.T) {
	long := strings.Repeat("é", 60)
	for _, tc := range []struct{ in, want string }{
		{"keys/signing.key", "keys/signing.key"},
		{"", `""`},
		{" padded", `" padded"`},
		{"a b", "a b"},
		{"x\ny\x1b[2J", `"x\ny\x1b[2J"`},
		{"rtl\u202e", `"rtl\u202e"`},
		{"bad\xff", `"bad\xff"`},
		{long, `"` + strings.Repeat("é", 40) + `"…`},
	} {
		if got := showArg(tc.in); got != tc.want {
			t.Errorf("showArg(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestErrorsAreOneLineInBothModes checks the printer itself: an error whose message holds a raw
// line break, an escape sequence, a C1 control and a bidi override (as a key path inside a
// library's error does) is one line in text mode, and one JSON object under --json whose
// message, once decoded, still holds none of them.
func TestErrorsAreOneLineInBothModes(t *testing.T) {
	const bad = "x\ny\x1b[2J\u009b\u202e"
	for _, mode := range [][]string{nil, {"--json"}, {"-o", "json"}} {
		h := newHarness(t)
		args := append([]string{"verify", "--key", bad}, mode...)
		if code := h.run(append(args, "a.b.c")...); code != 2 {
			t.Fatalf("%q: exit %d, want 2: %s", mode, code, h.stderr)
		}
		out := h.stderr.String()
		if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
			t.Fatalf("%q: not one line: %q", mode, out)
		}
		msg := strings.TrimSuffix(out, "\n")
		if mode != nil {
			var body struct {
				Error struct{ Message string } `json:"error"`
			}
			if err := json.Unmarshal([]byte(out), &body); err != nil {
				t.Fatalf("%q: not JSON: %q", mode, out)
			}
			msg = body.Error.Message
		}
		if termsafe.NeedsEscape(msg) {
			t.Errorf("%q: the message holds a control or bidi character: %q", mode, msg)
		}
		if !strings.Contains(msg, `x\ny\u001b[2J\u009b\u202e`) {
			t.Errorf("%q: the message does not show the value escaped: %q", mode, msg)
		}
	}
}

package cli

import (
	"strings"
	"testing"
)

// TestVerifyOutputEscapesTerminalRunes checks both output paths of verify (a single token, and
// the stream's fast line) on a token whose claims hold DEL, a C1 control and a bidi override.
func TestVerifyOutputEscapesTerminalRunes(t *testing.T) {
	h := newHarness(t)
	tok := h.mint(t, "--sub", "a\x7fb\u009bc\u202ed")
	if code := h.run("verify", "--secret", testSecret, tok); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	single := h.stdout.String()
	h.stdin.Reset()
	h.stdin.WriteString(tok + "\n" + tok + "\n")
	if code := h.run("verify", "--secret", testSecret); code != 0 {
		t.Fatalf("stream: exit %d: %s", code, h.stderr)
	}
	for name, out := range map[string]string{"single": single, "stream": h.stdout.String()} {
		for _, bad := range []string{"\x7f", "\u009b", "\u202e"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s output holds %q: %s", name, bad, out)
			}
		}
		if !strings.Contains(out, `a\u007fb\u009bc\u202ed`) {
			t.Errorf("%s output lacks the escaped sub: %s", name, out)
		}
	}
}

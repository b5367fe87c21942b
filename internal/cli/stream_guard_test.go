package cli

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
)

// hs256Raw signs raw header and payload JSON with testSecret, so that a test can make tokens
// mint refuses to (repeated members).
func hs256Raw(header, payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	in := enc([]byte(header)) + "." + enc([]byte(payload))
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte(in))
	return in + "." + enc(mac.Sum(nil))
}

// TestExitClassSingleAndStream: one rule for an argument and for each line of a stream (DESIGN.md,
// exit codes): 2 when the input is not a JWT at all, 1 when it is one that must not be trusted
// (expired, repeated member names, a duplicate alg, an alg that is not a string), and a stream
// exits with its worst line's code. decode and verify agree.
func TestExitClassSingleAndStream(t *testing.T) {
	h := newHarness(t)
	good := h.mint(t, "--sub", "alice")
	expired := h.mint(t, "--sub", "bob", "--exp", "-1s")
	dupClaim := hs256Raw(`{"alg":"HS256"}`, `{"sub":"alice","sub":"admin"}`)
	dupAlg := hs256Raw(`{"alg":"HS256","alg":"none"}`, `{"sub":"alice"}`)
	algArray := hs256Raw(`{"alg":["HS256"]}`, `{"sub":"alice"}`)
	tests := []struct {
		name         string
		lines        []string
		verify, dec  int
		stderrPhrase string
	}{
		{"garbage", []string{"garbage"}, 2, 2, "1 segment"},
		{"repeated claim", []string{dupClaim}, 1, 1, `claim "sub" twice`},
		{"duplicate alg", []string{dupAlg}, 1, 1, `parameter "alg" twice`},
		{"alg an array", []string{algArray}, 1, 1, `"alg" is an array`},
		{"expired", []string{expired}, 1, 0, "expired"},
		{"stream: good, expired", []string{good, expired}, 1, 0, "1 of 2 tokens are invalid"},
		{"stream: good, garbage", []string{good, "garbage"}, 2, 2, "line 2 is not a JWT"},
		{"stream: garbage first, then expired", []string{"garbage", expired}, 2, 2, "line 1 is not a JWT"},
		{"stream: good, repeated claim", []string{good, dupClaim}, 1, 1, `claim "sub" twice`},
		{"stream: repeated claim, garbage", []string{dupClaim, "garbage"}, 2, 2, "line 2 is not a JWT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				args []string
				want int
			}{
				{[]string{"verify", "--secret", testSecret}, tt.verify},
				{[]string{"decode"}, tt.dec},
			} {
				args := c.args
				if len(tt.lines) == 1 {
					args = append(append([]string{}, args...), tt.lines[0])
				} else {
					h.stdin.Reset()
					h.stdin.WriteString(strings.Join(tt.lines, "\n") + "\n")
				}
				code := h.run(args...)
				if code != c.want {
					t.Errorf("%s: exit %d, want %d: %s", args[0], code, c.want, h.stderr)
				}
				if c.want != 0 && args[0] == "verify" && !strings.Contains(h.stderr.String(), tt.stderrPhrase) {
					t.Errorf("%s: stderr %q lacks %q", args[0], h.stderr, tt.stderrPhrase)
				}
			}
		})
	}
}

// TestStreamStopsOnInputThatIsNotTokens: megabytes of binary garbage on stdin get at most
// maxConsecutiveBad error lines and one summary, exit 2, from decode and verify alike, where
// they used to get an error per line (38,886 lines from decode, 6.8 MB of JSON from verify).
func TestStreamStopsOnInputThatIsNotTokens(t *testing.T) {
	h := newHarness(t)
	// Fixed-seed garbage: crypto randomness sometimes began with a blank line, which the
	// stream skips, and moved the summary's line numbers.
	garbage := make([]byte, 10<<20)
	_, _ = rand.NewChaCha8([32]byte{'j', 'w', 't'}).Read(garbage)
	for _, args := range [][]string{{"decode"}, {"verify", "--secret", testSecret}, {"decode", "--json"}} {
		h.stdin.Reset()
		h.stdin.Write(garbage)
		code := h.run(args...)
		out, errOut := h.stdout.String(), h.stderr.String()
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if !strings.Contains(errOut, "lines 1 to 20 are not JWTs; is this token input?") {
			t.Errorf("%v: no summary on stderr: %.300s", args, errOut)
		}
		if n := strings.Count(out, "\n") + strings.Count(errOut, "\n"); n > maxConsecutiveBad+2 || len(out)+len(errOut) > 64<<10 {
			t.Errorf("%v: %d lines, %d bytes of output for input that is not tokens", args, n, len(out)+len(errOut))
		}
	}
	// A bad line between good ones resets the count: a long log with some junk is read whole.
	good := h.mint(t, "--sub", "alice")
	var in strings.Builder
	for i := 0; i < 3*maxConsecutiveBad; i++ {
		in.WriteString("junk\n" + strings.Repeat("junk\n", maxConsecutiveBad-2) + good + "\n")
	}
	h.stdin.Reset()
	h.stdin.WriteString(in.String())
	if code := h.run("verify", "--secret", testSecret); code != 2 || strings.Contains(h.stderr.String(), "stopped") {
		t.Errorf("exit %d, stderr %.200s; want every line read and exit 2", code, h.stderr)
	}
	if got := strings.Count(h.stdout.String(), `"valid":true`); got != 3*maxConsecutiveBad {
		t.Errorf("%d valid lines, want %d", got, 3*maxConsecutiveBad)
	}
}

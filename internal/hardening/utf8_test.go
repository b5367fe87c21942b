package hardening

import (
	"strconv"
	"strings"
	"testing"
)

// utf8KnownBroken lists mint flags that accept invalid UTF-8 today, with what happens. A listed
// flag that starts refusing it fails the test, so the list cannot rot.
var utf8KnownBroken = map[string]string{}

// TestMintRefusesInvalidUTF8 gives every mint flag that ends up in the token a value with an
// invalid UTF-8 byte. JSON cannot carry it: encoding/json would silently write U+FFFD, so the
// token would say something other than what was asked and a later `verify --sub`/
// `--require-scope` with the same value would fail. --claim refuses it; every flag must.
func TestMintRefusesInvalidUTF8(t *testing.T) {
	bad := "adm\xffin"
	w := newWorld(t)
	for _, tc := range []struct {
		flag string
		args []string
	}{
		{"--claim", []string{"--claim", "x=" + bad}},
		{"--header", []string{"--header", "x=" + bad}},
		{"--sub", []string{"--sub", bad}},
		{"--iss", []string{"--iss", bad}},
		{"--aud", []string{"--aud", bad}},
		{"--jti", []string{"--jti", bad}},
		{"--kid", []string{"--kid", bad}},
		{"--typ", []string{"--typ", bad}},
		{"--scope", []string{"--scope", bad}},
		{"--scope array", []string{"--scope-format", "array", "--scope", bad}},
		{"--scope structured", []string{"--scope-format", "structured", "--scope", "read:" + bad}},
		{"--scope-claim", []string{"--scope-claim", bad, "--scope", "a"}},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			r := w.run(nil, append([]string{"mint", "--secret", testSecret}, tc.args...)...)
			problem := ""
			if r.code != 2 || !oneLine(r.stderr) {
				problem = "exit " + strconv.Itoa(r.code) + ", want a usage error (exit 2)"
				if r.code == 0 {
					d := w.run(nil, "decode", "--part", "payload", strings.TrimSpace(r.stdout))
					h := w.run(nil, "decode", "--part", "header", strings.TrimSpace(r.stdout))
					problem += "; the token says " + strings.TrimSpace(h.stdout) + " " + strings.TrimSpace(d.stdout)
				}
			}
			t.Logf("exit %d: %s", r.code, strings.TrimSpace(r.stderr))
			reason, listed := utf8KnownBroken[tc.flag]
			switch {
			case listed && problem == "":
				t.Errorf("%s refuses invalid UTF-8 now; remove it from utf8KnownBroken", tc.flag)
			case listed:
				t.Logf("known broken (%s): %s", reason, problem)
			case problem != "":
				t.Errorf("%s", problem)
			}
		})
	}
}

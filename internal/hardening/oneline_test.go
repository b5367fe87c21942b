package hardening

import (
	"strings"
	"testing"
)

// oneLineKnownBroken lists flags whose error shows the raw value, newline and all, so that the
// error spans several lines. A listed flag that is fixed fails the test, so the list cannot rot.
var oneLineKnownBroken = map[string]string{}

// TestErrorsStayOneLine gives flags invalid values holding a newline and an escape sequence
// (as a value from a script variable, a config file or a pasted secret may): every error must
// stay one "jwtkit: …" line with no control character, so it cannot forge log lines or rewrite
// the terminal.
func TestErrorsStayOneLine(t *testing.T) {
	const bad = "x\ny\x1b[2J"
	w := newWorld(t)
	tok := goodToken()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"mint --claim", []string{"mint", "--secret", testSecret, "--claim", bad}},
		{"mint --header", []string{"mint", "--secret", testSecret, "--header", bad}},
		{"mint --exp", []string{"mint", "--secret", testSecret, "--exp", bad}},
		{"mint --alg", []string{"mint", "--secret", testSecret, "--alg", bad}},
		{"mint --scope-format", []string{"mint", "--secret", testSecret, "--scope-format", bad}},
		{"mint --scope structured", []string{"mint", "--secret", testSecret, "--scope-format", "structured", "--scope", "x\x1b[2J"}},
		{"mint --key", []string{"mint", "--key", bad}},
		{"mint --secret env:", []string{"mint", "--secret", "env:" + bad}},
		{"mint --secret b64:", []string{"mint", "--secret", "b64:" + bad}},
		{"mint --claims", []string{"mint", "--secret", testSecret, "--claims", bad}},
		{"verify --alg", []string{"verify", "--secret", testSecret, "--alg", bad, tok}},
		{"verify --leeway", []string{"verify", "--secret", testSecret, "--leeway", bad, tok}},
		{"verify --max-age", []string{"verify", "--secret", testSecret, "--max-age", bad, tok}},
		{"verify --require-claim", []string{"verify", "--secret", testSecret, "--require-claim", "a.=" + bad, tok}},
		{"verify --key", []string{"verify", "--key", bad, tok}},
		{"verify --jwks", []string{"verify", "--jwks", bad, tok}},
		{"verify --jwks URL", []string{"verify", "--jwks", "http://attacker.example/" + bad, tok}},
		{"verify --issuer", []string{"verify", "--issuer", "http://attacker.example/" + bad, tok}},
		{"verify --timeout", []string{"verify", "--secret", testSecret, "--timeout", bad, tok}},
		{"verify token", []string{"verify", "--secret", testSecret, bad}},
		{"decode token", []string{"decode", bad}},
		{"decode --part", []string{"decode", "--part", bad, tok}},
		{"--now", []string{"decode", "--now", bad, tok}},
		{"--output", []string{"decode", "-o", bad, tok}},
		{"unknown command", []string{bad}},
		{"unknown flag", []string{"decode", "--" + bad}},
		{"keygen --type", []string{"keygen", "--type", bad}},
		{"keygen --curve", []string{"keygen", "--type", "ec", "--curve", bad}},
		{"keygen --alg", []string{"keygen", "--alg", bad}},
		{"keygen --use", []string{"keygen", "--use", bad}},
		{"keygen --format", []string{"keygen", "--format", bad}},
		{"keygen -o", []string{"keygen", "--type", "ec", "-o", w.dir + "/no/such/dir/" + bad}},
		{"jwks FILE", []string{"jwks", bad}},
		{"jwks pem --kid", []string{"jwks", "pem", "--kid", bad, "missing.jwk"}},
		{"fetch --token-url", []string{"fetch", "--token-url", "http://attacker.example/" + bad, "--client-id", "c", "--client-secret", "s"}},
		{"fetch --auth-method", []string{"fetch", "--token-url", "https://idp.example/token", "--client-id", "c", "--client-secret", "s", "--auth-method", bad}},
		{"fetch --param", []string{"fetch", "--token-url", "https://idp.example/token", "--client-id", "c", "--client-secret", "s", "--param", bad}},
		{"fetch --profile", []string{"fetch", "--profile", bad}},
		{"fetch --client-id", []string{"fetch", "--token-url", "http://127.0.0.1:9/token", "--client-id", bad, "--client-secret", "s", "--retries", "0"}},
		{"serve --client", []string{"serve", "--client", bad}},
		{"serve --addr", []string{"serve", "--addr", bad}},
		{"config show", []string{"config", "show", bad}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.run(nil, tc.args...)
			problem := ""
			switch {
			case r.code == 0:
				problem = "the command accepted the value"
			case !oneLine(r.stderr):
				problem = "the error spans several lines"
			case controlIn(r.stderr) != "":
				problem = "the error " + controlIn(r.stderr)
			}
			t.Logf("exit %d: %q", r.code, r.stderr)
			reason, listed := oneLineKnownBroken[tc.name]
			switch {
			case listed && problem == "":
				t.Errorf("%s stays one line now; remove it from oneLineKnownBroken", tc.name)
			case listed:
				t.Logf("known broken (%s): %s", reason, problem)
			case problem != "":
				t.Errorf("%s: %q", problem, r.stderr)
			}
		})
	}
	for name := range oneLineKnownBroken {
		if !strings.Contains(name, " ") && name != "--now" && name != "--output" {
			t.Errorf("oneLineKnownBroken lists %q, which is not a case", name)
		}
	}
}

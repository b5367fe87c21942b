package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// bashCompletion is where the bash-completion package keeps the helpers cobra's script needs.
const bashCompletion = "/usr/share/bash-completion/bash_completion"

// TestBashCompletion loads `jwtkit completion bash` into a real bash, with the bash-completion
// package, and asks it to complete command lines the way the shell does on TAB. It needs bash and
// the bash-completion package; it skips without them unless JWTKIT_TEST_BASH_COMPLETION=1 (set by
// .ci/extra, which installs them).
func TestBashCompletion(t *testing.T) {
	required := os.Getenv("JWTKIT_TEST_BASH_COMPLETION") == "1"
	if _, err := os.Stat(bashCompletion); err != nil {
		if required {
			t.Fatalf("JWTKIT_TEST_BASH_COMPLETION=1 but %v", err)
		}
		t.Skipf("the bash-completion package is not installed (%v)", err)
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	run := func(script string) string {
		t.Helper()
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "JWTKIT_KEY=", "JWTKIT_CONFIG=")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v\n%s", err, script)
		}
		return string(out)
	}
	run(`jwtkit keygen -q --type ed25519 --kid alpha --format jwk > a.jwk &&
jwtkit keygen -q --type ec --kid beta --format jwk > b.jwk &&
jwtkit jwks a.jwk b.jwk > set.json`)

	for _, tc := range []struct {
		line string // the command line, the cursor at its end
		want string // the candidates bash offers, space-separated, descriptions left out
	}{
		{"jwtkit ve", "verify version"},
		{"jwtkit mint --alg E", "ES256 ES384 ES512 EdDSA"},
		{"jwtkit mint --scope-format s", "space structured"},
		{"jwtkit fetch --auth-method client_secret_", "client_secret_basic client_secret_post"},
		{"jwtkit jwks pem set.json --kid ", "alpha beta"},
		{"jwtkit mint --key set.json --kid a", "alpha"},
		{"jwtkit completion p", "powershell"},
		{"jwtkit decode --pa", "--part --paste"},
	} {
		t.Run(tc.line, func(t *testing.T) {
			script := `source ` + bashCompletion + ` 2>/dev/null
source <(jwtkit completion bash)
line=` + shellQuote(tc.line) + `
read -ra COMP_WORDS <<< "$line"
[[ $line == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE=$line; COMP_POINT=${#line}
__start_jwtkit 2>/dev/null
for c in "${COMPREPLY[@]}"; do printf '%s\n' "${c%% *}"; done`
			got := strings.Join(strings.Fields(run(script)), " ")
			if got != tc.want {
				t.Errorf("completing %q offers %q, want %q", tc.line, got, tc.want)
			}
		})
	}
}

// shellQuote quotes s for bash.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

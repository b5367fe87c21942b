package hardening

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/testenv"
)

// processKnownBroken lists TestEndlessFiles cases that jwtkit gets wrong today, with what is
// wrong. A listed case that starts to pass fails the test, so the list cannot rot.
var processKnownBroken = map[string]string{}

// memoryLimitKiB is the address-space limit (ulimit -v) the binary runs under: far more than
// jwtkit needs, far less than an unbounded read reaches before the timeout.
const memoryLimitKiB = 2 << 20

// TestEndlessFiles runs the real binary with an 8 GiB file (sparse, private, all zeros: a disk
// image given by mistake) wherever a command reads a file, and with /dev/zero for a key: each must
// refuse it with a one-line error (exit 2) within seconds and a bounded address space, instead
// of reading until memory runs out. It runs the process under `ulimit -v` so that a failure
// cannot take the machine's memory with it.
func TestEndlessFiles(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /dev/zero and ulimit -v")
	}
	bin := testenv.BuildJwtkit(t)
	tok := goodToken()
	huge := filepath.Join(t.TempDir(), "disk.img")
	f, err := os.OpenFile(huge, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(8 << 30); err != nil {
		t.Skipf("cannot make a sparse file here: %v", err)
	}
	f.Close()
	cases := []struct {
		name string
		args []string
	}{
		{"verify --key", []string{"verify", "--key", huge, tok}},
		{"verify --key /dev/zero", []string{"verify", "--key", "/dev/zero", tok}},
		{"verify --secret @", []string{"verify", "--secret", "@" + huge, tok}},
		{"verify --jwks file", []string{"verify", "--jwks", huge, tok}},
		{"verify --passphrase @", []string{"verify", "--key", "/dev/null", "--passphrase", "@" + huge, tok}},
		{"mint --key", []string{"mint", "--key", huge}},
		{"mint --secret @", []string{"mint", "--secret", "@" + huge}},
		{"mint --claims", []string{"mint", "--secret", testSecret, "--claims", huge}},
		{"jwks", []string{"jwks", huge}},
		{"jwks thumbprint", []string{"jwks", "thumbprint", huge}},
		{"jwks pem", []string{"jwks", "pem", huge}},
		{"fetch --client-secret @", []string{"fetch", "--no-cache", "--token-url", "http://127.0.0.1:9/token", "--client-id", "c", "--client-secret", "@" + huge}},
		{"fetch --assertion-key", []string{"fetch", "--no-cache", "--token-url", "http://127.0.0.1:9/token", "--client-id", "c", "--auth-method", "private_key_jwt", "--assertion-key", huge}},
		{"fetch --config", []string{"fetch", "--config", huge, "--profile", "x"}},
		{"serve --key", []string{"serve", "--key", huge}},
		{"serve --config", []string{"serve", "--config", huge}},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			code, stderr, elapsed, problem := runLimited(t, bin, tc.args)
			t.Logf("exit %d in %v: %.200s", code, elapsed.Round(time.Millisecond), strings.TrimSpace(stderr))
			if problem == "" && (code != 2 || !oneLine(stderr)) {
				problem = "want exit 2 with one \"jwtkit: …\" line"
			}
			reason, listed := processKnownBroken[tc.name]
			switch {
			case listed && problem == "":
				t.Errorf("meets its expectation now; remove %q from processKnownBroken", tc.name)
			case listed:
				t.Logf("known broken (%s): %s", reason, problem)
			case problem != "":
				t.Errorf("%s", problem)
			}
		})
	}
	for name := range processKnownBroken {
		if !seen[name] {
			t.Errorf("processKnownBroken lists %q, which is not a case", name)
		}
	}
}

// runLimited runs bin with args under the memory limit and a 20-second deadline. problem says
// what went wrong with the process itself (killed, crashed, out of memory), "" when it exited
// on its own.
func runLimited(t *testing.T, bin string, args []string) (code int, stderr string, elapsed time.Duration, problem string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	script := `ulimit -v ` + strconv.Itoa(memoryLimitKiB) + ` && exec "$0" "$@"`
	cmd := exec.CommandContext(ctx, "sh", append([]string{"-c", script, bin}, args...)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "NO_COLOR=1", "XDG_CACHE_HOME=" + t.TempDir(), "XDG_CONFIG_HOME=" + t.TempDir()}
	cmd.Dir = t.TempDir()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	elapsed = time.Since(start)
	stderr = errOut.String()
	if len(stderr) > 4096 {
		stderr = stderr[:4096]
	}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return -1, stderr, elapsed, "still running after 20s: the file is being read without a bound"
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running %s: %v", bin, err)
	}
	if strings.Contains(stderr, "fatal error") || strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic:") {
		return code, stderr, elapsed, "the process crashed (out of memory or panic) instead of refusing the file"
	}
	return code, stderr, elapsed, ""
}

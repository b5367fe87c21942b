// Package testenv gives tests the external programs they run against: the jwtkit binary built
// from this module, node's jose (the npm project in testdata/interop), Debian's jose tool and
// Debian's Chromium.
//
// It is a normal package, imported only by tests. A missing peer skips the test on a developer's
// machine but fails it under CI (CI=true), where .ci/install-peers must have installed it. Every
// process runs under a timeout with its output bounded, so a hung or babbling peer fails the
// test instead of stalling or flooding it.
package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// ProcessTimeout bounds one run of a peer or of jwtkit.
const ProcessTimeout = 60 * time.Second

// BuildTimeout bounds the build of the jwtkit binary.
const BuildTimeout = 5 * time.Minute

// MaxOutput bounds what one process may write on stdout, and again on stderr.
const MaxOutput = 1 << 20

// Result is what a finished process left: its output and its exit code.
type Result struct {
	Stdout []byte
	Stderr []byte
	Code   int
}

// ExitError reports a process that exited with a non-zero code. For the peers and for jwtkit,
// Code 1 means the token was judged invalid and 2 a usage or input error (Debian's jose tool
// exits 1 for every failure).
type ExitError struct {
	Cmd    string // program and arguments, for messages
	Code   int
	Stderr string
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("%s: exit %d: %s", e.Cmd, e.Code, strings.TrimSpace(e.Stderr))
}

// Run runs name with args in dir (the current directory when empty), with stdin as its input,
// under ProcessTimeout. It fails t when the process cannot be started, outlives the timeout or
// writes more than MaxOutput on either stream; a non-zero exit is reported in Result.Code, not as
// a failure. The environment is the test's, without JWTKIT_* variables and with NO_COLOR set, so
// a developer's settings cannot change the outcome.
func Run(t testing.TB, dir string, stdin []byte, name string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), ProcessTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv(os.Environ())
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr boundedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	desc := describe(name, args)
	if ctx.Err() != nil {
		t.Fatalf("%s: did not finish within %s: %v", desc, ProcessTimeout, ctx.Err())
	}
	if stdout.overflow || stderr.overflow {
		t.Fatalf("%s: wrote more than %d bytes of output", desc, MaxOutput)
	}
	code := 0
	if err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) || exitErr.ExitCode() < 0 {
			t.Fatalf("%s: %v", desc, err)
		}
		code = exitErr.ExitCode()
	}
	return Result{Stdout: stdout.buf.Bytes(), Stderr: stderr.buf.Bytes(), Code: code}
}

// describe renders a command line for messages, shortening long arguments such as tokens.
func describe(name string, args []string) string {
	parts := []string{filepath.Base(name)}
	for _, a := range args {
		if len(a) > 80 {
			a = a[:40] + "…" + a[len(a)-20:]
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

func cleanEnv(env []string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if strings.HasPrefix(kv, "JWTKIT_") || strings.HasPrefix(kv, "NO_COLOR=") {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "NO_COLOR=1")
}

// boundedBuffer keeps the first MaxOutput bytes written to it and notes whether more came; it
// never fails a write, so the process is not killed by a broken pipe before the test can say why.
type boundedBuffer struct {
	buf      bytes.Buffer
	overflow bool
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	room := MaxOutput - b.buf.Len()
	if len(p) > room {
		b.overflow = true
		if room > 0 {
			b.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return b.buf.Write(p)
}

// RepoRoot finds the module root, the nearest directory holding go.mod at or above the working
// directory, and fails t when there is none.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("finding the module root: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("finding the module root: no go.mod at or above the working directory")
		}
		dir = parent
	}
}

// jwtkitBuild is the one build of ./cmd/jwtkit shared by the tests of a test binary.
var jwtkitBuild struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// BuildJwtkit builds ./cmd/jwtkit once per test binary into a temporary directory and returns
// the binary's path; it fails t, with the compiler's output, when the build fails. Call
// RemoveBuilds from TestMain to delete the directory when the tests are done.
func BuildJwtkit(t testing.TB) string {
	t.Helper()
	root := RepoRoot(t)
	b := &jwtkitBuild
	b.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			b.err = fmt.Errorf("the go command is not on PATH: %w", err)
			return
		}
		b.dir, err = os.MkdirTemp("", "jwtkit-testbin-")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(b.dir, "jwtkit")
		ctx, cancel := context.WithTimeout(context.Background(), BuildTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, goTool, "build", "-o", b.path, "./cmd/jwtkit")
		cmd.Dir = root
		cmd.WaitDelay = 5 * time.Second
		var out boundedBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			b.err = fmt.Errorf("%w\n%s", err, out.buf.Bytes())
		}
	})
	if b.err != nil {
		t.Fatalf("building ./cmd/jwtkit: %v", b.err)
	}
	return b.path
}

// RemoveBuilds deletes what BuildJwtkit built. It is meant for TestMain, after m.Run.
func RemoveBuilds() {
	if jwtkitBuild.dir != "" {
		os.RemoveAll(jwtkitBuild.dir)
	}
}

// missing skips t for an absent peer, or fails it under CI, where a missing peer means
// .ci/install-peers did not do its job.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: a missing peer is a failure; run .ci/install-peers)", msg)
	}
	skipped.Lock()
	skipped.n++
	if !slices.Contains(skipped.why, msg) {
		skipped.why = append(skipped.why, msg)
	}
	skipped.Unlock()
	t.Skipf("%s; run .ci/install-peers", msg)
}

// skipped counts the tests of this test binary that missing skipped, and why.
var skipped struct {
	sync.Mutex
	n   int
	why []string
}

// ReportSkipped is for a TestMain after m.Run: when tests were skipped for a missing peer, it
// says so in one line, naming the peers and the command that installs them. go test hides the
// output of a passing package, so the line goes to the terminal (/dev/tty) when there is one,
// else to stderr (shown under -v).
func ReportSkipped(pkg string) {
	skipped.Lock()
	defer skipped.Unlock()
	if skipped.n == 0 {
		return
	}
	why := skipped.why
	if len(why) > 3 {
		why = append(why[:3:3], fmt.Sprintf("%d more", len(skipped.why)-3))
	}
	line := fmt.Sprintf("%s: %d tests skipped (%s); install the peers with: bash .ci/install-peers\n",
		pkg, skipped.n, strings.Join(why, "; "))
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		if _, err := tty.WriteString(line); err == nil {
			return
		}
	}
	fmt.Fprint(os.Stderr, line)
}

package hardening

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/cli"
	"github.com/jwtkit/jwtkit/internal/clipboard"
	"github.com/jwtkit/jwtkit/internal/iostreams"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/testenv"
)

// TestMain removes the jwtkit binary built for the tests that need a real process.
func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemoveBuilds()
	os.Exit(code)
}

// testNow is the clock of every in-process run.
var testNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// testSecret is the HMAC secret of the tokens the tests make.
const testSecret = "hardening-test-secret-of-40-bytes-long!!"

// world is what one in-process run of jwtkit sees: a working directory for relative paths, an
// environment, a cache and config directory, and a transport (nil: the real one, for httptest
// servers on loopback).
type world struct {
	t         *testing.T
	dir       string
	env       map[string]string
	cacheDir  string
	transport http.RoundTripper
	// fast skips measuring each run's time and allocations (a forced GC per run), for fuzzing.
	fast bool
}

func newWorld(t *testing.T) *world {
	dir := t.TempDir()
	return &world{t: t, dir: dir, env: map[string]string{}, cacheDir: filepath.Join(dir, "cache", "jwtkit")}
}

// result is the outcome of one run, with what it cost.
type result struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
	allocated      uint64 // bytes allocated during the run (TotalAlloc delta)
}

// setEnv adds env to the world's environment until t (a case's subtest) ends.
func (w *world) setEnv(t *testing.T, env map[string]string) {
	for k, v := range env {
		w.env[k] = v
	}
	t.Cleanup(func() {
		for k := range env {
			delete(w.env, k)
		}
	})
}

// run executes jwtkit in-process with stdin.
func (w *world) run(stdin io.Reader, args ...string) result {
	streams, _, out, errOut := iostreams.Test()
	if stdin != nil {
		streams.In = stdin
	}
	deps := w.deps(streams)
	if w.fast {
		code := cli.Execute(args, deps)
		return result{code: code, stdout: out.String(), stderr: errOut.String()}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	code := cli.Execute(args, deps)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return result{code: code, stdout: out.String(), stderr: errOut.String(), elapsed: elapsed, allocated: after.TotalAlloc - before.TotalAlloc}
}

// write puts a file in the world's directory and returns its path.
func (w *world) write(name string, data []byte, mode os.FileMode) string {
	w.t.Helper()
	p := filepath.Join(w.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, mode); err != nil {
		w.t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		w.t.Fatal(err)
	}
	return p
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// hs256 makes an HS256 token of the exact header and payload JSON.
func hs256(secret, header, payload string) string {
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(input))
	return input + "." + b64(m.Sum(nil))
}

// goodToken is a valid HS256 token under testSecret at testNow.
func goodToken() string {
	return hs256(testSecret, `{"alg":"HS256","typ":"JWT"}`, `{"sub":"alice","iat":1795597200,"exp":1795604400}`)
}

// oneLine reports whether s is exactly one "jwtkit: …" error line.
func oneLine(s string) bool {
	return strings.HasPrefix(s, "jwtkit: ") && strings.Count(s, "\n") == 1 && strings.HasSuffix(s, "\n")
}

// mib renders a byte count for logs.
func mib(n uint64) string { return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20)) }

// deps are the injected dependencies of one in-process run: the world's environment, files,
// transport and cache, a fixed clock and a memory clipboard.
func (w *world) deps(streams *iostreams.IOStreams) *cli.Deps {
	return &cli.Deps{
		IO:     streams,
		Getenv: func(k string) string { return w.env[k] },
		Now:    func() time.Time { return testNow },
		ReadFile: func(p string) ([]byte, error) {
			if !filepath.IsAbs(p) {
				p = filepath.Join(w.dir, p)
			}
			return keys.ReadFile(p)
		},
		Clipboard: &clipboard.Memory{},
		Rand:      rand.Reader,
		Transport: w.transport,
		CacheDir:  func() (string, error) { return w.cacheDir, nil },
		ConfigDir: func() (string, error) { return filepath.Join(w.dir, "config", "jwtkit"), nil },
	}
}

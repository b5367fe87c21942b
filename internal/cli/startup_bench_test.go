package cli_test

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/cli"
	"github.com/jwtkit/jwtkit/internal/clipboard"
	"github.com/jwtkit/jwtkit/internal/iostreams"
)

// The start-up benchmarks measure, inside one process, what every jwtkit run pays before and
// around its command's own work: building the cobra command tree (NewRoot) and a whole Execute
// of the cheapest commands. bench/run.sh measures the same from outside, process start included.

const startupSecret = "startup-bench-secret-of-32-bytes!"

// startupToken is an HS256 token signed with startupSecret, valid until 2100.
const startupToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." +
	"eyJzdWIiOiJiZW5jaCIsImlhdCI6MTc2NDA2NDgwMCwiZXhwIjo0MTAyNDQ0ODAwfQ." +
	"ewGxta3PxmihICT1P4C_9fbbiEtGkBax1zlCnGBrdck"

// startupDeps are in-memory streams and a fixed clock, like a run whose stdout is a pipe.
func startupDeps(b *testing.B) (*cli.Deps, *bytes.Buffer, *bytes.Buffer) {
	b.Helper()
	io, _, out, errOut := iostreams.Test()
	dir := b.TempDir()
	return &cli.Deps{
		IO:        io,
		Getenv:    func(string) string { return "" },
		Now:       func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) },
		ReadFile:  os.ReadFile,
		Clipboard: &clipboard.Memory{},
		Rand:      bytes.NewReader(make([]byte, 1<<20)),
		CacheDir:  func() (string, error) { return dir, nil },
		ConfigDir: func() (string, error) { return dir, nil },
	}, out, errOut
}

// BenchmarkNewRoot is the cost of building every command and flag, paid by every run.
func BenchmarkNewRoot(b *testing.B) {
	deps, _, _ := startupDeps(b)
	b.ReportAllocs()
	for b.Loop() {
		if cli.NewRoot(deps) == nil {
			b.Fatal("no root command")
		}
	}
}

// BenchmarkExecute runs whole single-token commands in-process.
func BenchmarkExecute(b *testing.B) {
	cases := []struct {
		name string
		args []string
	}{
		{"version", []string{"version"}},
		{"decode", []string{"decode", startupToken}},
		{"verify-secret", []string{"verify", "--secret", startupSecret, startupToken}},
		{"mint-secret", []string{"mint", "--secret", startupSecret, "--sub", "bench"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			deps, out, errOut := startupDeps(b)
			b.ReportAllocs()
			for b.Loop() {
				out.Reset()
				errOut.Reset()
				if code := cli.Execute(c.args, deps); code != 0 {
					b.Fatalf("jwtkit %s: exit %d: %s", c.args[0], code, errOut)
				}
			}
		})
	}
}

// Command jwtkit mints, decodes and verifies JSON Web Tokens. See README.md.
package main

// The completion scripts in completions/ are committed (a test fails when they are stale); the
// man pages in manpages/ are made for releases and not committed.
//go:generate go run ../../internal/gendocs/cmd/gendocs -completions ../../completions -man ../../manpages

import (
	"os"

	"github.com/jwtkit/jwtkit/internal/cli"
)

// Set by the linker in release builds (-X main.version=…); empty in `go install` builds, where
// jwtkit reads the module version from the binary's build information instead.
var (
	version string
	commit  string
	date    string
)

// exitAtMain is set only by bench/run.sh (-ldflags -X main.exitAtMain=1) to build a binary that
// exits as main starts: what jwtkit's binary costs to start before any command runs (the
// runtime and package initialisation for its size), a floor the benchmark reports.
var exitAtMain string

func main() {
	if exitAtMain != "" {
		os.Exit(0)
	}
	deps := cli.SystemDeps(cli.BuildInfo{Version: version, Commit: commit, Date: date})
	os.Exit(cli.Execute(os.Args[1:], deps))
}

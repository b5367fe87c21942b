// Command jwtkit mints, decodes and verifies JSON Web Tokens. See README.md.
package main

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

func main() {
	deps := cli.SystemDeps(cli.BuildInfo{Version: version, Commit: commit, Date: date})
	os.Exit(cli.Execute(os.Args[1:], deps))
}

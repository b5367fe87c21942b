package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// versionInfo is what `jwtkit version` reports.
type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Date    string `json:"date,omitempty"`
	Go      string `json:"go"`
}

// resolveVersion fills what the linker did not set from the binary's build information, as
// `go install …@version` records it.
func resolveVersion(b BuildInfo) versionInfo {
	v := versionInfo{Version: b.Version, Commit: b.Commit, Date: b.Date, Go: runtime.Version()}
	if info, ok := debug.ReadBuildInfo(); ok {
		if v.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && v.Commit == "":
				v.Commit = s.Value
			case s.Key == "vcs.time" && v.Date == "":
				v.Date = s.Value
			}
		}
	}
	if v.Version == "" {
		v.Version = "dev"
	}
	return v
}

func newVersionCmd(g *Global) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print jwtkit's version, commit and Go version",
		Long: `Print jwtkit's version, commit, commit date and Go version. Release builds carry them;
a "go install …@version" build reads them from the build information Go records in the binary.
--json prints {version, commit, date, go}.

` + exitCodesHelp,
		Args: cobra.NoArgs,
		Example: `  $ jwtkit version
  $ jwtkit version --json | jq -r .version`,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := resolveVersion(g.deps.Build)
			out := g.deps.IO.Out
			if g.JSONOutput() {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			}
			fmt.Fprintf(out, "jwtkit %s", v.Version)
			if v.Commit != "" {
				fmt.Fprintf(out, " (commit %.12s", v.Commit)
				if v.Date != "" {
					fmt.Fprintf(out, ", %s", v.Date)
				}
				fmt.Fprint(out, ")")
			}
			fmt.Fprintf(out, " %s\n", v.Go)
			return nil
		},
	}
}

package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// A run of jwtkit builds only the command it runs when that command can stand alone. Building
// every command with its flags, and then every flag's completion, took more time than a whole
// decode or verify --secret (about 1.2 million of the 2.5 million instructions of `jwtkit
// version`; see "Performance" in README.md): a cost every run in a CI loop paid for nothing.

// standalone is a command that a run can build without the rest of the tree.
type standalone struct {
	name    string
	aliases []string
	build   func(*Global) *cobra.Command
}

// standaloneCommands lists the commands that can stand alone, by the names and aliases their
// constructors give them. A command missing here is built with the whole tree, which is always
// right, only slower; TestStandaloneCommandsMatchTree keeps the names in step with NewRoot. The
// completion command stays out: it writes scripts from the whole tree.
func standaloneCommands() []standalone {
	return []standalone{
		{"mint", []string{"sign", "encode"}, newMintCmd},
		{"decode", []string{"inspect"}, newDecodeCmd},
		{"verify", nil, newVerifyCmd},
		{"decrypt", nil, newDecryptCmd},
		{"encrypt", nil, newEncryptCmd},
		{"fetch", []string{"token"}, newFetchCmd},
		{"version", nil, newVersionCmd},
		{"keygen", nil, newKeygenCmd},
		{"jwks", nil, newJWKSCmd},
		{"serve", nil, newServeCmd},
		{"config", nil, newConfigCmd},
		{"audit", nil, newAuditCmd},
		{"dpop", nil, newDPoPCmd},
		{"header", nil, newHeaderCmd},
		{"exec", nil, newExecCmd},
	}
}

// addStandalone adds to root, which has no command yet, the one command args run when that
// command can stand alone, and reports whether it did. The command is found the way cobra will
// find it (standaloneName), so flags before the command name are skipped by the root's own flag
// rules. Help, completion requests, unknown commands and a bare `jwtkit` find none and get the
// whole tree.
func addStandalone(root *cobra.Command, g *Global, args []string) bool {
	name := standaloneName(root.PersistentFlags(), args)
	if name == "" {
		return false
	}
	for _, s := range standaloneCommands() {
		if s.name != name && !slices.Contains(s.aliases, name) {
			continue
		}
		root.AddCommand(s.build(g))
		// Without jwtkit's completion command in the tree, cobra would build its own, with a
		// command and flags per shell, on every run; `jwtkit completion` gets the whole tree.
		root.CompletionOptions.DisableDefaultCmd = true
		// A flag error names the other commands that have the flag, so it needs the whole
		// tree: build it then, on the error path only.
		root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
			return flagError(inWholeTree(g.deps, cmd), err)
		})
		return true
	}
	return false
}

// standaloneName returns the first command word of args as cobra's Command.Find reads it on a
// root whose flags are flags (stripFlags in cobra's command.go): "--" ends the search; "--name"
// without "=" and "-x" take the next argument as their value unless the flag is a boolean one
// (has a NoOptDefVal), an unknown flag included; other words starting with "-" are skipped. It
// does what building a stand-in command per name and calling root.Find did, without building
// them (about 40 thousand instructions of every run); TestStandaloneNameMatchesCobraFind
// compares the two.
func standaloneName(flags *pflag.FlagSet, args []string) string {
	for len(args) > 0 {
		s := args[0]
		args = args[1:]
		switch {
		case s == "--":
			return ""
		case strings.HasPrefix(s, "--") && !strings.Contains(s, "=") && !boolFlag(flags.Lookup(s[2:])),
			strings.HasPrefix(s, "-") && !strings.Contains(s, "=") && len(s) == 2 && !boolFlag(flags.ShorthandLookup(s[1:])):
			if len(args) <= 1 {
				return ""
			}
			args = args[1:]
		case s != "" && !strings.HasPrefix(s, "-"):
			return s
		}
	}
	return ""
}

// boolFlag reports whether f is a flag that takes no value (as cobra's hasNoOptDefVal).
func boolFlag(f *pflag.Flag) bool { return f != nil && f.NoOptDefVal != "" }

// inWholeTree returns the command of a freshly built whole tree that has cmd's path, with its
// inherited flags merged in as they are once cobra parses, or cmd itself if there is none.
func inWholeTree(deps *Deps, cmd *cobra.Command) *cobra.Command {
	path := strings.Fields(cmd.CommandPath())
	if len(path) < 2 {
		return cmd
	}
	whole, _, err := NewRoot(deps).Find(path[1:])
	if err != nil || whole.CommandPath() != cmd.CommandPath() {
		return cmd
	}
	whole.InheritedFlags()
	return whole
}

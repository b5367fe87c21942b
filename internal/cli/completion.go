package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/jwtkit/jwtkit/internal/config"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/oauth"
	"github.com/jwtkit/jwtkit/internal/scopes"
)

// CompletionShells lists the shells jwtkit writes completion scripts for, in a stable order.
func CompletionShells() []string { return []string{"bash", "zsh", "fish", "powershell"} }

// WriteCompletion writes root's completion script for shell to w. The scripts are cobra's: they
// ask the binary itself ("jwtkit __complete …") for candidates, so flag values such as a key
// file's kids are completed from the current files, not from the time the script was made.
func WriteCompletion(root *cobra.Command, shell string, w io.Writer, descriptions bool) error {
	switch shell {
	case "bash":
		return root.GenBashCompletionV2(w, descriptions)
	case "zsh":
		if descriptions {
			return root.GenZshCompletion(w)
		}
		return root.GenZshCompletionNoDesc(w)
	case "fish":
		return root.GenFishCompletion(w, descriptions)
	case "powershell":
		if descriptions {
			return root.GenPowerShellCompletionWithDesc(w)
		}
		return root.GenPowerShellCompletion(w)
	}
	return fmt.Errorf("unknown shell %q: use %s", shell, strings.Join(CompletionShells(), ", "))
}

// completionInstall tells how to load shell's script for one session and for good. (A switch,
// not a map: package initialisation is paid by every run; see failure.Sentinel.)
func completionInstall(shell string) string {
	switch shell {
	case "bash":
		return `Load completions in the current shell:
  source <(jwtkit completion bash)
and for every new shell (needs the bash-completion package):
  jwtkit completion bash > ~/.local/share/bash-completion/completions/jwtkit
Packages (deb, rpm, Homebrew) install it for you.`
	case "zsh":
		return `If completion is not yet enabled in zsh, put "autoload -U compinit; compinit" in ~/.zshrc.
Load completions in the current shell:
  source <(jwtkit completion zsh)
and for every new shell, write the script as _jwtkit in a directory of your $fpath:
  jwtkit completion zsh > "${fpath[1]}/_jwtkit"
Packages (deb, rpm, Homebrew) install it for you.`
	case "fish":
		return `Load completions in the current shell:
  jwtkit completion fish | source
and for every new shell:
  jwtkit completion fish > ~/.config/fish/completions/jwtkit.fish`
	case "powershell":
		return `Load completions in the current shell:
  jwtkit completion powershell | Out-String | Invoke-Expression
and for every new shell, add that line to your PowerShell profile ($PROFILE).`
	}
	return ""
}

// newCompletionCmd replaces cobra's default completion command with one whose help has
// examples and exit codes like every other command.
func newCompletionCmd(g *Global) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "completion SHELL",
		Short: "Print the shell completion script for bash, zsh, fish or PowerShell",
		Long: `Print a script that teaches your shell to complete jwtkit's commands and flags, with
descriptions. Flag values complete too: --alg, --scope-format and --auth-method offer their
choices, --kid offers the kids of the key file given with --key (or --jwks, or the file
argument), --profile offers the profiles of the config file, and file flags complete files.

The same scripts are in the completions/ directory of the source and of every release archive,
and the deb and rpm packages and the Homebrew formula install them. Run "jwtkit completion
SHELL --help" for how to load one.

` + exitCodesHelp,
		Example: `  $ source <(jwtkit completion bash)
  $ jwtkit completion zsh > _jwtkit
  $ jwtkit completion fish --no-descriptions > jwtkit.fish`,
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return errUnknownCommand(cmd, args[0])
			}
			return cmd.Help()
		},
	}
	for _, shell := range CompletionShells() {
		var noDesc bool
		sub := &cobra.Command{
			Use:   shell,
			Short: "Print the completion script for " + shellTitle(shell),
			Long: "Print the completion script for " + shellTitle(shell) + " on stdout.\n\n" +
				completionInstall(shell) + "\n\n" + exitCodesHelp,
			Example:           "  $ jwtkit completion " + shell + " > " + CompletionFileName(shell),
			Args:              cobra.NoArgs,
			ValidArgsFunction: cobra.NoFileCompletions,
			RunE: func(cmd *cobra.Command, args []string) error {
				return WriteCompletion(cmd.Root(), shell, g.deps.IO.Out, !noDesc)
			},
		}
		sub.Flags().BoolVar(&noDesc, "no-descriptions", false, "leave out the descriptions of commands, flags and values")
		cmd.AddCommand(sub)
	}
	return cmd
}

func shellTitle(shell string) string {
	if shell == "powershell" {
		return "PowerShell"
	}
	return shell
}

// CompletionFileName is the name of shell's script in completions/ and in release archives.
func CompletionFileName(shell string) string {
	if shell == "powershell" {
		return "jwtkit.ps1"
	}
	return "jwtkit." + shell
}

// registerCompletions walks the finished command tree and gives flags and arguments their
// dynamic completions, wherever a command defines them. It lives apart from the commands so
// that a command's owner need not know about completion; a completion a command registers
// itself wins.
func registerCompletions(root *cobra.Command, g *Global) {
	walkCommands(root, func(cmd *cobra.Command) {
		if cmd.ValidArgsFunction == nil && len(cmd.ValidArgs) == 0 {
			if cmd.Name() == "show" && cmd.HasParent() && cmd.Parent().Name() == "config" {
				cmd.ValidArgsFunction = func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
					if len(args) > 0 {
						return nil, cobra.ShellCompDirectiveNoFileComp
					}
					return profileCompletions(g, c), cobra.ShellCompDirectiveNoFileComp
				}
			} else if takesFileArgs(cmd) {
				// Files, also when the command has subcommands (which would turn them off).
				cmd.ValidArgsFunction = completeFiles
			} else {
				cmd.ValidArgsFunction = cobra.NoFileCompletions
			}
		}
		cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if _, done := cmd.GetFlagCompletionFunc(f.Name); done {
				return
			}
			if fn := flagCompleter(g, cmd, f); fn != nil {
				// The flag exists and has no completion yet, so this cannot fail.
				_ = cmd.RegisterFlagCompletionFunc(f.Name, fn)
			}
		})
	})
}

// completeFiles leaves the completion to the shell's file completion.
func completeFiles(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveDefault
}

// walkCommands calls fn for cmd and every command under it.
func walkCommands(cmd *cobra.Command, fn func(*cobra.Command)) {
	fn(cmd)
	for _, c := range cmd.Commands() {
		walkCommands(c, fn)
	}
}

// takesFileArgs reports whether a command's positional arguments are files, as its usage line
// says ("jwks FILE...", "pem FILE").
func takesFileArgs(cmd *cobra.Command) bool {
	_, args, _ := strings.Cut(cmd.Use, " ")
	return strings.Contains(args, "FILE")
}

// fileFlags name the flags whose values are paths (or key specs that are paths by default).
var fileFlags = []string{"key", "jwks", "claims", "config", "assertion-key", "client-jwks", "cache-dir"}

// flagCompleter returns how f of cmd completes, or nil to leave cobra's default (files).
func flagCompleter(g *Global, cmd *cobra.Command, f *pflag.Flag) cobra.CompletionFunc {
	if f.Value.Type() == "bool" {
		return nil
	}
	name := f.Name
	switch {
	case name == "alg" || name == "assertion-alg":
		return algCompleter(cmd.Name() == "mint", f.Value.Type() == "stringArray")
	case name == "scope-format":
		return fixed(scopeFormatChoices())
	case name == "auth-method":
		return fixed([]cobra.Completion{
			cobra.CompletionWithDesc(oauth.AuthClientSecretBasic, "client id and secret in the Authorization header (default)"),
			cobra.CompletionWithDesc(oauth.AuthClientSecretPost, "client id and secret in the form body"),
			cobra.CompletionWithDesc(oauth.AuthPrivateKeyJWT, "an RFC 7523 assertion signed with --assertion-key"),
		})
	case name == "profile":
		return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return profileCompletions(g, c), cobra.ShellCompDirectiveNoFileComp
		}
	case name == "assertion-aud":
		return fixed([]cobra.Completion{
			cobra.CompletionWithDesc("token-endpoint", "the token endpoint URL (default)"),
			cobra.CompletionWithDesc("issuer", "the issuer URL"),
		})
	case name == "kid" && cmd.Name() != "keygen" || name == "assertion-kid":
		return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return kidCompletions(g, c, args), cobra.ShellCompDirectiveNoFileComp
		}
	case name == "output" && !cmd.HasParent():
		return fixed([]cobra.Completion{
			cobra.CompletionWithDesc("text", "for people (the default)"),
			cobra.CompletionWithDesc("json", "one JSON object per result, errors as JSON too"),
		})
	case cmd.Name() == "keygen" && name == "type":
		return fixed([]cobra.Completion{"rsa", "ec", "ed25519", cobra.CompletionWithDesc("oct", "an HMAC secret")})
	case cmd.Name() == "keygen" && name == "curve":
		return fixed([]cobra.Completion{"P-256", "P-384", "P-521"})
	case cmd.Name() == "keygen" && name == "bits":
		return fixed([]cobra.Completion{"2048", "3072", "4096", cobra.CompletionWithDesc("256", "secret bits"), cobra.CompletionWithDesc("512", "secret bits")})
	case cmd.Name() == "keygen" && name == "format":
		return fixed([]cobra.Completion{"pem", "jwk"})
	case cmd.Name() == "keygen" && name == "use":
		return fixed([]cobra.Completion{"sig", "enc"})
	case cmd.Name() == "decode" && name == "part":
		return fixed([]cobra.Completion{"header", "payload", "signature"})
	case slices.Contains(fileFlags, name) || isFileFlag(f) || (cmd.Name() == "keygen" && name == "output"):
		return nil
	case name == "exp" || name == "token-ttl" || name == "rotate":
		return fixed([]cobra.Completion{"15m", "1h", "24h", "7d"})
	case name == "leeway":
		return fixed([]cobra.Completion{"30s", "1m", "5m"})
	}
	return cobra.NoFileCompletions
}

// isFileFlag reports whether a flag's value placeholder says it is a file ("FILE", "FILE|URL",
// "ID=FILE", "DIR").
func isFileFlag(f *pflag.Flag) bool {
	placeholder, _ := pflag.UnquoteUsage(f)
	return strings.Contains(placeholder, "FILE") || strings.Contains(placeholder, "DIR") || strings.Contains(placeholder, "PATH")
}

func fixed(choices []cobra.Completion) cobra.CompletionFunc {
	return cobra.FixedCompletions(choices, cobra.ShellCompDirectiveNoFileComp)
}

// algDescription says in a few words what the algorithm alg is. (A switch, not a map: package
// initialisation is paid by every run; see failure.Sentinel.)
func algDescription(alg string) string {
	switch alg {
	case "HS256":
		return "HMAC SHA-256, a shared secret"
	case "HS384":
		return "HMAC SHA-384, a shared secret"
	case "HS512":
		return "HMAC SHA-512, a shared secret"
	case "RS256":
		return "RSA PKCS#1 v1.5 SHA-256"
	case "RS384":
		return "RSA PKCS#1 v1.5 SHA-384"
	case "RS512":
		return "RSA PKCS#1 v1.5 SHA-512"
	case "PS256":
		return "RSA-PSS SHA-256"
	case "PS384":
		return "RSA-PSS SHA-384"
	case "PS512":
		return "RSA-PSS SHA-512"
	case "ES256":
		return "ECDSA P-256 SHA-256"
	case "ES384":
		return "ECDSA P-384 SHA-384"
	case "ES512":
		return "ECDSA P-521 SHA-512"
	case "EdDSA":
		return "Ed25519"
	}
	return ""
}

// algCompleter offers the algorithms; withNone adds "none" (mint only); list completes
// comma-separated lists ("RS256,ES2" → "RS256,ES256"), leaving out those already listed.
func algCompleter(withNone, list bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		prefix := ""
		if list {
			if i := strings.LastIndex(toComplete, ","); i >= 0 {
				prefix = toComplete[:i+1]
			}
		}
		given := strings.Split(prefix, ",")
		var out []cobra.Completion
		for _, alg := range keys.Algorithms() {
			if slices.Contains(given, alg) {
				continue
			}
			out = append(out, cobra.CompletionWithDesc(prefix+alg, algDescription(alg)))
		}
		if withNone {
			out = append(out, cobra.CompletionWithDesc("none", "an unsigned token (for testing verifiers)"))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func scopeFormatChoices() []cobra.Completion {
	desc := map[string]string{
		string(scopes.Space):      `"scope": "a b" (RFC 8693, RFC 9068)`,
		string(scopes.Array):      `"scopes": ["a", "b"]`,
		string(scopes.Structured): `Auth0's "scopes": {"users": {"actions": ["read"]}}`,
	}
	var out []cobra.Completion
	for _, f := range scopes.Formats() {
		out = append(out, cobra.CompletionWithDesc(f, desc[f]))
	}
	return out
}

// kidSourceFlags are the flags whose key files --kid chooses from, in the order they are read.
var kidSourceFlags = []string{"key", "jwks", "assertion-key"}

// kidCompletions lists the kids in the key files the command line names: the --key, --jwks or
// --assertion-key values, else the file arguments, else $JWTKIT_KEY. URLs and stdin are never
// read while completing; files that do not load are passed over.
func kidCompletions(g *Global, cmd *cobra.Command, args []string) []cobra.Completion {
	var specs []string
	for _, name := range kidSourceFlags {
		f := cmd.Flags().Lookup(name)
		if f == nil || !f.Changed {
			continue
		}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			specs = append(specs, sv.GetSlice()...)
		} else {
			specs = append(specs, f.Value.String())
		}
	}
	if len(specs) == 0 && takesFileArgs(cmd) {
		specs = args
	}
	if len(specs) == 0 {
		if env := g.deps.Getenv("JWTKIT_KEY"); env != "" {
			specs = []string{env}
		}
	}
	var out []cobra.Completion
	seen := map[string]bool{}
	for _, spec := range specs {
		if spec == "-" || strings.HasPrefix(spec, "http://") || strings.HasPrefix(spec, "https://") {
			continue
		}
		data, name, err := resolver(g, false).KeyFile(spec)
		if err != nil {
			continue
		}
		list, err := keys.Parse(data, keys.ParseOptions{Source: name})
		if err != nil {
			continue
		}
		for _, k := range list {
			kid := k.JWK.KeyID
			if kid == "" {
				if kid, err = k.Thumbprint(); err != nil {
					continue
				}
			}
			if seen[kid] {
				continue
			}
			seen[kid] = true
			out = append(out, cobra.CompletionWithDesc(kid, k.Describe()))
		}
	}
	return out
}

// profileCompletions lists the profiles of the config file the command would read (--config,
// else $JWTKIT_CONFIG, else the user config directory's), each described by its endpoint. A
// missing or broken file gives none, silently.
func profileCompletions(g *Global, cmd *cobra.Command) []cobra.Completion {
	flag := ""
	if f := cmd.Flags().Lookup("config"); f != nil {
		flag = f.Value.String()
	}
	path, err := configPath(g, flag)
	if err != nil {
		return nil
	}
	f, _, err := config.Load(path, config.Options{Home: homeDir(g)})
	if err != nil {
		return nil
	}
	var out []cobra.Completion
	for _, p := range f.Profiles {
		desc := p.Issuer
		if desc == "" {
			desc = p.TokenURL
		}
		if p.Name == f.DefaultProfile {
			desc = strings.TrimSpace(desc + " (default)")
		}
		out = append(out, cobra.CompletionWithDesc(p.Name, desc))
	}
	return out
}

package cli

import (
	"bytes"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/jwtkit/jwtkit/internal/clipboard"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/iostreams"
)

// standaloneDeps are buffers for streams, a fixed clock, fixed randomness and dir as the cache
// and config directory.
func standaloneDeps(dir string) (*Deps, *bytes.Buffer, *bytes.Buffer) {
	io, _, out, errOut := iostreams.Test()
	return &Deps{
		IO:        io,
		Getenv:    func(string) string { return "" },
		Now:       func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) },
		ReadFile:  os.ReadFile,
		Clipboard: &clipboard.Memory{},
		Rand:      bytes.NewReader(bytes.Repeat([]byte{7}, 1<<16)),
		CacheDir:  func() (string, error) { return dir, nil },
		ConfigDir: func() (string, error) { return dir, nil },
	}, out, errOut
}

func flagNames(fs *pflag.FlagSet) []string {
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	return names
}

func commandNames(cmds []*cobra.Command) []string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name())
	}
	slices.Sort(names)
	return names
}

// TestStandaloneCommandsMatchTree keeps standaloneCommands in step with NewRoot: every command
// of the tree but completion stands alone, under the same names, with the same flags and
// subcommands as in the tree.
func TestStandaloneCommandsMatchTree(t *testing.T) {
	deps, _, _ := standaloneDeps(t.TempDir())
	whole := NewRoot(deps)
	listed := map[string]bool{}
	for _, s := range standaloneCommands() {
		listed[s.name] = true
		alone := s.build(&Global{deps: deps})
		if alone.Name() != s.name || !slices.Equal(alone.Aliases, s.aliases) {
			t.Errorf("standaloneCommands lists %s %q, but its constructor makes %s %q", s.name, s.aliases, alone.Name(), alone.Aliases)
		}
		inTree, _, err := whole.Find([]string{s.name})
		if err != nil || inTree.Name() != s.name {
			t.Errorf("standaloneCommands lists %s, which NewRoot does not add", s.name)
			continue
		}
		if a, b := flagNames(alone.LocalFlags()), flagNames(inTree.LocalFlags()); !slices.Equal(a, b) {
			t.Errorf("%s alone has flags %q, in the tree %q", s.name, a, b)
		}
		if a, b := commandNames(alone.Commands()), commandNames(inTree.Commands()); !slices.Equal(a, b) {
			t.Errorf("%s alone has subcommands %q, in the tree %q", s.name, a, b)
		}
	}
	for _, c := range whole.Commands() {
		if !listed[c.Name()] && c.Name() != "completion" {
			t.Errorf("NewRoot adds %s, which standaloneCommands (standalone.go) does not list: add it there, so a run of %s builds only %s", c.Name(), c.Name(), c.Name())
		}
	}
}

// standaloneRun is what one run printed and returned.
type standaloneRun struct {
	commands       []string
	stdout, stderr string
	err            string
	code           int
}

func runTree(t *testing.T, root *cobra.Command, out, errOut *bytes.Buffer, args []string) standaloneRun {
	t.Helper()
	commands := commandNames(root.Commands())
	root.SetArgs(args)
	_, err := root.ExecuteC()
	r := standaloneRun{commands: commands, stdout: out.String(), stderr: errOut.String()}
	if err != nil {
		r.err, r.code = err.Error(), failure.ExitCode(err)
	}
	return r
}

// TestStandaloneRunsLikeWholeTree runs the same arguments on the tree Execute builds and on the
// whole tree, and wants the same output, error and exit code, and only the command run built
// when it can stand alone.
func TestStandaloneRunsLikeWholeTree(t *testing.T) {
	const secret = "standalone-test-secret-of-32-bytes!"
	deps, out, errOut := standaloneDeps(t.TempDir())
	if code := Execute([]string{"mint", "--secret", secret, "--sub", "alice", "--aud", "api"}, deps); code != 0 {
		t.Fatalf("mint: exit %d: %s", code, errOut)
	}
	tok := strings.TrimSpace(out.String())

	tests := []struct {
		args  []string
		alone string // the one command built, or "" for the whole tree
	}{
		{[]string{"decode", tok}, "decode"},
		{[]string{"inspect", tok}, "decode"},
		{[]string{"-o", "json", "decode", tok}, "decode"},
		{[]string{"--now", "2026-11-25T10:30:00Z", "-q", "verify", "--secret", secret, tok}, "verify"},
		{[]string{"verify", "--json", "--secret", secret, "--aud", "api", tok}, "verify"},
		{[]string{"verify", "--secret", "another-secret-that-is-32-bytes-!!", tok}, "verify"},
		{[]string{"verify", "--sekret", secret, tok}, "verify"},
		{[]string{"decode", "--secret", secret, tok}, "decode"},
		{[]string{"decode", "--jsn", tok}, "decode"},
		{[]string{"--json", "decode", "not-a-token"}, "decode"},
		{[]string{"decode", tok, "extra"}, "decode"},
		{[]string{"mint", "--secret", secret, "--sub", "bob", "--scope", "read:users"}, "mint"},
		{[]string{"sign", "--secret", secret, "--no-exp"}, "mint"},
		{[]string{"mint", "extra"}, "mint"},
		{[]string{"decode", "--help"}, "decode"},
		{[]string{"verify", "-h"}, "verify"},
		{[]string{"fetch", "--help"}, "fetch"},
		{[]string{"token", "--help"}, "fetch"},
		{[]string{"keygen", "--help"}, "keygen"},
		{[]string{"keygen", "--alg", "HS256"}, "keygen"},
		{[]string{"jwks", "--help"}, "jwks"},
		{[]string{"jwks", "thumbprint", "--help"}, "jwks"},
		{[]string{"jwks", "thumbprnt"}, "jwks"},
		{[]string{"serve", "--help"}, "serve"},
		{[]string{"config", "--help"}, "config"},
		{[]string{"config", "path"}, "config"},
		{[]string{"version"}, "version"},
		{[]string{"-q", "--", "version"}, ""},
		{[]string{}, ""},
		{[]string{"--help"}, ""},
		{[]string{"help", "decode"}, ""},
		{[]string{"decdoe", tok}, ""},
		{[]string{"completion", "bash"}, ""},
		{[]string{"__complete", "verify", "--alg", ""}, ""},
		{[]string{"--bogus", "decode", tok}, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			deps, out, errOut := standaloneDeps(dir)
			got := runTree(t, newRoot(deps, tt.args), out, errOut, tt.args)
			deps, out, errOut = standaloneDeps(dir)
			want := runTree(t, NewRoot(deps), out, errOut, tt.args)

			if tt.alone != "" && !slices.Equal(got.commands, []string{tt.alone}) {
				t.Errorf("built %q, want only %s", got.commands, tt.alone)
			}
			if tt.alone == "" && !slices.Equal(got.commands, want.commands) {
				t.Errorf("built %q, want the whole tree %q", got.commands, want.commands)
			}
			if got.stdout != want.stdout {
				t.Errorf("stdout differs from the whole tree's:\n%s\nwant:\n%s", got.stdout, want.stdout)
			}
			if got.stderr != want.stderr {
				t.Errorf("stderr differs from the whole tree's:\n%s\nwant:\n%s", got.stderr, want.stderr)
			}
			if testing.Verbose() && got.err != "" {
				t.Logf("error: %s", got.err)
			}
			if got.err != want.err || got.code != want.code {
				t.Errorf("error %q (exit %d), want %q (exit %d)", got.err, got.code, want.err, want.code)
			}
		})
	}
}

// findWithStubs is how addStandalone found the command before standaloneName: cobra's own
// root.Find over a stand-in per stand-alone command. It is the reference standaloneName must
// agree with.
func findWithStubs(root *cobra.Command, args []string) string {
	list := standaloneCommands()
	stubs := make([]*cobra.Command, len(list))
	for i, s := range list {
		stubs[i] = &cobra.Command{Use: s.name, Aliases: s.aliases, Run: func(*cobra.Command, []string) {}}
	}
	root.AddCommand(stubs...)
	defer root.RemoveCommand(stubs...)
	found, _, err := root.Find(args)
	if err != nil {
		return ""
	}
	for _, stub := range stubs {
		if found == stub {
			return stub.Name()
		}
	}
	return ""
}

// TestStandaloneNameMatchesCobraFind compares standaloneName with cobra's Find on a root that
// has jwtkit's persistent flags, over random argument lists made of root flags (boolean and
// valued, long and short, with and without "="), unknown flags, "--", command names and
// aliases, unknown words and values: both must pick the same command, or none.
func TestStandaloneNameMatchesCobraFind(t *testing.T) {
	deps, _, _ := standaloneDeps(t.TempDir())
	words := []string{
		"--json", "--no-color", "-q", "--quiet", "-o", "--output", "--output=json", "-ojson", "--now",
		"--now=1h", "-qo", "--bogus", "--bogus=1", "-x", "-", "--", "", "json", "text", "1h",
		"decode", "inspect", "verify", "mint", "sign", "encode", "fetch", "token", "version", "keygen",
		"jwks", "serve", "config", "audit", "dpop", "header", "exec", "decrypt", "encrypt",
		"help", "completion", "__complete", "decdoe", "eyJhbGciOiJIUzI1NiJ9.e30.sig", "--help", "-h",
		"--version", "-v",
	}
	r := rand.New(rand.NewPCG(1, 17))
	agreed := map[string]int{}
	root := newRoot(deps, nil)
	for _, c := range root.Commands() {
		root.RemoveCommand(c)
	}
	for i := range 20000 {
		args := make([]string, r.IntN(6))
		for j := range args {
			args[j] = words[r.IntN(len(words))]
		}
		want := findWithStubs(root, args)
		if got := canonical(standaloneName(root.PersistentFlags(), args)); got != want {
			t.Fatalf("case %d: standaloneName(%q) = %q, cobra's Find finds %q", i, args, got, want)
		}
		agreed[want]++
	}
	// The random lists must reach both answers often, or the comparison proves little.
	if agreed[""] < 1000 || agreed["decode"] < 200 || agreed["verify"] < 200 {
		t.Errorf("too few cases of each kind: %v", agreed)
	}
}

// canonical is the name of the stand-alone command that word names, or "".
func canonical(word string) string {
	for _, s := range standaloneCommands() {
		if s.name == word || slices.Contains(s.aliases, word) {
			return s.name
		}
	}
	return ""
}

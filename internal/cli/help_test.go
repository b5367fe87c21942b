package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestEveryCommandHasHelp holds every command to the help the README promises: a short
// description, examples (which cmd/jwtkit's TestHelpExamples runs) and the exit codes.
func TestEveryCommandHasHelp(t *testing.T) {
	root := NewRoot(newHarness(t).deps)
	walkCommands(root, func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c.HasParent() {
			return
		}
		name := c.CommandPath()
		if c.Short == "" {
			t.Errorf("%s has no short description", name)
		}
		if !strings.Contains(c.Example, "$ ") {
			t.Errorf("%s has no examples (lines starting with \"  $ \")", name)
		}
		for _, line := range strings.Split(c.Example, "\n") {
			if strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "  $ ") {
				t.Errorf("%s: example line %q does not start with \"  $ \"", name, line)
			}
		}
		if !strings.Contains(c.Long, exitCodesHelp) {
			t.Errorf("%s --help does not list the exit codes (add exitCodesHelp to Long)", name)
		}
	})
}

// TestBareJwtkitPrintsOverview: no arguments is not an error but a short list of commands.
func TestBareJwtkitPrintsOverview(t *testing.T) {
	h := newHarness(t)
	if code := h.run(); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	out := h.stdout.String()
	root := NewRoot(h.deps)
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() && !strings.Contains(out, "\n  "+c.Name()+" ") {
			t.Errorf("the overview does not list %s:\n%s", c.Name(), out)
		}
	}
	if n := strings.Count(out, "\n"); n > 30 {
		t.Errorf("the overview is %d lines; it should fit a screen", n)
	}
	for _, want := range []string{"Exit codes:", "--help"} {
		if !strings.Contains(out, want) {
			t.Errorf("the overview lacks %q", want)
		}
	}
	if h.stderr.Len() != 0 {
		t.Errorf("stderr: %s", h.stderr)
	}
}

package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/suggest"
)

// writeOverview prints what `jwtkit` with no arguments shows: one line per command and a first
// thing to try, shorter than --help and never an error.
func writeOverview(root *cobra.Command, w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "jwtkit: %s.\n\nUsage: jwtkit COMMAND [flags]\n\nCommands:\n", strings.ToLower(root.Short[:1])+root.Short[1:])
	width := 0
	var cmds []*cobra.Command
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() {
			cmds = append(cmds, c)
			width = max(width, len(c.Name()))
		}
	}
	for _, c := range cmds {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, c.Name(), c.Short)
	}
	b.WriteString(`
Try:
  export JWT_SECRET=$(head -c 32 /dev/urandom | base64)
  jwtkit mint --secret env:JWT_SECRET --sub alice --scope read:users | jwtkit decode

Exit codes: 0 success, 1 invalid token, 2 usage or input error, 3 a remote party failed.
'jwtkit COMMAND --help' shows a command's flags and examples; 'jwtkit --help' the global flags.
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// suggestCommand names the command (or alias) closest to a mistyped name, or "" when none is
// close: within two edits (one for names of up to four letters), or a prefix of at least two
// letters.
func suggestCommand(parent *cobra.Command, typed string) string {
	best, bestDist := "", 3
	if len(typed) <= 4 {
		bestDist = 2
	}
	lower := strings.ToLower(typed)
	for _, c := range parent.Commands() {
		if !c.IsAvailableCommand() {
			continue
		}
		for _, name := range append([]string{c.Name()}, c.Aliases...) {
			d := suggest.Distance(lower, strings.ToLower(name))
			if len(lower) >= 2 && strings.HasPrefix(name, lower) && d > 1 {
				d = 1
			}
			if d < bestDist {
				best, bestDist = name, d
			}
		}
	}
	return best
}

// flagError turns pflag's parse errors into usage errors that say what to do: an unknown flag
// gets the nearest flag of the command, or the commands that do have it.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	name, unknown := strings.CutPrefix(msg, "unknown flag: --")
	if unknown {
		// pflag shows the flag as typed; quote it when it holds a newline or an escape sequence.
		msg = "unknown flag: " + showPath("--"+name)
		name, _, _ = strings.Cut(name, "=")
		if s := suggestFlag(cmd, name); s != "" {
			return failure.Usage("usage", fmt.Errorf("%s; did you mean --%s?", msg, s))
		}
		if owners := flagOwners(cmd.Root(), name); len(owners) > 0 {
			return failure.Usage("usage", fmt.Errorf("%s; --%s belongs to %s", msg, name, ownersText(owners)))
		}
	}
	return failure.Usage("usage", fmt.Errorf("%s; see '%s --help'", msg, cmd.CommandPath()))
}

// suggestFlag names the flag of cmd (its own or inherited) closest to a mistyped name.
func suggestFlag(cmd *cobra.Command, typed string) string {
	best, bestDist := "", 3
	limit := 2
	if len(typed) <= 3 {
		limit = 1
	}
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := suggest.Distance(strings.ToLower(typed), f.Name)
		if len(typed) >= 3 && strings.HasPrefix(f.Name, typed) && d > 1 {
			d = 1
		}
		if d <= limit && d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	return best
}

// flagOwners lists the commands that define a flag named name, as "jwtkit mint".
func flagOwners(root *cobra.Command, name string) []string {
	var out []string
	walkCommands(root, func(c *cobra.Command) {
		if c.IsAvailableCommand() && c.LocalFlags().Lookup(name) != nil {
			out = append(out, c.CommandPath())
		}
	})
	slices.Sort(out)
	return out
}

// maxOwnersNamed is how many commands the unknown-flag hint names before it counts the rest.
const maxOwnersNamed = 6

// fetchFlagTakers are the commands that take every fetch flag; the hint names them with fetch
// rather than as owners of their own, so a fetch flag's owners stay few.
var fetchFlagTakers = []string{"jwtkit header", "jwtkit exec"}

// ownersText names the owners of a flag for the unknown-flag hint: "jwtkit fetch" stands for
// header and exec too when all three have it, all owners are named when there are at most
// maxOwnersNamed, and the rest are counted otherwise.
func ownersText(owners []string) string {
	list := slices.Clone(owners)
	fetchNote := ""
	if slices.Contains(list, "jwtkit fetch") {
		var takers []string
		for _, t := range fetchFlagTakers {
			if i := slices.Index(list, t); i >= 0 {
				takers = append(takers, strings.TrimPrefix(t, "jwtkit "))
				list = slices.Delete(list, i, i+1)
			}
		}
		if len(takers) > 0 {
			fetchNote = " (and " + strings.Join(takers, " and ") + ", which take fetch's flags)"
		}
	}
	for i, o := range list {
		if o == "jwtkit fetch" {
			list[i] += fetchNote
		}
	}
	more := 0
	if len(list) > maxOwnersNamed {
		more = len(list) - (maxOwnersNamed - 1)
		list = list[:maxOwnersNamed-1]
	}
	switch {
	case more > 0:
		return strings.Join(list, ", ") + fmt.Sprintf(" and %d more commands", more)
	case len(list) == 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

// errUnknownCommand is the usage error for a mistyped command, with a suggestion when one is near.
func errUnknownCommand(parent *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q", name)
	if s := suggestCommand(parent, name); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else {
		msg += fmt.Sprintf("; see '%s --help'", parent.CommandPath())
	}
	return failure.Usage("usage", errors.New(msg))
}

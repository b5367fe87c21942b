package cli

import (
	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// fetchOutputFlags are fetch's flags that shape fetch's own output or end a login rather than
// get a token, with what to run instead: header and exec hand the token on in their own way,
// so they hide these flags and refuse them instead of ignoring them.
var fetchOutputFlags = []struct{ name, instead string }{
	{"copy", "to copy the token, run 'jwtkit fetch --copy' with the same flags"},
	{"decode", "to see the token's claims, run 'jwtkit fetch --decode' with the same flags"},
	{"logout", "to sign out, run 'jwtkit fetch --logout' with the same flags"},
}

// hideFetchOutputFlags hides fetch's output flags on cmd (header or exec).
func hideFetchOutputFlags(cmd *cobra.Command) {
	for _, f := range fetchOutputFlags {
		_ = cmd.Flags().MarkHidden(f.name)
	}
}

// refuseFetchOutputFlags is the usage error for a fetch output flag given to cmd, or nil.
func refuseFetchOutputFlags(cmd *cobra.Command) error {
	for _, f := range fetchOutputFlags {
		if cmd.Flags().Changed(f.name) {
			return failure.Usagef("usage", "jwtkit %s does not take --%s; %s", cmd.Name(), f.name, f.instead)
		}
	}
	return nil
}

//go:build unix

package config

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// unsafeOwnership says why a configuration file must not be trusted: writable by its group or
// by others, or owned by a user other than the current one or root. It returns "" when it is
// safe.
func unsafeOwnership(fi fs.FileInfo) string {
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Sprintf("writable by other users (mode %04o)", perm)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 && int(st.Uid) != os.Geteuid() {
		return "owned by another user"
	}
	return ""
}

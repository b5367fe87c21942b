//go:build unix

package diskcache

import (
	"io/fs"
	"os"
	"syscall"
)

// unsafeOwnership says why a file or directory must not be trusted: writable by group or others,
// or owned by a user other than the current one. It returns "" when it is safe.
func unsafeOwnership(fi fs.FileInfo) string {
	if fi.Mode().Perm()&0o022 != 0 {
		return "writable by other users"
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return "owned by another user"
	}
	return ""
}

func openNoFollow(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

//go:build !unix

package diskcache

import (
	"io/fs"
	"os"
)

// unsafeOwnership says why a file or directory must not be trusted. Without Unix ownership
// information only symbolic links are refused; the cache relies on the permissions of the
// user's profile directory.
func unsafeOwnership(fi fs.FileInfo) string {
	if fi.Mode()&fs.ModeSymlink != 0 {
		return "a symbolic link"
	}
	return ""
}

func openNoFollow(p string) (*os.File, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil, fs.ErrPermission
	}
	return os.Open(p)
}

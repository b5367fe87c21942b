package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// EnsureDir creates dir and any missing parents with mode 0700 (less the umask). When dir
// already exists and its group or others may write to it, it returns a warning such as
// "keys is writable by others (mode 0777); chmod 700 keys": anyone who can write there can
// replace or pre-create the files jwtkit writes. A dir that exists but is not a directory is a
// usage error. Windows permissions are not Unix modes, so there it never warns.
func EnsureDir(dir string) (warning string, err error) {
	if dir == "" {
		return "", nil // the current directory
	}
	shown := show(dir)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", failure.Usagef("mkdir_failed", "cannot create directory %s: %s", shown, reason(err))
		}
		return "", nil
	case err != nil:
		return "", failure.Usagef("mkdir_failed", "cannot use directory %s: %s", shown, reason(err))
	case !info.IsDir():
		return "", failure.Usagef("mkdir_failed", "cannot use directory %s: it exists and is not a directory", shown)
	}
	if runtime.GOOS == "windows" {
		return "", nil
	}
	perm := info.Mode().Perm()
	switch {
	case perm&0o002 != 0:
		return fmt.Sprintf("%s is writable by others (mode %04o); chmod 700 %s", shown, perm, shown), nil
	case perm&0o020 != 0:
		return fmt.Sprintf("%s is writable by its group (mode %04o); chmod 700 %s", shown, perm, shown), nil
	}
	return "", nil
}

// CheckPrivateReadable returns a warning when a file holding a private key or secret can be
// read (or written) by its group or by others, such as "key.pem is readable by others (mode
// 0644); chmod 600 key.pem", and "" when it cannot or when the question does not apply (Windows,
// a file that cannot be examined). info may be nil, in which case path is examined with
// os.Stat; path is used in the message either way.
func CheckPrivateReadable(path string, info os.FileInfo) string {
	if runtime.GOOS == "windows" {
		return ""
	}
	if info == nil {
		var err error
		if info, err = os.Stat(path); err != nil {
			return ""
		}
	}
	perm := info.Mode().Perm()
	var what string
	switch {
	case perm&0o004 != 0:
		what = "readable by others"
	case perm&0o040 != 0:
		what = "readable by its group"
	case perm&0o002 != 0:
		what = "writable by others"
	case perm&0o020 != 0:
		what = "writable by its group"
	default:
		return ""
	}
	shown := show(path)
	return fmt.Sprintf("%s is %s (mode %04o); chmod 600 %s", shown, what, perm, shown)
}

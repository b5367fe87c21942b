package safefile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// Options for Write.
type Options struct {
	// Mode is the permission of the new file; zero means 0600. The process umask can only
	// remove bits from it.
	Mode os.FileMode
	// Force allows replacing an existing regular file.
	Force bool
}

// Write writes data to path atomically. It creates a temporary file in the same directory
// with O_EXCL and opts.Mode, writes and fsyncs it, then:
//
//   - without Force, links it to path, which fails when path exists in any form (a file, a
//     directory, a symbolic link, even a dangling one), so that nothing is ever replaced: the
//     error is "key.pem exists; use --force to overwrite". Where the file system cannot link,
//     it creates path with O_CREAT|O_EXCL and writes it directly, which is not atomic but
//     still never replaces anything.
//   - with Force, renames it over path, after refusing when path is a symbolic link ("key.pem
//     is a symbolic link; refusing to write through it"), a directory or another non-regular
//     file. A rename replaces a link rather than following it, so even a link swapped in
//     after the check is never written through.
//
// The temporary file is removed on every error. Errors are usage errors that name path.
func Write(path string, data []byte, opts Options) (err error) {
	if path == "" {
		return failure.Usagef("bad_path", "cannot write a file with an empty name")
	}
	mode := opts.Mode.Perm()
	if mode == 0 {
		mode = 0o600
	}
	shown := show(path)
	dir, base := filepath.Split(path)
	if base == "" {
		return failure.Usagef("bad_path", "cannot write %s: it names a directory", shown)
	}
	if opts.Force {
		if err := checkReplaceable(path, shown); err != nil {
			return err
		}
	}

	tmp, f, err := createTemp(dir, base, mode)
	if err != nil {
		return failure.Usagef("write_failed", "cannot write %s: %s", shown, reason(err))
	}
	defer func() {
		if f != nil {
			f.Close()
		}
		if tmp != "" {
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return failure.Usagef("write_failed", "cannot write %s: %s", shown, reason(err))
	}
	if err := f.Sync(); err != nil {
		return failure.Usagef("write_failed", "cannot write %s: %s", shown, reason(err))
	}
	err = f.Close()
	f = nil
	if err != nil {
		return failure.Usagef("write_failed", "cannot write %s: %s", shown, reason(err))
	}

	if opts.Force {
		if err := os.Rename(tmp, path); err != nil {
			return failure.Usagef("write_failed", "cannot write %s: %s", shown, reason(err))
		}
		tmp = ""
		syncDir(dir)
		return nil
	}

	err = os.Link(tmp, path)
	switch {
	case err == nil:
		if rmErr := os.Remove(tmp); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			// The file is written, but a second name for it remains next to it.
			return failure.Usagef("write_failed", "wrote %s but could not remove the temporary file %s: %s; remove it by hand", shown, show(tmp), reason(rmErr))
		}
		tmp = ""
		syncDir(dir)
		return nil
	case errors.Is(err, fs.ErrExist):
		return exists(shown)
	case linkUnsupported(err):
		return writeExclusive(path, shown, data, mode)
	default:
		return failure.Usagef("write_failed", "cannot write %s: %s", shown, reason(err))
	}
}

// createTemp creates a new file next to the target, named ".key.pem.tmp-<random>", with
// O_EXCL and the given mode.
func createTemp(dir, base string, mode os.FileMode) (string, *os.File, error) {
	for range 10 {
		var r [8]byte
		if _, err := rand.Read(r[:]); err != nil {
			return "", nil, err
		}
		name := filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(r[:]))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		return name, f, nil
	}
	return "", nil, errors.New("could not pick an unused temporary file name")
}

// writeExclusive is the fallback for file systems without hard links: it creates path with
// O_EXCL, so it never replaces anything, and removes what it created if writing fails.
func writeExclusive(path, shown string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return exists(shown)
	}
	if err != nil {
		return failure.Usagef("write_failed", "cannot write %s: %s", shown, reason(err))
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return failure.Usagef("write_failed", "cannot write %s: %s", shown, reason(err))
	}
	return nil
}

// checkReplaceable refuses to replace anything but a regular file (or nothing).
func checkReplaceable(path, shown string) error {
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return failure.Usagef("write_failed", "cannot write %s: %s", shown, reason(err))
	case info.Mode()&fs.ModeSymlink != 0:
		return failure.Usagef("symlink", "%s is a symbolic link; refusing to write through it", shown)
	case info.IsDir():
		return failure.Usagef("write_failed", "cannot write %s: it is a directory", shown)
	case !info.Mode().IsRegular():
		return failure.Usagef("write_failed", "cannot write %s: it is not a regular file", shown)
	}
	return nil
}

func exists(shown string) error {
	return failure.Usagef("file_exists", "%s exists; use --force to overwrite", shown)
}

// linkUnsupported reports whether os.Link failed because the file system has no hard links:
// Linux answers EPERM on FAT, others ENOTSUP or ENOSYS (which match errors.ErrUnsupported).
// A genuine permission problem makes the fallback fail too, with the same reason.
func linkUnsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported) || errors.Is(err, fs.ErrPermission)
}

// syncDir makes a new directory entry durable. It is best effort: some systems cannot open or
// sync a directory, and the data itself is already synced.
func syncDir(dir string) {
	if dir == "" {
		dir = "."
	}
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}

// reason returns the operating system's reason for err without the path it names, which is
// the temporary file's for most steps: "permission denied", "no space left on device".
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	msg := err.Error()
	if errors.Is(err, fs.ErrNotExist) {
		return msg + "; check that the directory exists"
	}
	return msg
}

// show renders a path for a message: as is when it is plain text, quoted when it holds spaces
// at its ends, control characters or invalid UTF-8, which could otherwise forge output.
func show(path string) string {
	plain := strings.TrimSpace(path) == path && strings.IndexFunc(path, func(r rune) bool {
		return r == unicode.ReplacementChar || !unicode.IsPrint(r)
	}) < 0
	if plain {
		return path
	}
	return strconv.Quote(path)
}

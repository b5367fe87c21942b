package cli

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/safefile"
)

// fileRole says what one of keygen's files holds.
type fileRole int

const (
	rolePrivate    fileRole = iota // NAME.key: PEM PKCS#8, or a secret's raw bytes
	rolePublic                     // NAME.pub: PEM PKIX
	rolePrivateJWK                 // NAME.jwk
	rolePublicJWKS                 // NAME.jwks.json
	roleCert                       // NAME.crt: an X.509 certificate (--cert), filled by keygen
)

// plannedFile is one file keygen writes with -o NAME.
type plannedFile struct {
	path string
	mode os.FileMode
	role fileRole
	data []byte
}

// keyFiles lists the files -o NAME writes, the private key first.
func keyFiles(name string, secret, jwk bool) []plannedFile {
	files := []plannedFile{{path: name + ".key", mode: 0o600, role: rolePrivate}}
	if !secret {
		files = append(files, plannedFile{path: name + ".pub", mode: 0o644, role: rolePublic})
	}
	if jwk {
		files = append(files, plannedFile{path: name + ".jwk", mode: 0o600, role: rolePrivateJWK})
		if !secret {
			files = append(files, plannedFile{path: name + ".jwks.json", mode: 0o644, role: rolePublicJWKS})
		}
	}
	return files
}

// fillKeyFiles encodes k into each file's contents.
func fillKeyFiles(files []plannedFile, k keys.Key) error {
	for i := range files {
		var data []byte
		var err error
		switch files[i].role {
		case rolePrivate:
			if secret, ok := k.JWK.Key.([]byte); ok {
				data = bytes.Clone(secret)
			} else {
				data, err = keys.EncodePEM(k)
			}
		case rolePublic:
			data, err = keys.EncodePEM(k.Public())
		case rolePrivateJWK:
			data, err = keys.MarshalJWK(k, true)
			data = append(data, '\n')
		case rolePublicJWKS:
			data, err = keys.MarshalJWKS([]keys.Key{k.Public()}, false)
			data = append(data, '\n')
		case roleCert:
			continue
		}
		if err != nil {
			return failure.Usage("key", fmt.Errorf("encoding %s: %w", files[i].path, err))
		}
		files[i].data = data
	}
	return nil
}

// checkTargets refuses, before any key is made, targets that exist (unless force), that are
// symbolic links or directories, and a missing directory.
func checkTargets(files []plannedFile, force bool) error {
	dir := filepath.Dir(files[0].path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return failure.Usagef("file", "directory %s does not exist; create it first (mkdir -m 700 %s)", showPath(dir), showPath(dir))
	case err != nil:
		return failure.Usagef("file", "checking directory %s: %v", showPath(dir), plainFileError(err))
	case !st.IsDir():
		return failure.Usagef("file", "%s is not a directory", showPath(dir))
	}
	for _, f := range files {
		st, err := os.Lstat(f.path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return failure.Usagef("file", "checking %s: %v", showPath(f.path), plainFileError(err))
		case st.Mode()&fs.ModeSymlink != 0:
			return failure.Usagef("file", "%s is a symbolic link; refusing to write through it; remove it or choose another -o name", showPath(f.path))
		case st.IsDir():
			return failure.Usagef("file", "%s is a directory; choose another -o name", showPath(f.path))
		case !force:
			return failure.Usagef("file", "%s exists; use --force to overwrite", showPath(f.path))
		}
	}
	return nil
}

// writeFunc writes one file atomically; safefile.Write in production.
type writeFunc func(path string, data []byte, opts safefile.Options) error

// writeAllOrNone writes every file or, on failure, none of them.
//
// Without force each file is written with safefile.Write, which never replaces an existing file;
// if one fails, the files this run created are removed. With force every file is first staged
// in a new temporary file next to its target, then the staged files are renamed over the
// targets: a failure while staging leaves the old files as they were.
func writeAllOrNone(files []plannedFile, force bool, write writeFunc, rand io.Reader) error {
	if !force {
		var written []string
		for _, f := range files {
			if err := write(f.path, f.data, safefile.Options{Mode: f.mode}); err != nil {
				removeFiles(written)
				return keyFileError(f.path, err)
			}
			written = append(written, f.path)
		}
		return nil
	}

	suffix, err := stagingSuffix(rand)
	if err != nil {
		return err
	}
	staged := make([]string, 0, len(files))
	for _, f := range files {
		tmp := stagingName(f.path, suffix)
		if err := write(tmp, f.data, safefile.Options{Mode: f.mode}); err != nil {
			removeFiles(staged)
			return failure.Usagef("file", "staging the new %s: %v; nothing was replaced", showPath(f.path), err)
		}
		staged = append(staged, tmp)
	}
	for i, f := range files {
		if err := replaceFile(staged[i], f.path); err != nil {
			removeFiles(staged[i:])
			if i > 0 {
				names := make([]string, 0, i)
				for _, done := range files[:i] {
					names = append(names, showPath(done.path))
				}
				return failure.Usagef("file", "%v; %s were already replaced by the new key: run keygen again with --force", err, strings.Join(names, ", "))
			}
			return err
		}
	}
	return nil
}

// stagingSuffix makes a random suffix for staged files, so that runs never share one.
func stagingSuffix(rand io.Reader) (string, error) {
	b := make([]byte, 6)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("making a temporary file name: %w", err)
	}
	return ".new-" + hex.EncodeToString(b), nil
}

// stagingName is the hidden temporary name next to path.
func stagingName(path, suffix string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+suffix)
}

// replaceFile renames staged over target, refusing to replace a symbolic link.
func replaceFile(staged, target string) error {
	if st, err := os.Lstat(target); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return failure.Usagef("file", "%s is a symbolic link; refusing to write through it", showPath(target))
	}
	if err := os.Rename(staged, target); err != nil {
		return failure.Usagef("file", "replacing %s: %v", showPath(target), plainFileError(err))
	}
	return nil
}

func removeFiles(paths []string) {
	for _, p := range paths {
		_ = os.Remove(p)
	}
}

// keyFileError names the file in a write error, unless the error already does (safefile's
// errors do).
func keyFileError(path string, err error) error {
	var fe *failure.Error
	if errors.As(err, &fe) && strings.Contains(err.Error(), filepath.Base(path)) {
		return err
	}
	return failure.Usagef("file", "writing %s: %v", showPath(path), plainFileError(err))
}

// plainFileError drops the operation and path that an *fs.PathError repeats.
func plainFileError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

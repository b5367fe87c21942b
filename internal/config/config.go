// Package config reads jwtkit's configuration file: named profiles that hold the settings of
// `jwtkit fetch` (endpoint, client, authentication, scopes, …), so that a CI job or a developer
// can run `jwtkit fetch --profile staging` instead of repeating a dozen flags.
//
// The file is TOML, config.toml in jwtkit's user config directory:
//
//	default-profile = "staging"
//
//	[profile.staging]
//	issuer        = "https://staging.idp.example"
//	client-id     = "ci-pipeline"
//	client-secret = "env:STAGING_CLIENT_SECRET"
//	scope         = ["read:users", "write:users"]
//	param         = { organization = "org_123" }
//
// Keys are the flag names of fetch. Secrets are meant to be references (env:NAME, @FILE) rather
// than literal values; a literal secret is accepted, and Load warns when the file holding it can
// be read by other users.
//
// It guarantees: the file is read only up to MaxSize bytes; it is refused when other users may
// write it or when another user owns it (anyone who can change it could send the secrets it
// names to their own server); unknown keys, wrong types and bad values are errors that name the
// profile and the key, and no error or warning ever shows a secret's value. Relative paths in
// @FILE references and key paths are made relative to the file's directory, and a leading "~/"
// to the home directory, so a profile means the same thing whatever the working directory.
package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safefile"
)

// FileName is the name of the configuration file inside jwtkit's config directory.
const FileName = "config.toml"

// MaxSize bounds the configuration file. A real one is a few KiB.
const MaxSize = 256 << 10

// MaxProfiles bounds the number of profiles in one file.
const MaxProfiles = 1000

// Code is the failure code of every configuration error.
const Code = "config"

// Path returns where the configuration file lives in the config directory dir.
func Path(dir string) string {
	return filepath.Join(dir, FileName)
}

// File is a parsed configuration file.
type File struct {
	// Path is the file the configuration was read from, as given to Load or Parse.
	Path string
	// DefaultProfile names the profile used when none is asked for: the default-profile key,
	// else the only profile of a file that has one; empty otherwise. It names a profile of the
	// file, possibly a broken one (then Profile returns that profile's error).
	DefaultProfile string
	// Profiles are the profiles in the order of the file.
	Profiles []*Profile
	// Broken are the profiles that could not be read, in the order of the file. They take no
	// other profile down: Profile returns their error only when one of them is asked for.
	Broken []BrokenProfile
}

// BrokenProfile is a profile of the file that could not be read.
type BrokenProfile struct {
	// Name is the profile's name, as valid as validName requires.
	Name string
	// Err says what is wrong, naming the file, the profile and the key; it is failure.Usage.
	Err error
}

// Names returns the profile names in the order of the file.
func (f *File) Names() []string {
	names := make([]string, len(f.Profiles))
	for i, p := range f.Profiles {
		names[i] = p.Name
	}
	return names
}

// Profile returns the profile called name, or a usage error listing the profiles there are.
func (f *File) Profile(name string) (*Profile, error) {
	for _, p := range f.Profiles {
		if p.Name == name {
			return p, nil
		}
	}
	for _, b := range f.Broken {
		if b.Name == name {
			return nil, b.Err
		}
	}
	shown := quote(name)
	if len(f.Profiles) == 0 {
		return nil, failure.Usagef(Code, "no profile %s: %s has no profiles; add a [profile.%s] table", shown, f.Path, sanitizeName(name))
	}
	return nil, failure.Usagef(Code, "no profile %s in %s; profiles: %s", shown, f.Path, strings.Join(f.Names(), ", "))
}

// Options say how to read a file.
type Options struct {
	// Home is the user's home directory, for "~/" in paths; empty leaves "~/" as it is.
	Home string
}

// Load reads and parses the configuration file at path. A missing file is an error that
// satisfies errors.Is(err, fs.ErrNotExist). The returned warnings are one line each, for stderr:
// they say that a literal secret sits in a file others can read. Every error is failure.Usage
// with code Code.
func Load(path string, opts Options) (*File, []string, error) {
	data, info, err := readFile(path)
	if err != nil {
		return nil, nil, err
	}
	f, err := parse(data, path, filepath.Dir(path), opts)
	if err != nil {
		return nil, nil, err
	}
	var warnings []string
	for _, b := range f.Broken {
		warnings = append(warnings, fmt.Sprintf("ignoring profile %s: %v", quote(b.Name), b.Err))
	}
	if safefile.CheckPrivateReadable(path, info) != "" {
		for _, p := range f.Profiles {
			for _, key := range p.LiteralSecrets {
				warnings = append(warnings, fmt.Sprintf(
					"profile %s holds a literal %s, and %s is readable by other users (mode %04o); use env:NAME or @FILE for it, or chmod 600 %s",
					quote(p.Name), key, path, info.Mode().Perm(), path))
			}
		}
	}
	return f, warnings, nil
}

// Parse parses the contents of a configuration file. source names it in messages and in
// File.Path; relative paths in the file are taken relative to dir. It does no I/O.
func Parse(data []byte, source, dir string, opts Options) (*File, error) {
	return parse(data, source, dir, opts)
}

// readFile opens path, checks who may write it, and reads at most MaxSize bytes.
func readFile(path string) ([]byte, fs.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, failure.Usage(Code, &notExistError{path: path, err: err})
		}
		return nil, nil, failure.Usagef(Code, "reading config file %s: %s", path, describeIOError(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, failure.Usagef(Code, "reading config file %s: %s", path, describeIOError(err))
	}
	if info.IsDir() {
		return nil, nil, failure.Usagef(Code, "config file %s is a directory", path)
	}
	if isNullDevice(info) {
		// The null device reads as nothing, whoever may write to it: `--config /dev/null` (or
		// JWTKIT_CONFIG=/dev/null) is how a script says to read no config at all.
		return nil, info, nil
	}
	if problem := unsafeOwnership(info); problem != "" {
		return nil, nil, failure.Usagef(Code,
			"not reading config file %s: it is %s, who could point a profile's secrets at their own server; %s",
			path, problem, ownershipFix(path, problem))
	}
	if info.Size() > MaxSize {
		return nil, nil, failure.Usagef(Code, "config file %s is %d bytes; the limit is %d", path, info.Size(), MaxSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, nil, failure.Usagef(Code, "reading config file %s: %s", path, describeIOError(err))
	}
	if len(data) > MaxSize {
		return nil, nil, failure.Usagef(Code, "config file %s is larger than %d bytes", path, MaxSize)
	}
	return data, info, nil
}

// isNullDevice reports whether info is the file os.DevNull names.
func isNullDevice(info fs.FileInfo) bool {
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(info, null)
}

// notExistError is the error of a missing file; it keeps fs.ErrNotExist in the chain.
type notExistError struct {
	path string
	err  error
}

func (e *notExistError) Error() string {
	return fmt.Sprintf("config file %s does not exist", e.path)
}

func (e *notExistError) Unwrap() error { return e.err }

func describeIOError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func ownershipFix(path, problem string) string {
	if strings.Contains(problem, "writable") {
		return "run chmod go-w " + path
	}
	return "make it yours (chown) or use your own file"
}

// quote shows a profile name from the user or the file in a message.
func quote(name string) string {
	return `"` + sanitizeName(name) + `"`
}

// sanitizeName makes a name safe to print: printable ASCII, at most 64 bytes.
func sanitizeName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 64; i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' {
			c = '?'
		}
		b.WriteByte(c)
	}
	if len(s) > 64 {
		b.WriteString("...")
	}
	return b.String()
}

// validName reports whether s may name a profile: 1 to 64 letters, digits, '.', '_' or '-'.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	return !slices.ContainsFunc([]byte(s), func(c byte) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-')
	})
}

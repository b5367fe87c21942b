// Package cli wires jwtkit's commands to cobra. Each command lives in its own file as an Options
// struct, a constructor that binds flags to it, and a run function that does the work by calling
// the concern packages. Everything a command touches outside the process (streams, clock,
// environment, files, clipboard, randomness, network) comes in through Deps, so tests can drive
// commands in-process.
package cli

import (
	"crypto/rand"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/jwtkit/jwtkit/internal/clipboard"
	"github.com/jwtkit/jwtkit/internal/iostreams"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// Deps are a command's links to the world outside the process.
type Deps struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	// Environ lists the environment as KEY=value pairs, for the commands jwtkit runs
	// (exec's child, audit --command); nil means the process's own.
	Environ   func() []string
	Now       func() time.Time
	ReadFile  func(string) ([]byte, error)
	Clipboard clipboard.Clipboard
	Rand      io.Reader
	// Transport carries HTTP requests; nil means the default transport.
	Transport http.RoundTripper
	// CacheDir and ConfigDir return jwtkit's cache and config directories.
	CacheDir  func() (string, error)
	ConfigDir func() (string, error)
	Build     BuildInfo
	// OpenBrowser opens a URL in the user's browser (fetch's sign-in page); nil means there is
	// none, and the URL is printed.
	OpenBrowser func(url string) error
}

// BuildInfo identifies the build; empty fields are filled from the binary's build information.
type BuildInfo struct {
	Version, Commit, Date string
}

// SystemDeps returns the real world: the process's streams, clock, environment and files.
func SystemDeps(build BuildInfo) *Deps {
	return &Deps{
		IO:        iostreams.System(),
		Getenv:    os.Getenv,
		Environ:   os.Environ,
		Now:       time.Now,
		ReadFile:  keys.ReadFile, // capped, so no flag can make jwtkit read an endless file
		Clipboard: clipboard.System{},
		Rand:      rand.Reader,
		CacheDir:  userDir(os.UserCacheDir),
		ConfigDir: userDir(os.UserConfigDir),
		Build:     build,
		// The opener reads the environment when it runs, so a test's Getenv does not matter.
		OpenBrowser: systemOpener(os.Getenv),
	}
}

func userDir(base func() (string, error)) func() (string, error) {
	return func() (string, error) {
		dir, err := base()
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, "jwtkit"), nil
	}
}

// environ returns the environment the commands jwtkit runs start from.
func (d *Deps) environ() []string {
	if d.Environ == nil {
		return os.Environ()
	}
	return d.Environ()
}

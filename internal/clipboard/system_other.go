//go:build !(linux || freebsd || netbsd || openbsd || dragonfly || solaris)

package clipboard

import "github.com/atotto/clipboard"

// On macOS, Windows and Plan 9, github.com/atotto/clipboard does the work: its macOS and Plan 9
// code does nothing at start-up, and on Windows its package variables load user32.dll, which
// the Windows API clipboard needs.

func readAll() (string, error) {
	if clipboard.Unsupported {
		return "", ErrUnavailable
	}
	return clipboard.ReadAll()
}

func writeAll(text string) error {
	if clipboard.Unsupported {
		return ErrUnavailable
	}
	return clipboard.WriteAll(text)
}

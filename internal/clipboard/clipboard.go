// Package clipboard gives commands a clipboard they can be handed, so that tests inject a fake
// one and the real one (xclip, xsel or wl-copy on Linux and the BSDs, pbcopy on macOS, the
// Windows API) is used only by the binary.
//
// Nothing here works at start-up: on Linux and the BSDs the clipboard tool is looked up along
// $PATH when the clipboard is first used (system_unix.go), not in a package init as
// github.com/atotto/clipboard does there, which cost every run of jwtkit a stat per tool and
// $PATH entry (11 system calls and about 33,000 instructions on a 13-entry $PATH). Elsewhere
// atotto's package does the work (system_other.go).
package clipboard

import (
	"errors"
	"fmt"
	"os/exec"
)

// ErrUnavailable means no clipboard tool exists on this machine.
var ErrUnavailable = errors.New("no clipboard available (install xclip, xsel or wl-clipboard)")

// Clipboard reads and writes text.
type Clipboard interface {
	ReadAll() (string, error)
	WriteAll(text string) error
}

// System is the machine's clipboard.
type System struct{}

// ReadAll returns the clipboard's text.
func (System) ReadAll() (string, error) {
	text, err := readAll()
	return text, describe(err)
}

// WriteAll replaces the clipboard's text.
func (System) WriteAll(text string) error {
	return describe(writeAll(text))
}

// describe says what to check when the clipboard tool ran and failed, which on Linux almost
// always means it found no display.
func describe(err error) error {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("the clipboard tool failed (%v); it needs a display: $DISPLAY for xclip or xsel, $WAYLAND_DISPLAY for wl-clipboard", exit)
	}
	return err
}

// Memory is an in-memory clipboard for tests. A non-nil Err makes every call fail with it.
type Memory struct {
	Text string
	Err  error
}

// ReadAll returns m.Text.
func (m *Memory) ReadAll() (string, error) { return m.Text, m.Err }

// WriteAll sets m.Text.
func (m *Memory) WriteAll(text string) error {
	if m.Err != nil {
		return m.Err
	}
	m.Text = text
	return nil
}

// Package clipboard gives commands a clipboard they can be handed, so that tests inject a fake
// one and the real one (xclip, xsel or wl-copy on Linux, pbcopy on macOS, the Windows API) is
// used only by the binary.
package clipboard

import (
	"errors"
	"fmt"
	"os/exec"

	"github.com/atotto/clipboard"
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
	if clipboard.Unsupported {
		return "", ErrUnavailable
	}
	text, err := clipboard.ReadAll()
	return text, describe(err)
}

// WriteAll replaces the clipboard's text.
func (System) WriteAll(text string) error {
	if clipboard.Unsupported {
		return ErrUnavailable
	}
	return describe(clipboard.WriteAll(text))
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

// Package iostreams owns jwtkit's standard streams: what they are, whether each is a terminal,
// and whether each gets colour. Nothing else in jwtkit touches os.Stdout or asks whether a
// stream is a terminal, so tests can give commands plain buffers and read back what they wrote.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"github.com/fatih/color"
	"golang.org/x/term"
)

// IOStreams are the streams a command reads and writes, with their terminal facts.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool

	// colorAllowed is false when NO_COLOR is set, TERM is dumb or --no-color was given.
	colorAllowed bool
	// Quiet silences diagnostics on ErrOut (warnings and progress, not errors).
	Quiet bool
}

// System returns the process's real streams, colour allowed; the caller applies NO_COLOR,
// TERM=dumb and --no-color with DisableColor (see ColorAllowedByEnv).
func System() *IOStreams {
	isTTY := func(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
	return &IOStreams{
		In:           os.Stdin,
		Out:          os.Stdout,
		ErrOut:       os.Stderr,
		stdinTTY:     isTTY(os.Stdin),
		stdoutTTY:    isTTY(os.Stdout),
		stderrTTY:    isTTY(os.Stderr),
		colorAllowed: true,
	}
}

// Test returns streams backed by buffers, none of them a terminal, colour allowed (it still
// needs a terminal to be used). It returns the stdin, stdout and stderr buffers.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, colorAllowed: true}, in, out, errOut
}

// ColorAllowedByEnv reports whether the environment allows colour: NO_COLOR unset or empty
// (https://no-color.org) and TERM not "dumb".
func ColorAllowedByEnv(getenv func(string) string) bool {
	return getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// SetTTY sets the terminal facts; tests use it to exercise terminal behaviour.
func (s *IOStreams) SetTTY(stdin, stdout, stderr bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = stdin, stdout, stderr
}

// DisableColor turns colour off on every stream (for --no-color).
func (s *IOStreams) DisableColor() { s.colorAllowed = false }

// ForceColor turns colour on for every stream, terminal or not (for --color=always and tests).
func (s *IOStreams) ForceColor() {
	s.colorAllowed = true
	s.stdoutTTY, s.stderrTTY = true, true
}

// IsStdinTTY reports whether stdin is a terminal (so there is nothing piped in).
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// ColorOut reports whether output on stdout should be coloured.
func (s *IOStreams) ColorOut() bool { return s.colorAllowed && s.stdoutTTY }

// ColorErr reports whether output on stderr should be coloured.
func (s *IOStreams) ColorErr() bool { return s.colorAllowed && s.stderrTTY }

// Palette is a set of colour functions for one stream; all are plain when colour is off.
type Palette struct {
	Key, String, Number, Literal, Punct, Dim, Heading *color.Color
	Info, Warning, Danger, Success                    *color.Color
}

// PaletteFor returns the palette for a stream, coloured or plain.
func PaletteFor(enabled bool) Palette {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if enabled {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return Palette{
		Key:     mk(color.FgBlue, color.Bold),
		String:  mk(color.FgGreen),
		Number:  mk(color.FgCyan),
		Literal: mk(color.FgMagenta),
		Punct:   mk(),
		Dim:     mk(color.Faint),
		Heading: mk(color.Bold),
		Info:    mk(color.FgBlue),
		Warning: mk(color.FgYellow),
		Danger:  mk(color.FgRed, color.Bold),
		Success: mk(color.FgGreen, color.Bold),
	}
}

// OutPalette is the palette for stdout.
func (s *IOStreams) OutPalette() Palette { return PaletteFor(s.ColorOut()) }

// ErrPalette is the palette for stderr.
func (s *IOStreams) ErrPalette() Palette { return PaletteFor(s.ColorErr()) }

//go:build linux || freebsd || netbsd || openbsd || dragonfly || solaris

package clipboard

import (
	"os"
	"os/exec"
	"strings"
)

// tool is a pair of clipboard commands: paste prints the clipboard, copy replaces it with its
// standard input.
type tool struct {
	paste, copy []string
	// crlf: the paste command ends its output with "\r\n", which is not the clipboard's.
	crlf bool
}

// tools are the clipboard tools in the order github.com/atotto/clipboard tries them, so a
// machine keeps the clipboard it had: wl-clipboard under Wayland, then xclip, xsel, Termux's
// and, under WSL, Windows' own.
var tools = []struct {
	// wayland: the tool is only tried with $WAYLAND_DISPLAY set.
	wayland bool
	tool
}{
	{true, tool{paste: []string{"wl-paste", "--no-newline"}, copy: []string{"wl-copy"}}},
	{false, tool{paste: []string{"xclip", "-out", "-selection", "clipboard"}, copy: []string{"xclip", "-in", "-selection", "clipboard"}}},
	{false, tool{paste: []string{"xsel", "--output", "--clipboard"}, copy: []string{"xsel", "--input", "--clipboard"}}},
	{false, tool{paste: []string{"termux-clipboard-get"}, copy: []string{"termux-clipboard-set"}}},
	{false, tool{paste: []string{"powershell.exe", "Get-Clipboard"}, copy: []string{"clip.exe"}, crlf: true}},
}

// find returns the first tool whose commands lookPath finds, or ErrUnavailable.
func find(getenv func(string) string, lookPath func(string) (string, error)) (tool, error) {
	wayland := getenv("WAYLAND_DISPLAY") != ""
	for _, t := range tools {
		if t.wayland && !wayland {
			continue
		}
		if _, err := lookPath(t.copy[0]); err != nil {
			continue
		}
		if _, err := lookPath(t.paste[0]); err != nil {
			continue
		}
		return t.tool, nil
	}
	return tool{}, ErrUnavailable
}

func readAll() (string, error) {
	t, err := find(os.Getenv, exec.LookPath)
	if err != nil {
		return "", err
	}
	out, err := exec.Command(t.paste[0], t.paste[1:]...).Output()
	if err != nil {
		return "", err
	}
	text := string(out)
	if t.crlf {
		text = strings.TrimSuffix(text, "\r\n")
	}
	return text, nil
}

func writeAll(text string) error {
	t, err := find(os.Getenv, exec.LookPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(t.copy[0], t.copy[1:]...)
	cmd.Stdin = strings.NewReader(text)
	return cmd.Run()
}

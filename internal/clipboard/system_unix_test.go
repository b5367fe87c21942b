//go:build linux || freebsd || netbsd || openbsd || dragonfly || solaris

package clipboard

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	for _, tc := range []struct {
		name    string
		wayland string
		onPath  []string
		want    []string // the copy command found; nil for ErrUnavailable
	}{
		{"xclip", "", []string{"xclip", "xsel"}, []string{"xclip", "-in", "-selection", "clipboard"}},
		{"xsel without xclip", "", []string{"xsel"}, []string{"xsel", "--input", "--clipboard"}},
		{"wayland first", "wayland-0", []string{"xclip", "wl-copy", "wl-paste"}, []string{"wl-copy"}},
		{"wl-copy without wayland", "", []string{"wl-copy", "wl-paste"}, nil},
		{"wl-copy without wl-paste", "wayland-0", []string{"wl-copy", "xsel"}, []string{"xsel", "--input", "--clipboard"}},
		{"termux", "", []string{"termux-clipboard-get", "termux-clipboard-set"}, []string{"termux-clipboard-set"}},
		{"wsl", "", []string{"clip.exe", "powershell.exe"}, []string{"clip.exe"}},
		{"wsl without powershell", "", []string{"clip.exe"}, nil},
		{"nothing", "wayland-0", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var looked []string
			getenv := func(k string) string {
				if k == "WAYLAND_DISPLAY" {
					return tc.wayland
				}
				return ""
			}
			lookPath := func(name string) (string, error) {
				looked = append(looked, name)
				for _, p := range tc.onPath {
					if p == name {
						return "/usr/bin/" + name, nil
					}
				}
				return "", errors.New("not found")
			}
			got, err := find(getenv, lookPath)
			if tc.want == nil {
				if !errors.Is(err, ErrUnavailable) {
					t.Fatalf("find = %v, %v; want ErrUnavailable (looked up %v)", got.copy, err, looked)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got.copy, tc.want) {
				t.Fatalf("find = %v, %v; want %v", got.copy, err, tc.want)
			}
		})
	}
}

// fakeXclip keeps the clipboard in the file $CLIP, and fails when $CLIP_FAIL is set, as xclip
// does without a display.
const fakeXclip = `#!/bin/sh
[ -z "$CLIP_FAIL" ] || { echo "Error: Can't open display" >&2; exit 1; }
case " $* " in
*" -out "*) cat "$CLIP" ;;
*" -in "*) cat > "$CLIP" ;;
*) exit 2 ;;
esac
`

// TestSystemFakeXclip runs System through os/exec against a fake xclip on $PATH: the tool is
// found when first used (a $PATH set after start-up is the one searched), the text goes to its
// standard input and comes back from its output unchanged, and a failing tool gets the hint
// about the display.
func TestSystemFakeXclip(t *testing.T) {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "xclip"), []byte(fakeXclip), 0o755); err != nil {
		t.Fatal(err)
	}
	sh, err := os.Stat("/bin/sh")
	if err != nil || sh.IsDir() {
		t.Skip("no /bin/sh for the fake xclip")
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+"/bin")
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("CLIP", filepath.Join(t.TempDir(), "clip"))
	t.Setenv("CLIP_FAIL", "")

	var c Clipboard = System{}
	want := "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.\n  with a line\n"
	if err := c.WriteAll(want); err != nil {
		t.Fatalf("WriteAll: %v", err)
	}
	got, err := c.ReadAll()
	if err != nil || got != want {
		t.Fatalf("ReadAll = %q, %v; want %q", got, err, want)
	}

	t.Setenv("CLIP_FAIL", "1")
	if err := c.WriteAll("x"); err == nil || !strings.Contains(err.Error(), "$DISPLAY") {
		t.Fatalf("WriteAll with a failing tool: %v", err)
	}
	if _, err := c.ReadAll(); err == nil || !strings.Contains(err.Error(), "$DISPLAY") {
		t.Fatalf("ReadAll with a failing tool: %v", err)
	}

	t.Setenv("PATH", t.TempDir())
	if err := c.WriteAll("x"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("WriteAll without a tool: %v", err)
	}
	if _, err := c.ReadAll(); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("ReadAll without a tool: %v", err)
	}
}

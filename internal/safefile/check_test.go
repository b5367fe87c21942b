package safefile

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
)

func TestEnsureDir(t *testing.T) {
	mask, haveMask := umask(t)
	base := t.TempDir()

	created := filepath.Join(base, "a", "b", "keys")
	warning, err := EnsureDir(created)
	if err != nil || warning != "" {
		t.Fatalf("EnsureDir(new) = %q, %v", warning, err)
	}
	for _, d := range []string{filepath.Join(base, "a"), created} {
		info, err := os.Stat(d)
		if err != nil || !info.IsDir() {
			t.Fatalf("%s not created: %v", d, err)
		}
		if info.Mode().Perm()&^0o700 != 0 {
			t.Errorf("%s mode %04o, want at most 0700", d, info.Mode().Perm())
		}
		if haveMask && info.Mode().Perm() != 0o700&^mask {
			t.Errorf("%s mode %04o, want %04o", d, info.Mode().Perm(), 0o700&^mask)
		}
	}

	tests := []struct {
		mode fs.FileMode
		want string
	}{
		{0o700, ""},
		{0o750, ""},
		{0o755, ""},
		{0o775, "is writable by its group (mode 0775); chmod 700 "},
		{0o777, "is writable by others (mode 0777); chmod 700 "},
		{0o1777, "is writable by others (mode 0777); chmod 700 "},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			must(t, os.Mkdir(dir, 0o700))
			must(t, os.Chmod(dir, tt.mode))
			warning, err := EnsureDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" && warning != "" || !strings.Contains(warning, tt.want) {
				t.Errorf("warning = %q, want %q", warning, tt.want)
			}
			if tt.want != "" && !strings.HasPrefix(warning, dir+" ") {
				t.Errorf("warning %q does not start with the directory", warning)
			}
		})
	}

	file := filepath.Join(base, "file")
	must(t, os.WriteFile(file, nil, 0o600))
	if _, err := EnsureDir(file); err == nil || !strings.Contains(err.Error(), "exists and is not a directory") || failure.ExitCode(err) != 2 {
		t.Errorf("EnsureDir(file) error = %v", err)
	}
	if _, err := EnsureDir(filepath.Join(file, "sub")); err == nil {
		t.Error("EnsureDir below a file succeeded")
	}
	if w, err := EnsureDir(""); w != "" || err != nil {
		t.Errorf(`EnsureDir("") = %q, %v`, w, err)
	}
}

type fakeInfo struct{ mode fs.FileMode }

func (f fakeInfo) Name() string       { return "key.pem" }
func (f fakeInfo) Size() int64        { return 0 }
func (f fakeInfo) Mode() fs.FileMode  { return f.mode }
func (f fakeInfo) ModTime() time.Time { return time.Time{} }
func (f fakeInfo) IsDir() bool        { return false }
func (f fakeInfo) Sys() any           { return nil }

func TestCheckPrivateReadable(t *testing.T) {
	tests := []struct {
		mode fs.FileMode
		want string
	}{
		{0o600, ""},
		{0o400, ""},
		{0o700, ""},
		{0o611, ""},
		{0o644, "key.pem is readable by others (mode 0644); chmod 600 key.pem"},
		{0o604, "key.pem is readable by others (mode 0604); chmod 600 key.pem"},
		{0o640, "key.pem is readable by its group (mode 0640); chmod 600 key.pem"},
		{0o602, "key.pem is writable by others (mode 0602); chmod 600 key.pem"},
		{0o620, "key.pem is writable by its group (mode 0620); chmod 600 key.pem"},
		{0o666, "key.pem is readable by others (mode 0666); chmod 600 key.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			if got := CheckPrivateReadable("key.pem", fakeInfo{tt.mode}); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckPrivateReadableStats(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")
	must(t, os.WriteFile(path, nil, 0o600))
	must(t, os.Chmod(path, 0o644))
	if got := CheckPrivateReadable(path, nil); !strings.HasPrefix(got, path+" is readable by others (mode 0644)") {
		t.Errorf("got %q", got)
	}
	must(t, os.Chmod(path, 0o600))
	if got := CheckPrivateReadable(path, nil); got != "" {
		t.Errorf("got %q for 0600", got)
	}
	if got := CheckPrivateReadable(filepath.Join(dir, "missing"), nil); got != "" {
		t.Errorf("got %q for a missing file", got)
	}
}

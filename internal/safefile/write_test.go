package safefile

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// umask reads the process umask without changing it (Linux 4.7+); ok is false elsewhere.
func umask(t *testing.T) (fs.FileMode, bool) {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "Umask:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
			if err != nil {
				return 0, false
			}
			return fs.FileMode(n), true
		}
	}
	return 0, false
}

// noTemps fails the test when dir holds anything but the names given.
func noTemps(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("directory holds %q, want %q", got, want)
	}
}

func TestWriteModes(t *testing.T) {
	mask, haveMask := umask(t)
	tests := []struct {
		name string
		mode fs.FileMode
		want fs.FileMode
	}{
		{"default is private", 0, 0o600},
		{"private", 0o600, 0o600},
		{"public", 0o644, 0o644},
		{"owner read only", 0o400, 0o400},
		{"type bits ignored", fs.ModeDir | 0o640, 0o640},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "key.pem")
			if err := Write(path, []byte("secret"), Options{Mode: tt.mode}); err != nil {
				t.Fatal(err)
			}
			info, err := os.Lstat(path)
			if err != nil {
				t.Fatal(err)
			}
			got := info.Mode()
			if !got.IsRegular() {
				t.Fatalf("%s is not a regular file: %v", path, got)
			}
			if got.Perm()&^tt.want != 0 {
				t.Errorf("mode %04o has bits beyond %04o", got.Perm(), tt.want)
			}
			if haveMask && got.Perm() != tt.want&^mask {
				t.Errorf("mode %04o, want %04o (umask %03o)", got.Perm(), tt.want&^mask, mask)
			}
			data, _ := os.ReadFile(path)
			if string(data) != "secret" {
				t.Errorf("content %q", data)
			}
			noTemps(t, dir, "key.pem")
		})
	}
}

func TestWriteRefusesToReplace(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	other := filepath.Join(dir, "other")
	if err := os.WriteFile(other, []byte("other"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		setup func(path string) error
	}{
		{"regular file", func(p string) error { return os.WriteFile(p, []byte("old"), 0o600) }},
		{"empty file", func(p string) error { return os.WriteFile(p, nil, 0o600) }},
		{"symlink", func(p string) error { return os.Symlink(other, p) }},
		{"dangling symlink", func(p string) error { return os.Symlink(filepath.Join(dir, "nowhere"), p) }},
		{"directory", func(p string) error { return os.Mkdir(p, 0o700) }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("key%d.pem", i)
			if err := tt.setup(name); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Lstat(name)
			err := Write(name, []byte("new"), Options{})
			if err == nil {
				t.Fatal("Write replaced an existing entry")
			}
			if want := name + " exists; use --force to overwrite"; err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
			if failure.CodeOf(err) != "file_exists" || failure.ExitCode(err) != 2 {
				t.Errorf("error code %q, exit %d", failure.CodeOf(err), failure.ExitCode(err))
			}
			after, _ := os.Lstat(name)
			if !os.SameFile(before, after) || before.Size() != after.Size() {
				t.Error("the existing entry changed")
			}
			if data, _ := os.ReadFile(other); string(data) != "other" {
				t.Errorf("the symlink's target was written: %q", data)
			}
			if _, err := os.Lstat(filepath.Join(dir, "nowhere")); err == nil {
				t.Error("the dangling symlink's target was created")
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestWriteForce(t *testing.T) {
	mask, haveMask := umask(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(path, []byte("old and longer"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new"), Options{Mode: 0o600, Force: true}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if string(data) != "new" {
		t.Errorf("content %q, want %q", data, "new")
	}
	info, _ := os.Stat(path)
	if haveMask && info.Mode().Perm() != 0o600&^mask {
		t.Errorf("mode %04o after --force, want the new file's 0600", info.Mode().Perm())
	}
	// --force also creates a missing file.
	if err := Write(filepath.Join(dir, "new.pem"), []byte("x"), Options{Force: true}); err != nil {
		t.Fatal(err)
	}
	noTemps(t, dir, "key.pem", "new.pem")
}

func TestWriteForceRefuses(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("target", []byte("target"), 0o600); err != nil {
		t.Fatal(err)
	}
	must(t, os.Symlink("target", "key.pem"))
	must(t, os.Symlink("nowhere", "dangling.pem"))
	must(t, os.Mkdir("dir.pem", 0o700))
	tests := []struct {
		path, want, code string
	}{
		{"key.pem", "key.pem is a symbolic link; refusing to write through it", "symlink"},
		{"dangling.pem", "dangling.pem is a symbolic link; refusing to write through it", "symlink"},
		{"dir.pem", "cannot write dir.pem: it is a directory", "write_failed"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			err := Write(tt.path, []byte("new"), Options{Force: true})
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
			if failure.CodeOf(err) != tt.code {
				t.Errorf("code %q, want %q", failure.CodeOf(err), tt.code)
			}
		})
	}
	if data, _ := os.ReadFile("target"); string(data) != "target" {
		t.Errorf("written through the symlink: %q", data)
	}
	if _, err := os.Lstat("nowhere"); err == nil {
		t.Error("created the dangling symlink's target")
	}
	if fi, err := os.Lstat("key.pem"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("the symlink was replaced")
	}
	noTemps(t, dir, "dangling.pem", "dir.pem", "key.pem", "target")
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, path, want string
	}{
		{"missing directory", filepath.Join(dir, "nope", "key.pem"), "no such file or directory; check that the directory exists"},
		{"empty name", "", "cannot write a file with an empty name"},
		{"trailing slash", dir + "/", "it names a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, force := range []bool{false, true} {
				err := Write(tt.path, []byte("x"), Options{Force: force})
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("force=%v: error = %v, want %q", force, err, tt.want)
				}
				if err != nil && strings.Contains(err.Error(), ".tmp-") {
					t.Errorf("error names the temporary file: %v", err)
				}
			}
		})
	}
	if os.Getuid() != 0 {
		ro := filepath.Join(dir, "ro")
		must(t, os.Mkdir(ro, 0o500))
		err := Write(filepath.Join(ro, "key.pem"), []byte("x"), Options{})
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("read-only directory: error = %v", err)
		}
	}
	noTemps(t, dir, func() []string {
		if os.Getuid() != 0 {
			return []string{"ro"}
		}
		return nil
	}()...)
}

func TestWriteQuotesOddPaths(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	name := "key\n.pem"
	must(t, os.WriteFile(name, nil, 0o600))
	err := Write(name, []byte("x"), Options{})
	if err == nil || err.Error() != `"key\n.pem" exists; use --force to overwrite` {
		t.Errorf("error = %v", err)
	}
}

func TestWriteConcurrent(t *testing.T) {
	for _, force := range []bool{false, true} {
		t.Run(fmt.Sprintf("force=%v", force), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "key.pem")
			const writers = 16
			payload := func(i int) []byte { return bytes.Repeat([]byte{byte('a' + i)}, 64<<10) }
			errs := make([]error, writers)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = Write(path, payload(i), Options{Force: force})
				}()
			}
			close(start)
			wg.Wait()
			winners := 0
			for i, err := range errs {
				switch {
				case err == nil:
					winners++
				case !force && failure.CodeOf(err) == "file_exists":
				default:
					t.Errorf("writer %d: %v", i, err)
				}
			}
			if !force && winners != 1 {
				t.Errorf("%d writers succeeded without --force, want exactly 1", winners)
			}
			if force && winners != writers {
				t.Errorf("%d of %d writers succeeded with --force", winners, writers)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			whole := false
			for i := range writers {
				if bytes.Equal(data, payload(i)) {
					whole = true
					if !force && errs[i] != nil {
						t.Errorf("the file holds writer %d's data, but that writer failed", i)
					}
				}
			}
			if !whole {
				t.Error("the file holds a mixture or a part of the writers' data")
			}
			noTemps(t, dir, "key.pem")
		})
	}
}

func TestWriteExclusiveFallback(t *testing.T) {
	mask, haveMask := umask(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")
	if err := writeExclusive(path, "key.pem", []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "data" {
		t.Errorf("content %q", data)
	}
	if info, _ := os.Stat(path); haveMask && info.Mode().Perm() != 0o600&^mask {
		t.Errorf("mode %04o", info.Mode().Perm())
	}
	err := writeExclusive(path, "key.pem", []byte("other"), 0o600)
	if err == nil || err.Error() != "key.pem exists; use --force to overwrite" {
		t.Errorf("second write: %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "data" {
		t.Errorf("replaced: %q", data)
	}
	link := filepath.Join(dir, "link.pem")
	must(t, os.Symlink(filepath.Join(dir, "nowhere"), link))
	if err := writeExclusive(link, "link.pem", []byte("x"), 0o600); err == nil {
		t.Error("wrote through a dangling symlink")
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); err == nil {
		t.Error("created the symlink's target")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

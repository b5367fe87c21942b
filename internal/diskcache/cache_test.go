package diskcache

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)

// testCache returns a cache in a fresh directory whose clock the test moves with *now.
func testCache(t *testing.T) (*Cache, *time.Time) {
	t.Helper()
	now := t0
	return Open(filepath.Join(t.TempDir(), "jwtkit"), func() time.Time { return now }), &now
}

func TestPutGet(t *testing.T) {
	c, now := testCache(t)
	if _, ok, warn := c.Get("k"); ok || warn != "" {
		t.Fatalf("empty cache: ok=%v warn=%q", ok, warn)
	}
	value := []byte("value\x00with\nbytes")
	if err := c.Put("k", value, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, ok, warn := c.Get("k")
	if !ok || warn != "" || !bytes.Equal(got, value) {
		t.Fatalf("Get = %q, %v, %q", got, ok, warn)
	}
	if _, ok, _ := c.Get("other"); ok {
		t.Error("hit for another key")
	}

	fi, err := os.Stat(c.Dir())
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, err %v", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(c.Dir())
	if len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".cache") || len(entries[0].Name()) != 64+6 {
		t.Fatalf("directory holds %v", entries)
	}
	fi, _ = entries[0].Info()
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v", fi.Mode())
	}

	*now = t0.Add(time.Minute - time.Millisecond)
	if _, ok, _ := c.Get("k"); !ok {
		t.Error("miss just before expiry")
	}
	*now = t0.Add(time.Minute)
	if _, ok, warn := c.Get("k"); ok || warn != "" {
		t.Errorf("at expiry: ok=%v warn=%q", ok, warn)
	}
	if entries, _ := os.ReadDir(c.Dir()); len(entries) != 0 {
		t.Errorf("expired entry not removed: %v", entries)
	}
}

func TestPutReplacesAndDeletes(t *testing.T) {
	c, _ := testCache(t)
	if err := c.Put("k", []byte("one"), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := c.Put("k", []byte("two"), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := c.Get("k"); string(got) != "two" {
		t.Errorf("got %q", got)
	}
	// An expiry in the past stores nothing and drops the old value.
	if err := c.Put("k", []byte("three"), t0); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Get("k"); ok {
		t.Error("entry survived a past-expiry Put")
	}
	if err := c.Put("k", []byte("four"), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("k"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Get("k"); ok {
		t.Error("entry survived Delete")
	}
	if err := c.Delete("never-stored"); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}
	if err := c.Put("big", make([]byte, MaxEntrySize+1), t0.Add(time.Hour)); err == nil {
		t.Error("oversized entry stored")
	}
	entries, _ := os.ReadDir(c.Dir())
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestBadFilesAreMisses(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, c *Cache, path string)
		warn  string
	}{
		{"truncated", func(t *testing.T, c *Cache, p string) {
			raw, _ := os.ReadFile(p)
			os.WriteFile(p, raw[:len(raw)-3], 0o600)
		}, "corrupt or truncated"},
		{"flipped byte", func(t *testing.T, c *Cache, p string) {
			raw, _ := os.ReadFile(p)
			raw[len(raw)-1] ^= 1
			os.WriteFile(p, raw, 0o600)
		}, "corrupt or truncated"},
		{"garbage", func(t *testing.T, c *Cache, p string) {
			os.WriteFile(p, []byte("{\"not\": \"ours\"}"), 0o600)
		}, "corrupt or truncated"},
		{"empty", func(t *testing.T, c *Cache, p string) {
			os.WriteFile(p, nil, 0o600)
		}, "corrupt or truncated"},
		{"group writable", func(t *testing.T, c *Cache, p string) {
			os.Chmod(p, 0o620)
		}, "writable by other users"},
		{"world writable", func(t *testing.T, c *Cache, p string) {
			os.Chmod(p, 0o602)
		}, "writable by other users"},
		{"another key's entry", func(t *testing.T, c *Cache, p string) {
			os.WriteFile(p, encode(entry{key: "other", expires: t0.Add(time.Hour), data: []byte("x")}), 0o600)
		}, "belongs to another key"},
		{"symlink", func(t *testing.T, c *Cache, p string) {
			target := filepath.Join(t.TempDir(), "target")
			raw, _ := os.ReadFile(p)
			os.WriteFile(target, raw, 0o600)
			os.Remove(p)
			if err := os.Symlink(target, p); err != nil {
				t.Skip(err)
			}
		}, "it is a symbolic link"},
		{"directory", func(t *testing.T, c *Cache, p string) {
			os.Remove(p)
			os.Mkdir(p, 0o700)
		}, "not a regular file"},
		{"fifo", func(t *testing.T, c *Cache, p string) {
			os.Remove(p)
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Skip(err)
			}
		}, "not a regular file"},
		{"huge", func(t *testing.T, c *Cache, p string) {
			os.Truncate(p, maxFileSize+1)
		}, "larger than"},
		{"other owner", func(t *testing.T, c *Cache, p string) {
			if os.Geteuid() != 0 {
				t.Skip("needs root to give a file away")
			}
			if err := os.Chown(p, 4242, 4242); err != nil {
				t.Skip(err)
			}
		}, "owned by another user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := testCache(t)
			if err := c.Put("k", []byte("value"), t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			tt.spoil(t, c, c.path("k"))
			data, ok, warn := c.Get("k")
			if ok || data != nil {
				t.Fatalf("got a hit: %q", data)
			}
			if !strings.Contains(warn, tt.warn) || !strings.Contains(warn, c.path("k")) {
				t.Errorf("warning %q, want %q and the path", warn, tt.warn)
			}
		})
	}
}

func TestUnsafeDirectoryRefused(t *testing.T) {
	c, _ := testCache(t)
	if err := os.MkdirAll(c.Dir(), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(c.Dir(), 0o777); err != nil {
		t.Fatal(err)
	}
	err := c.Put("k", []byte("v"), t0.Add(time.Hour))
	if err == nil || !strings.Contains(err.Error(), "writable by other users; run chmod 700") {
		t.Fatalf("error %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if err := Open(file, c.now).Put("k", []byte("v"), t0.Add(time.Hour)); err == nil {
		t.Error("a file accepted as cache directory")
	}
	if err := Open("", c.now).Put("k", []byte("v"), t0.Add(time.Hour)); err == nil {
		t.Error("empty directory name accepted")
	}
}

func TestFormatRoundTrip(t *testing.T) {
	for _, e := range []entry{
		{key: "", expires: time.UnixMilli(0), data: nil},
		{key: "k\nwith newline", expires: t0, data: []byte("\n\n")},
		{key: "neg", expires: time.UnixMilli(-5), data: []byte{0, 1, 2}},
	} {
		got, err := decode(encode(e))
		if err != nil {
			t.Fatalf("decode(encode(%q)): %v", e.key, err)
		}
		if got.key != e.key || !got.expires.Equal(e.expires) || !bytes.Equal(got.data, e.data) {
			t.Errorf("round trip of %+v gave %+v", e, got)
		}
	}
	for _, bad := range []string{
		"jwtkit-cache 1\n01\n0 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
		"jwtkit-cache 1\n1\n-0 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
		"jwtkit-cache 1\n1\n0 -1 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
		"jwtkit-cache 1\n+1\n0 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
		"jwtkit-cache 2\n1\n0 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
		"jwtkit-cache 1\n1\n0 0  e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
		"jwtkit-cache 1\n1\n0 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	} {
		if _, err := decode([]byte(bad)); err == nil {
			t.Errorf("decode(%q) accepted", bad)
		}
	}
	good := "jwtkit-cache 1\n1\n0 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
	if _, err := decode([]byte(good)); err != nil {
		t.Errorf("decode(%q): %v", good, err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encode(entry{key: "https://idp.example", expires: t0, data: []byte(`{"issuer":"x"}`)}))
	f.Add(encode(entry{key: "", expires: time.UnixMilli(-1), data: nil}))
	f.Add([]byte("jwtkit-cache 1\n1\n99999999999999999999 0 00\n"))
	f.Add([]byte("jwtkit-cache 1\n\n\n\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := decode(raw)
		if err != nil {
			return
		}
		// Only canonical files decode: encoding the result gives the input back.
		if again := encode(e); !bytes.Equal(again, raw) {
			t.Fatalf("decode accepted a non-canonical file:\n%q\nre-encodes as\n%q", raw, again)
		}
	})
}

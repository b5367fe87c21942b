package hardening

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

// filesKnownBroken lists file-safety checks jwtkit fails today, keyed by subtest name, with
// what is wrong. A listed check that starts to pass fails the test, so the list cannot rot.
var filesKnownBroken = map[string]string{}

// jwksServer serves a switchable JWK Set with Cache-Control max-age and counts requests.
type jwksServer struct {
	*httptest.Server
	set  atomic.Pointer[[]byte]
	hits atomic.Int64
}

func newJWKSServer(t *testing.T, set []byte) *jwksServer {
	s := &jwksServer{}
	s.set.Store(&set)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=300")
		w.Write(*s.set.Load())
	}))
	t.Cleanup(s.Close)
	return s
}

// kidKeys returns a public JWK Set holding key under kid "k1".
func kidSet(t *testing.T, k keys.Key) []byte {
	k.JWK.KeyID = "k1"
	set, err := keys.MarshalJWKS([]keys.Key{k.Public()}, false)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func newECKey(t *testing.T) keys.Key {
	k, err := keys.Generate(rand.Reader, "EC", 0, "P-256", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// esToken signs the standard claims with k, kid k1.
func esToken(t *testing.T, k keys.Key) string {
	tok, err := token.Sign("ES256", k.JWK.Key.(*ecdsa.PrivateKey), []byte(`{"alg":"ES256","kid":"k1"}`),
		[]byte(`{"sub":"alice","iat":1795597200,"exp":1795604400}`), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// cacheEntries lists the entry files of a cache directory.
func cacheEntries(t *testing.T, dir string) []string {
	t.Helper()
	list, err := filepath.Glob(filepath.Join(dir, "*.cache"))
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestCacheTampering caches an attacker's JWK Set (as if another user had planted it, or the
// cache had been written while the attacker controlled the URL), then makes the entry unsafe in
// each way the cache must distrust, and serves the genuine set: jwtkit must ignore the entry
// (with a warning when it is suspicious), fetch the genuine set and refuse the attacker's token.
// A corrupt entry is discarded without failing the command. It also checks the modes of what
// jwtkit writes: the cache directory 0700, entries 0600.
func TestCacheTampering(t *testing.T) {
	attacker, victim := newECKey(t), newECKey(t)
	forged := esToken(t, attacker)
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, entry string)
		warn   string // in the warning, when the entry is suspicious
	}{
		{"writable by others", func(t *testing.T, entry string) { chmod(t, entry, 0o666) }, "writable by other users"},
		{"writable by the group", func(t *testing.T, entry string) { chmod(t, entry, 0o620) }, "writable by other users"},
		{"owned by another user", func(t *testing.T, entry string) {
			if os.Geteuid() != 0 {
				t.Skip("changing a file's owner needs root")
			}
			if err := os.Chown(entry, 4242, 4242); err != nil {
				t.Fatal(err)
			}
		}, "owned by another user"},
		{"replaced by a symlink", func(t *testing.T, entry string) {
			planted := entry + ".planted"
			if err := os.Rename(entry, planted); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(planted, entry); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		{"corrupt", func(t *testing.T, entry string) { writeOver(t, entry, []byte("\x00garbage{{{")) }, ""},
		{"truncated", func(t *testing.T, entry string) {
			data, err := os.ReadFile(entry)
			if err != nil {
				t.Fatal(err)
			}
			writeOver(t, entry, data[:len(data)/2])
		}, ""},
		{"empty", func(t *testing.T, entry string) { writeOver(t, entry, nil) }, ""},
		{"a directory", func(t *testing.T, entry string) {
			if err := os.Remove(entry); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(entry, 0o700); err != nil {
				t.Fatal(err)
			}
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newJWKSServer(t, kidSet(t, attacker))
			w := newWorld(t)
			url := srv.URL + "/jwks.json"

			r := w.run(nil, "verify", "--jwks", url, forged)
			if r.code != 0 || srv.hits.Load() != 1 {
				t.Fatalf("setting up: exit %d, %d requests: %s", r.code, srv.hits.Load(), r.stderr)
			}
			checkMode(t, w.cacheDir, 0o700)
			entries := cacheEntries(t, w.cacheDir)
			if len(entries) != 1 {
				t.Fatalf("%d cache entries after one fetch", len(entries))
			}
			checkMode(t, entries[0], 0o600)
			if r := w.run(nil, "verify", "--jwks", url, forged); r.code != 0 || srv.hits.Load() != 1 {
				t.Fatalf("the second run did not use the cache: exit %d, %d requests", r.code, srv.hits.Load())
			}

			genuine := kidSet(t, victim)
			srv.set.Store(&genuine)
			tc.tamper(t, entries[0])
			r = w.run(nil, "verify", "--jwks", url, forged)
			name := "cache " + tc.name
			problem := ""
			switch {
			case r.code != 1 || !strings.Contains(r.stderr, "bad signature"):
				problem = "the forged token's verdict is exit " + strconv.Itoa(r.code) + " (" + strings.TrimSpace(r.stderr) + "), want exit 1 with the genuine set"
			case srv.hits.Load() != 2:
				problem = "the genuine set was not fetched"
			case tc.warn != "" && !strings.Contains(r.stderr, tc.warn):
				problem = "no warning saying the entry is " + tc.warn + ": " + r.stderr
			}
			t.Logf("exit %d, %d requests: %s", r.code, srv.hits.Load(), strings.TrimSpace(r.stderr))
			report(t, name, problem)
		})
	}
}

// TestUnsafeCacheDirectory checks that jwtkit does not write into a cache directory other users
// can write to, and still verifies.
func TestUnsafeCacheDirectory(t *testing.T) {
	k := newECKey(t)
	srv := newJWKSServer(t, kidSet(t, k))
	w := newWorld(t)
	if err := os.MkdirAll(w.cacheDir, 0o700); err != nil {
		t.Fatal(err)
	}
	chmod(t, w.cacheDir, 0o777)
	r := w.run(nil, "verify", "--jwks", srv.URL+"/jwks.json", esToken(t, k))
	t.Logf("exit %d: %s", r.code, strings.TrimSpace(r.stderr))
	problem := ""
	switch {
	case r.code != 0:
		problem = "verify failed because of the cache directory: " + r.stderr
	case len(cacheEntries(t, w.cacheDir)) != 0:
		problem = "an entry was written into a directory others can write to"
	case !strings.Contains(r.stderr, "not caching"):
		problem = "no warning that the directory is not used: " + r.stderr
	}
	report(t, "unsafe cache directory", problem)
}

// TestTokenCacheModes checks that fetch's token cache is private too, and holds no secret.
func TestTokenCacheModes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"opaque-token-value","token_type":"Bearer","expires_in":3600}`))
	}))
	defer srv.Close()
	w := newWorld(t)
	r := w.run(nil, "fetch", "--token-url", srv.URL+"/token", "--client-id", "c", "--client-secret", testSecret)
	if r.code != 0 {
		t.Fatalf("fetch: exit %d: %s", r.code, r.stderr)
	}
	checkMode(t, w.cacheDir, 0o700)
	entries := cacheEntries(t, w.cacheDir)
	if len(entries) != 1 {
		t.Fatalf("%d token cache entries", len(entries))
	}
	checkMode(t, entries[0], 0o600)
	data, err := os.ReadFile(entries[0])
	if err != nil {
		t.Fatal(err)
	}
	if leaked := leaks(string(data), testSecret); leaked != "" {
		t.Errorf("the token cache holds the client secret (%s)", leaked)
	}
}

// TestKeygenSymlinks checks that keygen -o never writes through a symbolic link, with or without
// --force, and never leaves part of a key behind when it refuses.
func TestKeygenSymlinks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(dir, victim string) error
		args  []string
	}{
		{"NAME.key links to a file", func(dir, victim string) error { return os.Symlink(victim, filepath.Join(dir, "k.key")) }, nil},
		{"NAME.key links to a file, --force", func(dir, victim string) error { return os.Symlink(victim, filepath.Join(dir, "k.key")) }, []string{"--force"}},
		{"NAME.key is a dangling link", func(dir, victim string) error {
			return os.Symlink(filepath.Join(dir, "created-through-link"), filepath.Join(dir, "k.key"))
		}, nil},
		{"NAME.key is a dangling link, --force", func(dir, victim string) error {
			return os.Symlink(filepath.Join(dir, "created-through-link"), filepath.Join(dir, "k.key"))
		}, []string{"--force"}},
		{"NAME.pub links to a file", func(dir, victim string) error { return os.Symlink(victim, filepath.Join(dir, "k.pub")) }, nil},
		{"NAME.pub links to a file, --force", func(dir, victim string) error { return os.Symlink(victim, filepath.Join(dir, "k.pub")) }, []string{"--force"}},
		{"NAME.jwk links to a file, --force", func(dir, victim string) error { return os.Symlink(victim, filepath.Join(dir, "k.jwk")) }, []string{"--force", "--jwk"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			dir := filepath.Join(w.dir, "out")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			victim := w.write("victim.txt", []byte("precious\n"), 0o644)
			if err := tc.setup(dir, victim); err != nil {
				t.Fatal(err)
			}
			before := listDir(t, dir)
			r := w.run(nil, append([]string{"keygen", "--type", "ec", "-o", filepath.Join(dir, "k")}, tc.args...)...)
			t.Logf("exit %d: %s", r.code, strings.TrimSpace(r.stderr))
			if r.code != 2 || !oneLine(r.stderr) {
				t.Errorf("exit %d, stderr %q; want a refusal (exit 2)", r.code, r.stderr)
			}
			if data, _ := os.ReadFile(victim); string(data) != "precious\n" {
				t.Errorf("the file behind the link was changed: %q", data)
			}
			if _, err := os.Lstat(filepath.Join(dir, "created-through-link")); err == nil {
				t.Error("a file was created through a dangling link")
			}
			if after := listDir(t, dir); after != before {
				t.Errorf("the directory changed although keygen refused: %s, then %s", before, after)
			}
		})
	}
}

// TestWrittenKeyModes checks the modes of every file keygen writes: private material 0600.
func TestWrittenKeyModes(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		args    []string
		private []string
	}{
		{[]string{"keygen", "--type", "rsa", "--jwk", "-o", filepath.Join(w.dir, "r")}, []string{"r.key", "r.jwk"}},
		{[]string{"keygen", "--type", "ed25519", "--jwk", "-o", filepath.Join(w.dir, "e")}, []string{"e.key", "e.jwk"}},
		{[]string{"keygen", "--type", "oct", "-o", filepath.Join(w.dir, "s")}, []string{"s.key"}},
	} {
		if r := w.run(nil, tc.args...); r.code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, r.code, r.stderr)
		}
		for _, name := range tc.private {
			checkMode(t, filepath.Join(w.dir, name), 0o600)
		}
	}
	for _, name := range []string{"r.pub", "r.jwks.json", "e.pub", "e.jwks.json"} {
		fi, err := os.Stat(filepath.Join(w.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o022 != 0 {
			t.Errorf("%s is %v: public files need not be secret, but must not be writable by others", name, fi.Mode().Perm())
		}
	}
}

// TestReadablePrivateKeyWarns checks that a command given a private key file others can read
// says so (SECURITY-NOTES: warn when reading a private key others can read).
func TestReadablePrivateKeyWarns(t *testing.T) {
	w := newWorld(t)
	k := newECKey(t)
	pemKey, err := keys.EncodePEM(k)
	if err != nil {
		t.Fatal(err)
	}
	open := w.write("open.key", pemKey, 0o644)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.Write([]byte(`{"access_token":"t","token_type":"Bearer","expires_in":60}`))
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"mint --key", []string{"mint", "--key", open, "--sub", "a"}},
		{"fetch --assertion-key", []string{"fetch", "--no-cache", "--token-url", srv.URL + "/token", "--client-id", "c", "--auth-method", "private_key_jwt", "--assertion-key", open}},
		{"jwks --private", []string{"jwks", "--private", open}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.run(nil, tc.args...)
			t.Logf("exit %d: %s", r.code, strings.TrimSpace(r.stderr))
			problem := ""
			if r.code != 0 {
				problem = "the command failed: " + r.stderr
			} else if !strings.Contains(r.stderr, "readable by others") {
				problem = "no warning that open.key (mode 0644) is readable by others"
			}
			report(t, "readable key: "+tc.name, problem)
		})
	}
}

// report fails t with problem unless the check is listed in filesKnownBroken, and fails a
// listed check that passes.
func report(t *testing.T, name, problem string) {
	t.Helper()
	reason, listed := filesKnownBroken[name]
	switch {
	case listed && problem == "":
		t.Errorf("%q meets its expectation now; remove it from filesKnownBroken", name)
	case listed:
		t.Logf("known broken (%s): %s", reason, problem)
	case problem != "":
		t.Errorf("%s", problem)
	}
}

// TestFilesKnownBrokenIsCurrent fails when filesKnownBroken names a check that does not exist.
func TestFilesKnownBrokenIsCurrent(t *testing.T) {
	known := map[string]bool{"unsafe cache directory": true}
	for _, n := range []string{"writable by others", "writable by the group", "owned by another user", "replaced by a symlink", "corrupt", "truncated", "empty", "a directory"} {
		known["cache "+n] = true
	}
	for _, n := range []string{"mint --key", "fetch --assertion-key", "jwks --private"} {
		known["readable key: "+n] = true
	}
	for name := range filesKnownBroken {
		if !known[name] {
			t.Errorf("filesKnownBroken lists %q, which is not a check", name)
		}
	}
}

func chmod(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

// writeOver replaces a file's content in place, keeping its mode and owner.
func writeOver(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func checkMode(t *testing.T, p string, want os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %04o, want %04o", filepath.Base(p), got, want)
	}
}

// listDir describes a directory's entries and their link targets.
func listDir(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, e := range entries {
		b.WriteString(e.Name())
		if target, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil {
			b.WriteString("->" + target)
		}
		b.WriteString(" ")
	}
	return b.String()
}

// Package diskcache keeps small values (discovery documents, JWK Sets, access tokens) in files
// under one directory, each with an expiry.
//
// The cache never makes a command fail because of its files: an entry that is missing, expired,
// corrupt, truncated, oversized, a symlink, or writable by someone else (or owned by another
// user) is a miss, reported with a warning string when it is suspicious. Entries are written
// 0600 into a 0700 directory, through an O_EXCL temporary file renamed into place, so a reader
// never sees half an entry. The clock is injected.
package diskcache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

const (
	// MaxEntrySize bounds the value stored in one entry.
	MaxEntrySize = 4 << 20
	// maxFileSize bounds the file read for one entry: the value base64-encoded plus framing.
	maxFileSize = MaxEntrySize/3*4 + 4096
	fileSuffix  = ".cache"
)

// Cache is a directory of entries. Its methods may be called concurrently, also from several
// processes: the last writer of a key wins.
type Cache struct {
	dir string
	now func() time.Time
}

// Open returns a cache kept in dir, which is created (0700) on the first Put. now is the clock
// used to judge expiry; it must not be nil.
func Open(dir string, now func() time.Time) *Cache {
	return &Cache{dir: dir, now: now}
}

// Dir returns the cache directory.
func (c *Cache) Dir() string { return c.dir }

// Now returns the cache's clock reading, so callers compute expiries on the same clock.
func (c *Cache) Now() time.Time { return c.now() }

// path returns the file holding key: the hex SHA-256 of the key, so any key is a safe name.
func (c *Cache) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.dir, hex.EncodeToString(sum[:])+fileSuffix)
}

// Get returns the value stored under key if it has not expired. ok is false for a miss. warning
// is non-empty when an entry was present but ignored (corrupt, unsafe permissions, …); it is one
// line meant for stderr, and never a reason to fail.
func (c *Cache) Get(key string) (data []byte, ok bool, warning string) {
	p := c.path(key)
	raw, err := readPrivate(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, ""
	case err != nil:
		return nil, false, fmt.Sprintf("ignoring cache file %s: %v", p, err)
	}
	e, err := decode(raw)
	if err != nil {
		return nil, false, fmt.Sprintf("ignoring cache file %s: %v", p, err)
	}
	if e.key != key {
		return nil, false, fmt.Sprintf("ignoring cache file %s: it belongs to another key", p)
	}
	if !c.now().Before(e.expires) {
		_ = os.Remove(p)
		return nil, false, ""
	}
	return e.data, true, ""
}

// Put stores data under key until expires. An expiry not after now stores nothing and removes
// any previous entry. The directory is created 0700 if needed; an existing directory that other
// users may write to, or that belongs to another user, is refused.
func (c *Cache) Put(key string, data []byte, expires time.Time) error {
	if len(data) > MaxEntrySize {
		return fmt.Errorf("caching %d bytes: entries are limited to %d bytes", len(data), MaxEntrySize)
	}
	if !expires.After(c.now()) {
		return c.Delete(key)
	}
	if err := c.ensureDir(); err != nil {
		return err
	}
	f, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("writing cache entry in %s: %w", c.dir, err)
	}
	tmp := f.Name()
	_, werr := f.Write(encode(entry{key: key, expires: expires, data: data}))
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing cache entry %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, c.path(key)); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing cache entry in %s: %w", c.dir, err)
	}
	return nil
}

// Delete removes the entry for key; a missing entry is not an error.
func (c *Cache) Delete(key string) error {
	err := os.Remove(c.path(key))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing cache entry: %w", err)
	}
	return nil
}

// ensureDir creates the cache directory 0700, or checks that an existing one is a directory only
// its owner (this user) can write to.
func (c *Cache) ensureDir() error {
	if c.dir == "" {
		return errors.New("no cache directory given")
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return fmt.Errorf("creating cache directory %s: %w", c.dir, err)
	}
	fi, err := os.Stat(c.dir)
	if err != nil {
		return fmt.Errorf("checking cache directory %s: %w", c.dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("cache directory %s is not a directory", c.dir)
	}
	if problem := unsafeOwnership(fi); problem != "" {
		return fmt.Errorf("not using cache directory %s: %s; run chmod 700 on it or remove it", c.dir, problem)
	}
	return nil
}

// readPrivate reads a cache file without following a symlink, and only if it is a regular file
// of this user that nobody else can write to.
func readPrivate(p string) ([]byte, error) {
	f, err := openNoFollow(p)
	if err != nil {
		if fi, lerr := os.Lstat(p); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, errors.New("it is a symbolic link")
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if problem := unsafeOwnership(fi); problem != "" {
		return nil, errors.New(problem)
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", maxFileSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", maxFileSize)
	}
	return data, nil
}

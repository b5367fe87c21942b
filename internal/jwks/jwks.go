// Package jwks fetches remote JWK Sets for verification: over the hardened client of package
// safehttp (deadline, size cap, same-host redirects, TLS), through an optional on-disk cache
// (package diskcache) that honours Cache-Control max-age, and with a rate-limited refresh that
// follows key rotation when a token names a kid the set does not have.
//
// Everything fetched is untrusted: sets are read with keys.ParseJWKS, which skips keys of unknown
// type, refuses secret and private members and caps sizes. The clock is injected; the package
// reads no environment and knows nothing of flags.
package jwks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jwtkit/jwtkit/internal/diskcache"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

const (
	// DefaultTTL is how long a set is cached when the response has no max-age.
	DefaultTTL = 5 * time.Minute
	// DefaultMinRefresh is the shortest interval between two fetches of one set made to follow
	// a rotation.
	DefaultMinRefresh = 30 * time.Second
	// Code is the failure code of a set that cannot be used (not JSON, no usable key).
	Code = "jwks"
)

// Set is a JWK Set read from a URL.
type Set struct {
	// URL is where the set was fetched from.
	URL string
	// Keys are the usable keys, in the set's order.
	Keys []keys.Key
	// Notes say which keys were skipped and why (unknown kty, weak key…).
	Notes []string
	// FetchedAt is when the set was fetched from the network, possibly by an earlier run.
	FetchedAt time.Time
	// FromCache is true when the set came from the disk cache.
	FromCache bool
}

// Fetcher fetches and caches JWK Sets. The zero value is not usable: Client and Now are
// required. A Fetcher is safe for concurrent use when its Cache is.
type Fetcher struct {
	// Client sends the requests.
	Client *safehttp.Client
	// Cache, when non-nil, keeps sets between runs.
	Cache *diskcache.Cache
	// Now is the clock for FetchedAt and the refresh interval.
	Now func() time.Time
	// DefaultTTL replaces DefaultTTL when positive.
	DefaultTTL time.Duration
	// MinRefresh replaces DefaultMinRefresh when positive.
	MinRefresh time.Duration
	// Warn, when non-nil, receives one-line warnings (cache trouble).
	Warn func(string)
}

// Get returns the set at url: from the cache when a fresh entry is there, else from the
// network (and then stores it). Errors are failure.Remote (network, not JSON, no usable key) or
// failure.Usage (a URL the client's policy refuses).
func (f *Fetcher) Get(ctx context.Context, url string) (*Set, error) {
	if s := f.cached(url); s != nil {
		return s, nil
	}
	return f.fetch(ctx, url)
}

// Refresh fetches the set at url again to follow a key rotation, unless prev was fetched less
// than MinRefresh ago (by this run or an earlier one); refreshed says whether it fetched.
func (f *Fetcher) Refresh(ctx context.Context, url string, prev *Set) (s *Set, refreshed bool, err error) {
	if prev != nil && f.Now().Sub(prev.FetchedAt) < f.minRefresh() {
		return prev, false, nil
	}
	s, err = f.fetch(ctx, url)
	if err != nil {
		return nil, false, err
	}
	return s, true, nil
}

func (f *Fetcher) minRefresh() time.Duration {
	if f.MinRefresh > 0 {
		return f.MinRefresh
	}
	return DefaultMinRefresh
}

func cacheKey(url string, insecure bool) string {
	return "jwks\x00" + url + "\x00insecure=" + strconv.FormatBool(insecure)
}

// entry is what the cache holds for a set: the body as received and when it was fetched.
type entry struct {
	FetchedAt int64           `json:"fetched_at"`
	Body      json.RawMessage `json:"body"`
}

// cached returns the cached set for url, or nil.
func (f *Fetcher) cached(url string) *Set {
	if f.Cache == nil {
		return nil
	}
	key := cacheKey(url, f.Client.AllowsInsecure())
	data, ok, warning := f.Cache.Get(key)
	f.warn(warning)
	if !ok {
		return nil
	}
	e, err := decodeEntry(data)
	if err == nil {
		var s *Set
		if s, err = parseSet(e.Body, url); err == nil {
			s.FetchedAt = time.Unix(e.FetchedAt, 0)
			s.FromCache = true
			return s
		}
	}
	f.warn("ignoring the cached JWK Set of " + safehttp.Sanitize(url, 300) + ": " + err.Error())
	_ = f.Cache.Delete(key)
	return nil
}

// decodeEntry reads a cache entry, refusing anything but exactly the fields written.
func decodeEntry(data []byte) (entry, error) {
	var e entry
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return entry{}, fmt.Errorf("corrupt entry: %v", err)
	}
	if dec.More() {
		return entry{}, errors.New("corrupt entry: trailing data")
	}
	if e.FetchedAt <= 0 || len(e.Body) == 0 {
		return entry{}, errors.New("corrupt entry: missing fields")
	}
	return e, nil
}

// fetch gets the set from the network and caches it as the response allows.
func (f *Fetcher) fetch(ctx context.Context, url string) (*Set, error) {
	resp, err := f.Client.Get(ctx, url)
	if err != nil {
		return nil, err
	}
	s, err := parseSet(resp.Body, resp.URL)
	if err != nil {
		return nil, err
	}
	s.URL = url
	s.FetchedAt = f.Now()
	if f.Cache != nil {
		ttl := f.DefaultTTL
		if ttl <= 0 {
			ttl = DefaultTTL
		}
		if expires, ok := diskcache.Expiry(resp.Header, f.Cache.Now(), ttl); ok {
			data, err := json.Marshal(entry{FetchedAt: s.FetchedAt.Unix(), Body: resp.Body})
			if err == nil {
				err = f.Cache.Put(cacheKey(url, f.Client.AllowsInsecure()), data, expires)
			}
			if err != nil {
				f.warn("not caching the JWK Set of " + safehttp.Sanitize(url, 300) + ": " + err.Error())
			}
		}
	}
	return s, nil
}

// parseSet reads a fetched body as a JWK Set, with a clear error for a body that is not JSON
// (an HTML login page, an error text) and for a set without usable keys.
func parseSet(body []byte, url string) (*Set, error) {
	shown := safehttp.Sanitize(url, 300)
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, failure.Remotef(Code, "the JWK Set from %s is empty; is this the JWKS URL?", shown)
	}
	if trimmed[0] != '{' || !json.Valid(trimmed) {
		return nil, failure.Remotef(Code, "the response from %s is not a JSON JWK Set (it starts with %q); is this the JWKS URL?",
			shown, safehttp.Sanitize(string(trimmed[:min(len(trimmed), 200)]), 40))
	}
	ks, notes, err := keys.ParseJWKS(body, shown)
	if err != nil {
		return nil, err
	}
	if len(ks) == 0 {
		return nil, failure.Remotef(Code, "the JWK Set from %s has no usable key", shown)
	}
	return &Set{URL: url, Keys: ks, Notes: notes}, nil
}

func (f *Fetcher) warn(s string) {
	if s != "" && f.Warn != nil {
		f.Warn(s)
	}
}

package jwks

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/diskcache"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// server is an httptest JWKS endpoint whose body and headers the test changes, counting
// requests.
type server struct {
	*httptest.Server
	mu       sync.Mutex
	body     []byte
	header   http.Header
	status   int
	requests atomic.Int32
}

func newServer(t *testing.T, body []byte) *server {
	s := &server{body: body, header: http.Header{}, status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		for k, v := range s.header {
			w.Header()[k] = v
		}
		w.WriteHeader(s.status)
		_, _ = w.Write(s.body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) set(body []byte, cacheControl string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body = body
	s.header.Set("Cache-Control", cacheControl)
}

func genKey(t *testing.T) keys.Key {
	t.Helper()
	k, err := keys.Generate(nil, "EC", 0, "P-256", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func setOf(t *testing.T, ks ...keys.Key) []byte {
	t.Helper()
	b, err := keys.MarshalJWKS(ks, false)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newFetcher(t *testing.T, withCache bool, opts safehttp.Options) (*Fetcher, *clock, string) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)}
	dir := filepath.Join(t.TempDir(), "cache")
	f := &Fetcher{Client: safehttp.New(opts), Now: clk.Now, Warn: func(s string) { t.Log("warning:", s) }}
	if withCache {
		f.Cache = diskcache.Open(dir, clk.Now)
	}
	return f, clk, dir
}

func TestGetAndCache(t *testing.T) {
	k := genKey(t)
	srv := newServer(t, setOf(t, k))
	f, clk, dir := newFetcher(t, true, safehttp.Options{})
	ctx := context.Background()

	s, err := f.Get(ctx, srv.URL+"/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Keys) != 1 || s.Keys[0].JWK.KeyID != k.JWK.KeyID || s.FromCache || s.Keys[0].IsPrivate() {
		t.Fatalf("set = %+v", s)
	}
	// A second Get is a cache hit: no request.
	s2, err := f.Get(ctx, srv.URL+"/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.requests.Load(); got != 1 || !s2.FromCache || s2.Keys[0].JWK.KeyID != k.JWK.KeyID {
		t.Fatalf("second Get: %d requests, from cache %v", got, s2.FromCache)
	}
	// Cache files are 0600 in a 0700 directory.
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, _ := d.Info()
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700 | fs.ModeDir
		}
		if info.Mode() != want {
			t.Errorf("%s has mode %v, want %v", p, info.Mode(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Without max-age the entry lives 5 minutes.
	clk.Add(DefaultTTL - time.Second)
	if _, err := f.Get(ctx, srv.URL+"/jwks.json"); err != nil || srv.requests.Load() != 1 {
		t.Fatalf("within the default TTL: %v, %d requests", err, srv.requests.Load())
	}
	clk.Add(time.Second)
	if _, err := f.Get(ctx, srv.URL+"/jwks.json"); err != nil || srv.requests.Load() != 2 {
		t.Fatalf("after the default TTL: %v, %d requests", err, srv.requests.Load())
	}
}

func TestCacheControl(t *testing.T) {
	k := genKey(t)
	tests := []struct {
		cacheControl string
		after        time.Duration
		wantRequests int32
	}{
		{"max-age=60", 59 * time.Second, 1},
		{"max-age=60", 60 * time.Second, 2},
		{"public, max-age=3600", 3599 * time.Second, 1},
		{"no-store", 0, 2},
		{"no-cache", 0, 2},
		{"max-age=999999", 25 * time.Hour, 2}, // capped at 24h
	}
	for _, tt := range tests {
		t.Run(tt.cacheControl+"/"+tt.after.String(), func(t *testing.T) {
			srv := newServer(t, nil)
			srv.set(setOf(t, k), tt.cacheControl)
			f, clk, _ := newFetcher(t, true, safehttp.Options{})
			for i := 0; i < 2; i++ {
				if _, err := f.Get(context.Background(), srv.URL); err != nil {
					t.Fatal(err)
				}
				clk.Add(tt.after)
			}
			if got := srv.requests.Load(); got != tt.wantRequests {
				t.Fatalf("%d requests, want %d", got, tt.wantRequests)
			}
		})
	}
}

func TestNoCacheAlwaysFetches(t *testing.T) {
	srv := newServer(t, setOf(t, genKey(t)))
	f, _, _ := newFetcher(t, false, safehttp.Options{})
	for i := 0; i < 3; i++ {
		if _, err := f.Get(context.Background(), srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.requests.Load(); got != 3 {
		t.Fatalf("%d requests, want 3", got)
	}
}

func TestRotation(t *testing.T) {
	old, rotated := genKey(t), genKey(t)
	srv := newServer(t, nil)
	srv.set(setOf(t, old), "max-age=3600")
	f, clk, _ := newFetcher(t, true, safehttp.Options{})
	ctx := context.Background()
	s, err := f.Get(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	// The issuer rotates; the cached set still has the old key.
	srv.set(setOf(t, old, rotated), "max-age=3600")
	clk.Add(10 * time.Second)
	s2, refreshed, err := f.Refresh(ctx, srv.URL, s)
	if err != nil || refreshed || s2 != s || srv.requests.Load() != 1 {
		t.Fatalf("refresh within 30s: refreshed %v, err %v, %d requests", refreshed, err, srv.requests.Load())
	}
	clk.Add(20 * time.Second)
	s3, refreshed, err := f.Refresh(ctx, srv.URL, s)
	if err != nil || !refreshed || len(s3.Keys) != 2 || srv.requests.Load() != 2 {
		t.Fatalf("refresh after 30s: refreshed %v, err %v, %d keys, %d requests", refreshed, err, len(s3.Keys), srv.requests.Load())
	}
	// The refreshed set replaced the cache entry, with its fetch time, so another run neither
	// sees the old set nor refreshes again within 30s.
	s4, err := f.Get(ctx, srv.URL)
	if err != nil || !s4.FromCache || len(s4.Keys) != 2 {
		t.Fatalf("Get after refresh: %v, from cache %v", err, s4 != nil && s4.FromCache)
	}
	if _, refreshed, _ := f.Refresh(ctx, srv.URL, s4); refreshed {
		t.Fatal("a set fetched by the previous refresh was fetched again at once")
	}
}

func TestFetchErrors(t *testing.T) {
	k := genKey(t)
	huge := strings.Repeat(" ", 70<<10) + "{}"
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(setOf(t, k))
	}))
	t.Cleanup(other.Close)
	// The other server answers on "localhost", a different host name than 127.0.0.1.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		kind    failure.Kind
		contain string
	}{
		{name: "HTTP 500", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}, kind: failure.KindRemote, contain: "HTTP 500"},
		{name: "HTTP 404", handler: func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
			kind: failure.KindRemote, contain: "HTTP 404"},
		{name: "timeout", handler: func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, kind: failure.KindRemote, contain: "timed out"},
		{name: "huge body", handler: func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(huge)) },
			kind: failure.KindRemote, contain: "exceeds the 64 KiB limit"},
		{name: "endless body", handler: func(w http.ResponseWriter, r *http.Request) {
			chunk := []byte(strings.Repeat("x", 4096))
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, kind: failure.KindRemote, contain: "exceeds the 64 KiB limit"},
		{name: "HTML", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html><body>Sign in</body></html>"))
		}, kind: failure.KindRemote, contain: `not a JSON JWK Set (it starts with "<html><body>Sign in</body></html>")`},
		{name: "truncated JSON", handler: func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"keys":[`)) },
			kind: failure.KindRemote, contain: "not a JSON JWK Set"},
		{name: "empty body", handler: func(w http.ResponseWriter, r *http.Request) {}, kind: failure.KindRemote, contain: "is empty"},
		{name: "empty set", handler: func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"keys":[]}`)) },
			kind: failure.KindRemote, contain: "the set is empty"},
		{name: "not a set", handler: func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"kty":"EC"}`)) },
			kind: failure.KindRemote, contain: `no "keys" member`},
		{name: "only unknown keys", handler: func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"keys":[{"kty":"AKP","alg":"ML-DSA-44","pub":"AAAA"}]}`))
		}, kind: failure.KindRemote, contain: "skipped"},
		{name: "private key published", handler: func(w http.ResponseWriter, r *http.Request) {
			b, _ := keys.MarshalJWKS([]keys.Key{k}, true)
			_, _ = w.Write(b)
		}, kind: failure.KindRemote, contain: "private key material"},
		{name: "redirect to another host", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, otherURL+"/jwks.json", http.StatusFound)
		}, kind: failure.KindRemote, contain: "redirect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			f, _, _ := newFetcher(t, true, safehttp.Options{Timeout: 300 * time.Millisecond, MaxBody: 64 << 10})
			_, err := f.Get(context.Background(), srv.URL+"/jwks.json")
			if err == nil {
				t.Fatal("Get succeeded")
			}
			if failure.KindOf(err) != tt.kind {
				t.Fatalf("kind = %v, want %v: %v", failure.KindOf(err), tt.kind, err)
			}
			if !strings.Contains(err.Error(), tt.contain) {
				t.Fatalf("error %q does not contain %q", err, tt.contain)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
		})
	}
}

func TestSameHostRedirectFollowed(t *testing.T) {
	k := genKey(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusMovedPermanently) })
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(setOf(t, k)) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f, _, _ := newFetcher(t, false, safehttp.Options{})
	s, err := f.Get(context.Background(), srv.URL+"/old")
	if err != nil || len(s.Keys) != 1 {
		t.Fatalf("same-host redirect: %v", err)
	}
}

func TestPlainHTTPOnlyForLoopback(t *testing.T) {
	f, _, _ := newFetcher(t, false, safehttp.Options{})
	_, err := f.Get(context.Background(), "http://idp.example/jwks.json")
	if err == nil || failure.KindOf(err) != failure.KindUsage {
		t.Fatalf("plain http to a remote host: %v (kind %v)", err, failure.KindOf(err))
	}
}

func TestCorruptCacheEntryIsAMiss(t *testing.T) {
	k := genKey(t)
	srv := newServer(t, setOf(t, k))
	f, clk, _ := newFetcher(t, true, safehttp.Options{})
	key := cacheKey(srv.URL, false)
	for _, bad := range []string{`not json`, `{"fetched_at":1}`, `{"fetched_at":1,"body":{"keys":[]}}`,
		`{"fetched_at":1,"body":{},"extra":1}`, `{"fetched_at":-1,"body":{"keys":[]}}`} {
		if err := f.Cache.Put(key, []byte(bad), clk.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		before := srv.requests.Load()
		s, err := f.Get(context.Background(), srv.URL)
		if err != nil || s.FromCache || srv.requests.Load() != before+1 {
			t.Fatalf("entry %q: err %v, from cache %v", bad, err, s != nil && s.FromCache)
		}
		// The good set fetched replaced the entry; remove it for the next case.
		_ = f.Cache.Delete(key)
	}
	if _, err := os.Stat(f.Cache.Dir()); err != nil {
		t.Fatal(err)
	}
}

func FuzzDecodeEntry(f *testing.F) {
	f.Add([]byte(`{"fetched_at":1795323600,"body":{"keys":[]}}`))
	f.Add([]byte(`{"fetched_at":1,"body":null}`))
	f.Add([]byte(`{"fetched_at":1e3,"body":{}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"fetched_at":1,"body":{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := decodeEntry(data)
		if err != nil {
			return
		}
		if e.FetchedAt <= 0 || len(e.Body) == 0 {
			t.Fatalf("accepted an entry without fields: %+v", e)
		}
		// Whatever decodes is then read as an untrusted set, which must not panic.
		s, err := parseSet(e.Body, "https://idp.example/jwks.json")
		if err == nil && len(s.Keys) == 0 {
			t.Fatal("a set without keys was accepted")
		}
	})
}

func FuzzParseSet(f *testing.F) {
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`<html>`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"AAAA"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseSet(data, "https://idp.example/jwks.json")
		if err != nil {
			if failure.KindOf(err) != failure.KindRemote {
				t.Fatalf("error of kind %v: %v", failure.KindOf(err), err)
			}
			return
		}
		for _, k := range s.Keys {
			if k.IsPrivate() || k.IsSymmetric() {
				t.Fatalf("a fetched set yielded a %s", k.Describe())
			}
		}
	})
}

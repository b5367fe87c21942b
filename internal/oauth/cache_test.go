package oauth

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/diskcache"
)

func TestCacheKey(t *testing.T) {
	base := Request{TokenURL: "https://idp.example/token", ClientID: "app", ClientSecret: []byte("s3cret"),
		Scopes: []string{"read:users", "write:users"}, Audience: "https://api", Resources: []string{"https://r1", "https://r2"},
		Params: url.Values{"x": {"1"}}}
	key := CacheKey(base)
	if strings.Contains(key, "s3cret") || !strings.HasPrefix(key, "oauth-token:") {
		t.Fatalf("key %q", key)
	}
	same := []func(r *Request){
		func(r *Request) { r.Scopes = []string{"write:users read:users"} },
		func(r *Request) { r.Scopes = []string{"write:users", "read:users", "read:users"} },
		func(r *Request) { r.Resources = []string{"https://r2", "https://r1"} },
		func(r *Request) { r.AuthMethod = AuthClientSecretBasic },
		func(r *Request) { r.Now = clock; r.Retry = noRetry },
	}
	for i, change := range same {
		r := base
		change(&r)
		if CacheKey(r) != key {
			t.Errorf("equivalent request %d has another key", i)
		}
	}
	different := map[string]func(r *Request){
		"token url":          func(r *Request) { r.TokenURL += "2" },
		"client id":          func(r *Request) { r.ClientID = "app2" },
		"secret":             func(r *Request) { r.ClientSecret = []byte("rotated") },
		"auth method":        func(r *Request) { r.AuthMethod = AuthClientSecretPost },
		"scopes":             func(r *Request) { r.Scopes = []string{"read:users"} },
		"audience":           func(r *Request) { r.Audience = "" },
		"resources":          func(r *Request) { r.Resources = nil },
		"params":             func(r *Request) { r.Params = url.Values{"x": {"2"}} },
		"field split":        func(r *Request) { r.ClientID, r.TokenURL = "", r.TokenURL+"app" },
		"client certificate": func(r *Request) { r.CertBinding = CertThumbprint([]byte("a certificate")) },
		"assertion audience": func(r *Request) {
			r.AuthMethod, r.ClientSecret, r.AssertionAudience = AuthPrivateKeyJWT, nil, "https://idp.example"
		},
	}
	jwtKey := func() string {
		r := base
		r.AuthMethod, r.ClientSecret = AuthPrivateKeyJWT, nil
		return CacheKey(r)
	}()
	for name, change := range different {
		r := base
		change(&r)
		if k := CacheKey(r); k == key || (name == "assertion audience" && k == jwtKey) {
			t.Errorf("changing the %s keeps the key", name)
		}
	}
}

func TestTokenCache(t *testing.T) {
	now := t0
	dir := filepath.Join(t.TempDir(), "cache")
	cache := diskcache.Open(dir, func() time.Time { return now })
	e := newEndpoint(t, good, good)
	r := Request{TokenURL: e.srv.URL, ClientID: "app", ClientSecret: []byte("hunter2"), Scopes: []string{"read:users"},
		Now: func() time.Time { return now }, Retry: noRetry}

	if _, ok, warn := Cached(cache, r); ok || warn != "" {
		t.Fatalf("empty cache: %v %q", ok, warn)
	}
	tok, err := ClientCredentials(context.Background(), newClient(), r)
	if err != nil {
		t.Fatal(err)
	}
	if err := Store(cache, r, tok); err != nil {
		t.Fatal(err)
	}

	// A hit makes no request and reports the time left.
	now = t0.Add(100 * time.Second)
	got, ok, warn := Cached(cache, r)
	if !ok || warn != "" {
		t.Fatalf("miss: %q", warn)
	}
	if got.AccessToken != tok.AccessToken || got.TokenType != "Bearer" || got.Scope != "read:users" ||
		got.ExpiresIn != 200 || !got.ExpiresAt.Equal(tok.ExpiresAt) || string(got.Raw) != string(tok.Raw) {
		t.Errorf("cached %+v\nstored %+v", got, tok)
	}
	if n := len(e.requests()); n != 1 {
		t.Errorf("%d requests", n)
	}

	// Reused until ReuseMargin before expiry.
	now = t0.Add(300*time.Second - ReuseMargin - time.Second)
	if _, ok, _ := Cached(cache, r); !ok {
		t.Error("miss 61s before expiry")
	}
	now = t0.Add(300*time.Second - ReuseMargin)
	if _, ok, _ := Cached(cache, r); ok {
		t.Error("hit 60s before expiry")
	}

	// A rotated secret misses.
	now = t0
	if err := Store(cache, r, tok); err != nil {
		t.Fatal(err)
	}
	rotated := r
	rotated.ClientSecret = []byte("new-secret")
	if _, ok, _ := Cached(cache, rotated); ok {
		t.Error("hit with a rotated secret")
	}

	// Nothing secret lands on disk beyond the access token itself.
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Fatal("nothing cached")
	}
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		for _, secret := range []string{"hunter2", "should-never-be-kept", "refresh_token"} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("%s holds %q", f, secret)
			}
		}
	}

	// A token of unknown lifetime is not cached.
	noExpiry := *tok
	noExpiry.ExpiresAt = time.Time{}
	other := r
	other.Scopes = []string{"write:users"}
	if err := Store(cache, other, &noExpiry); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := Cached(cache, other); ok {
		t.Error("token without expiry cached")
	}
	if err := Store(cache, other, nil); err != nil {
		t.Error(err)
	}
}

func TestTokenCacheUnreadableEntry(t *testing.T) {
	now := t0
	cache := diskcache.Open(filepath.Join(t.TempDir(), "cache"), func() time.Time { return now })
	r := Request{TokenURL: "https://idp.example/token", ClientID: "app", ClientSecret: []byte("s")}
	for _, bad := range []string{`not json`, `{"access_token":"x","token_type":"DPoP","expires_at":"2026-11-23T06:00:00Z"}`,
		`{"access_token":"a b","token_type":"Bearer","expires_at":"2026-11-23T06:00:00Z"}`,
		`{"access_token":"x","token_type":"Bearer"}`} {
		if err := cache.Put(CacheKey(r), []byte(bad), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, ok, warn := Cached(cache, r); ok || !strings.Contains(warn, "unreadable cached token") {
			t.Errorf("entry %s: ok=%v warn=%q", bad, ok, warn)
		}
		if _, ok, warn := Cached(cache, r); ok || warn != "" {
			t.Errorf("bad entry %s not removed: ok=%v warn=%q", bad, ok, warn)
		}
	}
}

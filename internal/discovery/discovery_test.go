package discovery

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/diskcache"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

func TestWellKnownURLs(t *testing.T) {
	tests := []struct {
		issuer  string
		want    []string
		wantErr string
	}{
		{"https://idp.example", []string{
			"https://idp.example/.well-known/openid-configuration",
			"https://idp.example/.well-known/oauth-authorization-server"}, ""},
		{"https://idp.example/", []string{
			"https://idp.example/.well-known/openid-configuration",
			"https://idp.example/.well-known/oauth-authorization-server"}, ""},
		{"https://idp.example:8443/tenant/one", []string{
			"https://idp.example:8443/tenant/one/.well-known/openid-configuration",
			"https://idp.example:8443/.well-known/oauth-authorization-server/tenant/one"}, ""},
		{"https://idp.example/tenant/", []string{
			"https://idp.example/tenant/.well-known/openid-configuration",
			"https://idp.example/.well-known/oauth-authorization-server/tenant"}, ""},
		{"https://idp.example/a%20b", []string{
			"https://idp.example/a%20b/.well-known/openid-configuration",
			"https://idp.example/.well-known/oauth-authorization-server/a%20b"}, ""},
		{"http://127.0.0.1:4444", []string{
			"http://127.0.0.1:4444/.well-known/openid-configuration",
			"http://127.0.0.1:4444/.well-known/oauth-authorization-server"}, ""},
		{"https://idp.example/?x=1", nil, "must not have a query or fragment"},
		{"https://idp.example/?", nil, "must not have a query or fragment"},
		{"https://idp.example/#top", nil, "must not have a query or fragment"},
		{"https://user:pw@idp.example", nil, "must not contain user information"},
		{"idp.example", nil, "not an absolute https URL"},
		{"ftp://idp.example", nil, "not an absolute https URL"},
		{"", nil, "not an absolute https URL"},
		{"https://idp.example/%zz", nil, "not an absolute https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.issuer, func(t *testing.T) {
			got, err := WellKnownURLs(tt.issuer)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				if failure.KindOf(err) != failure.KindUsage {
					t.Errorf("kind %v, want usage", failure.KindOf(err))
				}
				if strings.Contains(err.Error(), "pw") {
					t.Errorf("error shows the password: %v", err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
}

func TestIssuerMatches(t *testing.T) {
	tests := []struct {
		asked, named string
		want         bool
	}{
		{"https://idp.example", "https://idp.example", true},
		{"https://idp.example/", "https://idp.example", true},
		{"https://idp.example", "https://idp.example/", true},
		{"https://idp.example/t/", "https://idp.example/t", true},
		{"https://idp.example//", "https://idp.example", false},
		{"https://IDP.example", "https://idp.example", false},
		{"https://idp.example:443", "https://idp.example", false},
		{"https://idp.example/t", "https://idp.example/T", false},
		{"https://idp.example", "https://idp.example.evil", false},
		{"http://idp.example", "https://idp.example", false},
		{"", "", false},
		{"", "/", false},
	}
	for _, tt := range tests {
		if got := IssuerMatches(tt.asked, tt.named); got != tt.want {
			t.Errorf("IssuerMatches(%q, %q) = %v, want %v", tt.asked, tt.named, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	const iss = "https://idp.example"
	tests := []struct {
		name     string
		body     string
		insecure bool
		code     string
		want     string
	}{
		{"full", `{"issuer":"https://idp.example","jwks_uri":"https://idp.example/jwks","token_endpoint":"https://idp.example/token",
			"token_endpoint_auth_methods_supported":["client_secret_basic","private_key_jwt"],"scopes_supported":["openid"],
			"grant_types_supported":["client_credentials"],"extra":{"deep":[1,2,3]}}`, false, "", ""},
		{"minimal", `{"issuer":"https://idp.example/"}`, false, "", ""},
		{"loopback http endpoints", `{"issuer":"https://idp.example","jwks_uri":"http://127.0.0.1:9/jwks","token_endpoint":"http://localhost/token"}`, false, "", ""},
		{"insecure allowed", `{"issuer":"https://idp.example","jwks_uri":"http://idp.example/jwks"}`, true, "", ""},
		{"http jwks", `{"issuer":"https://idp.example","jwks_uri":"http://idp.example/jwks"}`, false, "invalid_discovery",
			`jwks_uri "http://idp.example/jwks" is unusable: plain http is allowed only to loopback addresses`},
		{"javascript token endpoint", `{"issuer":"https://idp.example","token_endpoint":"javascript:alert(1)"}`, false, "invalid_discovery",
			`token_endpoint "javascript:alert(1)" is unusable: not an absolute URL`},
		{"ftp jwks", `{"issuer":"https://idp.example","jwks_uri":"ftp://idp.example/jwks"}`, true, "invalid_discovery", "only https URLs"},
		{"relative jwks", `{"issuer":"https://idp.example","jwks_uri":"/jwks"}`, false, "invalid_discovery", "not an absolute URL"},
		{"fragment", `{"issuer":"https://idp.example","jwks_uri":"https://idp.example/jwks#x"}`, false, "invalid_discovery", "has a fragment"},
		{"other issuer", `{"issuer":"https://evil.example"}`, false, "issuer_mismatch",
			`the metadata document names issuer "https://evil.example", not "https://idp.example"; use the exact issuer the server publishes`},
		{"issuer with control chars", "{\"issuer\":\"https://idp.example\\u001b[2J\"}", false, "issuer_mismatch", `"https://idp.example [2J"`},
		{"no issuer", `{"jwks_uri":"https://idp.example/jwks"}`, false, "invalid_discovery", "has no issuer"},
		{"null", `null`, false, "invalid_discovery", "has no issuer"},
		{"array", `[]`, false, "invalid_discovery", "expected a JSON object, found array"},
		{"wrong type", `{"issuer":"https://idp.example","scopes_supported":"openid"}`, false, "invalid_discovery",
			`member "scopes_supported" has the wrong type (string)`},
		{"issuer number", `{"issuer":42}`, false, "invalid_discovery", `member "issuer" has the wrong type (number)`},
		{"html", `<html>login</html>`, false, "invalid_discovery", "not JSON"},
		{"truncated", `{"issuer":"https://idp.ex`, false, "invalid_discovery", "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse([]byte(tt.body), iss, tt.insecure)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if string(doc.Raw) != tt.body || !IssuerMatches(iss, doc.Issuer) {
					t.Errorf("doc %+v", doc)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted: %+v", doc)
			}
			if failure.KindOf(err) != failure.KindRemote || failure.CodeOf(err) != tt.code {
				t.Errorf("kind %v code %q, want remote %q", failure.KindOf(err), failure.CodeOf(err), tt.code)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant %q", err, tt.want)
			}
		})
	}
	doc, err := Parse([]byte(tests[0].body), iss, false)
	if err != nil {
		t.Fatal(err)
	}
	want := Document{
		Issuer:                            iss,
		JWKSURI:                           iss + "/jwks",
		TokenEndpoint:                     iss + "/token",
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "private_key_jwt"},
		ScopesSupported:                   []string{"openid"},
		GrantTypesSupported:               []string{"client_credentials"},
	}
	doc.Raw = nil
	if !reflect.DeepEqual(*doc, want) {
		t.Errorf("got %+v\nwant %+v", *doc, want)
	}
}

// provider serves metadata for issuer paths; docs maps a request path to a status and body.
type provider struct {
	srv      *httptest.Server
	requests atomic.Int32
	paths    []string
}

func newProvider(t *testing.T, handler func(p *provider, w http.ResponseWriter, r *http.Request)) *provider {
	p := &provider{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		p.paths = append(p.paths, r.URL.Path)
		handler(p, w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func metadata(issuer string) string {
	return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q,"token_endpoint":%q}`, issuer, issuer+"/jwks", issuer+"/token")
}

func TestFetch(t *testing.T) {
	t.Run("openid configuration", func(t *testing.T) {
		p := newProvider(t, func(p *provider, w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/.well-known/openid-configuration" {
				http.NotFound(w, r)
				return
			}
			fmt.Fprint(w, metadata(p.srv.URL))
		})
		doc, err := Fetch(context.Background(), safehttp.New(safehttp.Options{}), p.srv.URL+"/")
		if err != nil {
			t.Fatal(err)
		}
		if doc.Issuer != p.srv.URL || doc.JWKSURI != p.srv.URL+"/jwks" || doc.TokenEndpoint != p.srv.URL+"/token" {
			t.Errorf("doc %+v", doc)
		}
		if p.requests.Load() != 1 {
			t.Errorf("%d requests", p.requests.Load())
		}
	})
	t.Run("RFC 8414 fallback with a path", func(t *testing.T) {
		p := newProvider(t, func(p *provider, w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/.well-known/oauth-authorization-server/tenant1" {
				http.NotFound(w, r)
				return
			}
			fmt.Fprint(w, metadata(p.srv.URL+"/tenant1"))
		})
		doc, err := Fetch(context.Background(), safehttp.New(safehttp.Options{}), p.srv.URL+"/tenant1")
		if err != nil {
			t.Fatal(err)
		}
		if doc.Issuer != p.srv.URL+"/tenant1" {
			t.Errorf("doc %+v", doc)
		}
		want := []string{"/tenant1/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/tenant1"}
		if !reflect.DeepEqual(p.paths, want) {
			t.Errorf("paths %q, want %q", p.paths, want)
		}
	})
	t.Run("both missing", func(t *testing.T) {
		p := newProvider(t, func(p *provider, w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
		_, err := Fetch(context.Background(), safehttp.New(safehttp.Options{}), p.srv.URL)
		if failure.CodeOf(err) != "discovery_not_found" || failure.KindOf(err) != failure.KindRemote {
			t.Fatalf("error %v (%s)", err, failure.CodeOf(err))
		}
		want := fmt.Sprintf("no metadata for issuer %s: %s/.well-known/openid-configuration and %s/.well-known/oauth-authorization-server both answered HTTP 404; check the issuer URL",
			p.srv.URL, p.srv.URL, p.srv.URL)
		if err.Error() != want {
			t.Errorf("error %q\nwant  %q", err, want)
		}
	})
	t.Run("server error does not fall back", func(t *testing.T) {
		p := newProvider(t, func(p *provider, w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		})
		_, err := Fetch(context.Background(), safehttp.New(safehttp.Options{}), p.srv.URL)
		if err == nil || !strings.Contains(err.Error(), "HTTP 503 Service Unavailable: down for maintenance") {
			t.Fatalf("error %v", err)
		}
		if p.requests.Load() != 1 {
			t.Errorf("%d requests, want 1", p.requests.Load())
		}
	})
	t.Run("issuer mismatch", func(t *testing.T) {
		p := newProvider(t, func(p *provider, w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, metadata("https://evil.example"))
		})
		_, err := Fetch(context.Background(), safehttp.New(safehttp.Options{}), p.srv.URL)
		if failure.CodeOf(err) != "issuer_mismatch" {
			t.Fatalf("error %v", err)
		}
		if !strings.HasPrefix(err.Error(), "metadata from "+p.srv.URL+"/.well-known/openid-configuration: the metadata document names issuer") {
			t.Errorf("error %q", err)
		}
	})
	t.Run("plain http issuer refused", func(t *testing.T) {
		_, err := Fetch(context.Background(), safehttp.New(safehttp.Options{}), "http://idp.example")
		if failure.KindOf(err) != failure.KindUsage || !strings.Contains(err.Error(), "plain http") {
			t.Fatalf("error %v", err)
		}
	})
}

func TestFetcherCache(t *testing.T) {
	now := time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)
	cacheControl := "max-age=120"
	issuerInDoc := ""
	p := newProvider(t, func(p *provider, w http.ResponseWriter, r *http.Request) {
		if cacheControl != "" {
			w.Header().Set("Cache-Control", cacheControl)
		}
		iss := p.srv.URL
		if issuerInDoc != "" {
			iss = issuerInDoc
		}
		fmt.Fprint(w, metadata(iss))
	})
	cache := diskcache.Open(filepath.Join(t.TempDir(), "cache"), func() time.Time { return now })
	var warnings []string
	f := &Fetcher{Client: safehttp.New(safehttp.Options{}), Cache: cache, Warn: func(s string) { warnings = append(warnings, s) }}
	fetch := func(wantRequests int32) {
		t.Helper()
		doc, err := f.Fetch(context.Background(), p.srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Issuer != p.srv.URL || doc.JWKSURI != p.srv.URL+"/jwks" {
			t.Fatalf("doc %+v", doc)
		}
		if got := p.requests.Load(); got != wantRequests {
			t.Fatalf("%d requests so far, want %d", got, wantRequests)
		}
	}
	fetch(1)
	fetch(1) // cached
	now = now.Add(119 * time.Second)
	fetch(1)
	now = now.Add(time.Second) // max-age reached
	fetch(2)

	// Without max-age the default TTL of 5 minutes applies.
	cacheControl = ""
	now = now.Add(121 * time.Second)
	fetch(3)
	now = now.Add(4 * time.Minute)
	fetch(3)
	now = now.Add(time.Minute)
	fetch(4)

	// no-store is never cached.
	cacheControl = "no-store"
	now = now.Add(time.Hour)
	fetch(5)
	fetch(6)

	// A cached document is checked again: one naming another issuer is dropped and refetched.
	cacheControl = "max-age=600"
	now = now.Add(time.Hour)
	fetch(7)
	if err := cache.Put(cacheKey(p.srv.URL, false), []byte(metadata("https://evil.example")), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	fetch(8)
	fetch(8)
	if len(warnings) != 0 {
		t.Errorf("warnings %q", warnings)
	}

	// A fresh document naming another issuer is an error and is not cached.
	issuerInDoc = "https://evil.example"
	now = now.Add(time.Hour)
	if _, err := f.Fetch(context.Background(), p.srv.URL); failure.CodeOf(err) != "issuer_mismatch" {
		t.Fatalf("error %v", err)
	}
	if _, ok, _ := cache.Get(cacheKey(p.srv.URL, false)); ok {
		t.Error("a mismatching document was cached")
	}
}

func TestFetcherCacheWarnings(t *testing.T) {
	now := time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)
	p := newProvider(t, func(p *provider, w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, metadata(p.srv.URL)) })
	dir := filepath.Join(t.TempDir(), "cache")
	cache := diskcache.Open(dir, func() time.Time { return now })
	var warnings []string
	f := &Fetcher{Client: safehttp.New(safehttp.Options{}), Cache: cache, Warn: func(s string) { warnings = append(warnings, s) }}
	if _, err := f.Fetch(context.Background(), p.srv.URL); err != nil {
		t.Fatal(err)
	}
	// Make the directory unsafe: the next write is refused with a warning, not an error.
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if _, err := f.Fetch(context.Background(), p.srv.URL); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "not caching the metadata of "+p.srv.URL) {
		t.Errorf("warnings %q", warnings)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(metadata("https://idp.example")), "https://idp.example", false)
	f.Add([]byte(`{"issuer":"https://idp.example/","jwks_uri":"http://[::1]:80/k"}`), "https://idp.example", false)
	f.Add([]byte(`{"issuer":"x","scopes_supported":[1]}`), "x", true)
	f.Add([]byte(`{"issuer":"https://a","token_endpoint":"http://b/t"}`), "https://a", true)
	f.Fuzz(func(t *testing.T, body []byte, issuer string, insecure bool) {
		doc, err := Parse(body, issuer, insecure)
		if err != nil {
			if failure.KindOf(err) != failure.KindRemote {
				t.Fatalf("error of kind %v: %v", failure.KindOf(err), err)
			}
			return
		}
		if !IssuerMatches(issuer, doc.Issuer) {
			t.Fatalf("issuer %q accepted for %q", doc.Issuer, issuer)
		}
		for _, ep := range []string{doc.JWKSURI, doc.TokenEndpoint} {
			if ep != "" && checkEndpoint(ep, insecure) != "" {
				t.Fatalf("endpoint %q accepted", ep)
			}
			if lower := strings.ToLower(ep); ep != "" && !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
				t.Fatalf("endpoint %q accepted", ep)
			}
		}
	})
}

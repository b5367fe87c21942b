package issuer

import (
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/keys"
)

// benchServer is an ES256 issuer with one client_secret_basic client and no request log.
func benchServer(b *testing.B, alg string) *Server {
	b.Helper()
	srv, err := New(Config{
		Issuer:  "http://127.0.0.1",
		Keys:    []keys.Key{genKey(b, alg)},
		Clients: []Client{{ID: "load", Secret: []byte("load-secret"), Scopes: []string{"read:users", "write:users"}}},
		Now:     time.Now,
		Rand:    rand.Reader,
	})
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

const benchForm = "grant_type=client_credentials&scope=read%3Ausers"

// BenchmarkTokenHandler measures the token endpoint alone (no network): form parsing, client
// authentication, signing and the JSON response.
func BenchmarkTokenHandler(b *testing.B) {
	for _, alg := range []string{"ES256", "EdDSA", "RS256"} {
		b.Run(alg, func(b *testing.B) {
			srv := benchServer(b, alg)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/token", strings.NewReader(benchForm))
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					r.SetBasicAuth("load", "load-secret")
					w := httptest.NewRecorder()
					srv.ServeHTTP(w, r)
					if w.Code != http.StatusOK {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
		})
	}
}

// BenchmarkTokenLoopback measures whole token requests over loopback TCP with keep-alive
// connections, client and server in this process (so both share the CPUs), and reports
// requests per second.
func BenchmarkTokenLoopback(b *testing.B) {
	srv := benchServer(b, "ES256")
	ts := httptest.NewServer(srv)
	defer ts.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/token", strings.NewReader(benchForm))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("load", "load-secret")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// BenchmarkAuthCodeRoundTrip measures one authorization code round trip through the handler
// (no network): the headless /authorize with S256 PKCE, then the exchange at /token of a public
// client for an access token and an ID token, both ES256. It reports round trips per second.
func BenchmarkAuthCodeRoundTrip(b *testing.B) {
	benchAuthCode(b, NewMemoryStore(10_000_000))
}

// BenchmarkAuthCodeRoundTripBolt is BenchmarkAuthCodeRoundTrip with the state in a BoltStore
// (serve --state), each write one committed transaction.
func BenchmarkAuthCodeRoundTripBolt(b *testing.B) {
	s, err := OpenBoltStore(b.TempDir()+"/state.db", 10_000_000, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchAuthCode(b, s)
}

func benchAuthCode(b *testing.B, store Store) {
	srv, err := New(Config{
		Issuer:  "http://127.0.0.1",
		Keys:    []keys.Key{genKey(b, "ES256")},
		Clients: []Client{{ID: "app", RedirectURIs: []string{"http://127.0.0.1/cb"}}},
		Store:   store,
		Now:     time.Now,
		Rand:    rand.Reader,
	})
	if err != nil {
		b.Fatal(err)
	}
	authorize := "http://127.0.0.1/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {"app"}, "redirect_uri": {"http://127.0.0.1/cb"},
		"scope": {"openid"}, "state": {"s"}, "code_challenge": {testChallenge}, "code_challenge_method": {"S256"},
	}.Encode()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, authorize, nil))
			loc, err := url.Parse(w.Header().Get("Location"))
			if w.Code != http.StatusFound || err != nil {
				b.Fatalf("authorize: %d", w.Code)
			}
			form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "client_id": {"app"},
				"redirect_uri": {"http://127.0.0.1/cb"}, "code_verifier": {testVerifier}}
			r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/token", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w = httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("token: %d %s", w.Code, w.Body)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "roundtrips/s")
}

// BenchmarkTokenHandlerClaimTemplates is BenchmarkTokenHandler/ES256 for a client with three
// templated claims, to show what rendering them costs per token.
func BenchmarkTokenHandlerClaimTemplates(b *testing.B) {
	obj := mustObject(b, `{"tenant":"{{.client_id}}-eu","via":"{{.grant_type}}","session_end":"{{add_time \"8h\"}}"}`)
	srv, err := New(Config{
		Issuer:  "http://127.0.0.1",
		Keys:    []keys.Key{genKey(b, "ES256")},
		Clients: []Client{{ID: "load", Secret: []byte("load-secret"), Scopes: []string{"read:users"}, Claims: obj}},
		Now:     time.Now,
		Rand:    rand.Reader,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/token", strings.NewReader(benchForm))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.SetBasicAuth("load", "load-secret")
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "access_token") {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}

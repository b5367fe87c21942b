package safehttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// asError extracts the *Error from err, failing the test when there is none.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) carries no *safehttp.Error", err, err)
	}
	return e
}

func TestGetSuccess(t *testing.T) {
	var gotUA, gotAccept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotAccept = r.Header.Get("User-Agent"), r.Header.Get("Accept")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"keys":[]}`)
	}))
	defer srv.Close()
	c := New(Options{Version: "1.2.3"})
	resp, err := c.Get(context.Background(), srv.URL+"/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || string(resp.Body) != `{"keys":[]}` || resp.URL != srv.URL+"/jwks.json" {
		t.Errorf("got %+v", resp)
	}
	if resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers not returned: %v", resp.Header)
	}
	if gotUA != "jwtkit/1.2.3" {
		t.Errorf("User-Agent %q, want jwtkit/1.2.3", gotUA)
	}
	if !strings.Contains(gotAccept, "application/json") {
		t.Errorf("Accept %q", gotAccept)
	}
	if ua := New(Options{}).userAgent; ua != "jwtkit/dev" {
		t.Errorf("default User-Agent %q", ua)
	}
}

func TestGetStatusErrors(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		want    string
		notWant string
	}{
		{"503 no body", 503, "", "HTTP 503 Service Unavailable", ""},
		{"404 with text", 404, "no such\n\tkey set", "HTTP 404 Not Found: no such key set", ""},
		{"control characters stripped", 500, "\x1b[31mred\x1b[0m caf\xc3\xa9", "HTTP 500 Internal Server Error: [31mred [0m caf?", "\x1b"},
		{"long body cut", 502, strings.Repeat("x", 5000), "HTTP 502 Bad Gateway: " + strings.Repeat("x", 197) + "...", strings.Repeat("x", 198)},
		{"unknown status", 599, "", "HTTP 599", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			_, err := New(Options{}).Get(context.Background(), srv.URL+"/jwks.json")
			if err == nil {
				t.Fatal("no error")
			}
			want := "fetching " + srv.URL + "/jwks.json: " + tt.want
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q\nwant prefix %q", err, want)
			}
			if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
				t.Errorf("error %q contains %q", err, tt.notWant)
			}
			e := asError(t, err)
			if e.Reason != ReasonStatus || e.Status != tt.status {
				t.Errorf("reason %v status %d", e.Reason, e.Status)
			}
			if failure.KindOf(err) != failure.KindRemote || failure.CodeOf(err) != "remote" {
				t.Errorf("kind %v code %q, want remote", failure.KindOf(err), failure.CodeOf(err))
			}
		})
	}
}

// endless writes a body that never ends until the client goes away.
func endless(w http.ResponseWriter, r *http.Request) {
	chunk := []byte(strings.Repeat("a", 4096))
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

func TestBodyCap(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		post    bool
		max     int64
		wantErr bool
	}{
		{"endless GET", endless, false, 1 << 20, true},
		{"endless POST", endless, true, 1 << 20, true},
		{"declared too large", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "2000")
			io.WriteString(w, strings.Repeat("b", 2000))
		}, false, 1000, true},
		{"exactly at cap", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, strings.Repeat("c", 1000))
		}, false, 1000, false},
		{"one over cap, no length", func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush()
			io.WriteString(w, strings.Repeat("c", 1001))
		}, true, 1000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c := New(Options{MaxBody: tt.max, Timeout: 5 * time.Second})
			var (
				resp *Response
				err  error
			)
			if tt.post {
				resp, err = c.PostForm(context.Background(), srv.URL, url.Values{"a": {"b"}}, nil)
			} else {
				resp, err = c.Get(context.Background(), srv.URL)
			}
			if !tt.wantErr {
				if err != nil || int64(len(resp.Body)) != tt.max {
					t.Fatalf("got %v, %v", resp, err)
				}
				return
			}
			if resp != nil || err == nil {
				t.Fatalf("got response %v, err %v; want an error and no response", resp, err)
			}
			if e := asError(t, err); e.Reason != ReasonTooLarge {
				t.Errorf("reason %v, want too large: %v", e.Reason, err)
			}
			if !strings.Contains(err.Error(), "response body exceeds the") {
				t.Errorf("error %q", err)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"slow headers", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}},
		{"slow body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c := New(Options{Timeout: 150 * time.Millisecond})
			_, err := c.Get(context.Background(), srv.URL+"/slow")
			if err == nil {
				t.Fatal("no error")
			}
			want := "fetching " + srv.URL + "/slow: timed out after 150ms; raise --timeout"
			if err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
			if e := asError(t, err); e.Reason != ReasonTimeout {
				t.Errorf("reason %v", e.Reason)
			}
		})
	}
}

func TestParentCanceled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	_, err := New(Options{}).Get(ctx, srv.URL)
	if e := asError(t, err); e.Reason != ReasonCanceled {
		t.Errorf("reason %v: %v", e.Reason, err)
	}
}

func TestSchemePolicy(t *testing.T) {
	tests := []struct {
		url      string
		insecure bool
		problem  string
	}{
		{"https://idp.example/jwks", false, ""},
		{"http://127.0.0.1:8080/jwks", false, ""},
		{"http://127.9.8.7/jwks", false, ""},
		{"http://[::1]:9/jwks", false, ""},
		{"http://localhost/jwks", false, ""},
		{"http://LOCALHOST./jwks", false, ""},
		{"http://idp.example/jwks", false, "plain http is allowed only to loopback"},
		{"http://localhost.idp.example/jwks", false, "plain http is allowed only to loopback"},
		{"http://128.0.0.1/jwks", false, "plain http is allowed only to loopback"},
		{"http://[::ffff:10.0.0.1]/jwks", false, "plain http is allowed only to loopback"},
		{"http://idp.example/jwks", true, ""},
		{"ftp://idp.example/jwks", true, "only https URLs"},
		{"idp.example/jwks", false, "only https URLs"},
		{"https:///jwks", false, "no host"},
		{"https://idp.example/jwks#frag", false, "#fragment"},
		{"https://idp.example/%zz", false, "not a valid URL"},
		{"https://idp.example/" + strings.Repeat("a", 5000), false, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c := New(Options{AllowInsecure: tt.insecure})
			_, err := c.CheckURL(tt.url)
			if tt.problem == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.problem) {
				t.Fatalf("error %v, want %q", err, tt.problem)
			}
			if failure.KindOf(err) != failure.KindUsage {
				t.Errorf("kind %v, want usage", failure.KindOf(err))
			}
			if e := asError(t, err); e.Reason != ReasonInsecureURL {
				t.Errorf("reason %v", e.Reason)
			}
			// The request methods apply the same check before any network use.
			if _, err := c.Get(context.Background(), tt.url); err == nil {
				t.Error("Get accepted the URL")
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "localhost.": true, "127.0.0.1": true,
		"127.255.255.254": true, "::1": true, "::ffff:127.0.0.1": true,
		"0.0.0.0": false, "::": false, "10.0.0.1": false, "example.com": false,
		"localhost.example.com": false, "": false, "[::1]": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

// redirector answers every path in hops with a redirect to the next path.
func redirector(t *testing.T, status int, hops map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if next, ok := hops[r.URL.Path]; ok {
			w.Header().Set("Location", next)
			w.WriteHeader(status)
			return
		}
		fmt.Fprintf(w, "final %s %s", r.Method, r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestGetRedirects(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request reached the other host: %s", r.URL)
	}))
	defer other.Close()
	otherHost := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)

	tests := []struct {
		name    string
		status  int
		hops    map[string]string
		start   string
		want    string
		wantErr string
	}{
		{"three hops", 302, map[string]string{"/a": "/b", "/b": "/c", "/c": "/d"}, "/a", "final GET /d", ""},
		{"four hops", 301, map[string]string{"/a": "/b", "/b": "/c", "/c": "/d", "/d": "/e"}, "/a", "", "more than 3 redirects"},
		{"307 keeps GET", 307, map[string]string{"/a": "/b"}, "/a", "final GET /b", ""},
		{"other host", 302, map[string]string{"/a": otherHost + "/x"}, "/a", "", "redirect (HTTP 302 Found) to another host, localhost"},
		{"no location", 302, map[string]string{"/a": ""}, "/a", "", "a redirect (HTTP 302 Found) without a Location"},
		{"to ftp", 302, map[string]string{"/a": "ftp://127.0.0.1/x"}, "/a", "", "only https URLs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := redirector(t, tt.status, tt.hops)
			resp, err := New(Options{}).Get(context.Background(), srv.URL+tt.start)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				if e := asError(t, err); e.Reason != ReasonRedirect {
					t.Errorf("reason %v", e.Reason)
				}
				if failure.KindOf(err) != failure.KindRemote {
					t.Errorf("kind %v", failure.KindOf(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != tt.want {
				t.Errorf("body %q, want %q", resp.Body, tt.want)
			}
			if !strings.HasSuffix(resp.URL, strings.TrimPrefix(tt.want, "final GET ")) {
				t.Errorf("final URL %q", resp.URL)
			}
		})
	}
}

func TestGetRedirectHTTPSToHTTP(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request reached the plain http server")
	}))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/jwks", http.StatusFound)
	}))
	defer tlsSrv.Close()
	c := New(Options{Transport: tlsSrv.Client().Transport})
	_, err := c.Get(context.Background(), tlsSrv.URL)
	if err == nil || !strings.Contains(err.Error(), "refused a redirect (HTTP 302 Found) from https to http://127.0.0.1") {
		t.Fatalf("error %v", err)
	}
}

func TestPostNeverRedirects(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			hit := false
			evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = true }))
			defer evil.Close()
			evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
			srv := redirector(t, status, map[string]string{"/token": evilURL + "/steal", "/same": "/token2"})
			c := New(Options{})
			for path, host := range map[string]string{"/token": "localhost", "/same": "127.0.0.1"} {
				_, err := c.PostForm(context.Background(), srv.URL+path, url.Values{"client_secret": {"s3cret"}}, nil)
				if err == nil {
					t.Fatal("redirect followed")
				}
				want := fmt.Sprintf("posting to %s%s: refused to follow a redirect (HTTP %d %s) to %s: a token endpoint must answer directly",
					srv.URL, path, status, http.StatusText(status), host)
				if !strings.HasPrefix(err.Error(), want) {
					t.Errorf("error %q\nwant prefix %q", err, want)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("secret in error: %q", err)
				}
				e := asError(t, err)
				if e.Reason != ReasonRedirect || e.Status != status {
					t.Errorf("reason %v status %d", e.Reason, e.Status)
				}
			}
			if hit {
				t.Error("the redirect target was contacted")
			}
		})
	}
}

func TestPostFormReturnsErrorStatuses(t *testing.T) {
	var got url.Values
	var gotAuth, gotCT string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		got, gotAuth, gotCT = r.PostForm, r.Header.Get("Authorization"), r.Header.Get("Content-Type")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		io.WriteString(w, `{"error":"invalid_client"}`)
	}))
	defer srv.Close()
	h := http.Header{"Authorization": {"Basic abc"}}
	resp, err := New(Options{}).PostForm(context.Background(), srv.URL, url.Values{"grant_type": {"client_credentials"}, "scope": {"a b"}}, h)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 401 || string(resp.Body) != `{"error":"invalid_client"}` {
		t.Errorf("response %+v", resp)
	}
	if got.Get("grant_type") != "client_credentials" || got.Get("scope") != "a b" || gotAuth != "Basic abc" || gotCT != "application/x-www-form-urlencoded" {
		t.Errorf("server saw form %v auth %q content type %q", got, gotAuth, gotCT)
	}
	if h.Get("Content-Type") != "" {
		t.Error("PostForm modified the caller's header")
	}
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = New(Options{}).Get(context.Background(), "http://"+addr+"/jwks")
	if e := asError(t, err); e.Reason != ReasonConnect {
		t.Fatalf("reason %v: %v", e.Reason, err)
	}
	want := "fetching http://" + addr + "/jwks: connection refused by " + addr + "; is the server running and the URL right?"
	if err.Error() != want {
		t.Errorf("error %q\nwant %q", err, want)
	}
}

func TestConnectionClosed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	_, err := New(Options{}).Get(context.Background(), srv.URL)
	if e := asError(t, err); e.Reason != ReasonConnect {
		t.Fatalf("reason %v: %v", e.Reason, err)
	}
}

func TestTLS(t *testing.T) {
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "https://")

	_, err := New(Options{}).Get(context.Background(), srv.URL)
	if e := asError(t, err); e.Reason != ReasonTLS {
		t.Fatalf("reason %v: %v", e.Reason, err)
	}
	if want := "TLS certificate of " + host + " is signed by an unknown authority"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want %q", err, want)
	}

	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	if _, err := New(Options{RootCAs: pool}).Get(context.Background(), srv.URL); err != nil {
		t.Errorf("with the server's CA: %v", err)
	}
	if _, err := New(Options{AllowInsecure: true}).Get(context.Background(), srv.URL); err != nil {
		t.Errorf("with AllowInsecure: %v", err)
	}
	// The certificate is for 127.0.0.1 and example.com, not localhost.
	_, err = New(Options{RootCAs: pool}).Get(context.Background(), strings.Replace(srv.URL, "127.0.0.1", "localhost", 1))
	if err == nil || !strings.Contains(err.Error(), "TLS certificate does not match the host") {
		t.Errorf("hostname mismatch: %v", err)
	}

	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	_, err = New(Options{}).Get(context.Background(), strings.Replace(plain.URL, "http:", "https:", 1))
	if err == nil || !strings.Contains(err.Error(), "did not answer with TLS") {
		t.Errorf("plain server: %v", err)
	}
}

// quietTLSServer is httptest.NewTLSServer without the server's log of failed handshakes, which
// these tests cause on purpose.
func quietTLSServer(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	return srv
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTransportErrorsExplained(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		reason Reason
		want   string
	}{
		{"no such host", &net.DNSError{Err: "no such host", Name: "idp.invalid", IsNotFound: true}, ReasonDNS,
			"cannot resolve host idp.invalid (no such host); check the URL"},
		{"dns server failure", &net.DNSError{Err: "server misbehaving", Name: "idp.example", IsTemporary: true}, ReasonDNS,
			"cannot resolve host idp.example: server misbehaving; check your network and DNS"},
		{"reset", &net.OpError{Op: "read", Net: "tcp", Err: fmt.Errorf("read: %w", errReset)}, ReasonConnect,
			"connection to idp.example closed before a complete response"},
		{"eof", io.EOF, ReasonConnect, "connection to idp.example closed before a complete response"},
		{"dial other", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("network is unreachable")}, ReasonConnect,
			"cannot connect to idp.example: network is unreachable"},
		{"other", errors.New("something\nodd \x1b[0m"), ReasonOther, "something odd [0m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, tt.err })})
			_, err := c.Get(context.Background(), "https://idp.example/jwks")
			e := asError(t, err)
			if e.Reason != tt.reason {
				t.Errorf("reason %v, want %v", e.Reason, tt.reason)
			}
			if want := "fetching https://idp.example/jwks: " + tt.want; err.Error() != want {
				t.Errorf("error %q\nwant  %q", err, want)
			}
			if !errors.Is(err, tt.err) {
				t.Error("cause not kept for errors.Is")
			}
		})
	}
}

func TestErrorURLHidesSecrets(t *testing.T) {
	c := New(Options{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, io.EOF })})
	_, err := c.Get(context.Background(), "https://user:hunter2@idp.example/jwks?access_token=tok123&x=1")
	if err == nil {
		t.Fatal("no error")
	}
	for _, secret := range []string{"hunter2", "tok123"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q shows %q", err, secret)
		}
	}
	if !strings.Contains(err.Error(), "https://user:xxxxx@idp.example/jwks?access_token=%5Bredacted%5D&x=1") {
		t.Errorf("error %q", err)
	}
}

func TestHugeHeadersRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 40; i++ {
			w.Header().Add(fmt.Sprintf("X-Pad-%d", i), strings.Repeat("p", 4000))
		}
	}))
	defer srv.Close()
	_, err := New(Options{}).Get(context.Background(), srv.URL)
	if err == nil || !strings.HasSuffix(err.Error(), ": response headers are too large") {
		t.Fatalf("error %v", err)
	}
}

// TestSendReturnsEveryStatusAndNoRedirect checks that Send hands back a 401 and a 302 as
// answers, never follows the redirect, and sends the method, headers and body given.
func TestSendReturnsEveryStatusAndNoRedirect(t *testing.T) {
	followed := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/elsewhere":
			followed = true
		case "/redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		default:
			b, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, "%s %s %s", r.Method, r.Header.Get("X-Token"), b)
		}
	}))
	defer srv.Close()
	c := New(Options{})
	resp, err := c.Send(context.Background(), http.MethodPut, srv.URL+"/x", http.Header{"X-Token": {"t1"}}, []byte("body"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusUnauthorized || string(resp.Body) != "PUT t1 body" {
		t.Errorf("got %d %q", resp.Status, resp.Body)
	}
	resp, err = c.Send(context.Background(), http.MethodGet, srv.URL+"/redirect", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusFound || followed {
		t.Errorf("redirect: status %d, followed %v", resp.Status, followed)
	}
}

// TestDisplayURLHidesGrantSecrets: every parameter that carries a credential of a flow (the
// authorization code and its verifier, device codes, tokens being revoked or exchanged,
// assertions) is redacted in a displayed URL; other parameters stay.
func TestDisplayURLHidesGrantSecrets(t *testing.T) {
	for _, name := range []string{"code", "code_verifier", "device_code", "token", "subject_token", "actor_token", "assertion", "refresh_token", "client_assertion"} {
		u, err := url.Parse("https://idp.example/cb?" + name + "=s3cret-value&state=abc")
		if err != nil {
			t.Fatal(err)
		}
		got := DisplayURL(u)
		if strings.Contains(got, "s3cret-value") || !strings.Contains(got, "state=abc") {
			t.Errorf("%s: %s", name, got)
		}
	}
}

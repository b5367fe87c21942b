package oauth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/htmlpage"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// DefaultRedirectPath is the path of the loopback redirect URI when none is given.
const DefaultRedirectPath = "/callback"

// Listener is the loopback HTTP server that receives the authorization response from the
// browser (RFC 8252 §7.3). It serves one redirect and then stops.
type Listener struct {
	// RedirectURI is the URI to send in the request: the given one, with the port the
	// listener got when it named none or port 0.
	RedirectURI string

	ln     net.Listener
	srv    *http.Server
	path   string
	check  func(url.Values) (string, error)
	result chan callbackResult
}

type callbackResult struct {
	code string
	err  error
}

// Listen opens the loopback listener. An empty redirectURI means http://127.0.0.1:<a random
// free port>/callback. A given one must be plain http to 127.0.0.1, [::1] or localhost (bound
// on 127.0.0.1): the listener never opens a port beyond this machine, and any other host is a
// usage error. check reads the query of the redirect and returns the code, or the error that
// ends the flow; its verdict is also what the browser page says.
func Listen(redirectURI string, check func(url.Values) (string, error)) (*Listener, error) {
	if redirectURI == "" {
		redirectURI = "http://127.0.0.1" + DefaultRedirectPath
	}
	u, err := url.Parse(redirectURI)
	if err != nil || u.Scheme != "http" || u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, failure.Usagef("usage", "--redirect-uri %q: jwtkit listens for the redirect itself, so it must be an http://127.0.0.1:PORT/PATH URL (RFC 8252 §7.3)",
			safehttp.Sanitize(redirectURI, 200))
	}
	host := u.Hostname()
	bind := host
	switch host {
	case "127.0.0.1", "::1":
	case "localhost":
		bind = "127.0.0.1"
	default:
		return nil, failure.Usagef("usage", "--redirect-uri %q: the host %q is not loopback; jwtkit only listens on 127.0.0.1 or [::1] for the redirect (RFC 8252 §7.3)",
			safehttp.Sanitize(redirectURI, 200), safehttp.Sanitize(host, 100))
	}
	port := u.Port()
	if port == "" {
		port = "0"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return nil, failure.Usagef("usage", "--redirect-uri %q: bad port", safehttp.Sanitize(redirectURI, 200))
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(bind, port))
	if err != nil {
		return nil, failure.Usagef("usage", "cannot listen for the redirect on %s: %v", net.JoinHostPort(bind, port), err)
	}
	if port == "0" {
		_, got, _ := net.SplitHostPort(ln.Addr().String())
		u.Host = net.JoinHostPort(host, got)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	l := &Listener{RedirectURI: u.String(), ln: ln, path: u.Path, check: check, result: make(chan callbackResult, 1)}
	l.srv = &http.Server{
		Handler:           http.HandlerFunc(l.serve),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	go func() { _ = l.srv.Serve(ln) }()
	return l, nil
}

// serve answers the browser. Requests for any other path (a favicon) get 404 and do not end
// the wait; the first request for the redirect path decides.
func (l *Listener) serve(w http.ResponseWriter, req *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	if req.URL.Path != l.path || req.Method != http.MethodGet {
		http.NotFound(w, req)
		return
	}
	code, err := l.check(req.URL.Query())
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Connection", "close")
	var p htmlpage.Page
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		p.Markup(`<!doctype html><html><head><meta charset="utf-8"><title>jwtkit: sign-in failed</title></head><body><h1>jwtkit: sign-in failed</h1><p>`)
		p.Text(err.Error())
		p.Markup(`<p>Return to the terminal.</body></html>`)
	} else {
		p.Markup(`<!doctype html><html><head><meta charset="utf-8"><title>jwtkit: signed in</title></head><body><h1>jwtkit: signed in</h1><p>You may close this tab and return to the terminal.</body></html>`)
	}
	p.WriteTo(w)
	select {
	case l.result <- callbackResult{code: code, err: err}:
	default: // a second redirect after the first was taken
	}
}

// Wait waits for the redirect until ctx ends, and returns its code. A ctx that times out is a
// failure.Remote saying no redirect came.
func (l *Listener) Wait(ctx context.Context, timeout time.Duration) (string, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r := <-l.result:
		return r.code, r.err
	case <-t.C:
		return "", failure.Remotef("timeout", "no redirect from the browser within %s; sign in sooner or pass a longer --timeout", timeout)
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for the redirect: %w", ctx.Err())
	}
}

// Close stops the listener, letting the answer to the browser finish first (at most a
// second).
func (l *Listener) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := l.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = l.srv.Close()
	}
}

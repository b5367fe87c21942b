// Package safehttp is the one HTTP client jwtkit uses for every outbound request: JWKS, OIDC
// discovery and token endpoints.
//
// It guarantees, for every request: one deadline over connect, TLS, headers and body; a cap on
// the response body that fails the request (a truncated body is never returned); plain http only
// to loopback hosts unless the caller allows it; redirects followed only where that is safe; and
// errors that are one readable line, classified as failure.Remote (or failure.Usage for a URL the
// policy refuses), with any upstream text reduced to a short printable-ASCII excerpt.
package safehttp

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	// DefaultTimeout bounds one request, from dialling to the last byte of the body.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxBody is the largest response body accepted by default: 1 MiB.
	DefaultMaxBody = 1 << 20
	// MaxRedirects is how many redirects a GET follows at most.
	MaxRedirects = 3
	// maxErrorBody is how much of an unexpected (non-2xx) GET response is read for the excerpt.
	maxErrorBody = 64 << 10
	// maxHeaderBytes caps the response header size on the default transport.
	maxHeaderBytes = 64 << 10
)

// Options configure a Client. The zero value is a usable, strict configuration.
type Options struct {
	// Timeout is the deadline for one request, including reading the body; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxBody is the largest response body accepted; zero means DefaultMaxBody.
	MaxBody int64
	// AllowInsecure permits plain http to any host and, on the default transport, skips TLS
	// certificate verification. The caller is expected to warn the user.
	AllowInsecure bool
	// Transport carries the requests; nil means a fresh transport built from the options below.
	// An injected transport is used as is: RootCAs, Proxy and the TLS part of AllowInsecure do
	// not apply to it.
	Transport http.RoundTripper
	// RootCAs replaces the system roots on the default transport when non-nil.
	RootCAs *x509.CertPool
	// Proxy selects a proxy on the default transport (for example http.ProxyFromEnvironment);
	// nil means direct connections.
	Proxy func(*http.Request) (*url.URL, error)
	// ClientCertificate, when set, is sent whenever a server asks for a TLS client certificate
	// (mutual TLS, RFC 8705) on the default transport, whatever CAs the server's request names:
	// a self-signed certificate (self_signed_tls_client_auth) chains to none of them, and Go's
	// own choice among tls.Config.Certificates would then send no certificate at all.
	ClientCertificate *tls.Certificate
	// Version goes into the User-Agent, "jwtkit/<Version>"; empty means "dev".
	Version string
	// Verbose, when non-nil, receives one line per request and response line, with credentials
	// and tokens redacted.
	Verbose io.Writer
}

// Client sends requests under the policy described in the package documentation. It is safe for
// concurrent use.
type Client struct {
	timeout       time.Duration
	maxBody       int64
	allowInsecure bool
	userAgent     string
	hc            *http.Client
	log           *verboseLog
}

// Response is a complete response: the status, the headers and the whole body.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header holds the response headers.
	Header http.Header
	// Body is the complete body, at most the client's MaxBody bytes.
	Body []byte
	// URL is the URL that answered, after any redirects.
	URL string
}

// New returns a Client configured by opts.
func New(opts Options) *Client {
	c := &Client{
		timeout:       opts.Timeout,
		maxBody:       opts.MaxBody,
		allowInsecure: opts.AllowInsecure,
		userAgent:     "jwtkit/" + opts.Version,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBody
	}
	if opts.Version == "" {
		c.userAgent = "jwtkit/dev"
	}
	rt := opts.Transport
	if rt == nil {
		rt = newTransport(opts, c.timeout)
	}
	c.hc = &http.Client{
		Transport: rt,
		// Redirects are followed by hand in do, one policy-checked hop at a time.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if opts.Verbose != nil {
		c.log = &verboseLog{w: opts.Verbose}
	}
	return c
}

func newTransport(opts Options, timeout time.Duration) *http.Transport {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                  opts.Proxy,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           10,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: maxHeaderBytes,
		TLSClientConfig: &tls.Config{
			MinVersion:           tls.VersionTLS12,
			RootCAs:              opts.RootCAs,
			GetClientCertificate: clientCertificate(opts.ClientCertificate),
			InsecureSkipVerify:   opts.AllowInsecure, //nolint:gosec // only on the caller's explicit request
		},
	}
}

// Timeout returns the per-request deadline in force.
func (c *Client) Timeout() time.Duration { return c.timeout }

// AllowsInsecure reports whether the client was told to allow plain http to any host.
func (c *Client) AllowsInsecure() bool { return c.allowInsecure }

// Get fetches rawURL. It follows at most MaxRedirects redirects, only to the same host and never
// from https to http. Any final status other than 2xx is an error (an *Error with Reason
// ReasonStatus inside a failure.Remote), so a returned Response always has a 2xx status.
func (c *Client) Get(ctx context.Context, rawURL string) (*Response, error) {
	header := http.Header{}
	header.Set("Accept", "application/json, application/jwk-set+json;q=0.9, */*;q=0.1")
	return c.do(ctx, http.MethodGet, rawURL, header, nil)
}

// PostForm posts form, URL-encoded, to rawURL with the extra header fields given. It never
// follows a redirect: a 3xx answer is an error naming the status and the Location host, because
// following it would hand the body (client secrets, assertions) to another endpoint. Every other
// status is returned as a Response, so the caller can read error bodies such as RFC 6749 §5.2.
func (c *Client) PostForm(ctx context.Context, rawURL string, form url.Values, header http.Header) (*Response, error) {
	h := header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	if h.Get("Accept") == "" {
		h.Set("Accept", "application/json")
	}
	return c.do(ctx, http.MethodPost, rawURL, h, []byte(form.Encode()))
}

func (c *Client) do(parent context.Context, method, rawURL string, header http.Header, body []byte) (*Response, error) {
	u, err := c.CheckURL(rawURL)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(parent, c.timeout)
	defer cancel()
	for hops := 0; ; hops++ {
		req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
		if err != nil {
			return nil, c.fail(method, u, ReasonOther, 0, err, "cannot build the request: "+err.Error())
		}
		if body == nil {
			req.Body, req.GetBody, req.ContentLength = nil, nil, 0
		}
		for k, vs := range header {
			req.Header[k] = append([]string(nil), vs...)
		}
		req.Header.Set("User-Agent", c.userAgent)
		c.log.request(req, body)
		resp, err := c.hc.Do(req)
		if err != nil {
			return nil, c.transportError(parent, ctx, method, u, err)
		}
		c.log.response(resp)
		if isRedirect(resp.StatusCode) {
			next, err := c.redirect(method, u, resp, hops)
			drain(resp.Body)
			if err != nil {
				return nil, err
			}
			u = next
			continue
		}
		return c.finish(parent, ctx, method, u, resp)
	}
}

// finish reads the body of a non-redirect response and applies the status rule of the method.
func (c *Client) finish(parent, ctx context.Context, method string, u *url.URL, resp *http.Response) (*Response, error) {
	defer resp.Body.Close()
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if method == http.MethodGet && !ok {
		excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		msg := "HTTP " + statusText(resp)
		if e := Excerpt(excerpt); e != "" {
			msg += ": " + e
		}
		return nil, c.fail(method, u, ReasonStatus, resp.StatusCode, nil, msg)
	}
	if resp.ContentLength > c.maxBody {
		return nil, c.tooLarge(method, u)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return nil, c.transportError(parent, ctx, method, u, err)
	}
	if int64(len(data)) > c.maxBody {
		return nil, c.tooLarge(method, u)
	}
	c.log.body(resp.Header.Get("Content-Type"), data)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data, URL: u.String()}, nil
}

func (c *Client) tooLarge(method string, u *url.URL) error {
	return c.fail(method, u, ReasonTooLarge, 0, nil,
		fmt.Sprintf("response body exceeds the %s limit; the server is misbehaving or the URL is wrong", byteSize(c.maxBody)))
}

// redirect decides whether the redirect in resp may be followed and returns its target.
func (c *Client) redirect(method string, from *url.URL, resp *http.Response, hops int) (*url.URL, error) {
	loc := resp.Header.Get("Location")
	status := statusText(resp)
	if loc == "" {
		return nil, c.fail(method, from, ReasonRedirect, resp.StatusCode, nil, "a redirect (HTTP "+status+") without a Location")
	}
	to, err := from.Parse(loc)
	if err != nil || to.Host == "" {
		return nil, c.fail(method, from, ReasonRedirect, resp.StatusCode, nil,
			fmt.Sprintf("a redirect (HTTP %s) to an unusable Location %q", status, Sanitize(loc, 100)))
	}
	host := Sanitize(to.Hostname(), 100)
	switch {
	case method != http.MethodGet:
		return nil, c.fail(method, from, ReasonRedirect, resp.StatusCode, nil,
			fmt.Sprintf("refused to follow a redirect (HTTP %s) to %s: a token endpoint must answer directly; use the final URL", status, host))
	case hops >= MaxRedirects:
		return nil, c.fail(method, from, ReasonRedirect, resp.StatusCode, nil,
			fmt.Sprintf("more than %d redirects; use the final URL", MaxRedirects))
	case from.Scheme == "https" && to.Scheme != "https":
		return nil, c.fail(method, from, ReasonRedirect, resp.StatusCode, nil,
			fmt.Sprintf("refused a redirect (HTTP %s) from https to %s://%s", status, Sanitize(to.Scheme, 10), host))
	case !strings.EqualFold(hostOnly(from), hostOnly(to)):
		return nil, c.fail(method, from, ReasonRedirect, resp.StatusCode, nil,
			fmt.Sprintf("refused a redirect (HTTP %s) to another host, %s; use that URL directly if you trust it", status, host))
	}
	if _, problem := checkURL(to.String(), c.allowInsecure); problem != "" {
		return nil, c.fail(method, from, ReasonRedirect, resp.StatusCode, nil,
			fmt.Sprintf("refused a redirect (HTTP %s) to %s: %s", status, DisplayURL(to), problem))
	}
	return to, nil
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

func hostOnly(u *url.URL) string { return strings.TrimSuffix(u.Hostname(), ".") }

func statusText(resp *http.Response) string {
	if t := http.StatusText(resp.StatusCode); t != "" {
		return fmt.Sprintf("%d %s", resp.StatusCode, t)
	}
	return fmt.Sprintf("%d", resp.StatusCode)
}

// drain reads a little of an unused body so the connection can be reused, then closes it.
func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 4<<10))
	_ = body.Close()
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d-byte", n)
}

// clientCertificate returns the tls.Config hook that answers every certificate request with
// cert; nil (no hook, no certificate) when cert is nil.
func clientCertificate(cert *tls.Certificate) func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	if cert == nil {
		return nil
	}
	return func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
}

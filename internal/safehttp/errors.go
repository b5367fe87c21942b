package safehttp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// Reason says what made a request fail.
type Reason int

const (
	// ReasonOther is a failure not covered by the reasons below.
	ReasonOther Reason = iota
	// ReasonStatus means the server answered a GET with a status other than 2xx.
	ReasonStatus
	// ReasonTimeout means the request's deadline passed.
	ReasonTimeout
	// ReasonCanceled means the caller's context ended the request.
	ReasonCanceled
	// ReasonDNS means the host name could not be resolved.
	ReasonDNS
	// ReasonConnect means the connection could not be made or broke before a full response.
	ReasonConnect
	// ReasonTLS means the TLS handshake or certificate verification failed.
	ReasonTLS
	// ReasonTooLarge means the response body exceeded the client's cap.
	ReasonTooLarge
	// ReasonRedirect means a redirect was refused.
	ReasonRedirect
	// ReasonInsecureURL means the URL is not allowed by the scheme policy, or is not a usable
	// absolute http(s) URL.
	ReasonInsecureURL
)

// Error describes a failed request. Error() is one line: what was done, to which URL, and what
// went wrong, for example "fetching https://idp.example/jwks.json: HTTP 503 Service Unavailable".
// safehttp always returns it wrapped in a *failure.Error; use errors.As to reach it.
type Error struct {
	// Method is the HTTP method of the request.
	Method string
	// URL is the request URL as displayed: without a password or sensitive query values.
	URL string
	// Reason classifies the failure.
	Reason Reason
	// Status is the HTTP status code for ReasonStatus and ReasonRedirect, else 0.
	Status int
	// Err is the underlying error, if any, for errors.Is and errors.As.
	Err error

	msg string
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

func (c *Client) fail(method string, u *url.URL, reason Reason, status int, cause error, detail string) error {
	op := "fetching"
	if method != "GET" {
		op = "posting to"
	}
	shown := DisplayURL(u)
	e := &Error{Method: method, URL: shown, Reason: reason, Status: status, Err: cause,
		msg: fmt.Sprintf("%s %s: %s", op, shown, detail)}
	if reason == ReasonInsecureURL {
		return wrapUsage(e)
	}
	return failure.Remote("remote", e)
}

func wrapUsage(e *Error) error { return failure.Usage("insecure_url", e) }

// transportError turns an error from the transport or from reading the body into an *Error with
// a readable explanation.
func (c *Client) transportError(parent, ctx context.Context, method string, u *url.URL, err error) error {
	reason, detail := c.explain(parent, ctx, u, err)
	return c.fail(method, u, reason, 0, err, detail)
}

func (c *Client) explain(parent, ctx context.Context, u *url.URL, err error) (Reason, string) {
	host := u.Host
	var (
		dnsErr      *net.DNSError
		hostErr     x509.HostnameError
		authErr     x509.UnknownAuthorityError
		invalidErr  x509.CertificateInvalidError
		verifyErr   *tls.CertificateVerificationError
		recordErr   tls.RecordHeaderError
		alertErr    tls.AlertError
		netErr      net.Error
		opErr       *net.OpError
		innerString = innerError(err).Error()
	)
	switch {
	case parent.Err() != nil:
		return ReasonCanceled, "canceled: " + parent.Err().Error()
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return ReasonTimeout, fmt.Sprintf("timed out after %s; raise --timeout", c.timeout)
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return ReasonDNS, fmt.Sprintf("cannot resolve host %s (no such host); check the URL", Sanitize(dnsErr.Name, 100))
		}
		return ReasonDNS, fmt.Sprintf("cannot resolve host %s: %s; check your network and DNS", Sanitize(dnsErr.Name, 100), dnsErr.Err)
	case errors.As(err, &hostErr):
		return ReasonTLS, fmt.Sprintf("TLS certificate does not match the host: %s", strings.TrimPrefix(hostErr.Error(), "x509: "))
	case errors.As(err, &authErr):
		return ReasonTLS, fmt.Sprintf("TLS certificate of %s is signed by an unknown authority; add its CA to the trusted roots", host)
	case errors.As(err, &invalidErr):
		if invalidErr.Reason == x509.Expired {
			return ReasonTLS, fmt.Sprintf("TLS certificate of %s has expired or is not yet valid; check the server certificate and your clock", host)
		}
		return ReasonTLS, fmt.Sprintf("TLS certificate of %s is invalid: %s", host, strings.TrimPrefix(invalidErr.Error(), "x509: "))
	case errors.As(err, &verifyErr):
		return ReasonTLS, fmt.Sprintf("TLS certificate of %s was rejected: %s", host, strings.TrimPrefix(verifyErr.Err.Error(), "x509: "))
	case errors.As(err, &recordErr), strings.Contains(innerString, "server gave HTTP response to HTTPS client"):
		return ReasonTLS, fmt.Sprintf("%s did not answer with TLS; is it a plain http server?", host)
	case errors.As(err, &alertErr):
		return ReasonTLS, fmt.Sprintf("TLS handshake with %s failed: the server sent alert %q", host, alertErr.Error())
	case errors.Is(err, syscall.ECONNREFUSED):
		return ReasonConnect, fmt.Sprintf("connection refused by %s; is the server running and the URL right?", host)
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ReasonConnect, fmt.Sprintf("connection to %s closed before a complete response", host)
	case errors.As(err, &netErr) && netErr.Timeout():
		return ReasonTimeout, fmt.Sprintf("timed out after %s; raise --timeout", c.timeout)
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return ReasonConnect, fmt.Sprintf("cannot connect to %s: %s", host, innerError(opErr).Error())
	case strings.Contains(innerString, "tls: "):
		return ReasonTLS, fmt.Sprintf("TLS with %s failed: %s", host, Sanitize(innerString, 200))
	case strings.Contains(innerString, "server response headers exceeded"):
		return ReasonOther, "response headers are too large"
	}
	return ReasonOther, Sanitize(innerString, 200)
}

// innerError strips the wrappers whose text repeats the method and URL (*url.Error) or the
// network plumbing (*net.OpError), keeping the part that says what went wrong.
func innerError(err error) error {
	for {
		var (
			ue *url.Error
			oe *net.OpError
		)
		switch {
		case errors.As(err, &ue) && ue.Err != nil:
			err = ue.Err
		case errors.As(err, &oe) && oe.Err != nil:
			err = oe.Err
		default:
			return err
		}
	}
}

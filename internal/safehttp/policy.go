package safehttp

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// maxURLLength bounds the URLs the client accepts.
const maxURLLength = 4096

// CheckURL parses rawURL and applies the client's scheme policy: the URL must be absolute, with
// scheme https, or http to a loopback host (127.0.0.0/8, ::1, localhost) unless the client
// allows insecure connections. It must not carry a fragment. The error is a failure.Usage
// holding an *Error with Reason ReasonInsecureURL; callers that checked a URL obtained from a
// remote party may reclassify it.
func (c *Client) CheckURL(rawURL string) (*url.URL, error) {
	u, problem := checkURL(rawURL, c.allowInsecure)
	if problem == "" {
		return u, nil
	}
	if u == nil {
		u = &url.URL{Opaque: rawURL}
	}
	e := &Error{URL: DisplayURL(u), Reason: ReasonInsecureURL,
		msg: fmt.Sprintf("refusing URL %s: %s", DisplayURL(u), problem)}
	return nil, wrapUsage(e)
}

func checkURL(rawURL string, allowInsecure bool) (*url.URL, string) {
	if len(rawURL) > maxURLLength {
		return nil, fmt.Sprintf("longer than %d bytes", maxURLLength)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, "not a valid URL"
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return u, "only https URLs are supported (or http to a loopback address)"
	case u.Host == "" || u.Hostname() == "":
		return u, "the URL has no host"
	case u.Fragment != "" || strings.Contains(rawURL, "#"):
		return u, "the URL must not have a #fragment"
	case u.Scheme == "http" && !allowInsecure && !IsLoopback(u.Hostname()):
		return u, "plain http is allowed only to loopback addresses; use https, or pass --insecure to allow it (dangerous: anyone on the path can read and change the traffic)"
	}
	return u, ""
}

// IsLoopback reports whether host (a host name or IP literal, without port or brackets) names
// the local machine: "localhost", an address in 127.0.0.0/8, or ::1.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(host, ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	return addr.Unmap().IsLoopback()
}

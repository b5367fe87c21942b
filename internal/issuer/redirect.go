package issuer

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// checkRedirectURI accepts a registrable redirect URI: absolute, without a fragment (RFC 6749
// §3.1.2), printable ASCII, at most MaxParamBytes.
func checkRedirectURI(raw string) error {
	if len(raw) > MaxParamBytes || Sanitize(raw, MaxParamBytes) != raw || strings.Contains(raw, " ") {
		return errors.New("redirect URI " + Sanitize(raw, 100) + " must be printable ASCII without spaces, at most 2 KiB")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || strings.Contains(raw, "#") {
		return errors.New("redirect URI " + Sanitize(raw, 100) + " must be an absolute URI without a fragment (RFC 6749 §3.1.2)")
	}
	return nil
}

// redirectAllowed reports whether uri is one of registered, compared as strings (RFC 6749
// §3.1.2.3, OAuth 2.1 exact matching), except that a loopback IP redirect URI over http matches
// whatever port the native app listens on (RFC 8252 §7.3). The host "localhost" gets no such
// latitude (RFC 8252 §8.3 advises against it).
func redirectAllowed(uri string, registered []string) bool {
	if checkRedirectURI(uri) != nil {
		return false
	}
	for _, r := range registered {
		if uri == r {
			return true
		}
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" || u.User != nil {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return false
	}
	for _, r := range registered {
		ru, err := url.Parse(r)
		if err != nil || ru.Scheme != "http" || ru.Hostname() != u.Hostname() {
			continue
		}
		if ru.EscapedPath() == u.EscapedPath() && ru.RawQuery == u.RawQuery {
			return true
		}
	}
	return false
}

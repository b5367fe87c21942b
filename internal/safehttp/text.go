package safehttp

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxExcerpt is the length limit of an upstream body excerpt in an error message.
const MaxExcerpt = 200

// Sanitize makes untrusted text safe to show on a terminal in one line: every run of whitespace
// and ASCII control characters becomes one space (none at the ends), every other character
// outside printable ASCII (and every invalid UTF-8 byte) becomes '?', and the result is cut to
// at most max bytes, ending in "..." when cut.
func Sanitize(s string, max int) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		size := 1
		if c >= utf8.RuneSelf {
			_, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		switch {
		case c == ' ' || c < 0x20 || c == 0x7f:
			space = b.Len() > 0
			continue
		case c >= utf8.RuneSelf:
			c = '?'
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
		if b.Len() > max {
			break
		}
	}
	out := b.String()
	if len(out) > max {
		if max <= 3 {
			return out[:max]
		}
		out = out[:max-3] + "..."
	}
	return out
}

// Excerpt returns the start of an upstream body for an error message: sanitised, at most
// MaxExcerpt bytes, "" for an empty body.
func Excerpt(body []byte) string {
	n := len(body)
	if n > 4*MaxExcerpt {
		n = 4 * MaxExcerpt
	}
	return Sanitize(string(body[:n]), MaxExcerpt)
}

// sensitiveParam reports whether name (lower case) is a form field, JSON member or query
// parameter whose values never appear in verbose output or error messages. The one-letter and
// two-letter names are private JWK members, so a misconfigured JWKS endpoint cannot make jwtkit
// print a private key. (Switches, not maps: a map literal is package initialisation that every
// run pays for; see failure.Sentinel.)
func sensitiveParam(name string) bool {
	switch name {
	case "client_secret", "client_assertion", "access_token", "refresh_token",
		"id_token", "assertion", "password", "subject_token",
		"actor_token", "code_verifier", "device_code", "code", "token",
		"d", "p", "q", "dp", "dq", "qi", "k":
		return true
	}
	return false
}

// sensitiveHeader reports whether the values of the header field named name (canonical form)
// never appear in verbose output.
func sensitiveHeader(name string) bool {
	switch name {
	case "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "Dpop":
		return true
	}
	return false
}

const redacted = "[redacted]"

// DisplayURL renders u for messages: without a password, with the values of sensitive query
// parameters replaced by "[redacted]", and sanitised to printable ASCII.
func DisplayURL(u *url.URL) string {
	v := *u
	if v.User != nil {
		v.User = url.User(v.User.Username())
		if _, has := u.User.Password(); has {
			v.User = url.UserPassword(v.User.Username(), "xxxxx")
		}
	}
	if v.RawQuery != "" {
		q, err := url.ParseQuery(v.RawQuery)
		if err != nil {
			v.RawQuery = redacted
		} else {
			changed := false
			for k := range q {
				if sensitiveParam(strings.ToLower(k)) {
					q[k] = []string{redacted}
					changed = true
				}
			}
			if changed {
				v.RawQuery = q.Encode()
			}
		}
	}
	return Sanitize(v.String(), 300)
}

package safehttp_test

import (
	"net"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// FuzzCheckURL checks the scheme policy every JWKS, discovery and token request goes through:
// plain http is accepted only for a loopback host unless insecure connections are allowed. An
// accepted URL must be https, or http whose host an independent check (net.ParseIP and the name
// localhost) finds to be loopback; it must have a host and no fragment. A refusal is a usage
// error. Hosts such as 127.0.0.1.attacker.example, localhost.attacker.example, 0x7f.1 or
// [::ffff:7f00:1]@attacker are what a bypass would look like.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"https://idp.example/jwks.json", "http://127.0.0.1:8080/jwks", "http://localhost./x", "http://[::1]:1/",
		"http://127.0.0.1.attacker.example/", "http://localhost.attacker.example/", "http://0x7f.1/",
		"http://[::ffff:127.0.0.1]/", "http://127.0.0.1@attacker.example/", "http://attacker.example#@127.0.0.1/",
		"http://[::1%25eth0]/", "HTTP://LOCALHOST/", "http://127.1/", "http://2130706433/", "https:///path",
		"http://[::ffff:7f00:1]/", "http://127.0.0.1:80@attacker.example:80/", "http://%31%32%37.0.0.1/",
	} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, raw string, insecure bool) {
		c := safehttp.New(safehttp.Options{AllowInsecure: insecure})
		u, err := c.CheckURL(raw)
		if err != nil {
			if failure.KindOf(err) != failure.KindUsage {
				t.Fatalf("CheckURL(%q): error of kind %v: %v", raw, failure.KindOf(err), err)
			}
			if strings.ContainsAny(err.Error(), "\r\n\x1b") {
				t.Fatalf("CheckURL(%q): the error shows control characters: %q", raw, err)
			}
			return
		}
		switch {
		case u.Scheme != "https" && u.Scheme != "http":
			t.Fatalf("CheckURL(%q) accepted scheme %q", raw, u.Scheme)
		case u.Hostname() == "":
			t.Fatalf("CheckURL(%q) accepted a URL without a host", raw)
		case strings.Contains(raw, "#"):
			t.Fatalf("CheckURL(%q) accepted a fragment", raw)
		case u.Scheme == "http" && !insecure && !loopback(u.Hostname()):
			t.Fatalf("CheckURL(%q) accepted plain http to %q, which is not loopback", raw, u.Hostname())
		}
	})
}

// loopback is the test's own idea of a loopback host: the name localhost (any case, one
// trailing dot) or an IP literal, zone removed, that net.ParseIP finds loopback.
func loopback(host string) bool {
	host = strings.TrimSuffix(host, ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	if i := strings.IndexByte(host, '%'); i >= 0 && strings.Contains(host, ":") {
		host = host[:i]
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

package dpop

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzHTU checks that an htu never keeps a query or fragment, is absolute http(s), and that
// HTU is idempotent.
func FuzzHTU(f *testing.F) {
	for _, s := range []string{"https://rs.example/a?b#c", "HTTP://X:1/", "https://u:p@h/p?", "http://[::1]:8/x", "https:x", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := HTU(in)
		if err != nil {
			return
		}
		u, err := url.Parse(out)
		if err != nil {
			t.Fatalf("HTU(%q) = %q, which does not parse: %v", in, out, err)
		}
		if u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(out, "?#") || u.User != nil {
			t.Fatalf("HTU(%q) = %q keeps a query, fragment or user", in, out)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("HTU(%q) = %q: scheme %q", in, out, u.Scheme)
		}
		again, err := HTU(out)
		if err != nil || again != out {
			t.Fatalf("HTU not idempotent: %q -> %q -> %q, %v", in, out, again, err)
		}
	})
}

// FuzzParseNonce checks that an accepted DPoP-Nonce is safe to put in a proof and a message.
func FuzzParseNonce(f *testing.F) {
	for _, s := range []string{"eyJ7S_zG.eyJH0-Z.HX4w-7v", " n ", "", `a"b`, "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := ParseNonce([]string{in})
		if err != nil {
			return
		}
		if CheckNonce(n) != nil || strings.ContainsAny(n, " \t\r\n\"\\") {
			t.Fatalf("ParseNonce(%q) = %q, not a valid nonce", in, n)
		}
	})
}

package oauth

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzIssuedTokenType: any token response body gives an absolute URI of printable ASCII, ""
// or a clean one-line error, and never panics.
func FuzzIssuedTokenType(f *testing.F) {
	f.Add([]byte(`{"access_token":"a","token_type":"Bearer","issued_token_type":"urn:ietf:params:oauth:token-type:access_token"}`))
	f.Add([]byte(`{"issued_token_type":null}`))
	f.Add([]byte(`{"issued_token_type":7}`))
	f.Add([]byte(`{"issued_token_type":"not a uri\u001b[2J"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		typ, err := IssuedTokenType(body)
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r\x1b") || len(msg) > 300 {
				t.Fatalf("unclean error %q", msg)
			}
			return
		}
		if typ == "" {
			return
		}
		if u, perr := url.Parse(typ); perr != nil || u.Scheme == "" || !isTokenText(typ) {
			t.Fatalf("accepted %q", typ)
		}
	})
}

// FuzzTokenType: a --subject-token-type value is a known URN or an absolute URI of printable
// ASCII, or a usage error.
func FuzzTokenType(f *testing.F) {
	for _, s := range []string{"access_token", "jwt", "urn:x:y", "bogus", "https://t.example/type", "", "urn:\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		typ, err := TokenType("--subject-token-type", s)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r\x1b") {
				t.Fatalf("unclean error %q", err)
			}
			return
		}
		if !isTokenText(typ) || !strings.Contains(typ, ":") {
			t.Fatalf("accepted %q as %q", s, typ)
		}
	})
}

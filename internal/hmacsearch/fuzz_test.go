package hmacsearch

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// FuzzParseTarget feeds arbitrary tokens to ParseTarget: no panic, and a target it accepts is an
// HMAC algorithm with a tag of the hash's size.
func FuzzParseTarget(f *testing.F) {
	f.Add(mint("HS256", []byte("secret")))
	f.Add(mint("HS512", nil))
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.AAAA")
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.")
	f.Add("..")
	f.Fuzz(func(t *testing.T, tok string) {
		target, err := ParseTarget(tok)
		if err != nil {
			return
		}
		if want := map[string]int{"HS256": 32, "HS384": 48, "HS512": 64}[target.Alg]; want == 0 || len(target.tag) != want {
			t.Fatalf("accepted alg %q with a %d-byte tag", target.Alg, len(target.tag))
		}
	})
}

// FuzzWordList checks the word-list reader on arbitrary lists: a secret written as a line of its
// own after them is always found, whatever came before (long lines, CR, no final newline).
func FuzzWordList(f *testing.F) {
	f.Add([]byte("a\nb\r\nc"), "zz")
	f.Add([]byte(strings.Repeat("x", 70000)), "tail")
	f.Add([]byte("\n\n\r\n"), "")
	f.Add([]byte{0, 0xff, '\n'}, "\x00")
	f.Fuzz(func(t *testing.T, list []byte, secret string) {
		if strings.ContainsAny(secret, "\r\n") || len(secret) > MaxWord {
			return
		}
		target, err := ParseTarget(mint("HS256", []byte(secret)))
		if err != nil {
			t.Fatal(err)
		}
		var in bytes.Buffer
		in.Write(list)
		in.WriteString("\n" + secret + "\n")
		res, err := Search(context.Background(), target, nil, &in, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Secret == nil || !target.Check(res.Secret) {
			t.Fatalf("secret %q not found after %d words", secret, res.Tried)
		}
	})
}

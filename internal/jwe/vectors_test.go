package jwe

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/jwtkit/jwtkit/internal/keys"
)

// vector is a published example: RFC 7516 Appendix A and RFC 7520 §5 (copied from the RFC
// texts and from github.com/ietf-jose/cookbook, the public-domain source of RFC 7520).
type vector struct {
	Name      string          `json:"name"`
	Title     string          `json:"title"`
	Plaintext string          `json:"plaintext"`
	Compact   string          `json:"compact"`
	Key       json.RawMessage `json:"key"`
	Password  string          `json:"password"`
}

func loadVectors(t *testing.T, file string) []vector {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestPublishedVectors(t *testing.T) {
	var vs []vector
	vs = append(vs, loadVectors(t, "testdata/rfc7516.json")...)
	vs = append(vs, loadVectors(t, "testdata/rfc7520.json")...)
	if len(vs) != 12 {
		t.Fatalf("%d vectors, want 12 (RFC 7516 A.1-A.3, RFC 7520 5.1-5.9)", len(vs))
	}
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			var list []keys.Key
			opts := DecryptOptions{AllowRSA1_5: true}
			if v.Password != "" {
				opts.Passwords = [][]byte{[]byte(v.Password)}
			} else {
				var err error
				if list, err = keys.Parse(v.Key, keys.ParseOptions{Source: v.Name}); err != nil {
					t.Fatalf("key: %v", err)
				}
			}
			res, err := Decrypt(v.Compact, list, opts)
			if err != nil {
				t.Fatalf("%s: %v", v.Title, err)
			}
			if string(res.Plaintext) != v.Plaintext {
				t.Fatalf("plaintext %q, want %q", res.Plaintext, v.Plaintext)
			}
			if res.Alg == "RSA1_5" {
				if _, err := Decrypt(v.Compact, list, DecryptOptions{}); err == nil {
					t.Fatal("RSA1_5 opened without AllowRSA1_5")
				}
			}
		})
	}
}

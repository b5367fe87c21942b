package forge

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"
)

func newTestAttacker(t *testing.T) *Attacker {
	t.Helper()
	a, err := NewAttacker(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestForgeVariants checks the catalogue: names are unique and stable in form, no variant is
// the genuine token, each keeps the genuine claims unless it edits them, WithClaims puts other
// claims in the same forgery, and the key-confusion tags are HMACs keyed by the public key's
// bytes.
func TestForgeVariants(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	payload := `{"sub":"alice","exp":1795602600}`
	g, err := ParseGenuine(Compact(`{"alg":"RS256","kid":"r1"}`, payload, []byte("sig")))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := Forge(g, Options{
		Attacker:   newTestAttacker(t),
		KeyURL:     "http://127.0.0.1:1/",
		PublicKeys: []PublicKey{{Kid: "r1", Key: &rsaKey.PublicKey}, {Kid: "e1", Key: &ecKey.PublicKey}},
		KeySet:     []byte(`{"keys":[]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	name := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	for _, v := range vs {
		if !name.MatchString(v.Name) || seen[v.Name] {
			t.Errorf("variant name %q is not unique lower-case words joined by dashes", v.Name)
		}
		seen[v.Name] = true
		if v.Token == g.Token || v.Title == "" || v.Cite == "" {
			t.Errorf("%s: token, title or citation missing", v.Name)
		}
		p := parts(v.Token)
		if len(p) != 3 {
			t.Fatalf("%s: %d segments", v.Name, len(p))
		}
		if v.Name != "tampered-payload" && p[1] != seg(payload) {
			t.Errorf("%s: claims changed", v.Name)
		}
		other := `{"sub":"bob"}`
		tok, err := v.WithClaims(other)
		if err != nil {
			t.Fatal(err)
		}
		if parts(tok)[1] != seg(other) {
			t.Errorf("%s: WithClaims did not put the claims in", v.Name)
		}
	}
	for _, want := range []string{"confusion-hs256-pem-k1", "confusion-hs256-pkcs1-pem-k1", "confusion-hs256-jwk-k2", "confusion-hs256-jwks", "jku-elsewhere", "x5u-elsewhere", "embedded-jwk-victim-kid", "tampered-payload"} {
		if !seen[want] {
			t.Errorf("no variant %s", want)
		}
	}
	// The PEM form's tag is HMAC-SHA256 keyed by the PEM file's bytes, under the key's kid.
	forms, err := confusionForms(PublicKey{Kid: "r1", Key: &rsaKey.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Name != "confusion-hs256-pem-k1" {
			continue
		}
		p := parts(v.Token)
		m := hmac.New(sha256.New, forms[0].bytes)
		m.Write([]byte(p[0] + "." + p[1]))
		if base64.RawURLEncoding.EncodeToString(m.Sum(nil)) != p[2] || !strings.HasPrefix(string(forms[0].bytes), "-----BEGIN PUBLIC KEY-----") {
			t.Error("confusion-hs256-pem-k1 is not tagged with the PEM")
		}
		hdr, _ := base64.RawURLEncoding.DecodeString(p[0])
		if string(hdr) != `{"alg":"HS256","kid":"r1"}` {
			t.Errorf("confusion header %s", hdr)
		}
	}
}

func TestObject(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
		edit          func(Object) Object
	}{
		{in: `{"b":1, "a":[1, 2],"c":{"x" : "y"}}`, want: `{"b":1,"a":[1,2],"c":{"x":"y"}}`},
		{in: `{"alg":"RS256","kid":"k"}`, want: `{"alg":"none","kid":"k"}`, edit: func(o Object) Object { return o.With("alg", "none") }},
		{in: `{"alg":"RS256","kid":"k"}`, want: `{"alg":"RS256","x":"<&>"}`, edit: func(o Object) Object { return o.Without("kid").With("x", "<&>") }},
		{in: `{"n":12345678901234567890123}`, want: `{"n":12345678901234567890123}`},
		{in: `{"a":1,"a":2}`, err: "twice"},
		{in: `{"a":1}{}`, err: "after"},
		{in: `[1]`, err: "not a JSON object"},
		{in: `{"a":}`, err: "reading"},
		{in: ``, err: "reading"},
	} {
		o, err := ParseObject([]byte(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseObject(%s) = %v, want an error with %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("ParseObject(%s): %v", tc.in, err)
		}
		if tc.edit != nil {
			o = tc.edit(o)
		}
		if got := o.JSON(); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

// FuzzParseObject checks that an Object parsed from any input renders as JSON that parses back
// to the same rendering, and never panics.
func FuzzParseObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"alg":"HS256","typ":"JWT"}`, `{"a":{"b":[1,{"c":null}]}}`, `{"a":1,"a":2}`, `{"\u0061":1,"a":2}`, `{"a":1e400}`, `{"a":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := ParseObject(data)
		if err != nil {
			return
		}
		out := o.With("alg", "none").JSON()
		back, err := ParseObject([]byte(out))
		if err != nil {
			t.Fatalf("rendering %q does not parse back: %v", out, err)
		}
		if back.JSON() != out {
			t.Fatalf("round trip changed %q to %q", out, back.JSON())
		}
	})
}

package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
)

func edJWK(t *testing.T, kid, extra string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return `{"kty":"OKP","crv":"Ed25519","kid":"` + kid + `","x":"` + b64(pub) + `"` + extra + `}`
}

func TestParseJWKS(t *testing.T) {
	good := edJWK(t, "good", "")
	rsaPub := strings.Replace(rfc7638Key, `"kid":"2011-04-29"`, `"kid":"rsa"`, 1)
	tests := []struct {
		name      string
		set       string
		wantKids  []string
		wantNotes []string
		wantErr   string
	}{
		{name: "two keys", set: `{"keys":[` + good + `,` + rsaPub + `]}`, wantKids: []string{"good", "rsa"}},
		{name: "extra members ignored", set: `{"keys":[` + good + `],"x":1}`, wantKids: []string{"good"}},
		{
			name:      "unknown kty skipped",
			set:       `{"keys":[{"kty":"AKP","kid":"pq","alg":"ML-DSA-65","pub":"AAAA"},` + good + `]}`,
			wantKids:  []string{"good"},
			wantNotes: []string{`jwks.example: skipped key 1 (kid "pq"): unsupported key type (kty) "AKP"`},
		},
		{
			name:      "unsupported curve skipped",
			set:       `{"keys":[{"kty":"OKP","crv":"X25519","x":"AAAA"},` + good + `]}`,
			wantKids:  []string{"good"},
			wantNotes: []string{"skipped key 1: X25519 keys are for key agreement"},
		},
		{
			name:      "malformed key skipped",
			set:       `{"keys":[{"kty":"EC","crv":"P-256","kid":"broken","x":"AAAA","y":"AAAA"},"text",` + good + `]}`,
			wantKids:  []string{"good"},
			wantNotes: []string{`skipped key 1 (kid "broken"): invalid EC key`, "skipped key 2: not a JSON object"},
		},
		{
			name:      "weak RSA skipped",
			set:       `{"keys":[{"kty":"RSA","kid":"old","n":"` + b64(bytes.Repeat([]byte{0xff}, 128)) + `","e":"AQAB"},` + good + `]}`,
			wantKids:  []string{"good"},
			wantNotes: []string{`skipped key 1 (kid "old"): RSA key is 1024 bits; at least 2048 are required`},
		},
		{name: "private member refused", set: `{"keys":[` + good + `,` + rfc8037Key + `]}`, wantErr: `publishes private key material (member "d" of key 2)`},
		{name: "oct refused", set: `{"keys":[{"kty":"oct","kid":"s"}]}`, wantErr: "publishes a symmetric (oct) key"},
		{name: "k refused", set: `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`, wantErr: `private key material (member "k" of key 1)`},
		{name: "all skipped", set: `{"keys":[{"kty":"AKP"}]}`, wantErr: `no usable key in jwks.example (1 skipped; first: skipped key 1: unsupported key type (kty) "AKP")`},
		{name: "empty set", set: `{"keys":[]}`, wantErr: "no usable key in jwks.example: the set is empty"},
		{name: "single JWK is not a set", set: good, wantErr: `is not a JWK Set: it has no "keys" member`},
		{name: "keys not an array", set: `{"keys":{}}`, wantErr: `member "keys" must be an array`},
		{name: "keys null", set: `{"keys":null}`, wantErr: `member "keys" must be an array`},
		{name: "not JSON", set: `<html>`, wantErr: "is not a valid JWK or JWK Set"},
		{name: "duplicate keys member", set: `{"keys":[],"keys":[]}`, wantErr: `member "keys" appears twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, notes, err := ParseJWKS([]byte(tt.set), "jwks.example")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				if failure.KindOf(err) != failure.KindRemote || failure.CodeOf(err) != "jwks" {
					t.Errorf("kind/code = %v/%s, want remote/jwks", failure.KindOf(err), failure.CodeOf(err))
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseJWKS: %v", err)
			}
			var kids []string
			for _, k := range keys {
				kids = append(kids, k.JWK.KeyID)
				if k.IsPrivate() || k.IsSymmetric() || k.Source != "jwks.example" {
					t.Errorf("key %q: private %v symmetric %v source %q", k.JWK.KeyID, k.IsPrivate(), k.IsSymmetric(), k.Source)
				}
			}
			if fmt.Sprint(kids) != fmt.Sprint(tt.wantKids) {
				t.Errorf("kids = %v, want %v", kids, tt.wantKids)
			}
			if len(notes) != len(tt.wantNotes) {
				t.Fatalf("notes = %q, want %d", notes, len(tt.wantNotes))
			}
			for i := range notes {
				if !strings.Contains(notes[i], tt.wantNotes[i]) {
					t.Errorf("note %d = %q, want it to contain %q", i, notes[i], tt.wantNotes[i])
				}
			}
		})
	}
}

func TestParseJWKSLimits(t *testing.T) {
	one := edJWK(t, "k", "")
	many := `{"keys":[` + strings.Repeat(one+",", MaxKeys) + one + `]}`
	if _, _, err := ParseJWKS([]byte(many), "big"); err == nil || !strings.Contains(err.Error(), "holds 1001 keys; at most 1000") {
		t.Errorf("1001 keys: error = %v", err)
	}
	if _, _, err := ParseJWKS(bytes.Repeat([]byte(" "), MaxInputSize+1), "big"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized: error = %v", err)
	}
	huge := `{"keys":[{"kty":"RSA","n":"` + b64(bytes.Repeat([]byte{0xff}, MaxRSABits/8+8)) + `","e":"AQAB"},` + one + `]}`
	_, notes, err := ParseJWKS([]byte(huge), "big")
	if err != nil || len(notes) != 1 || !strings.Contains(notes[0], "at most 16384 are supported") {
		t.Errorf("huge RSA: notes %q, error %v", notes, err)
	}
}

// TestParseLocalSet checks a JWK Set read from a local file: private keys and secrets are
// fine there, unsupported keys are skipped, broken keys are errors.
func TestParseLocalSet(t *testing.T) {
	set := `{"keys":[` + rfc8037Key + `,{"kty":"oct","kid":"s","k":"c2VjcmV0"},{"kty":"AKP","kid":"pq"}]}`
	keys, notes, err := ParseNotes([]byte(set), ParseOptions{Source: "local.json"})
	if err != nil || len(keys) != 2 || len(notes) != 1 || !keys[0].IsPrivate() || !keys[1].IsSymmetric() {
		t.Fatalf("got %d keys, notes %q, error %v", len(keys), notes, err)
	}
	_, err = Parse([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}`), ParseOptions{Source: "local.json"})
	if err == nil || !strings.Contains(err.Error(), "local.json, key 1: invalid EC key") || failure.KindOf(err) != failure.KindUsage {
		t.Errorf("broken key: error = %v", err)
	}
}

func TestSelect(t *testing.T) {
	mk := func(kid, use string) Key {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		k := Key{Source: "keys.json"}
		k.JWK.Key, k.JWK.KeyID, k.JWK.Use = priv.Public(), kid, use
		return k
	}
	a, b, c := mk("a", "sig"), mk("b", ""), mk("c", "")
	enc := mk("e", "enc")
	noKid := mk("", "")
	noKidTP, _ := noKid.Thumbprint()
	dupA := mk("a", "")
	tests := []struct {
		name    string
		keys    []Key
		kid     string
		want    *Key
		wantErr string
	}{
		{name: "only key", keys: []Key{a}, want: &a},
		{name: "only signing key", keys: []Key{enc, b}, want: &b},
		{name: "by kid", keys: []Key{a, b, c}, kid: "b", want: &b},
		{name: "by thumbprint when kid-less", keys: []Key{a, noKid}, kid: noKidTP, want: &noKid},
		{name: "choose one", keys: []Key{a, b, c}, wantErr: "keys.json holds 3 keys; choose one with --kid (a, b, c)"},
		{name: "choose one lists thumbprints", keys: []Key{a, noKid}, wantErr: "choose one with --kid (a, " + noKidTP + ")"},
		{name: "unknown kid", keys: []Key{a, b, enc}, kid: "x", wantErr: `no key with kid "x" in keys.json; available: a, b`},
		{name: "hostile kid quoted", keys: []Key{a}, kid: "x\n\x1b[31m", wantErr: `no key with kid "x\n\x1b[31m"`},
		{name: "encryption key by kid", keys: []Key{a, enc}, kid: "e", wantErr: `key "e" in keys.json cannot sign or verify: its "use" is "enc", not "sig" (RFC 7517 §4.2)`},
		{name: "only encryption keys", keys: []Key{enc}, wantErr: `keys.json holds no signing key: key "e": its "use" is "enc"`},
		{name: "duplicate kid", keys: []Key{a, dupA}, kid: "a", wantErr: `keys.json holds 2 keys with kid "a"`},
		{name: "no keys", keys: nil, wantErr: "no keys to choose from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Select(tt.keys, tt.kid)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				if failure.CodeOf(err) != "key" {
					t.Errorf("code %s", failure.CodeOf(err))
				}
				return
			}
			if err != nil {
				t.Fatalf("Select: %v", err)
			}
			gtp, _ := got.Thumbprint()
			wtp, _ := tt.want.Thumbprint()
			if gtp != wtp {
				t.Errorf("selected the wrong key")
			}
		})
	}
	var many []Key
	for i := range 12 {
		many = append(many, mk(fmt.Sprintf("k%d", i), ""))
	}
	if _, err := Select(many, ""); err == nil || !strings.Contains(err.Error(), "k9, and 2 more)") {
		t.Errorf("long list: %v", err)
	}
	mixed := []Key{a, mk("z", "")}
	mixed[1].Source = "other.pem"
	if _, err := Select(mixed, ""); err == nil || !strings.HasPrefix(err.Error(), "the keys holds 2 keys") {
		t.Errorf("mixed sources: %v", err)
	}
}

func TestMarshalJWKS(t *testing.T) {
	ec1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	k1 := Key{Source: "a"}
	k1.JWK.Key, k1.JWK.KeyID = ec1, "first"
	k1pub := k1.Public()
	k1pub.JWK.KeyID = "dup"
	k2 := Key{Source: "b"}
	k2.JWK.Key = ed

	out, err := MarshalJWKS([]Key{k2, k1, k1pub}, false)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(`"d"`)) {
		t.Errorf("public set holds a private member:\n%s", out)
	}
	back, notes, err := ParseJWKS(out, "mine")
	if err != nil || len(notes) != 0 || len(back) != 2 {
		t.Fatalf("re-read: %d keys, notes %q, error %v\n%s", len(back), notes, err, out)
	}
	tp2, _ := k2.Thumbprint()
	if back[0].JWK.KeyID != tp2 || back[1].JWK.KeyID != "first" {
		t.Errorf("order or kids wrong: %q %q", back[0].JWK.KeyID, back[1].JWK.KeyID)
	}
	again, _ := MarshalJWKS([]Key{k2, k1, k1pub}, false)
	if !bytes.Equal(out, again) {
		t.Error("output is not deterministic")
	}
	if !json.Valid(out) || !bytes.HasPrefix(out, []byte("{\n  \"keys\": [\n    {\n")) {
		t.Errorf("not indented JSON:\n%s", out)
	}

	priv, err := MarshalJWKS([]Key{k1, SecretKey([]byte("0123456789abcdef0123456789abcdef"), "s")}, true)
	if err != nil || !bytes.Contains(priv, []byte(`"d"`)) || !bytes.Contains(priv, []byte(`"k"`)) {
		t.Errorf("private set = %s, %v", priv, err)
	}
	if _, err := MarshalJWKS([]Key{SecretKey([]byte("x"), "s")}, false); err == nil {
		t.Error("a secret went into a public set")
	}
	if out, err := MarshalJWKS(nil, false); err != nil || string(out) != "{\n  \"keys\": []\n}" {
		t.Errorf("empty set = %q, %v", out, err)
	}
}

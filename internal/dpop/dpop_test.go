package dpop

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
)

var fixedNow = time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)

func newKey(t *testing.T, kind string, size int, curve string) keys.Key {
	t.Helper()
	k, err := keys.Generate(rand.Reader, kind, size, curve, "")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestProofVerifiesWithItsOwnJWK signs proofs with each key type and checks them the way a
// server does (RFC 9449 §4.3): go-jose verifies the signature with the jwk of the header alone,
// and the header and claims are as the RFC asks.
func TestProofVerifiesWithItsOwnJWK(t *testing.T) {
	rsaKey := newKey(t, "RSA", 2048, "")
	cases := []struct {
		name, alg, wantAlg, kty string
		key                     keys.Key
	}{
		{"ES256", "", "ES256", "EC", newKey(t, "EC", 0, "P-256")},
		{"ES384", "", "ES384", "EC", newKey(t, "EC", 0, "P-384")},
		{"RS256", "", "RS256", "RSA", rsaKey},
		{"PS256", "PS256", "PS256", "RSA", rsaKey},
		{"EdDSA", "", "EdDSA", "OKP", newKey(t, "OKP", 0, "Ed25519")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := NewSigner(c.key, c.alg, func() time.Time { return fixedNow }, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			proof, err := s.Sign(Proof{Method: "post", URL: "https://AS.example/token?x=1#frag", AccessToken: "tok-123", Nonce: "n-1"})
			if err != nil {
				t.Fatal(err)
			}
			jws, err := jose.ParseSignedCompact(proof, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(c.wantAlg)})
			if err != nil {
				t.Fatal(err)
			}
			embedded := jws.Signatures[0].Protected.JSONWebKey
			if embedded == nil || !embedded.IsPublic() {
				t.Fatalf("header jwk missing or not public: %+v", embedded)
			}
			payload, err := jws.Verify(embedded.Key)
			if err != nil {
				t.Fatalf("verifying with the header's jwk: %v", err)
			}
			h, cl, err := Decode(proof)
			if err != nil {
				t.Fatal(err)
			}
			if h.Typ != "dpop+jwt" || h.Alg != c.wantAlg || h.JWK["kty"] != c.kty {
				t.Errorf("header = %+v", h)
			}
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k", "priv"} {
				if _, ok := h.JWK[private]; ok {
					t.Errorf("header jwk has private member %q", private)
				}
			}
			var verified map[string]any
			if err := json.Unmarshal(payload, &verified); err != nil || !bytes.Equal(mustJSON(t, cl), mustJSON(t, verified)) {
				t.Errorf("Decode's claims differ from the verified payload")
			}
			want := map[string]any{"htm": "POST", "htu": "https://as.example/token", "iat": float64(fixedNow.Unix()),
				"ath": ATH("tok-123"), "nonce": "n-1"}
			for k, v := range want {
				if cl[k] != v {
					t.Errorf("claim %s = %v, want %v", k, cl[k], v)
				}
			}
			if jti, _ := cl["jti"].(string); len(jti) < 16 {
				t.Errorf("jti = %q, want a random value", jti)
			}
			tp, err := embedded.Thumbprint(crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			if b64(tp) != s.Thumbprint() {
				t.Errorf("Thumbprint() = %s, go-jose says %s", s.Thumbprint(), b64(tp))
			}
		})
	}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestProofsDiffer(t *testing.T) {
	s, err := NewSigner(newKey(t, "EC", 0, "P-256"), "", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.Sign(Proof{Method: "GET", URL: "https://rs.example/x"})
	b, _ := s.Sign(Proof{Method: "GET", URL: "https://rs.example/x"})
	_, ca, _ := Decode(a)
	_, cb, _ := Decode(b)
	if ca["jti"] == cb["jti"] {
		t.Errorf("two proofs share the jti %v", ca["jti"])
	}
	if _, ok := ca["ath"]; ok {
		t.Errorf("a proof without an access token has ath")
	}
	if _, ok := ca["nonce"]; ok {
		t.Errorf("a proof without a nonce has nonce")
	}
}

func TestNewSignerRefuses(t *testing.T) {
	ec := newKey(t, "EC", 0, "P-256")
	cases := []struct {
		name string
		key  keys.Key
		alg  string
		want string
	}{
		{"HMAC secret", keys.SecretKey(bytes.Repeat([]byte("s"), 32), "secret"), "", "HMAC secret"},
		{"public key", ec.Public(), "", "needs the private key"},
		{"HS256", ec, "HS256", "asymmetric"},
		{"none", ec, "none", "asymmetric"},
		{"wrong alg for key", ec, "RS256", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewSigner(c.key, c.alg, time.Now, rand.Reader)
			if err == nil || failure.ExitCode(err) != 2 || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v (exit %d), want exit 2 with %q", err, failure.ExitCode(err), c.want)
			}
		})
	}
}

func TestHTU(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://rs.example/api?q=1", "https://rs.example/api"},
		{"https://rs.example/api#top", "https://rs.example/api"},
		{"https://rs.example/api?#", "https://rs.example/api"},
		{"HTTPS://RS.Example:8443/A/b", "https://rs.example:8443/A/b"},
		{"http://127.0.0.1:8080/token", "http://127.0.0.1:8080/token"},
		{"https://user:pw@rs.example/x", "https://rs.example/x"},
		{"ftp://rs.example/x", ""},
		{"/relative", ""},
		{"rs.example/x", ""},
		{"", ""},
		{"https:opaque", ""},
	}
	for _, c := range cases {
		got, err := HTU(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("HTU(%q) = %q, want an error", c.in, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("HTU(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestMethodAndNonce(t *testing.T) {
	for in, ok := range map[string]bool{"GET": true, "post": true, "PATCH": true, "": false, "GE T": false, "GET\n": false, "A/B": false} {
		if _, err := Method(in); (err == nil) != ok {
			t.Errorf("Method(%q) err = %v, want ok=%v", in, err, ok)
		}
	}
	for in, ok := range map[string]bool{"abc-123_~!": true, "": false, `a"b`: false, `a\b`: false, "a b": false, strings.Repeat("n", MaxNonce+1): false} {
		if err := CheckNonce(in); (err == nil) != ok {
			t.Errorf("CheckNonce(%q) err = %v, want ok=%v", in, err, ok)
		}
	}
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{" n1 "}, "n1"},
		{nil, ""},
		{[]string{"a", "b"}, ""},
		{[]string{""}, ""},
		{[]string{"bad\x01"}, ""},
	} {
		got, err := ParseNonce(c.in)
		if (c.want == "") != (err != nil) || got != c.want {
			t.Errorf("ParseNonce(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestATH(t *testing.T) {
	// RFC 9449 §7.1's example: the access token and its ath.
	const at = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
	if got := ATH(at); got != "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo" {
		t.Errorf("ATH = %s", got)
	}
}

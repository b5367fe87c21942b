package dpop

import (
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/token"
)

const testHTU = "https://as.example/token"

// forge signs an arbitrary header and payload with key material, so a test can build proofs
// that Signer never makes.
func forge(t *testing.T, alg string, key any, header, payload map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(header)
	p, _ := json.Marshal(payload)
	s, err := token.Sign(alg, key, h, p, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestVerify runs every RFC 9449 §4.3 check: the good proof passes, and each broken one is
// refused with the RFC's error code.
func TestVerify(t *testing.T) {
	ec := newKey(t, "EC", 0, "P-256")
	other := newKey(t, "EC", 0, "P-256")
	s, err := NewSigner(ec, "", func() time.Time { return fixedNow }, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(p Proof) string {
		proof, err := s.Sign(p)
		if err != nil {
			t.Fatal(err)
		}
		return proof
	}
	jwk, _ := PublicJWK(ec)
	claims := func(mod func(map[string]any)) map[string]any {
		c := map[string]any{"jti": "j1", "htm": "POST", "htu": testHTU, "iat": fixedNow.Unix()}
		if mod != nil {
			mod(c)
		}
		return c
	}
	header := func(typ, alg string, jwk any) map[string]any {
		return map[string]any{"typ": typ, "alg": alg, "jwk": jwk}
	}
	privJWK := map[string]any{}
	for k, v := range jwk {
		privJWK[k] = v
	}
	privJWK["d"] = "AAAA"

	cases := []struct {
		name, proof, method, url string
		opts                     VerifyOptions
		wantCode                 string
	}{
		{"good", sign(Proof{Method: "POST", URL: testHTU}), "POST", testHTU + "?q=1", VerifyOptions{}, ""},
		{"good with ath", sign(Proof{Method: "GET", URL: "https://rs/u", AccessToken: "at"}), "GET", "https://rs/u", VerifyOptions{AccessToken: "at"}, ""},
		{"good with nonce", sign(Proof{Method: "POST", URL: testHTU, Nonce: "n1"}), "POST", testHTU, VerifyOptions{Nonces: []string{"n1", "n2"}}, ""},
		{"good bound key", sign(Proof{Method: "POST", URL: testHTU}), "POST", testHTU, VerifyOptions{JKT: s.Thumbprint()}, ""},
		{"empty", "", "POST", testHTU, VerifyOptions{}, CodeInvalidProof},
		{"not a jws", "a.b", "POST", testHTU, VerifyOptions{}, CodeInvalidProof},
		{"wrong htm", sign(Proof{Method: "GET", URL: testHTU}), "POST", testHTU, VerifyOptions{}, CodeInvalidProof},
		{"wrong htu", sign(Proof{Method: "POST", URL: "https://evil.example/token"}), "POST", testHTU, VerifyOptions{}, CodeInvalidProof},
		{"wrong typ", forge(t, "ES256", ec.JWK.Key, header("JWT", "ES256", jwk), claims(nil)), "POST", testHTU, VerifyOptions{}, CodeInvalidProof},
		{"signed by another key", forge(t, "ES256", other.JWK.Key, header(HeaderType, "ES256", jwk), claims(nil)), "POST", testHTU, VerifyOptions{}, CodeInvalidProof},
		{"HS256", forge(t, "HS256", []byte("0123456789abcdef0123456789abcdef"), header(HeaderType, "HS256", jwk), claims(nil)), "POST", testHTU, VerifyOptions{Algs: []string{"HS256", "ES256"}}, CodeInvalidProof},
		{"alg not allowed", sign(Proof{Method: "POST", URL: testHTU}), "POST", testHTU, VerifyOptions{Algs: []string{"EdDSA"}}, CodeInvalidProof},
		{"private jwk", forge(t, "ES256", ec.JWK.Key, header(HeaderType, "ES256", privJWK), claims(nil)), "POST", testHTU, VerifyOptions{}, CodeInvalidProof},
		{"no jwk", forge(t, "ES256", ec.JWK.Key, header(HeaderType, "ES256", nil), claims(nil)), "POST", testHTU, VerifyOptions{}, CodeInvalidProof},
		{"no jti", forge(t, "ES256", ec.JWK.Key, header(HeaderType, "ES256", jwk), claims(func(c map[string]any) { delete(c, "jti") })), "POST", testHTU, VerifyOptions{}, CodeInvalidProof},
		{"iat too old", forge(t, "ES256", ec.JWK.Key, header(HeaderType, "ES256", jwk), claims(func(c map[string]any) { c["iat"] = fixedNow.Add(-time.Hour).Unix() })), "POST", testHTU, VerifyOptions{}, CodeInvalidProof},
		{"iat in the future", forge(t, "ES256", ec.JWK.Key, header(HeaderType, "ES256", jwk), claims(func(c map[string]any) { c["iat"] = fixedNow.Add(time.Hour).Unix() })), "POST", testHTU, VerifyOptions{}, CodeInvalidProof},
		{"iat a string", forge(t, "ES256", ec.JWK.Key, header(HeaderType, "ES256", jwk), claims(func(c map[string]any) { c["iat"] = "now" })), "POST", testHTU, VerifyOptions{}, CodeInvalidProof},
		{"ath at the token endpoint", sign(Proof{Method: "POST", URL: testHTU, AccessToken: "at"}), "POST", testHTU, VerifyOptions{}, CodeInvalidProof},
		{"ath missing", sign(Proof{Method: "GET", URL: "https://rs/u"}), "GET", "https://rs/u", VerifyOptions{AccessToken: "at"}, CodeInvalidProof},
		{"ath of another token", sign(Proof{Method: "GET", URL: "https://rs/u", AccessToken: "other"}), "GET", "https://rs/u", VerifyOptions{AccessToken: "at"}, CodeInvalidProof},
		{"nonce missing", sign(Proof{Method: "POST", URL: testHTU}), "POST", testHTU, VerifyOptions{Nonces: []string{"n1", "n2"}}, CodeUseNonce},
		{"stale nonce", sign(Proof{Method: "POST", URL: testHTU, Nonce: "n0"}), "POST", testHTU, VerifyOptions{Nonces: []string{"n1", "n2"}}, CodeUseNonce},
		{"key not the bound one", sign(Proof{Method: "POST", URL: testHTU}), "POST", testHTU, VerifyOptions{JKT: "not-it"}, CodeInvalidProof},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := Verify(c.proof, c.method, c.url, fixedNow.Add(30*time.Second), c.opts)
			if c.wantCode == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if v.JKT != s.Thumbprint() || v.JTI == "" || !v.IssuedAt.Equal(fixedNow) {
					t.Fatalf("verified = %+v, want jkt %s", v, s.Thumbprint())
				}
				return
			}
			pe, ok := IsProofError(err)
			if !ok {
				t.Fatalf("err = %v, want a *ProofError %s", err, c.wantCode)
			}
			if pe.Code != c.wantCode {
				t.Fatalf("code = %s (%v), want %s", pe.Code, err, c.wantCode)
			}
			if c.proof != "" && strings.Contains(err.Error(), c.proof) {
				t.Fatal("the error holds the proof")
			}
		})
	}
}

// FuzzVerify feeds arbitrary proofs to Verify: it never panics, and anything it accepts is a
// proof for the request asked about, with a thumbprint and a jti.
func FuzzVerify(f *testing.F) {
	for _, s := range []string{"", "a.b.c", "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2In0.e30.AAAA", strings.Repeat("A", 100) + ".."} {
		f.Add(s, "POST", testHTU)
	}
	f.Fuzz(func(t *testing.T, proof, method, url string) {
		v, err := Verify(proof, method, url, fixedNow, VerifyOptions{})
		if err != nil {
			if _, ok := IsProofError(err); !ok {
				t.Fatalf("error of another type: %T %v", err, err)
			}
			return
		}
		if v.JKT == "" || v.JTI == "" {
			t.Fatalf("accepted without thumbprint or jti: %+v", v)
		}
	})
}

package token

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"math/big"
	"strings"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// testKeys are generated once per test binary: RSA generation is slow.
type testKeys struct {
	secret256, secret384, secret512 []byte
	rsa                             *rsa.PrivateKey
	rsaSmall                        *rsa.PrivateKey
	p256, p384, p521                *ecdsa.PrivateKey
	ed                              ed25519.PrivateKey
}

var keysOnce = sync.OnceValue(func() *testKeys {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	k := &testKeys{
		secret256: bytes.Repeat([]byte{1}, 32),
		secret384: bytes.Repeat([]byte{2}, 48),
		secret512: bytes.Repeat([]byte{3}, 64),
	}
	var err error
	k.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.rsaSmall, err = rsa.GenerateKey(rand.Reader, 1024)
	must(err)
	k.p256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	k.p384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	must(err)
	k.p521, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	must(err)
	_, k.ed, err = ed25519.GenerateKey(rand.Reader)
	must(err)
	return k
})

// signCase is one alg with its private key and the public key go-jose verifies with.
type signCase struct {
	alg           string
	key, pub      any
	deterministic bool
}

func signCases() []signCase {
	k := keysOnce()
	return []signCase{
		{"HS256", k.secret256, k.secret256, true},
		{"HS384", k.secret384, k.secret384, true},
		{"HS512", k.secret512, k.secret512, true},
		{"RS256", k.rsa, &k.rsa.PublicKey, true},
		{"RS384", k.rsa, &k.rsa.PublicKey, true},
		{"RS512", k.rsa, &k.rsa.PublicKey, true},
		{"PS256", k.rsa, &k.rsa.PublicKey, false},
		{"PS384", k.rsa, &k.rsa.PublicKey, false},
		{"PS512", k.rsa, &k.rsa.PublicKey, false},
		{"ES256", k.p256, &k.p256.PublicKey, false},
		{"ES384", k.p384, &k.p384.PublicKey, false},
		{"ES512", k.p521, &k.p521.PublicKey, false},
		{"EdDSA", k.ed, k.ed.Public(), true},
	}
}

func header(alg string) []byte { return []byte(`{"alg":"` + alg + `","typ":"JWT","kid":"k1"}`) }

const testPayload = `{"sub":"user-1","scope":"read:users write:posts","exp":1900000000}`

func TestSignVerifiedByGoJose(t *testing.T) {
	for _, tc := range signCases() {
		t.Run(tc.alg, func(t *testing.T) {
			tok, err := Sign(tc.alg, tc.key, header(tc.alg), []byte(testPayload), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			// The independent check: go-jose parses and verifies what Sign made.
			jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(tc.alg)})
			if err != nil {
				t.Fatalf("go-jose cannot parse: %v", err)
			}
			payload, err := jws.Verify(tc.pub)
			if err != nil {
				t.Fatalf("go-jose does not verify: %v", err)
			}
			if string(payload) != testPayload {
				t.Errorf("payload %q", payload)
			}

			// Another payload under the same signature must not verify.
			p := mustParse(t, tok)
			segs := strings.Split(tok, ".")
			tampered := segs[0] + "." + enc(strings.Replace(testPayload, "user-1", "admin", 1)) + "." + segs[2]
			forged, err := jose.ParseSignedCompact(tampered, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(tc.alg)})
			if err != nil {
				t.Fatalf("go-jose cannot parse the tampered token: %v", err)
			}
			if _, err := forged.Verify(tc.pub); err == nil {
				t.Error("a tampered payload verifies")
			}

			// Our own parser reads it back exactly, with a signature of the right size.
			if string(p.HeaderJSON) != string(header(tc.alg)) || string(p.PayloadJSON) != testPayload {
				t.Errorf("round trip: %q %q", p.HeaderJSON, p.PayloadJSON)
			}
			if info := p.SignatureInfo(); !info.OK {
				t.Errorf("signature info: %+v", info)
			}

			again, err := Sign(tc.alg, tc.key, header(tc.alg), []byte(testPayload), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if tc.deterministic != (again == tok) {
				t.Errorf("deterministic = %v, want %v", again == tok, tc.deterministic)
			}
		})
	}
}

// TestSignPSSSaltLength checks RFC 7518 §3.5: the salt is as long as the hash. go-jose
// verifies PSS with any salt length, so this check is done with crypto/rsa directly.
func TestSignPSSSaltLength(t *testing.T) {
	k := keysOnce()
	for alg, h := range map[string]crypto.Hash{"PS256": crypto.SHA256, "PS384": crypto.SHA384, "PS512": crypto.SHA512} {
		t.Run(alg, func(t *testing.T) {
			tok, err := Sign(alg, k.rsa, header(alg), []byte(testPayload), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			p := mustParse(t, tok)
			d := h.New()
			d.Write([]byte(p.SigningInput))
			if err := rsa.VerifyPSS(&k.rsa.PublicKey, h, d.Sum(nil), p.Signature, &rsa.PSSOptions{SaltLength: h.Size()}); err != nil {
				t.Errorf("salt is not %d bytes: %v", h.Size(), err)
			}
			if err := rsa.VerifyPSS(&k.rsa.PublicKey, h, d.Sum(nil), p.Signature, &rsa.PSSOptions{SaltLength: h.Size() + 1}); err == nil {
				t.Error("verifies with another salt length too")
			}
		})
	}
}

// TestSignECDSARawSignature checks RFC 7518 §3.4: the signature is r||s, each left-padded to
// the curve's byte size, not DER.
func TestSignECDSARawSignature(t *testing.T) {
	k := keysOnce()
	for _, tc := range []struct {
		alg  string
		key  *ecdsa.PrivateKey
		size int
		sum  func([]byte) []byte
	}{
		{"ES256", k.p256, 32, func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }},
		{"ES384", k.p384, 48, func(b []byte) []byte { s := sha512.Sum384(b); return s[:] }},
		{"ES512", k.p521, 66, func(b []byte) []byte { s := sha512.Sum512(b); return s[:] }},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			// Enough signatures that some r or s has leading zero bytes to pad.
			for range 64 {
				tok, err := Sign(tc.alg, tc.key, header(tc.alg), []byte(testPayload), nil)
				if err != nil {
					t.Fatal(err)
				}
				p := mustParse(t, tok)
				if len(p.Signature) != 2*tc.size {
					t.Fatalf("signature is %d bytes, want %d", len(p.Signature), 2*tc.size)
				}
				r := new(big.Int).SetBytes(p.Signature[:tc.size])
				s := new(big.Int).SetBytes(p.Signature[tc.size:])
				if !ecdsa.Verify(&tc.key.PublicKey, tc.sum([]byte(p.SigningInput)), r, s) {
					t.Fatal("r||s does not verify")
				}
			}
		})
	}
}

// TestSignRFC7515AppendixA1 reproduces the HS256 example of RFC 7515 Appendix A.1 byte for
// byte, with its exact header and payload bytes (CRLF and spaces included).
func TestSignRFC7515AppendixA1(t *testing.T) {
	headerJSON := []byte{123, 34, 116, 121, 112, 34, 58, 34, 74, 87, 84, 34, 44, 13, 10, 32, 34, 97, 108, 103, 34, 58, 34, 72, 83, 50, 53, 54, 34, 125}
	payloadJSON := []byte{123, 34, 105, 115, 115, 34, 58, 34, 106, 111, 101, 34, 44, 13, 10,
		32, 34, 101, 120, 112, 34, 58, 49, 51, 48, 48, 56, 49, 57, 51, 56, 48, 44, 13, 10, 32, 34, 104,
		116, 116, 112, 58, 47, 47, 101, 120, 97, 109, 112, 108, 101, 46, 99, 111, 109, 47, 105, 115, 95,
		114, 111, 111, 116, 34, 58, 116, 114, 117, 101, 125}
	if string(headerJSON) != "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}" ||
		string(payloadJSON) != "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}" {
		t.Fatal("the RFC's byte arrays were mistyped")
	}
	key, err := base64.RawURLEncoding.DecodeString("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
	if err != nil {
		t.Fatal(err)
	}
	const want = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" +
		".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ" +
		".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	got, err := Sign("HS256", key, headerJSON, payloadJSON, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	p := mustParse(t, want)
	if !bytes.Equal(p.HeaderJSON, headerJSON) || !bytes.Equal(p.PayloadJSON, payloadJSON) {
		t.Error("Parse does not give the RFC's bytes back")
	}
}

func TestSignNone(t *testing.T) {
	tok, err := Sign("none", nil, []byte(`{"alg":"none"}`), []byte(`{"sub":"x"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."; tok != want {
		t.Errorf("got %q, want %q", tok, want)
	}
	p := mustParse(t, tok)
	if len(p.Signature) != 0 || !p.SignatureInfo().OK {
		t.Errorf("signature %q", p.Signature)
	}
}

func TestSignErrors(t *testing.T) {
	k := keysOnce()
	pl := []byte(`{}`)
	edPtr := &k.ed
	tests := []struct {
		name          string
		alg           string
		key           any
		header, body  string
		code, message string
	}{
		{"unknown alg", "HS1", k.secret256, `{"alg":"HS1"}`, `{}`, CodeUnsupportedAlg,
			`cannot sign with alg "HS1"; use one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, none`},
		{"lower-case alg", "hs256", k.secret256, `{"alg":"hs256"}`, `{}`, CodeUnsupportedAlg,
			`cannot sign with alg "hs256"; use one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, none`},
		{"header alg differs", "HS256", k.secret256, `{"alg":"RS256"}`, `{}`, CodeBadHeader,
			`header has alg "RS256" but the token is signed with HS256; the two must match`},
		{"header without alg", "HS256", k.secret256, `{"typ":"JWT"}`, `{}`, CodeBadHeader,
			`header has no alg but the token is signed with HS256; the two must match`},
		{"header alg not a string", "HS256", k.secret256, `{"alg":1}`, `{}`, CodeBadHeader,
			`header has alg 1 but the token is signed with HS256; the two must match`},
		{"header not JSON", "HS256", k.secret256, `{"alg":"HS256"`, `{}`, CodeBadHeader,
			`header is not JSON: it ends early (truncated?) at byte 14`},
		{"header duplicate", "HS256", k.secret256, `{"alg":"HS256","alg":"HS256"}`, `{}`, CodeBadHeader,
			`header has parameter "alg" twice`},
		{"header b64 false", "HS256", k.secret256, `{"alg":"HS256","b64":false}`, `{}`, CodeBadHeader,
			`header has b64 false; jwtkit signs only base64url-encoded payloads`},
		{"payload array", "HS256", k.secret256, `{"alg":"HS256"}`, `[]`, CodeBadPayload,
			`payload is not a JSON object (it is an array)`},
		{"payload empty", "HS256", k.secret256, `{"alg":"HS256"}`, ``, CodeBadPayload,
			`payload is empty; a JWT's payload is a JSON object`},
		{"payload not UTF-8", "HS256", k.secret256, `{"alg":"HS256"}`, "{\"a\":\"\xff\"}", CodeBadPayload,
			`payload is not valid UTF-8 (byte 0xff at offset 6)`},
		{"empty secret", "HS256", []byte{}, `{"alg":"HS256"}`, `{}`, CodeBadKey,
			`the HS256 secret is empty`},
		{"nil secret", "HS512", []byte(nil), `{"alg":"HS512"}`, `{}`, CodeBadKey,
			`the HS512 secret is empty`},
		{"secret as string", "HS256", strings.Repeat("s", 32), `{"alg":"HS256"}`, `{}`, CodeBadKey,
			`HS256 needs a secret ([]byte), but the key is a string (pass secrets as []byte)`},
		{"HS with RSA key", "HS256", k.rsa, `{"alg":"HS256"}`, `{}`, CodeBadKey,
			`HS256 needs a secret ([]byte), but the key is an RSA private key`},
		{"RS with EC key", "RS256", k.p256, `{"alg":"RS256"}`, `{}`, CodeBadKey,
			`RS256 needs an RSA private key, but the key is an EC private key on P-256`},
		{"RS with public key", "RS256", &k.rsa.PublicKey, `{"alg":"RS256"}`, `{}`, CodeBadKey,
			`RS256 needs an RSA private key, but the key is an RSA public key (signing needs the private key)`},
		{"PS with nil key", "PS256", nil, `{"alg":"PS256"}`, `{}`, CodeBadKey,
			`PS256 needs an RSA private key, but the key is missing`},
		{"RSA 1024", "RS256", k.rsaSmall, `{"alg":"RS256"}`, `{}`, CodeBadKey,
			`the RSA key has 1024 bits; RS256 needs at least 2048 (RFC 7518 §3.3)`},
		{"ES256 with P-384", "ES256", k.p384, `{"alg":"ES256"}`, `{}`, CodeBadKey,
			`ES256 needs a key on P-256, but the key is on P-384`},
		{"ES512 with P-256", "ES512", k.p256, `{"alg":"ES512"}`, `{}`, CodeBadKey,
			`ES512 needs a key on P-521, but the key is on P-256`},
		{"ES with public key", "ES256", &k.p256.PublicKey, `{"alg":"ES256"}`, `{}`, CodeBadKey,
			`ES256 needs an EC private key, but the key is an EC public key (signing needs the private key)`},
		{"EdDSA with secret", "EdDSA", k.secret256, `{"alg":"EdDSA"}`, `{}`, CodeBadKey,
			`EdDSA needs an Ed25519 private key, but the key is a secret`},
		{"EdDSA with public key", "EdDSA", k.ed.Public(), `{"alg":"EdDSA"}`, `{}`, CodeBadKey,
			`EdDSA needs an Ed25519 private key, but the key is an Ed25519 public key (signing needs the private key)`},
		{"EdDSA short key", "EdDSA", k.ed[:32], `{"alg":"EdDSA"}`, `{}`, CodeBadKey,
			`the Ed25519 private key has 32 bytes; it must have 64`},
		{"none with key", "none", k.secret256, `{"alg":"none"}`, `{}`, CodeBadKey,
			`alg none takes no key, but one was given (a secret)`},
		{"unsupported key type", "ES256", 42, `{"alg":"ES256"}`, `{}`, CodeBadKey,
			`ES256 needs an EC private key, but the key is of an unsupported type (int)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Sign(tt.alg, tt.key, []byte(tt.header), []byte(tt.body), nil)
			if err == nil {
				t.Fatalf("signed: %s", tok)
			}
			if err.Error() != tt.message {
				t.Errorf("message\n got: %s\nwant: %s", err, tt.message)
			}
			if failure.KindOf(err) != failure.KindUsage || failure.CodeOf(err) != tt.code {
				t.Errorf("kind %v code %q, want usage %q", failure.KindOf(err), failure.CodeOf(err), tt.code)
			}
		})
	}
	if _, err := Sign("EdDSA", edPtr, []byte(`{"alg":"EdDSA"}`), pl, nil); err != nil {
		t.Errorf("*ed25519.PrivateKey refused: %v", err)
	}
	// A short secret is keys.CheckAlg's to refuse (mint --allow-weak signs with one).
	short, err := Sign("HS256", []byte("short"), []byte(`{"alg":"HS256"}`), pl, nil)
	if err != nil {
		t.Fatalf("short secret refused: %v", err)
	}
	if want := "eyJhbGciOiJIUzI1NiJ9.e30.ytlc6wI-hY60S_-012-XvCMYeLFNDf34jQTlZsOvQ10"; short != want {
		t.Errorf("got %s, want %s", short, want)
	}
}

// TestSignErrorsHideSecrets checks that no error message carries key bytes.
func TestSignErrorsHideSecrets(t *testing.T) {
	secret := []byte("super-secret-value")
	for _, alg := range []string{"RS256", "PS384", "ES256", "EdDSA", "none"} {
		_, err := Sign(alg, secret, []byte(`{"alg":"`+alg+`"}`), []byte(`{}`), nil)
		if err == nil {
			t.Fatalf("%s accepted a secret", alg)
		}
		if strings.Contains(err.Error(), string(secret)) || strings.Contains(err.Error(), "super") {
			t.Errorf("%s: message leaks the secret: %s", alg, err)
		}
	}
}

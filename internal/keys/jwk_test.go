package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// RFC 7638 §3.1's example key and its thumbprint.
const (
	rfc7638Key = `{"kty":"RSA",
	"n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
	"e":"AQAB","alg":"RS256","kid":"2011-04-29"}`
	rfc7638Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
)

// RFC 8037 Appendix A: the Ed25519 key (A.1), its thumbprint (A.3) and a signature (A.4).
const (
	rfc8037Key        = `{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`
	rfc8037Thumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
	rfc8037Input      = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
	rfc8037Signature  = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)

// RFC 7517 Appendix A.2's EC private key.
const rfc7517ECKey = `{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
"y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE","use":"enc","kid":"1"}`

func parseOne(t *testing.T, data string) Key {
	t.Helper()
	got, err := Parse([]byte(data), ParseOptions{Source: "test.jwk"})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d keys, want 1", len(got))
	}
	return got[0]
}

func TestThumbprintRFC7638(t *testing.T) {
	k := parseOne(t, rfc7638Key)
	tp, err := k.Thumbprint()
	if err != nil || tp != rfc7638Thumbprint {
		t.Fatalf("Thumbprint = %q, %v; want %q", tp, err, rfc7638Thumbprint)
	}
	if k.JWK.KeyID != "2011-04-29" || k.JWK.Algorithm != "RS256" || k.Describe() != "RSA 2048-bit public key" {
		t.Errorf("metadata lost: kid %q alg %q %s", k.JWK.KeyID, k.JWK.Algorithm, k.Describe())
	}
}

func TestRFC8037Key(t *testing.T) {
	k := parseOne(t, rfc8037Key)
	if !k.IsPrivate() || k.Describe() != "Ed25519 private key" {
		t.Fatalf("got %s", k.Describe())
	}
	if tp, err := k.Thumbprint(); err != nil || tp != rfc8037Thumbprint {
		t.Errorf("Thumbprint = %q, %v; want %q", tp, err, rfc8037Thumbprint)
	}
	sig := ed25519.Sign(k.JWK.Key.(ed25519.PrivateKey), []byte(rfc8037Input))
	if got := base64.RawURLEncoding.EncodeToString(sig); got != rfc8037Signature {
		t.Errorf("signature = %s, want RFC 8037 A.4's", got)
	}
	if tp, _ := k.Public().Thumbprint(); tp != rfc8037Thumbprint {
		t.Errorf("public half thumbprint differs")
	}
}

func TestParseJWKMetadata(t *testing.T) {
	k := parseOne(t, rfc7517ECKey)
	if k.JWK.Use != "enc" || k.JWK.KeyID != "1" || k.Describe() != "EC P-256 private key" {
		t.Errorf("got use %q kid %q %s", k.JWK.Use, k.JWK.KeyID, k.Describe())
	}
	k = parseOne(t, `{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow","key_ops":["sign","verify"],"alg":"HS256"}`)
	if !k.IsSymmetric() || k.Describe() != "512-bit secret" || !slices.Equal(k.KeyOps, []string{"sign", "verify"}) {
		t.Errorf("got %s key_ops %v", k.Describe(), k.KeyOps)
	}
	k = parseOne(t, `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","key_ops":[]}`)
	if k.KeyOps == nil || len(k.KeyOps) != 0 {
		t.Errorf("an empty key_ops must stay distinct from an absent one: %#v", k.KeyOps)
	}
	out, err := MarshalJWK(k, false)
	if err != nil || !strings.Contains(string(out), `"key_ops": []`) {
		t.Errorf("an empty key_ops was not written back: %s, %v", out, err)
	}
}

func TestParseJWKErrors(t *testing.T) {
	const x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
	const ecX, ecY = "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4", "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"
	tests := []struct {
		name, jwk, wantErr string
	}{
		{"not JSON", `{"kty":`, "not a valid JWK or JWK Set"},
		{"trailing data", `{"kty":"oct","k":"AAAA"} {}`, "data after the JSON object"},
		{"duplicate member", `{"kty":"oct","k":"AAAA","k":"BBBB"}`, `member "k" appears twice`},
		{"case-folded member is not kty", `{"KTY":"oct","k":"AAAA"}`, `JWK lacks member "kty"`},
		{"kty not a string", `{"kty":1}`, `member "kty" must be a string`},
		{"kty null", `{"kty":null}`, `member "kty" must be a string`},
		{"kid not a string", `{"kty":"oct","k":"AAAA","kid":7}`, `member "kid" must be a string`},
		{"key_ops not an array", `{"kty":"oct","k":"AAAA","key_ops":"sign"}`, `"key_ops" must be an array of strings`},
		{"key_ops repeated", `{"kty":"oct","k":"AAAA","key_ops":["sign","sign"]}`, `lists "sign" twice`},
		{"invalid UTF-8", "{\"kty\":\"oct\",\"k\":\"AAAA\",\"kid\":\"\xff\"}", "not valid UTF-8"},
		{"unknown kty", `{"kty":"AKP","alg":"ML-DSA-44","pub":"AAAA"}`, `unsupported key type (kty) "AKP"`},
		{"X25519", `{"kty":"OKP","crv":"X25519","x":"` + x + `"}`, "X25519 keys are for key agreement"},
		{"Ed448", `{"kty":"OKP","crv":"Ed448","x":"` + x + `"}`, "Ed448 keys are not supported"},
		{"secp256k1", `{"kty":"EC","crv":"secp256k1","x":"` + ecX + `","y":"` + ecY + `"}`, "secp256k1 keys (ES256K) are not supported"},
		{"oct without k", `{"kty":"oct"}`, `oct JWK lacks member "k"`},
		{"oct empty k", `{"kty":"oct","k":""}`, `oct JWK lacks member "k"`},
		{"bad base64url", `{"kty":"oct","k":"AA+A"}`, `member "k" is not valid base64url`},
		{"base64url with newline", `{"kty":"oct","k":"AA\nAA"}`, `member "k" is not valid base64url`},
		{"RSA without e", `{"kty":"RSA","n":"AQAB"}`, `RSA JWK lacks member "e"`},
		{"RSA too small", `{"kty":"RSA","n":"` + b64(bytes.Repeat([]byte{0xff}, 128)) + `","e":"AQAB"}`, "RSA key is 1024 bits; at least 2048 are required"},
		{"RSA too large", `{"kty":"RSA","n":"` + b64(bytes.Repeat([]byte{0xff}, MaxRSABits/8+2)) + `","e":"AQAB"}`, "at most 16384 are supported"},
		{"RSA even exponent", `{"kty":"RSA","n":"` + b64(bytes.Repeat([]byte{0xff}, 256)) + `","e":"AAI"}`, "the public exponent must be odd"},
		{"RSA huge exponent", `{"kty":"RSA","n":"` + b64(bytes.Repeat([]byte{0xff}, 256)) + `","e":"AQAAAAAB"}`, "the public exponent must be odd"},
		{"RSA private without primes", `{"kty":"RSA","n":"` + b64(bytes.Repeat([]byte{0xff}, 256)) + `","e":"AQAB","d":"AQAB"}`, `lacks member "p"`},
		{"RSA multi-prime", `{"kty":"RSA","n":"AQAB","e":"AQAB","oth":[]}`, "multi-prime RSA keys are not supported"},
		{"EC short x", `{"kty":"EC","crv":"P-256","x":"AAAA","y":"` + ecY + `"}`, "P-256 coordinates must be 32 bytes"},
		{"EC not on curve", `{"kty":"EC","crv":"P-256","x":"` + ecY + `","y":"` + ecX + `"}`, "the point is not on curve P-256"},
		{"EC d mismatch", `{"kty":"EC","crv":"P-256","x":"` + ecX + `","y":"` + ecY + `","d":"` + ecX + `"}`, `"x" and "y" do not match "d"`},
		{"EC d wrong size", `{"kty":"EC","crv":"P-256","x":"` + ecX + `","y":"` + ecY + `","d":"AAAA"}`, `member "d" must be 32 bytes`},
		{"EC unknown curve", `{"kty":"EC","crv":"P-192","x":"AAAA","y":"AAAA"}`, `unsupported EC curve "P-192"`},
		{"Ed25519 short x", `{"kty":"OKP","crv":"Ed25519","x":"AAAA"}`, `"x" must be 32 bytes`},
		{"Ed25519 small order", `{"kty":"OKP","crv":"Ed25519","x":"` + b64(make([]byte, 32)) + `"}`, "weak Ed25519 public key: a point of small order"},
		{"Ed25519 d mismatch", `{"kty":"OKP","crv":"Ed25519","x":"` + x + `","d":"` + x + `"}`, `"x" does not match "d"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.jwk), ParseOptions{Source: "k.json"})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Parse error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseRSAPrivateJWK(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	base := Key{Source: "g"}
	base.JWK.Key = key
	out, err := MarshalJWK(base, true)
	if err != nil {
		t.Fatal(err)
	}
	k := parseOne(t, string(out))
	if !k.JWK.Key.(*rsa.PrivateKey).Equal(key) {
		t.Fatal("round trip changed the key")
	}
	// Without the CRT members the key is rebuilt; with a wrong one it is refused.
	var m map[string]any
	_ = json.Unmarshal(out, &m)
	delete(m, "dp")
	delete(m, "dq")
	delete(m, "qi")
	noCRT, _ := json.Marshal(m)
	if k := parseOne(t, string(noCRT)); !k.JWK.Key.(*rsa.PrivateKey).Equal(key) {
		t.Error("key without CRT members differs")
	}
	_ = json.Unmarshal(out, &m)
	m["dp"] = m["dq"]
	badCRT, _ := json.Marshal(m)
	if _, err := Parse(badCRT, ParseOptions{}); err == nil || !strings.Contains(err.Error(), "inconsistent") {
		t.Errorf("wrong dp: error = %v", err)
	}
	_ = json.Unmarshal(out, &m)
	m["d"] = b64(bytes.Repeat([]byte{0xff}, 300))
	bigD, _ := json.Marshal(m)
	if _, err := Parse(bigD, ParseOptions{}); err == nil || !strings.Contains(err.Error(), `member "d" is out of range`) {
		t.Errorf("oversized d: error = %v", err)
	}
}

func TestMarshalJWK(t *testing.T) {
	ecKey, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	k := Key{KeyOps: []string{"sign"}, Source: "g"}
	k.JWK.Key, k.JWK.Use, k.JWK.Algorithm = ecKey, "sig", "ES512"

	pub, err := MarshalJWK(k, false)
	if err != nil {
		t.Fatal(err)
	}
	tp, _ := k.Thumbprint()
	wantPrefix := `{
  "kty": "EC",
  "kid": "` + tp + `",
  "use": "sig",
  "alg": "ES512",
  "key_ops": [
    "verify"
  ],
  "crv": "P-521",`
	if !strings.HasPrefix(string(pub), wantPrefix) || strings.Contains(string(pub), `"d"`) {
		t.Errorf("public JWK =\n%s\nwant it to start with\n%s\nand hold no d", pub, wantPrefix)
	}
	priv, err := MarshalJWK(k, true)
	if err != nil {
		t.Fatal(err)
	}
	back := parseOne(t, string(priv))
	if !back.JWK.Key.(*ecdsa.PrivateKey).Equal(ecKey) || back.JWK.KeyID != tp || !slices.Equal(back.KeyOps, []string{"sign"}) {
		t.Errorf("private round trip lost something: %s", priv)
	}

	secret := SecretKey([]byte("0123456789abcdef0123456789abcdef"), "s")
	if _, err := MarshalJWK(secret, false); err == nil || !strings.Contains(err.Error(), "a secret has no public half") {
		t.Errorf("secret without includePrivate: error = %v", err)
	}
	out, err := MarshalJWK(secret, true)
	if err != nil || !strings.Contains(string(out), `"k": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"`) {
		t.Errorf("secret JWK = %s, %v", out, err)
	}
	if _, err := MarshalJWK(Key{}, true); err == nil {
		t.Error("empty Key marshalled")
	}
	weak := Key{}
	weak.JWK.Key = ed25519.PublicKey(make([]byte, 32))
	if _, err := MarshalJWK(weak, false); err == nil {
		t.Error("weak Ed25519 key marshalled")
	}
}

func TestKeyMethods(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 3072)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	tests := []struct {
		key                any
		family, describe   string
		curve              string
		private, symmetric bool
		publicDescribe     string
	}{
		{rsaKey, "RSA", "RSA 3072-bit private key", "", true, false, "RSA 3072-bit public key"},
		{&rsaKey.PublicKey, "RSA", "RSA 3072-bit public key", "", false, false, "RSA 3072-bit public key"},
		{ecKey, "EC", "EC P-384 private key", "P-384", true, false, "EC P-384 public key"},
		{edKey, "OKP", "Ed25519 private key", "Ed25519", true, false, "Ed25519 public key"},
		{edKey.Public(), "OKP", "Ed25519 public key", "Ed25519", false, false, "Ed25519 public key"},
		{[]byte("0123456789abcdef0123456789abcdef"), "oct", "256-bit secret", "", false, true, "256-bit secret"},
	}
	for _, tt := range tests {
		t.Run(tt.describe, func(t *testing.T) {
			k := Key{KeyOps: []string{"sign", "verify", "decrypt", "encrypt"}, Source: "s"}
			k.JWK.Key, k.JWK.KeyID, k.JWK.Algorithm, k.JWK.Use = tt.key, "kid1", "X", "sig"
			if k.Family() != tt.family || k.Describe() != tt.describe || k.Curve() != tt.curve ||
				k.IsPrivate() != tt.private || k.IsSymmetric() != tt.symmetric {
				t.Fatalf("got %s %s %s private=%v symmetric=%v", k.Family(), k.Describe(), k.Curve(), k.IsPrivate(), k.IsSymmetric())
			}
			pub := k.Public()
			if pub.Describe() != tt.publicDescribe || pub.IsPrivate() {
				t.Errorf("Public() = %s", pub.Describe())
			}
			if pub.JWK.KeyID != "kid1" || pub.JWK.Algorithm != "X" || pub.JWK.Use != "sig" || pub.Source != "s" {
				t.Errorf("Public() lost metadata: %+v", pub.JWK)
			}
			// A private key's operations become its public half's; a public key's or a
			// secret's stay as they are (a public JWK that says "sign" is not for verifying).
			wantOps := []string{"verify", "encrypt"}
			if !tt.private {
				wantOps = k.KeyOps
			}
			if !slices.Equal(pub.KeyOps, wantOps) {
				t.Errorf("Public().KeyOps = %v, want %v", pub.KeyOps, wantOps)
			}
			tp1, err1 := k.Thumbprint()
			tp2, err2 := pub.Thumbprint()
			if err1 != nil || err2 != nil || tp1 != tp2 || len(tp1) != 43 {
				t.Errorf("thumbprints %q %q (%v %v)", tp1, tp2, err1, err2)
			}
		})
	}
	if _, err := (Key{}).Thumbprint(); err == nil {
		t.Error("Thumbprint of an empty Key succeeded")
	}
	if (Key{}).Describe() != "unknown key" || (Key{}).Family() != "" {
		t.Error("empty Key described as something")
	}
}

func TestSecretKeyCopies(t *testing.T) {
	b := []byte("0123456789abcdef0123456789abcdef")
	k := SecretKey(b, "flag")
	b[0] = 'X'
	if k.JWK.Key.([]byte)[0] != '0' || k.Source != "flag" {
		t.Error("SecretKey shares the caller's slice")
	}
}

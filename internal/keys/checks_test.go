package keys

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"
)

// blockedEd25519 is the blocklist of libsodium and go-jose (weakEd25519PublicKeys): the
// small-order points and their non-canonical encodings, each with both sign bits.
func blockedEd25519() []string {
	ff := strings.Repeat("ff", 30)
	zero := strings.Repeat("00", 30)
	return []string{
		"0000" + zero, "0000" + zero[:56] + "0080",
		"0100" + zero, "0100" + zero[:56] + "0080",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
		"ecff" + ff[:56] + "ff7f", "ecff" + ff[:56] + "ffff",
		"edff" + ff[:56] + "ff7f", "edff" + ff[:56] + "ffff",
		"eeff" + ff[:56] + "ff7f", "eeff" + ff[:56] + "ffff",
	}
}

func TestCheckEd25519(t *testing.T) {
	for _, h := range blockedEd25519() {
		pub, err := hex.DecodeString(h)
		if err != nil || len(pub) != 32 {
			t.Fatalf("bad test vector %s", h)
		}
		if err := checkEd25519(pub); err == nil {
			t.Errorf("%s accepted", h)
		}
	}
	// Order-8 point with its y made non-canonical is impossible (y > p - 19), but y ≥ p for an
	// ordinary value must be refused as non-canonical: p + 2 encodes y = 2.
	nonCanonical, _ := hex.DecodeString("efff" + strings.Repeat("ff", 29) + "7f")
	if err := checkEd25519(nonCanonical); err == nil || !strings.Contains(err.Error(), "not canonically encoded") {
		t.Errorf("y = p+2: error = %v", err)
	}
	// y = 2 is not on the curve (no square root for x²).
	notOnCurve := make([]byte, 32)
	notOnCurve[0] = 2
	if err := checkEd25519(notOnCurve); err == nil || !strings.Contains(err.Error(), "not a point on the curve") {
		t.Errorf("y = 2: error = %v", err)
	}
	if err := checkEd25519(make([]byte, 31)); err == nil {
		t.Error("short key accepted")
	}
	for range 200 {
		pub, _, _ := ed25519.GenerateKey(rand.Reader)
		if err := checkEd25519(pub); err != nil {
			t.Fatalf("real key %x refused: %v", []byte(pub), err)
		}
	}
}

// TestEd25519RefusedEverywhere checks the small-order refusal in every source format.
func TestEd25519RefusedEverywhere(t *testing.T) {
	weak, _ := hex.DecodeString(blockedEd25519()[4])
	der, err := x509.MarshalPKIXPublicKey(ed25519.PublicKey(weak))
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]byte{
		"PEM": pemOf("PUBLIC KEY", der),
		"DER": der,
		"JWK": []byte(`{"kty":"OKP","crv":"Ed25519","x":"` + b64(weak) + `"}`),
	}
	for name, in := range inputs {
		if _, err := Parse(in, ParseOptions{Source: name}); err == nil || !strings.Contains(err.Error(), "small order") {
			t.Errorf("%s: error = %v, want a small-order refusal", name, err)
		}
	}
	jwks := []byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + b64(weak) + `"}]}`)
	if _, notes, err := ParseJWKS(jwks, "remote"); err == nil || len(notes) != 1 || !strings.Contains(notes[0], "small order") {
		t.Errorf("JWKS: notes %v error %v", notes, err)
	}
}

func TestCheckKey(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	threePrime := *rsaKey
	threePrime.Primes = append(threePrime.Primes, big.NewInt(3))
	withE := func(e int) *rsa.PublicKey { return &rsa.PublicKey{N: rsaKey.N, E: e} }
	even := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 2047), E: 65537}
	tests := []struct {
		name    string
		key     any
		wantErr string
	}{
		{"valid RSA", &rsaKey.PublicKey, ""},
		{"RSA e = 3", withE(3), ""},
		{"RSA e = 1", withE(1), "public exponent"},
		{"RSA e even", withE(65536), "public exponent"},
		{"RSA e too large", withE(1 << 31), "public exponent"},
		{"RSA even modulus", even, "the modulus is even"},
		{"RSA nil modulus", &rsa.PublicKey{E: 65537}, "missing modulus"},
		{"RSA three primes", &threePrime, "multi-prime"},
		{"empty secret", []byte{}, "the secret is empty"},
		{"short Ed25519 private", ed25519.PrivateKey(make([]byte, 10)), "invalid Ed25519 private key"},
		{"nil", nil, "unsupported key type"},
		{"string", "key", "unsupported key type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkKey(tt.key)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("checkKey: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("checkKey error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

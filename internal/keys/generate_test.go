package keys

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
)

func TestGenerateRoundTrips(t *testing.T) {
	tests := []struct {
		kind     string
		size     int
		curve    string
		alg      string
		describe string
	}{
		{"RSA", 0, "", "", "RSA 2048-bit private key"},
		{"rsa", 3072, "", "PS256", "RSA 3072-bit private key"},
		{"RSA", 4096, "", "RS512", "RSA 4096-bit private key"},
		{"EC", 0, "", "", "EC P-256 private key"},
		{"EC", 0, "P-384", "ES384", "EC P-384 private key"},
		{"ec", 0, "P-521", "", "EC P-521 private key"},
		{"OKP", 0, "", "EdDSA", "Ed25519 private key"},
		{"OKP", 0, "Ed25519", "", "Ed25519 private key"},
		{"oct", 0, "", "", "256-bit secret"},
		{"oct", 512, "", "HS512", "512-bit secret"},
		{"OCT", 128, "", "", "128-bit secret"},
	}
	for _, tt := range tests {
		t.Run(tt.describe+"/"+tt.alg, func(t *testing.T) {
			t.Parallel()
			if tt.size == 4096 && testing.Short() {
				t.Skip("generating an RSA 4096-bit key takes seconds")
			}
			k, err := Generate(rand.Reader, tt.kind, tt.size, tt.curve, tt.alg)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			tp, _ := k.Thumbprint()
			if k.Describe() != tt.describe || k.JWK.KeyID != tp || k.JWK.Use != "sig" || k.JWK.Algorithm != tt.alg {
				t.Fatalf("got %s kid %q use %q alg %q", k.Describe(), k.JWK.KeyID, k.JWK.Use, k.JWK.Algorithm)
			}
			alg := tt.alg
			if alg == "" {
				if alg, err = InferAlg(k); err != nil {
					t.Fatal(err)
				}
			}
			// A 128-bit secret may be generated but is too short for HS256 without allowWeak.
			if err := CheckAlg(k, alg, tt.size == 128); err != nil {
				t.Errorf("CheckAlg(%s): %v", alg, err)
			}

			// JWK, private and public.
			for _, includePrivate := range []bool{true, false} {
				if k.IsSymmetric() && !includePrivate {
					continue
				}
				data, err := MarshalJWK(k, includePrivate)
				if err != nil {
					t.Fatalf("MarshalJWK(%v): %v", includePrivate, err)
				}
				back := parseOne(t, string(data))
				if btp, _ := back.Thumbprint(); btp != tp || back.JWK.KeyID != tp || back.JWK.Algorithm != tt.alg || back.JWK.Use != "sig" {
					t.Errorf("JWK round trip (private %v) changed the key or its metadata", includePrivate)
				}
				if back.IsPrivate() != (includePrivate && !k.IsSymmetric()) {
					t.Errorf("JWK round trip (private %v): IsPrivate %v", includePrivate, back.IsPrivate())
				}
			}

			// PEM, private and public.
			if k.IsSymmetric() {
				if _, err := EncodePEM(k); err == nil || !strings.Contains(err.Error(), "a secret has no PEM form") {
					t.Errorf("EncodePEM(secret) error = %v", err)
				}
				return
			}
			for _, key := range []Key{k, k.Public()} {
				data, err := EncodePEM(key)
				if err != nil {
					t.Fatalf("EncodePEM: %v", err)
				}
				wantType := "-----BEGIN PUBLIC KEY-----"
				if key.IsPrivate() {
					wantType = "-----BEGIN PRIVATE KEY-----"
				}
				if !bytes.HasPrefix(data, []byte(wantType)) {
					t.Errorf("PEM starts %q", data[:30])
				}
				back := parseOne(t, string(data))
				if btp, _ := back.Thumbprint(); btp != tp || back.IsPrivate() != key.IsPrivate() {
					t.Errorf("PEM round trip changed the key")
				}
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		kind    string
		size    int
		curve   string
		alg     string
		wantErr string
		code    string
	}{
		{"RSA", 1024, "", "", "RSA keys are made with 2048, 3072 or 4096 bits, not 1024", "key"},
		{"RSA", 2047, "", "", "not 2047", "key"},
		{"RSA", 0, "P-256", "", "RSA keys have no curve", "key"},
		{"EC", 256, "", "", "EC keys take a curve", "key"},
		{"EC", 0, "P-224", "", `unsupported EC curve "P-224"`, "key"},
		{"EC", 0, "secp256k1", "", `unsupported EC curve "secp256k1"`, "key"},
		{"OKP", 0, "X25519", "", `unsupported OKP curve "X25519"`, "key"},
		{"OKP", 256, "", "", "OKP keys take a curve", "key"},
		{"oct", 64, "", "", "secrets are made with a multiple of 8 bits from 128 to 8192, not 64", "key"},
		{"oct", 130, "", "", "not 130", "key"},
		{"oct", 0, "P-256", "", "secrets have no curve", "key"},
		{"DSA", 0, "", "", `unknown key type "DSA"; use RSA, EC, OKP or oct`, "key"},
		{"EC", 0, "P-256", "ES384", "ES384 needs an EC P-384 key; generated key is an EC P-256 private key", "alg_mismatch"},
		{"oct", 256, "", "HS512", "the secret is 32 bytes; HS512 needs at least 64", "weak_key"},
		{"RSA", 0, "", "none", `alg "none" is never accepted`, "alg_mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.wantErr, func(t *testing.T) {
			_, err := Generate(rand.Reader, tt.kind, tt.size, tt.curve, tt.alg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || failure.CodeOf(err) != tt.code {
				t.Fatalf("error = %v (code %s), want %q (%s)", err, failure.CodeOf(err), tt.wantErr, tt.code)
			}
		})
	}
	for _, kind := range []string{"oct", "OKP"} {
		if _, err := Generate(failingReader{}, kind, 0, "", ""); err == nil || !strings.Contains(err.Error(), "no entropy") {
			t.Errorf("Generate(%s) with a failing reader: %v", kind, err)
		}
	}
}

// TestGenerateUsesRandom checks that Ed25519 seeds and secrets come from the given reader.
func TestGenerateUsesRandom(t *testing.T) {
	seed := bytes.Repeat([]byte{7}, 64)
	k, err := Generate(bytes.NewReader(seed), "OKP", 0, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !k.JWK.Key.(ed25519.PrivateKey).Equal(ed25519.NewKeyFromSeed(seed[:32])) {
		t.Error("Ed25519 key does not come from the reader")
	}
	s, err := Generate(bytes.NewReader(seed), "oct", 256, "", "")
	if err != nil || !bytes.Equal(s.JWK.Key.([]byte), seed[:32]) {
		t.Errorf("secret does not come from the reader: %v", err)
	}
	if k, err := Generate(nil, "oct", 0, "", ""); err != nil || len(k.JWK.Key.([]byte)) != 32 {
		t.Errorf("Generate(nil reader): %v", err)
	}
}

func TestEncodePEMRefusesWeakKeys(t *testing.T) {
	weak := Key{Source: "w"}
	weak.JWK.Key = ed25519.PublicKey(make([]byte, 32))
	if _, err := EncodePEM(weak); err == nil || !strings.Contains(err.Error(), "small order") {
		t.Errorf("EncodePEM(weak) error = %v", err)
	}
	if _, err := EncodePEM(Key{}); err == nil {
		t.Error("EncodePEM(empty) succeeded")
	}
}

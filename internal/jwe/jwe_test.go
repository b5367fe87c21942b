package jwe

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
)

var (
	fixtureOnce sync.Once
	fixtures    map[string]keys.Key
)

// testKeys returns one private key per family and size, generated once per test binary.
func testKeys(t testing.TB) map[string]keys.Key {
	t.Helper()
	fixtureOnce.Do(func() {
		fixtures = map[string]keys.Key{}
		gen := func(name, kind string, size int, curve string) {
			k, err := keys.Generate(rand.Reader, kind, size, curve, "")
			if err != nil {
				panic(err)
			}
			k.Source = name
			k.JWK.Use = "" // keys.Generate makes signing keys
			fixtures[name] = k
		}
		gen("rsa", "RSA", 2048, "")
		gen("p256", "EC", 0, "P-256")
		gen("p384", "EC", 0, "P-384")
		gen("p521", "EC", 0, "P-521")
		gen("ed25519", "OKP", 0, "Ed25519")
		for _, n := range []int{16, 24, 32, 48, 64} {
			gen("oct"+itoa(n), "oct", 8*n, "")
		}
	})
	return fixtures
}

func itoa(n int) string { return strings.TrimLeft(string(rune('0'+n/10))+string(rune('0'+n%10)), "0") }

var testPassword = []byte("correct horse battery staple")

// recipientFor returns a recipient and the decrypt options that open what is encrypted to it,
// for alg and enc.
func recipientFor(t testing.TB, alg, enc string) (Recipient, []keys.Key, DecryptOptions) {
	ks := testKeys(t)
	spec, _ := lookupKeyAlg(alg)
	switch spec.family {
	case familyPassword:
		return Recipient{Password: testPassword}, nil, DecryptOptions{Passwords: [][]byte{testPassword}}
	case familyRSA:
		return Recipient{Key: ks["rsa"]}, []keys.Key{ks["rsa"]}, DecryptOptions{AllowRSA1_5: alg == "RSA1_5"}
	case familyEC:
		return Recipient{Key: ks["p256"]}, []keys.Key{ks["p256"]}, DecryptOptions{}
	}
	n := spec.keySize
	if n == 0 {
		n = contentKeySize(enc)
	}
	k := ks["oct"+itoa(n)]
	return Recipient{Key: k}, []keys.Key{k}, DecryptOptions{}
}

func TestRoundTripEveryPair(t *testing.T) {
	plaintext := []byte(`{"sub":"alice","scope":"read"}`)
	for _, alg := range KeyAlgorithms() {
		for _, enc := range ContentAlgorithms() {
			t.Run(alg+"/"+enc, func(t *testing.T) {
				r, list, dopts := recipientFor(t, alg, enc)
				compact, err := Encrypt(plaintext, r, EncryptOptions{Alg: alg, Enc: enc, ContentType: "JWT", P2C: MinP2C})
				if err != nil {
					t.Fatalf("Encrypt: %v", err)
				}
				res, err := Decrypt(compact, list, dopts)
				if err != nil {
					t.Fatalf("Decrypt: %v", err)
				}
				if !bytes.Equal(res.Plaintext, plaintext) || res.Alg != alg || res.Enc != enc || !res.Nested() {
					t.Fatalf("got %q alg %s enc %s nested %v", res.Plaintext, res.Alg, res.Enc, res.Nested())
				}
			})
		}
	}
}

func TestInferAlgs(t *testing.T) {
	ks := testKeys(t)
	withAlg := ks["rsa"]
	withAlg.JWK.Algorithm = "RSA-OAEP"
	tests := []struct {
		name     string
		r        Recipient
		alg, enc string
		wantErr  string
	}{
		{"rsa", Recipient{Key: ks["rsa"]}, "RSA-OAEP-256", "A256GCM", ""},
		{"rsa jwk alg wins", Recipient{Key: withAlg}, "RSA-OAEP", "A256GCM", ""},
		{"p384", Recipient{Key: ks["p384"]}, "ECDH-ES", "A256GCM", ""},
		{"aes128", Recipient{Key: ks["oct16"]}, "A128KW", "A256GCM", ""},
		{"aes192", Recipient{Key: ks["oct24"]}, "A192KW", "A256GCM", ""},
		{"aes256", Recipient{Key: ks["oct32"]}, "A256KW", "A256GCM", ""},
		{"dir 48", Recipient{Key: ks["oct48"]}, "dir", "A192CBC-HS384", ""},
		{"dir 64", Recipient{Key: ks["oct64"]}, "dir", "A256CBC-HS512", ""},
		{"password", Recipient{Password: testPassword}, "PBES2-HS256+A128KW", "A256GCM", ""},
		{"ed25519", Recipient{Key: ks["ed25519"]}, "", "", "cannot encrypt"},
		{"odd secret", Recipient{Key: keys.SecretKey([]byte("short"), "s")}, "", "", "fits no JWE algorithm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alg, enc, err := InferAlgs(tt.r, "", "")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || alg != tt.alg || enc != tt.enc {
				t.Fatalf("got %s %s %v, want %s %s", alg, enc, err, tt.alg, tt.enc)
			}
		})
	}
}

func TestEncryptRefusals(t *testing.T) {
	ks := testKeys(t)
	sig := ks["rsa"]
	sig.JWK.Use = "sig"
	verifyOnly := ks["p256"]
	verifyOnly.KeyOps = []string{"sign", "verify"}
	encOK := ks["p256"]
	encOK.KeyOps = []string{"wrapKey"}
	encOK.JWK.Use = "enc"
	tests := []struct {
		name    string
		r       Recipient
		opts    EncryptOptions
		wantErr string // "" for success
	}{
		{"rsa1_5 refused", Recipient{Key: ks["rsa"]}, EncryptOptions{Alg: "RSA1_5"}, "RSA1_5 is refused"},
		{"use sig refused", Recipient{Key: sig}, EncryptOptions{}, `"use" is "sig"`},
		{"key_ops without encrypt", Recipient{Key: verifyOnly}, EncryptOptions{}, `"key_ops"`},
		{"use enc and wrapKey fine", Recipient{Key: encOK}, EncryptOptions{}, ""},
		{"password with rsa alg", Recipient{Password: testPassword}, EncryptOptions{Alg: "RSA-OAEP"}, "only be used with PBES2"},
		{"rsa key with ecdh", Recipient{Key: ks["rsa"]}, EncryptOptions{Alg: "ECDH-ES"}, "needs an EC"},
		{"aes size", Recipient{Key: ks["oct16"]}, EncryptOptions{Alg: "A256KW"}, "needs a 32-byte key"},
		{"dir size", Recipient{Key: ks["oct32"]}, EncryptOptions{Alg: "dir", Enc: "A256CBC-HS512"}, "needs a 64-byte key"},
		{"unknown alg", Recipient{Key: ks["rsa"]}, EncryptOptions{Alg: "RSA-OAEP-512"}, "unsupported key-management"},
		{"unknown enc", Recipient{Key: ks["rsa"]}, EncryptOptions{Enc: "A256GCMX"}, "did you mean A256GCM"},
		{"p2c too high", Recipient{Password: testPassword}, EncryptOptions{P2C: MaxP2C + 1}, "iteration count"},
		{"p2c too low", Recipient{Password: testPassword}, EncryptOptions{P2C: 10}, "iteration count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Encrypt([]byte("x"), tt.r, tt.opts)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if failure.KindOf(err) != failure.KindUsage {
				t.Fatalf("kind %v, want usage", failure.KindOf(err))
			}
		})
	}
}

func TestDecryptKeySelection(t *testing.T) {
	ks := testKeys(t)
	compact, err := Encrypt([]byte("hi"), Recipient{Key: ks["p384"]}, EncryptOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A key set whose other keys do not fit: the P-384 key is found among them.
	res, err := Decrypt(compact, []keys.Key{ks["rsa"], ks["p256"], ks["oct32"], ks["p384"]}, DecryptOptions{})
	if err != nil || string(res.Plaintext) != "hi" || res.Key.Source != "p384" {
		t.Fatalf("Decrypt = %v, %v", res, err)
	}
	// Only the public half: a usage error that says so.
	_, err = Decrypt(compact, []keys.Key{ks["p384"].Public()}, DecryptOptions{})
	if err == nil || !strings.Contains(err.Error(), "needs the private key") || failure.ExitCode(err) != 2 {
		t.Fatalf("public key: %v", err)
	}
	// A key whose JWK says it signs is not used to decrypt.
	sig := ks["p384"]
	sig.JWK.Use = "sig"
	_, err = Decrypt(compact, []keys.Key{sig}, DecryptOptions{})
	if err == nil || !strings.Contains(err.Error(), `"use" is "sig"`) {
		t.Fatalf("use sig: %v", err)
	}
	// A JWS is not a JWE.
	_, err = Decrypt("eyJhbGciOiJIUzI1NiJ9.e30.c2ln", nil, DecryptOptions{})
	if failure.CodeOf(err) != "not_jwe" || failure.ExitCode(err) != 2 {
		t.Fatalf("jws: %v", err)
	}
}

func TestDecryptZipRoundTrip(t *testing.T) {
	ks := testKeys(t)
	plain := bytes.Repeat([]byte(`{"a":"b"}`), 1000)
	compact, err := Encrypt(plain, Recipient{Key: ks["oct32"]}, EncryptOptions{Zip: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(compact) > len(plain)/4 {
		t.Fatalf("compressed token is %d bytes for %d of plaintext", len(compact), len(plain))
	}
	res, err := Decrypt(compact, []keys.Key{ks["oct32"]}, DecryptOptions{})
	if err != nil || !bytes.Equal(res.Plaintext, plain) {
		t.Fatalf("Decrypt: %v", err)
	}
}

func TestErrDecryptIsOneError(t *testing.T) {
	err := failure.Invalid(CodeDecrypt, ErrDecrypt)
	if !errors.Is(err, ErrDecrypt) || failure.ExitCode(err) != 1 {
		t.Fatal(err)
	}
}

package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestParseOpenSSLFixtures loads the openssl-made files under testdata/.
func TestParseOpenSSLFixtures(t *testing.T) {
	tests := []struct {
		file       string
		passphrase string
		want       string // Describe() of the only key
		wantErr    string
	}{
		{file: "rsa2048-pkcs1.pem", want: "RSA 2048-bit private key"},
		{file: "rsa2048-pkcs8.pem", want: "RSA 2048-bit private key"},
		{file: "rsa2048-pub.pem", want: "RSA 2048-bit public key"},
		{file: "rsa2048-pkcs1-pub.pem", want: "RSA 2048-bit public key"},
		{file: "rsa2048-cert.pem", want: "RSA 2048-bit public key"},
		{file: "rsa2048-legacy-encrypted.pem", passphrase: "hunter2", want: "RSA 2048-bit private key"},
		{file: "rsa2048-legacy-encrypted.pem", wantErr: "rsa2048-legacy-encrypted.pem: the key is encrypted; supply its passphrase"},
		{file: "rsa2048-legacy-encrypted.pem", passphrase: "wrong", wantErr: "cannot decrypt the key: wrong passphrase"},
		{file: "rsa2048-pkcs8-encrypted.pem", passphrase: "hunter2", wantErr: "encrypted PKCS#8 keys are not supported yet; decrypt with: openssl pkcs8 -in KEY -out plain.pem"},
		{file: "rsa1024.pem", wantErr: "rsa1024.pem: RSA key is 1024 bits; at least 2048 are required (RFC 7518 §3.3)"},
		{file: "rsa-pss.pem", wantErr: "RSA-PSS-restricted keys"},
		{file: "ec-p256-sec1.pem", want: "EC P-256 private key"},
		{file: "ec-p256-sec1.der", want: "EC P-256 private key"},
		{file: "ec-p384-pkcs8.pem", want: "EC P-384 private key"},
		{file: "ec-p521-pub.pem", want: "EC P-521 public key"},
		{file: "ec-secp256k1.pem", wantErr: "secp256k1 keys (ES256K) are not supported"},
		{file: "ec-p224.pem", wantErr: "EC curve P-224 is not used by JWS"},
		{file: "ed25519-pkcs8.pem", want: "Ed25519 private key"},
		{file: "ed25519-pub.pem", want: "Ed25519 public key"},
		{file: "ed25519-cert.pem", want: "Ed25519 public key"},
		{file: "x25519.pem", wantErr: "X25519 and X448 keys are for key agreement"},
		{file: "ed448.pem", wantErr: "Ed448 keys are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.passphrase, func(t *testing.T) {
			got, err := Parse(readFixture(t, tt.file), ParseOptions{Source: tt.file, Passphrase: []byte(tt.passphrase)})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse error = %v, want it to contain %q", err, tt.wantErr)
				}
				if failure.CodeOf(err) != "key" || failure.ExitCode(err) != 2 {
					t.Errorf("code %s exit %d, want key/2", failure.CodeOf(err), failure.ExitCode(err))
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(got) != 1 || got[0].Describe() != tt.want || got[0].Source != tt.file {
				t.Fatalf("Parse = %d keys, first %q from %q; want one %q", len(got), got[0].Describe(), got[0].Source, tt.want)
			}
		})
	}
}

// TestParseSameKeyEveryForm checks that one key in every format loads as the same key.
func TestParseSameKeyEveryForm(t *testing.T) {
	pkcs1 := readFixture(t, "rsa2048-pkcs1.pem")
	ref, err := Parse(pkcs1, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ref[0].Thumbprint()
	for _, file := range []string{"rsa2048-pkcs8.pem", "rsa2048-pub.pem", "rsa2048-pkcs1-pub.pem", "rsa2048-cert.pem"} {
		got, err := Parse(readFixture(t, file), ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if tp, _ := got[0].Thumbprint(); tp != want {
			t.Errorf("%s: thumbprint %s, want %s", file, tp, want)
		}
	}
}

// pemOf encodes der as a PEM block.
func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func selfSigned(t *testing.T, pub crypto.PublicKey, priv crypto.Signer) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "test"},
		NotBefore:    time.Unix(1700000000, 0),
		NotAfter:     time.Unix(1900000000, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestParseEveryPEMKind builds every PEM kind with crypto/* and checks the key that comes back.
func TestParseEveryPEMKind(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ecSEC1 := must(x509.MarshalECPrivateKey(ecKey))
	tests := []struct {
		name        string
		data        []byte
		wantPrivate bool
		want        crypto.PublicKey
	}{
		{"PKCS#1 RSA private", pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)), true, &rsaKey.PublicKey},
		{"PKCS#1 RSA public", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey)), false, &rsaKey.PublicKey},
		{"PKCS#8 RSA", pemOf("PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(rsaKey))), true, &rsaKey.PublicKey},
		{"PKCS#8 EC", pemOf("PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(ecKey))), true, &ecKey.PublicKey},
		{"PKCS#8 Ed25519", pemOf("PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(edKey))), true, edKey.Public()},
		{"SEC1 EC", pemOf("EC PRIVATE KEY", ecSEC1), true, &ecKey.PublicKey},
		{"PKIX RSA", pemOf("PUBLIC KEY", must(x509.MarshalPKIXPublicKey(&rsaKey.PublicKey))), false, &rsaKey.PublicKey},
		{"PKIX EC", pemOf("PUBLIC KEY", must(x509.MarshalPKIXPublicKey(&ecKey.PublicKey))), false, &ecKey.PublicKey},
		{"PKIX Ed25519", pemOf("PUBLIC KEY", must(x509.MarshalPKIXPublicKey(edKey.Public()))), false, edKey.Public()},
		{"certificate RSA", pemOf("CERTIFICATE", selfSigned(t, &rsaKey.PublicKey, rsaKey)), false, &rsaKey.PublicKey},
		{"certificate EC", pemOf("CERTIFICATE", selfSigned(t, &ecKey.PublicKey, ecKey)), false, &ecKey.PublicKey},
		{"certificate Ed25519", pemOf("CERTIFICATE", selfSigned(t, edKey.Public(), edKey)), false, edKey.Public()},
		{"DER PKCS#8", must(x509.MarshalPKCS8PrivateKey(ecKey)), true, &ecKey.PublicKey},
		{"DER PKCS#1", x509.MarshalPKCS1PrivateKey(rsaKey), true, &rsaKey.PublicKey},
		{"DER SEC1", ecSEC1, true, &ecKey.PublicKey},
		{"DER PKIX", must(x509.MarshalPKIXPublicKey(edKey.Public())), false, edKey.Public()},
		{"DER certificate", selfSigned(t, &rsaKey.PublicKey, rsaKey), false, &rsaKey.PublicKey},
		{"text around PEM", append(append([]byte("Bag Attributes\n  friendlyName: x\n"), pemOf("PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(edKey)))...), "trailing words\n"...), true, edKey.Public()},
		{"BOM and CRLF", append([]byte("\xef\xbb\xbf"), bytes.ReplaceAll(pemOf("PUBLIC KEY", must(x509.MarshalPKIXPublicKey(&ecKey.PublicKey))), []byte("\n"), []byte("\r\n"))...), false, &ecKey.PublicKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.data, ParseOptions{Source: "k"})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(got) != 1 {
				t.Fatalf("got %d keys, want 1", len(got))
			}
			if got[0].IsPrivate() != tt.wantPrivate {
				t.Errorf("IsPrivate = %v, want %v", got[0].IsPrivate(), tt.wantPrivate)
			}
			pub := got[0].Public().JWK.Key.(interface{ Equal(crypto.PublicKey) bool })
			if !pub.Equal(tt.want) {
				t.Errorf("loaded a different key")
			}
		})
	}
}

func TestParseBundles(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	keyPEM := pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey))
	certPEM := pemOf("CERTIFICATE", selfSigned(t, &rsaKey.PublicKey, rsaKey))
	ecDER, _ := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	ecPEM := pemOf("PUBLIC KEY", ecDER)

	t.Run("certificate then its private key yield the private key once", func(t *testing.T) {
		got, err := Parse(append(append([]byte{}, certPEM...), keyPEM...), ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !got[0].IsPrivate() {
			t.Fatalf("got %d keys (private %v), want the private key once", len(got), len(got) > 0 && got[0].IsPrivate())
		}
	})
	t.Run("two different keys in order", func(t *testing.T) {
		got, err := Parse(append(append([]byte{}, keyPEM...), ecPEM...), ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Family() != "RSA" || got[1].Family() != "EC" {
			t.Fatalf("got %d keys, want RSA then EC", len(got))
		}
	})
	t.Run("a bad block names its position", func(t *testing.T) {
		bad := pemOf("PUBLIC KEY", []byte{0x30, 0x03, 0x02, 0x01, 0x01})
		_, err := Parse(append(append([]byte{}, keyPEM...), bad...), ParseOptions{Source: "bundle.pem"})
		if err == nil || !strings.Contains(err.Error(), "bundle.pem, PEM block 2 (PUBLIC KEY)") {
			t.Fatalf("error = %v, want the block named", err)
		}
	})
	t.Run("a hostile block type is escaped", func(t *testing.T) {
		evil := "-----BEGIN EVIL\x1b[2J-----\nAAAA\n-----END EVIL\x1b[2J-----\n"
		_, err := Parse(append(append([]byte{}, keyPEM...), evil...), ParseOptions{Source: "bundle.pem"})
		if err == nil || strings.Contains(err.Error(), "\x1b") || !strings.Contains(err.Error(), `"EVIL\x1b[2J"`) {
			t.Fatalf("error = %q, want the block type escaped", err)
		}
	})
	t.Run("too many keys", func(t *testing.T) {
		var buf bytes.Buffer
		for range MaxKeys + 1 {
			_, k, _ := ed25519.GenerateKey(rand.Reader)
			der, _ := x509.MarshalPKIXPublicKey(k.Public())
			buf.Write(pemOf("PUBLIC KEY", der))
		}
		_, err := Parse(buf.Bytes(), ParseOptions{Source: "many.pem"})
		if err == nil || !strings.Contains(err.Error(), "more than 1000 keys") {
			t.Fatalf("error = %v, want a key-count error", err)
		}
	})
}

func TestParseRefusals(t *testing.T) {
	x25519, _ := ecdh.X25519().GenerateKey(rand.Reader)
	x25519DER, _ := x509.MarshalPKCS8PrivateKey(x25519)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	p224DER, _ := x509.MarshalPKIXPublicKey(&p224.PublicKey)
	smallRSA := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 1023), E: 65537}
	smallRSA.N.Add(smallRSA.N, big.NewInt(1))
	hugeRSA := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), MaxRSABits+8), E: 65537}
	hugeRSA.N.Add(hugeRSA.N, big.NewInt(1))
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"empty", nil, "k is empty"},
		{"whitespace", []byte(" \n\t"), "k is empty"},
		{"random text", []byte("hello"), "k is not a PEM key, a DER key, a JWK or a JWK Set"},
		{"OpenSSH public", []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA x@y\n"), "OpenSSH public key, which is not supported; convert it with: ssh-keygen"},
		{"OpenSSH private", pemOf("OPENSSH PRIVATE KEY", []byte("openssh-key-v1\x00")), "ssh-keygen -p -m PKCS8"},
		{"CSR", pemOf("CERTIFICATE REQUEST", []byte{0x30, 0}), `unexpected PEM block "CERTIFICATE REQUEST"`},
		{"only EC parameters", pemOf("EC PARAMETERS", []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}), "k holds no key"},
		{"truncated PEM", []byte("-----BEGIN PUBLIC KEY-----\nMIIB\n"), "malformed PEM block"},
		{"PEM with bad base64", []byte("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n"), "malformed PEM block"},
		{"PKIX garbage", pemOf("PUBLIC KEY", []byte{1, 2, 3}), `the "PUBLIC KEY" PEM block does not hold a valid PUBLIC KEY`},
		{"DER garbage", []byte{0x30, 0x03, 0x02, 0x01, 0x05}, "not a PEM key, DER key, JWK or JWK Set"},
		{"X25519 PKCS#8", pemOf("PRIVATE KEY", x25519DER), "X25519 and X448 keys are for key agreement"},
		{"P-224 PKIX", pemOf("PUBLIC KEY", p224DER), "EC curve P-224 is not used by JWS"},
		{"RSA 1024 PKCS#1 public", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(smallRSA)), "RSA key is 1024 bits; at least 2048 are required"},
		{"RSA too large", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(hugeRSA)), "at most 16384 are supported"},
		{"oversized input", bytes.Repeat([]byte(" "), MaxInputSize+1), "larger than 1048576 bytes"},
		{"DSA", pemOf("DSA PRIVATE KEY", []byte{0x30, 0}), "DSA keys are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.data, ParseOptions{Source: "k"})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Parse error = %v, want it to contain %q", err, tt.wantErr)
			}
			if failure.ExitCode(err) != 2 {
				t.Errorf("exit code %d, want 2", failure.ExitCode(err))
			}
		})
	}
}

// TestParseHostileRSANumbers checks that a PKCS#1 key whose numbers are far larger than its
// modulus is refused before any arithmetic, quickly.
func TestParseHostileRSANumbers(t *testing.T) {
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	huge := new(big.Int).Lsh(big.NewInt(1), 8*200000)
	type pkcs1 struct {
		Version      int
		N            *big.Int
		E            int
		D, P, Q      *big.Int
		Dp, Dq, Qinv *big.Int
	}
	der, err := asn1.Marshal(pkcs1{0, k.N, k.E, k.D, huge, huge, k.Precomputed.Dp, k.Precomputed.Dq, k.Precomputed.Qinv})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = Parse(pemOf("RSA PRIVATE KEY", der), ParseOptions{})
	if err == nil || !strings.Contains(err.Error(), "larger than the modulus") {
		t.Fatalf("error = %v, want a bound error", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
}

// TestParseErrorsNeverShowKeyBytes checks that a broken private key's content stays out of
// messages.
func TestParseErrorsNeverShowKeyBytes(t *testing.T) {
	secretish := "c2VjcmV0LWtleS1ieXRlcw"
	inputs := [][]byte{
		[]byte(`{"kty":"oct","k":"` + secretish + `","alg":5}`),
		[]byte(`{"kty":"EC","crv":"P-256","x":"` + secretish + `","y":"` + secretish + `","d":"` + secretish + `"}`),
		[]byte(`{"kty":"RSA","n":"` + secretish + `","e":"AQAB","d":"` + secretish + `"}`),
		[]byte("-----BEGIN PRIVATE KEY-----\n" + secretish + "\n-----END PRIVATE KEY-----\n"),
	}
	for _, in := range inputs {
		_, err := Parse(in, ParseOptions{Source: "k"})
		if err == nil {
			t.Fatalf("Parse(%s) succeeded", in)
		}
		if strings.Contains(err.Error(), secretish) || strings.Contains(err.Error(), "secret-key-bytes") {
			t.Errorf("error shows key content: %v", err)
		}
	}
}

package jwe

import (
	"bytes"
	"compress/flate"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
)

var b64u = base64.RawURLEncoding

// craft returns a compact JWE with the given header JSON and filler for the other segments:
// enough to reach the header checks, which must refuse it before any cryptography.
func craft(header string) string {
	filler := b64u.EncodeToString(bytes.Repeat([]byte{7}, 16))
	return b64u.EncodeToString([]byte(header)) + "." + filler + "." + filler + "." + filler + "." + filler
}

// dirGCM encrypts plaintext (already compressed when the header says zip) with dir and
// A256GCM by hand, so a test can make any authenticated payload, a zip bomb included.
func dirGCM(t testing.TB, key []byte, header string, plaintext []byte) string {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	iv := make([]byte, gcm.NonceSize())
	rand.Read(iv)
	h := b64u.EncodeToString([]byte(header))
	sealed := gcm.Seal(nil, iv, plaintext, []byte(h))
	ct, tag := sealed[:len(sealed)-gcm.Overhead()], sealed[len(sealed)-gcm.Overhead():]
	return h + ".." + b64u.EncodeToString(iv) + "." + b64u.EncodeToString(ct) + "." + b64u.EncodeToString(tag)
}

func deflate(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

// offCurveEPK is an epk whose point is not on P-256 (x = 1, y = 1).
const offCurveEPK = `{"kty":"EC","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"}`

func TestHeaderAttacks(t *testing.T) {
	ks := testKeys(t)
	all := []keys.Key{ks["rsa"], ks["p256"], ks["p384"], ks["oct16"], ks["oct32"]}
	pw := DecryptOptions{Passwords: [][]byte{testPassword}}
	tests := []struct {
		name   string
		header string
		opts   DecryptOptions
		code   string
		want   string
	}{
		{"p2c 10^9", `{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2c":1000000000,"p2s":"c2FsdHNhbHRzYWx0c2FsdA"}`, pw, CodeP2C, "asks for 1000000000 PBES2 iterations"},
		{"p2c just over", `{"alg":"PBES2-HS512+A256KW","enc":"A256GCM","p2c":1000001,"p2s":"c2FsdA"}`, pw, CodeP2C, "refused above 1000000"},
		{"p2c negative", `{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2c":-1,"p2s":"c2FsdA"}`, pw, CodeP2C, "positive integer"},
		{"p2c string", `{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2c":"1000","p2s":"c2FsdA"}`, pw, CodeP2C, "positive integer"},
		{"p2c fraction", `{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2c":1000.5,"p2s":"c2FsdA"}`, pw, CodeP2C, "positive integer"},
		{"p2c huge", `{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2c":1e300,"p2s":"c2FsdA"}`, pw, CodeP2C, ""},
		{"no p2s", `{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2c":1000}`, pw, CodeP2C, "p2s"},
		{"epk off curve", `{"alg":"ECDH-ES","enc":"A256GCM","epk":` + offCurveEPK + `}`, DecryptOptions{}, CodeEPK, "not a point on P-256"},
		{"epk off curve kw", `{"alg":"ECDH-ES+A128KW","enc":"A128GCM","epk":` + offCurveEPK + `}`, DecryptOptions{}, CodeEPK, "invalid-curve"},
		{"epk private", `{"alg":"ECDH-ES","enc":"A256GCM","epk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":"AA"}}`, DecryptOptions{}, CodeEPK, "private key"},
		{"epk short coordinates", `{"alg":"ECDH-ES","enc":"A256GCM","epk":{"kty":"EC","crv":"P-256","x":"AAE","y":"AAE"}}`, DecryptOptions{}, CodeEPK, "32 bytes"},
		{"epk not ec", `{"alg":"ECDH-ES","enc":"A256GCM","epk":{"kty":"oct","crv":"P-256"}}`, DecryptOptions{}, CodeEPK, "not an EC key"},
		{"epk missing", `{"alg":"ECDH-ES","enc":"A256GCM"}`, DecryptOptions{}, CodeEPK, "missing"},
		{"rsa1_5 without the flag", `{"alg":"RSA1_5","enc":"A128CBC-HS256"}`, DecryptOptions{}, CodeUnsupported, "--allow-rsa1_5"},
		{"unknown alg", `{"alg":"RSA-OAEP-384","enc":"A128GCM"}`, DecryptOptions{}, CodeUnsupported, "not a key-management"},
		{"none", `{"alg":"none","enc":"A128GCM"}`, DecryptOptions{}, CodeUnsupported, ""},
		{"no enc", `{"alg":"dir"}`, DecryptOptions{}, CodeUnsupported, `no "enc"`},
		{"unknown enc", `{"alg":"dir","enc":"A128CTR"}`, DecryptOptions{}, CodeUnsupported, "not a content encryption"},
		{"zip other", `{"alg":"dir","enc":"A256GCM","zip":"GZIP"}`, DecryptOptions{}, CodeUnsupported, `only "DEF"`},
		{"crit", `{"alg":"dir","enc":"A256GCM","crit":["exp"],"exp":1}`, DecryptOptions{}, CodeUnsupported, "crit"},
		{"duplicate alg", `{"alg":"dir","alg":"A128KW","enc":"A256GCM"}`, DecryptOptions{}, "duplicate_member", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Decrypt(craft(tt.header), all, tt.opts)
			if elapsed := time.Since(start); elapsed > 100*time.Millisecond {
				t.Errorf("took %v; header checks must refuse before any work", elapsed)
			}
			if err == nil || failure.CodeOf(err) != tt.code || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v (code %s), want code %s and %q", err, failure.CodeOf(err), tt.code, tt.want)
			}
			if failure.ExitCode(err) != 1 {
				t.Fatalf("exit %d, want 1", failure.ExitCode(err))
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
		})
	}
}

// TestOneErrorForEveryFailure checks that a wrong key and every tampered part give the same
// message and exit code, for GCM, for CBC-HMAC (where a padding oracle would live) and for
// RSA1_5 (Bleichenbacher's oracle) when allowed.
func TestOneErrorForEveryFailure(t *testing.T) {
	ks := testKeys(t)
	other, err := keys.Generate(rand.Reader, "RSA", 2048, "", "")
	if err != nil {
		t.Fatal(err)
	}
	other.JWK.Use = ""
	flip := func(compact string, seg int) string {
		parts := strings.Split(compact, ".")
		b, _ := b64u.DecodeString(parts[seg])
		if len(b) == 0 {
			b = []byte{0}
		} else {
			b[len(b)/2] ^= 0x01
		}
		parts[seg] = b64u.EncodeToString(b)
		return strings.Join(parts, ".")
	}
	for _, pair := range [][2]string{{"RSA-OAEP-256", "A256GCM"}, {"RSA-OAEP", "A128CBC-HS256"}, {"RSA1_5", "A128CBC-HS256"}, {"A128KW", "A256CBC-HS512"}, {"dir", "A128CBC-HS256"}, {"ECDH-ES", "A192CBC-HS384"}, {"PBES2-HS256+A128KW", "A128GCM"}} {
		alg, enc := pair[0], pair[1]
		r, list, dopts := recipientFor(t, alg, enc)
		var compact string
		if alg == "RSA1_5" {
			compact = encryptRSA15(t, ks["rsa"], enc)
		} else {
			compact, err = Encrypt([]byte(`{"sub":"alice"}`), r, EncryptOptions{Alg: alg, Enc: enc, P2C: MinP2C, KeyID: "k1"})
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := Decrypt(compact, list, dopts); err != nil {
			t.Fatalf("%s/%s untouched: %v", alg, enc, err)
		}
		// A header changed but still a valid header for the same algorithms: the kid.
		parts := strings.Split(compact, ".")
		hdr, _ := b64u.DecodeString(parts[0])
		parts[0] = b64u.EncodeToString(bytes.Replace(hdr, []byte(`"kid":"k1"`), []byte(`"kid":"k2"`), 1))
		cases := map[string]string{
			"tag":        flip(compact, 4),
			"ciphertext": flip(compact, 3),
			"iv":         flip(compact, 2),
			"header":     strings.Join(parts, "."),
		}
		if alg != "dir" && alg != "ECDH-ES" { // the two with an empty encrypted key
			cases["encrypted key"] = flip(compact, 1)
		}
		if bytes.Equal(hdr, []byte(strings.Replace(string(hdr), `"kid":"k1"`, "", 1))) {
			t.Fatalf("%s: no kid to tamper with in %s", alg, hdr)
		}
		wrong := list
		wrongOpts := dopts
		switch alg {
		case "RSA-OAEP-256", "RSA-OAEP", "RSA1_5":
			wrong = []keys.Key{other}
		case "PBES2-HS256+A128KW":
			wrongOpts.Passwords = [][]byte{[]byte("wrong")}
		case "ECDH-ES":
			k, _ := keys.Generate(rand.Reader, "EC", 0, "P-256", "")
			k.JWK.Use = ""
			wrong = []keys.Key{k}
		default:
			k := keys.SecretKey(bytes.Repeat([]byte{1}, len(list[0].JWK.Key.([]byte))), "wrong")
			wrong = []keys.Key{k}
		}
		results := map[string]error{}
		for name, tok := range cases {
			_, results[name] = Decrypt(tok, list, dopts)
		}
		_, results["wrong key"] = Decrypt(compact, wrong, wrongOpts)
		for name, err := range results {
			if !errors.Is(err, ErrDecrypt) || err.Error() != ErrDecrypt.Error() || failure.ExitCode(err) != 1 || failure.CodeOf(err) != CodeDecrypt {
				t.Errorf("%s/%s %s: got %v (code %s), want the one decryption error", alg, enc, name, err, failure.CodeOf(err))
			}
		}
	}
}

func TestZipBomb(t *testing.T) {
	ks := testKeys(t)
	key := ks["oct32"].JWK.Key.([]byte)
	// 64 MiB of zeros deflate to about 64 KB: a token well under the size cap.
	bomb := deflate(t, make([]byte, 64<<20))
	compact := dirGCM(t, key, `{"alg":"dir","enc":"A256GCM","zip":"DEF"}`, bomb)
	if len(compact) > 256<<10 {
		t.Fatalf("bomb token is %d bytes, over the size cap", len(compact))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := Decrypt(compact, []keys.Key{ks["oct32"]}, DecryptOptions{})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if err == nil || failure.ExitCode(err) != 1 || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v", err)
	}
	t.Logf("64 MiB zip bomb in a %d-byte token: %v in %v, %d KiB allocated", len(compact), err, elapsed, (after.TotalAlloc-before.TotalAlloc)>>10)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("decrypting the bomb allocated %d MiB; it must stay bounded", alloc>>20)
	}
	if elapsed > 2*time.Second {
		t.Errorf("took %v", elapsed)
	}

	// Under go-jose's limit but over ours: the plaintext cap refuses it.
	small := dirGCM(t, key, `{"alg":"dir","enc":"A256GCM","zip":"DEF"}`, deflate(t, make([]byte, 200_000)))
	_, err = Decrypt(small, []keys.Key{ks["oct32"]}, DecryptOptions{MaxPlaintext: 100_000})
	if failure.CodeOf(err) != "too_large" {
		t.Fatalf("over MaxPlaintext: %v", err)
	}
	res, err := Decrypt(small, []keys.Key{ks["oct32"]}, DecryptOptions{})
	if err != nil || len(res.Plaintext) != 200_000 {
		t.Fatalf("within limits: %v", err)
	}
}

func TestSizeCap(t *testing.T) {
	big := craft(`{"alg":"dir","enc":"A256GCM"}`) + strings.Repeat("A", 300<<10)
	_, err := Decrypt(big, nil, DecryptOptions{})
	if err == nil || failure.ExitCode(err) != 2 || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("err = %v", err)
	}
}

// encryptRSA15 makes an RSA1_5 token with go-jose directly (Encrypt refuses the algorithm).
func encryptRSA15(t testing.TB, k keys.Key, enc string) string {
	t.Helper()
	e, err := jose.NewEncrypter(jose.ContentEncryption(enc), jose.Recipient{Algorithm: jose.RSA1_5, Key: k.Public().JWK.Key, KeyID: "k1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := e.Encrypt([]byte(`{"sub":"alice"}`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

package jwe

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// fuzzKeys returns the published keys of the RFC vectors (RSA, EC P-256 and P-384, AES) and
// their passwords, so that fuzzed tokens reach the cryptography with keys that fit.
func fuzzKeys(f *testing.F) ([]keys.Key, [][]byte) {
	var list []keys.Key
	var passwords [][]byte
	for _, file := range []string{"testdata/rfc7516.json", "testdata/rfc7520.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var vs []vector
		if err := json.Unmarshal(data, &vs); err != nil {
			f.Fatal(err)
		}
		for _, v := range vs {
			if v.Password != "" {
				passwords = append(passwords, []byte(v.Password))
				continue
			}
			ks, err := keys.Parse(v.Key, keys.ParseOptions{Source: v.Name})
			if err != nil {
				f.Fatal(err)
			}
			list = append(list, ks...)
		}
	}
	return list, passwords
}

// checkDecryptError holds every error to the package's contract: one line, classified as
// input (2) or invalid (1), never a go-jose message for a cryptographic failure.
func checkDecryptError(t *testing.T, err error) {
	if err == nil {
		return
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("error spans lines: %q", msg)
	}
	if code := failure.ExitCode(err); code != 1 && code != 2 {
		t.Fatalf("exit code %d for %q", code, msg)
	}
	if failure.CodeOf(err) == CodeDecrypt && !strings.HasPrefix(msg, ErrDecrypt.Error()) {
		t.Fatalf("decryption failure with another message: %q", msg)
	}
}

// FuzzDecrypt feeds whole tokens to Decrypt with keys of every family: it must never panic,
// never take long (PBES2 counts are capped), and fail with the one-line classified errors.
func FuzzDecrypt(f *testing.F) {
	list, passwords := fuzzKeys(f)
	// A lower p2c cap keeps each run cheap: at the real cap one PBES2 input costs up to a second,
	// and the engine then spends its minute minimizing a single input (measured: 248 execs).
	opts := DecryptOptions{Passwords: passwords, AllowRSA1_5: true, MaxP2C: 10_000}
	f.Fuzz(func(t *testing.T, compact string) {
		start := time.Now()
		res, err := Decrypt(compact, list, opts)
		checkDecryptError(t, err)
		if err == nil && len(res.Plaintext) > MaxPlaintext {
			t.Fatalf("plaintext of %d bytes", len(res.Plaintext))
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}

// FuzzDecryptHeader fuzzes the protected header alone, over segments that are well-formed:
// the header checks (alg, enc, zip, crit, p2c, p2s, epk) must refuse or pass it cleanly.
func FuzzDecryptHeader(f *testing.F) {
	list, passwords := fuzzKeys(f)
	opts := DecryptOptions{Passwords: passwords, MaxP2C: 10_000}
	f.Fuzz(func(t *testing.T, header []byte) {
		start := time.Now()
		_, err := Decrypt(craft(string(header)), list, opts)
		checkDecryptError(t, err)
		if err == nil {
			t.Fatalf("a filler token decrypted under header %q", header)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}

package jwe

import (
	"bytes"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// TestGoJoseLimits pins what go-jose v4 itself does with the inputs this package checks
// first, as measured on v4.1.9, so that an upgrade that changes them is noticed: it refuses
// p2c above 1,000,000 (after parsing, before PBKDF2), and stops inflating a zip payload at
// max(250 kB, 10 × its size) with an error of its own that this package folds into ErrDecrypt.
func TestGoJoseLimits(t *testing.T) {
	pw := []byte("pw")
	enc, err := jose.NewEncrypter(jose.A128GCM, jose.Recipient{Algorithm: jose.PBES2_HS256_A128KW, Key: pw, PBES2Count: 1_000_001}, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := enc.Encrypt([]byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	compact, _ := obj.CompactSerialize()
	parsed, err := jose.ParseEncryptedCompact(compact, []jose.KeyAlgorithm{jose.PBES2_HS256_A128KW}, []jose.ContentEncryption{jose.A128GCM})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := parsed.Decrypt(pw); err == nil {
		t.Fatal("go-jose decrypted p2c 1,000,001; its cap moved")
	}
	t.Logf("go-jose refuses p2c 1,000,001 in %v", time.Since(start))
	// Ours refuses it from the header, with a message that says why.
	if _, err := Decrypt(compact, nil, DecryptOptions{Passwords: [][]byte{pw}}); err == nil || !strings.Contains(err.Error(), "refused above 1000000") {
		t.Fatalf("Decrypt: %v", err)
	}

	key := bytes.Repeat([]byte{1}, 32)
	small := deflate(t, make([]byte, 250_001))
	tok := dirGCM(t, key, `{"alg":"dir","enc":"A256GCM","zip":"DEF"}`, small)
	parsed, err = jose.ParseEncryptedCompact(tok, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parsed.Decrypt(key); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("go-jose inflated 250,001 bytes from %d: %v; its cap moved", len(small), err)
	}
}

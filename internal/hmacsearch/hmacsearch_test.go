package hmacsearch

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func mint(alg string, secret []byte) string {
	newHash := map[string]func() hash.Hash{"HS256": sha256.New, "HS384": sha512.New384, "HS512": sha512.New}[alg]
	input := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"`+alg+`","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"alice","exp":1795602600}`))
	m := hmac.New(newHash, secret)
	m.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// TestMACMatchesCryptoHMAC checks the reused-hash HMAC against crypto/hmac for keys shorter
// than, equal to and longer than the block size, for every algorithm.
func TestMACMatchesCryptoHMAC(t *testing.T) {
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		for _, n := range []int{0, 1, 32, 63, 64, 65, 127, 128, 129, 300} {
			key := bytes.Repeat([]byte{byte(n)}, n)
			tok := mint(alg, key)
			target, err := ParseTarget(tok)
			if err != nil {
				t.Fatal(err)
			}
			if !target.Check(key) {
				t.Errorf("%s with a %d-byte key: no match", alg, n)
			}
			if target.Check(append(key, 'x')) {
				t.Errorf("%s: a wrong key matched", alg)
			}
		}
	}
}

func TestParseTargetRefusals(t *testing.T) {
	rs := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`)) + ".e30.AAAA"
	short := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256"}`)) + ".e30.AAAA"
	for _, tc := range []struct{ tok, want string }{
		{rs, "no shared secret"},
		{short, "tag is 3 bytes"},
		{"a.b", "3 segments"},
		{"!!.e30.AAAA", "header"},
	} {
		if _, err := ParseTarget(tc.tok); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.tok, err, tc.want)
		}
	}
}

func TestSearch(t *testing.T) {
	for _, tc := range []struct {
		name, secret, list string
		words              []string
		found              bool
	}{
		{"built-in default", "your-256-bit-secret", "", Defaults(), true},
		{"built-in with a space", "keyboard cat", "", Defaults(), true},
		{"in the file, CRLF", "hunter2", "a\r\nb\r\nhunter2\r\nc\r\n", nil, true},
		{"last line without newline", "zzz", "a\nb\nzzz", nil, true},
		{"empty secret on an empty line", "", "a\n\nb\n", nil, true},
		{"binary secret", "\x00\xff\x10", "a\n\x00\xff\x10\n", nil, true},
		{"a line over MaxWord is passed over", "tail", strings.Repeat("x", 70000) + "tail\nq\n", nil, false},
		{"absent", "not-in-the-list-at-all", "a\nb\nc\n", Defaults(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target, err := ParseTarget(mint("HS256", []byte(tc.secret)))
			if err != nil {
				t.Fatal(err)
			}
			var r *strings.Reader
			if tc.list != "" {
				r = strings.NewReader(tc.list)
			}
			var res Result
			if r != nil {
				res, err = Search(context.Background(), target, tc.words, r, 3, nil)
			} else {
				res, err = Search(context.Background(), target, tc.words, nil, 3, nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Secret != nil; got != tc.found || (tc.found && string(res.Secret) != tc.secret) {
				t.Errorf("found %q (%v), want %v", res.Secret, got, tc.found)
			}
		})
	}
}

// wordList generates n distinct words, one per line, with the secret as the last.
func wordList(n int, secret string) []byte {
	var b bytes.Buffer
	b.Grow(n * 12)
	for i := 0; i < n-1; i++ {
		b.WriteString("word")
		b.WriteString(strconv.Itoa(i))
		b.WriteByte('\n')
	}
	b.WriteString(secret)
	b.WriteByte('\n')
	return b.Bytes()
}

// TestMillionWords recovers a secret planted at the end of a generated 1,000,000-word list.
func TestMillionWords(t *testing.T) {
	if testing.Short() {
		t.Skip("a million HMACs")
	}
	const secret = "planted-at-the-very-end"
	target, err := ParseTarget(mint("HS256", []byte(secret)))
	if err != nil {
		t.Fatal(err)
	}
	list := wordList(1_000_000, secret)
	var last int64
	res, err := Search(context.Background(), target, nil, bytes.NewReader(list), runtime.NumCPU(), func(n int64) { last = n })
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Secret) != secret {
		t.Fatalf("found %q after %d", res.Secret, res.Tried)
	}
	if res.Tried < 999_000 || last == 0 {
		t.Errorf("tried %d, progress %d", res.Tried, last)
	}
}

// BenchmarkPrimitive is the bare HMAC-SHA256 of one token's signing input with crypto/hmac, on
// one core: the cost of one guess.
func BenchmarkPrimitive(b *testing.B) {
	tok := mint("HS256", []byte("x"))
	input := []byte(tok[:strings.LastIndexByte(tok, '.')])
	key := []byte("word123456")
	b.ReportAllocs()
	for b.Loop() {
		m := hmac.New(sha256.New, key)
		m.Write(input)
		m.Sum(nil)
	}
}

// BenchmarkPrimitiveParallel is BenchmarkPrimitive on every core (b.RunParallel), the ceiling
// the finder is measured against.
func BenchmarkPrimitiveParallel(b *testing.B) {
	tok := mint("HS256", []byte("x"))
	input := []byte(tok[:strings.LastIndexByte(tok, '.')])
	key := []byte("word123456")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m := hmac.New(sha256.New, key)
			m.Write(input)
			m.Sum(nil)
		}
	})
}

// BenchmarkSearch is the finder over a generated list with no match, on every core; one op is
// one word, so ns/op compares with BenchmarkPrimitive's divided by the cores.
func BenchmarkSearch(b *testing.B) {
	target, err := ParseTarget(mint("HS256", []byte("absent")))
	if err != nil {
		b.Fatal(err)
	}
	n := max(b.N, 1)
	list := wordList(n, "word0")
	b.ResetTimer()
	res, err := Search(context.Background(), target, nil, bytes.NewReader(list), runtime.NumCPU(), nil)
	if err != nil || res.Secret != nil {
		b.Fatal(err, res.Secret)
	}
	b.ReportMetric(float64(runtime.NumCPU()), "workers")
}

// BenchmarkMAC is the finder's own HMAC (one reused hash) on one core, without the word list,
// batches or workers: what the search costs beyond the hash is the gap between this and
// BenchmarkSearch times the cores.
func BenchmarkMAC(b *testing.B) {
	tok := mint("HS256", []byte("x"))
	input := []byte(tok[:strings.LastIndexByte(tok, '.')])
	key := []byte("word123456")
	m := newMAC(sha256.New)
	b.ReportAllocs()
	for b.Loop() {
		m.tag(key, input)
	}
}

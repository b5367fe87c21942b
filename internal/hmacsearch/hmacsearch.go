// Package hmacsearch finds the secret of an HMAC-signed JWT (HS256, HS384, HS512) among
// candidate words: the offline guessing any holder of one token can do against a weak secret
// (RFC 8725 §3.5, RFC 7518 §3.2). It precomputes the signing input and the expected tag, and
// each worker computes HMAC with one reused hash (Reset, no allocation per word), so a search
// runs at the speed of the hash on every core.
package hmacsearch

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"
	"sync/atomic"
)

//go:embed defaults.txt
var defaults string

// Defaults returns the built-in candidates: secrets commonly left in place from documentation,
// framework samples and tutorials.
func Defaults() []string { return strings.Split(strings.TrimSpace(defaults), "\n") }

// Target is what a search compares against: one token's signing input and tag.
type Target struct {
	// Alg is HS256, HS384 or HS512.
	Alg     string
	input   []byte
	tag     []byte
	newHash func() hash.Hash
}

// ParseTarget reads an HS256, HS384 or HS512 compact JWS. Other algorithms have no secret to
// find: a usage error says so.
func ParseTarget(token string) (Target, error) {
	p := strings.Split(token, ".")
	if len(p) != 3 {
		return Target{}, fmt.Errorf("a compact JWS has 3 segments, this token has %d", len(p))
	}
	hdr, err := base64.RawURLEncoding.DecodeString(p[0])
	if err != nil {
		return Target{}, fmt.Errorf("header: %w", err)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(hdr, &h); err != nil {
		return Target{}, fmt.Errorf("header: %w", err)
	}
	tag, err := base64.RawURLEncoding.DecodeString(p[2])
	if err != nil {
		return Target{}, fmt.Errorf("signature: %w", err)
	}
	t := Target{Alg: h.Alg, input: []byte(p[0] + "." + p[1]), tag: tag}
	switch h.Alg {
	case "HS256":
		t.newHash = sha256.New
	case "HS384":
		t.newHash = sha512.New384
	case "HS512":
		t.newHash = sha512.New
	default:
		return Target{}, fmt.Errorf("the token is signed with %q, not HS256, HS384 or HS512: it has no shared secret to guess", h.Alg)
	}
	if len(tag) != t.newHash().Size() {
		return Target{}, fmt.Errorf("the %s tag is %d bytes, not %d", h.Alg, len(tag), t.newHash().Size())
	}
	return t, nil
}

// mac computes HMAC (RFC 2104) with one reused hash.
type mac struct {
	h          hash.Hash
	block      int
	ipad, opad []byte
	sum, inner []byte
}

func newMAC(newHash func() hash.Hash) *mac {
	h := newHash()
	b := h.BlockSize()
	return &mac{h: h, block: b, ipad: make([]byte, b), opad: make([]byte, b), sum: make([]byte, 0, h.Size()), inner: make([]byte, 0, h.Size())}
}

// tag returns HMAC(key, input); the result is valid until the next call.
func (m *mac) tag(key, input []byte) []byte {
	if len(key) > m.block {
		m.h.Reset()
		m.h.Write(key)
		key = m.h.Sum(m.sum[:0])
	}
	clear(m.ipad)
	clear(m.opad)
	copy(m.ipad, key)
	copy(m.opad, key)
	for i := range m.ipad {
		m.ipad[i] ^= 0x36
		m.opad[i] ^= 0x5c
	}
	m.h.Reset()
	m.h.Write(m.ipad)
	m.h.Write(input)
	m.inner = m.h.Sum(m.inner[:0])
	m.h.Reset()
	m.h.Write(m.opad)
	m.h.Write(m.inner)
	return m.h.Sum(m.sum[:0])
}

// Check reports whether secret is the token's secret.
func (t Target) Check(secret []byte) bool {
	return subtle.ConstantTimeCompare(newMAC(t.newHash).tag(secret, t.input), t.tag) == 1
}

// MaxWord is the longest candidate read from a word list; longer lines are passed over.
const MaxWord = 4096

// batchWords is how many candidates a worker takes at a time.
const batchWords = 2048

type batch struct {
	buf  []byte
	ends []int
	// bytes is how much input the batch covers, for progress.
	bytes int64
}

// Result is the outcome of a search.
type Result struct {
	// Secret is the secret found; nil when none was.
	Secret []byte
	// Tried is how many candidates were tried (all of them when none matched).
	Tried int64
}

// Search tries every candidate, the words first and then each line of r (without its line
// ending; r may be nil), on workers goroutines, and stops at the first match. progress, when not
// nil, is called from one goroutine with the count of bytes of r consumed so far, at most once
// per batch.
func Search(ctx context.Context, t Target, words []string, r io.Reader, workers int, progress func(bytesRead int64)) (Result, error) {
	if workers < 1 {
		workers = 1
	}
	for _, w := range words {
		if t.Check([]byte(w)) {
			return Result{Secret: []byte(w), Tried: 1}, nil
		}
	}
	res := Result{Tried: int64(len(words))}
	if r == nil {
		return res, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *batch, workers*2)
	free := make(chan *batch, workers*3)
	var tried atomic.Int64
	var found []byte
	var once sync.Once
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := newMAC(t.newHash)
			for b := range batches {
				start := 0
				for _, end := range b.ends {
					word := b.buf[start:end]
					start = end
					if bytes.Equal(m.tag(word, t.input), t.tag) {
						w := append([]byte{}, word...)
						once.Do(func() { found = w; cancel() })
					}
				}
				tried.Add(int64(len(b.ends)))
				select {
				case free <- b:
				default:
				}
			}
		}()
	}
	readErr := feed(ctx, r, batches, free, progress)
	close(batches)
	wg.Wait()
	res.Tried += tried.Load()
	if found != nil {
		return Result{Secret: found, Tried: res.Tried}, nil
	}
	if readErr != nil {
		return res, readErr
	}
	return res, ctx.Err()
}

// feed splits r into lines, packed into batches.
func feed(ctx context.Context, r io.Reader, out chan<- *batch, free chan *batch, progress func(int64)) error {
	br := bufio.NewReaderSize(r, 1<<16)
	var total int64
	next := func() *batch {
		select {
		case b := <-free:
			b.buf, b.ends, b.bytes = b.buf[:0], b.ends[:0], 0
			return b
		default:
			return &batch{buf: make([]byte, 0, batchWords*16), ends: make([]int, 0, batchWords)}
		}
	}
	b := next()
	send := func() bool {
		total += b.bytes
		select {
		case out <- b:
		case <-ctx.Done():
			return false
		}
		if progress != nil {
			progress(total)
		}
		b = next()
		return true
	}
	skipping := false
	for {
		line, err := br.ReadSlice('\n')
		b.bytes += int64(len(line))
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			skipping = true
			continue
		case skipping:
			skipping = false // the tail of a line longer than the buffer
		default:
			line = bytes.TrimSuffix(line, []byte("\n"))
			line = bytes.TrimSuffix(line, []byte("\r"))
			if (len(line) > 0 || err == nil) && len(line) <= MaxWord {
				b.buf = append(b.buf, line...)
				b.ends = append(b.ends, len(b.buf))
			}
		}
		if err != nil {
			if len(b.ends) > 0 || b.bytes > 0 {
				send()
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("reading the word list: %w", err)
		}
		if len(b.ends) >= batchWords && !send() {
			return nil
		}
	}
}

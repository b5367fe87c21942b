package token

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// MaxSize is the default cap on one token (256 KiB), applied before any parsing.
const MaxSize = 256 << 10

// CodeMalformed is the failure code of every error about the form of a token.
const CodeMalformed = "malformed_token"

// ErrTooLarge is matched (with errors.Is) by every error about a token or an input line over
// the size limit.
var ErrTooLarge error = failure.Sentinel("token too large")

// strictBase64 is made on first use by Base64; a package-level base64.RawURLEncoding.Strict()
// would be package initialisation that every jwtkit run pays for (see failure.Sentinel).
var (
	strictBase64Once sync.Once
	strictBase64     *base64.Encoding
)

// Base64 returns the only base64 accepted in a token: URL alphabet, no padding, and no stray
// bits in the last character, so that every accepted segment has exactly one encoding.
func Base64() *base64.Encoding {
	strictBase64Once.Do(func() { strictBase64 = base64.RawURLEncoding.Strict() })
	return strictBase64
}

// Parsed is a compact JWS (3 segments) or JWE (5 segments) split and decoded. Parse fills it;
// nothing in it has been verified.
type Parsed struct {
	// Raw is the token as given to Parse.
	Raw string
	// Encrypted is true for a JWE: only the header is decoded, and Payload, PayloadJSON,
	// Signature and SigningInput are empty.
	Encrypted bool
	// Unencoded is true when the header has "b64": false (RFC 7797): the payload segment is
	// the payload itself, not base64url. PayloadJSON then holds the segment as is and Payload
	// is nil. verify refuses such tokens; decode shows them.
	Unencoded bool
	// HeaderJSON is the decoded protected header, exactly as in the token.
	HeaderJSON []byte
	// PayloadJSON is the decoded payload, exactly as in the token (nil for a JWE).
	PayloadJSON []byte
	// Header is HeaderJSON decoded with UseNumber: numbers are json.Number.
	Header map[string]any
	// Payload is PayloadJSON decoded with UseNumber (nil for a JWE or an unencoded payload).
	Payload map[string]any
	// Signature is the decoded signature (empty for alg none; nil for a JWE).
	Signature []byte
	// SigningInput is "<seg0>.<seg1>", the bytes the signature covers ("" for a JWE).
	SigningInput string
}

// segmentName names segment i (0-based) of a JWS or, when encrypted, a JWE, for messages.
func segmentName(encrypted bool, i int) string {
	if encrypted {
		return [...]string{"header", "encrypted key", "initialization vector", "ciphertext", "authentication tag"}[i]
	}
	return [...]string{"header", "payload", "signature"}[i]
}

// malformed returns a failure.Usage error with code CodeMalformed: the input is not a JWT at
// all (exit 2).
func malformed(format string, args ...any) error {
	return failure.Usagef(CodeMalformed, format, args...)
}

// Codes of the tokens that read as a JWT but must not be trusted (failure.Invalid, exit 1): the
// form is there, and what it says is ambiguous or forged. A header that lacks "alg" or gives
// it, or "b64", a value of the wrong type (RFC 7515 §4.1.1, RFC 7797 §3) has CodeBadHeader.
const (
	// CodeDuplicateMember: a header or payload names a member twice, at any depth. RFC 7515 §4
	// and §5.2 let a parser reject duplicate Header Parameter names, RFC 7519 §4 duplicate claim
	// names; parsers that keep different duplicates disagree on what the token says (the
	// confusion RFC 8725 §2 warns of), so jwtkit always rejects it.
	CodeDuplicateMember = "duplicate_member"
	// CodeUnsafeJSON: JSON that other parsers read differently or not at all: nesting deeper
	// than MaxDepth, a \u escape of a lone UTF-16 surrogate (RFC 8259 §8.2).
	CodeUnsafeJSON = "unsafe_json"
)

// refused returns a failure.Invalid error: a token that reads as a JWT but must not be trusted.
func refused(code, format string, args ...any) error {
	return failure.Invalidf(code, format, args...)
}

// Parse checks the form of a cleaned token (see Clean) and decodes it, without verifying
// anything. max caps the token's size in bytes; max <= 0 means MaxSize.
//
// Every problem is one error whose one-line message names it, in two classes:
//   - not a JWT at all (failure.Usage, code CodeMalformed, exit 2): empty input, a token over
//     max bytes, a character outside [A-Za-z0-9_-.], a segment count other than 3 or 5, a
//     segment that is not unpadded base64url, a header or payload that is not valid UTF-8, not
//     JSON or not a JSON object;
//   - a JWT that must not be trusted (failure.Invalid, exit 1): a duplicate member name
//     (CodeDuplicateMember), nesting deeper than MaxDepth or a lone UTF-16 surrogate escape
//     (CodeUnsafeJSON), a header without a string "alg" or with a "b64" that is not a boolean
//     (CodeBadHeader).
//
// A header with "b64": false parses, with Unencoded set.
func Parse(s string, max int) (*Parsed, error) {
	if max <= 0 {
		max = MaxSize
	}
	if s == "" {
		return nil, malformed("token is empty; expected a JWT (header.payload.signature)")
	}
	if len(s) > max {
		return nil, tooLarge("token is %s; the limit is %s (--max-size)", len(s), max)
	}
	// Go's base64 decoder skips \r and \n, so every character is checked before decoding.
	for i := 0; i < len(s); i++ {
		if !isTokenByte(s[i]) {
			return nil, badCharacter(s, i)
		}
	}
	n := strings.Count(s, ".") + 1
	if n != 3 && n != 5 {
		return nil, segmentCount(n)
	}
	segs := strings.Split(s, ".")
	p := &Parsed{Raw: s, Encrypted: n == 5}

	var err error
	if p.HeaderJSON, err = decodeSegment(segs[0], 0, p.Encrypted); err != nil {
		return nil, err
	}
	if p.Header, err = decodeObject(p.HeaderJSON, "header"); err != nil {
		return nil, err
	}
	if err := checkHeader(p); err != nil {
		return nil, err
	}

	if p.Encrypted {
		// Only the header of a JWE can be read without the key, but every segment must still be
		// well-formed base64url.
		for i := 1; i < len(segs); i++ {
			if err := checkSegment(segs[i], i, p.Encrypted); err != nil {
				return nil, err
			}
		}
		return p, nil
	}

	if p.Unencoded {
		p.PayloadJSON = []byte(segs[1])
	} else {
		if p.PayloadJSON, err = decodeSegment(segs[1], 1, p.Encrypted); err != nil {
			return nil, err
		}
		if p.Payload, err = decodeObject(p.PayloadJSON, "payload"); err != nil {
			return nil, err
		}
	}
	if p.Signature, err = decodeSegment(segs[2], 2, p.Encrypted); err != nil {
		return nil, err
	}
	p.SigningInput = s[:len(segs[0])+1+len(segs[1])]
	return p, nil
}

// isTokenByte reports whether c may appear in a compact JWT.
func isTokenByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.'
}

func badCharacter(s string, i int) error {
	what := describeByte([]byte(s[i:min(len(s), i+utf8.UTFMax)]), 0)
	switch s[i] {
	case '=':
		return malformed("token contains padding \"=\" at offset %d; JWT segments are base64url without padding", i)
	case '+', '/':
		return malformed("token contains %s at offset %d; JWTs use base64url (- and _), not standard base64", what, i)
	}
	return malformed("token contains %s at offset %d; JWTs use only base64url characters and dots", what, i)
}

func segmentCount(n int) error {
	switch n {
	case 1:
		return malformed("token has 1 segment (no dots); a JWT has 3 (header.payload.signature)")
	case 2:
		return malformed("token has 2 segments; a JWT has 3 (header.payload.signature)")
	}
	return malformed("token has %d segments; a JWT has 3 (header.payload.signature), or 5 when encrypted (JWE)", n)
}

// segmentError explains why seg (already known to use only base64url characters) does not
// decode.
func segmentError(seg string, i int, encrypted bool) error {
	var why string
	if len(seg)%4 == 1 {
		why = fmt.Sprintf("%d characters cannot encode whole bytes; the segment looks truncated or has a character too many", len(seg))
	} else {
		why = "its last character has bits that encode nothing; the segment was altered or truncated"
	}
	return malformed("segment %d (%s) is not base64url: %s", i+1, segmentName(encrypted, i), why)
}

func decodeSegment(seg string, i int, encrypted bool) ([]byte, error) {
	b, err := Base64().DecodeString(seg)
	if err != nil {
		return nil, segmentError(seg, i, encrypted)
	}
	return b, nil
}

// checkSegment checks that seg decodes, without keeping the bytes.
func checkSegment(seg string, i int, encrypted bool) error {
	var buf [3]byte
	// Every full 4-character group decodes on its own; only the last one can be wrong.
	if len(seg)%4 == 1 {
		return segmentError(seg, i, encrypted)
	}
	if tail := len(seg) % 4; tail != 0 {
		if _, err := Base64().Decode(buf[:], []byte(seg[len(seg)-tail:])); err != nil {
			return segmentError(seg, i, encrypted)
		}
	}
	return nil
}

// decodeObject checks that b is one JSON object (see jsonChecker) and decodes it with
// UseNumber. what is "header" or "payload".
func decodeObject(b []byte, what string) (map[string]any, error) {
	if len(bytes.Trim(b, " \t\r\n")) == 0 {
		return nil, malformed("%s is empty; a JWT's %s is a JSON object", what, what)
	}
	if !utf8.Valid(b) {
		at := 0
		for at < len(b) {
			r, size := utf8.DecodeRune(b[at:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			at += size
		}
		return nil, malformed("%s is not valid UTF-8 (byte 0x%02x at offset %d)", what, b[at], at)
	}
	kind, err := checkJSONObject(b)
	if err != nil {
		return nil, jsonError(err, what)
	}
	if kind != "" {
		return nil, malformed("%s is not a JSON object (it is %s)", what, kind)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		// checkJSONObject accepts only what encoding/json accepts; this is a safety net.
		return nil, malformed("%s is not JSON: %s", what, err)
	}
	return m, nil
}

// jsonError turns what checkJSONObject found into a malformed-token error about what.
func jsonError(err error, what string) error {
	var p *jsonProblem
	if !errors.As(err, &p) {
		return malformed("%s is not JSON: %s", what, err)
	}
	switch p.kind {
	case duplicateProblem:
		if p.topLevel {
			member := "claim"
			if what == "header" {
				member = "parameter"
			}
			return refused(CodeDuplicateMember, "%s has %s %s twice", what, member, quoteName(p.name))
		}
		return refused(CodeDuplicateMember, "%s has member %s twice in one nested object (byte %d)", what, quoteName(p.name), p.at)
	case depthProblem:
		return refused(CodeUnsafeJSON, "%s nests objects and arrays deeper than %d levels (byte %d)", what, MaxDepth, p.at)
	case surrogateProblem:
		return refused(CodeUnsafeJSON, "%s has a \\u escape for a lone UTF-16 surrogate at byte %d; it cannot be decoded faithfully", what, p.at)
	}
	return malformed("%s is not JSON: %s", what, err)
}

// checkHeader enforces what every JOSE header needs and records "b64": false.
func checkHeader(p *Parsed) error {
	alg, ok := p.Header["alg"]
	if !ok {
		return refused(CodeBadHeader, "header has no \"alg\"; every JWT header names its algorithm (RFC 7515 §4.1.1)")
	}
	if _, ok := alg.(string); !ok {
		return refused(CodeBadHeader, "header \"alg\" is %s, not a string (RFC 7515 §4.1.1)", describeValue(alg))
	}
	if b, ok := p.Header["b64"]; ok && !p.Encrypted {
		v, isBool := b.(bool)
		if !isBool {
			return refused(CodeBadHeader, "header \"b64\" is %s; it must be true or false (RFC 7797)", describeValue(b))
		}
		p.Unencoded = !v
	}
	return nil
}

// tooLarge formats a size error that matches ErrTooLarge. The sizes are shown in bytes when
// the rounded figures would look equal.
func tooLarge(format string, size, limit int) error {
	s, l := formatSize(int64(size)), formatSize(int64(limit))
	if s == l {
		s, l = fmt.Sprintf("%d bytes", size), fmt.Sprintf("%d bytes", limit)
	}
	return failure.Usage(CodeMalformed, &sizeError{msg: fmt.Sprintf(format, s, l)})
}

// sizeError is an error about a size limit; it matches ErrTooLarge.
type sizeError struct{ msg string }

func (e *sizeError) Error() string { return e.msg }

// Is reports whether target is ErrTooLarge.
func (e *sizeError) Is(target error) bool { return target == ErrTooLarge }

// formatSize writes n bytes as "812 bytes", "300 KiB", "1.5 MiB".
func formatSize(n int64) string {
	const kib, mib, gib = 1 << 10, 1 << 20, 1 << 30
	unit := func(div int64, name string) string {
		if n%div == 0 {
			return fmt.Sprintf("%d %s", n/div, name)
		}
		return strings.Replace(fmt.Sprintf("%.1f %s", float64(n)/float64(div), name), ".0 ", " ", 1)
	}
	switch {
	case n < kib:
		return fmt.Sprintf("%d bytes", n)
	case n < mib:
		return unit(kib, "KiB")
	case n < gib:
		return unit(mib, "MiB")
	}
	return unit(gib, "GiB")
}

// Package termsafe escapes the characters that would let text from a token, a flag or a remote
// party act on a terminal or read otherwise than it is: controls, DEL, the C1 controls (U+009B
// starts an escape sequence on some terminals), bidirectional overrides and isolates
// (CVE-2021-42574), line separators and invalid UTF-8.
package termsafe

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ActsOn reports whether r is one of the characters encoding/json leaves raw in a string but a
// terminal may act on or display misleadingly: DEL, the C1 controls and the bidi overrides and
// isolates.
func ActsOn(r rune) bool {
	return r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// unsafeInLine reports whether r may not stand raw in one line of text: a C0 control (newline
// and tab included), the line and paragraph separators, or a character ActsOn.
func unsafeInLine(r rune) bool {
	return r < 0x20 || r == 0x2028 || r == 0x2029 || ActsOn(r)
}

// Line makes s safe to print as one line on a terminal or in a log: every character that may
// not stand raw in a line, and every invalid UTF-8 byte, is written as a visible escape (\n,
// \r, \t, \u001b, \xff). Text without such characters is returned as it is.
func Line(s string) string {
	if !NeedsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unsafeInLine(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// NeedsEscape reports whether Line would change s.
func NeedsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unsafeInLine(r) {
			return true
		}
		i += size
	}
	return false
}

// JSON rewrites, in valid JSON b, the characters ActsOn as \uXXXX escapes. In valid JSON they
// can only stand inside strings, where the escape means the same character, so the result is
// the same JSON value. b is returned as it is when it holds none of them.
func JSON(b []byte) []byte {
	// DEL is 0x7f; every C1 control starts with 0xc2 in UTF-8, every bidi character with 0xe2.
	if bytes.IndexByte(b, 0x7f) < 0 && bytes.IndexByte(b, 0xc2) < 0 && bytes.IndexByte(b, 0xe2) < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if ActsOn(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

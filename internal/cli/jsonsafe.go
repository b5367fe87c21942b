package cli

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// escapeTerminalRunes rewrites, in valid JSON b, the characters encoding/json leaves raw but a
// terminal may act on or display misleadingly: DEL, the C1 controls (U+009B starts an escape
// sequence on some terminals) and the bidirectional overrides and isolates (CVE-2021-42574).
// In valid JSON they can only stand inside strings, where \uXXXX means the same character, so
// the result is the same JSON value. b is returned as it is when it holds none of them.
func escapeTerminalRunes(b []byte) []byte {
	if bytes.IndexByte(b, 0x7f) < 0 && bytes.IndexByte(b, 0xc2) < 0 && bytes.IndexByte(b, 0xe2) < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

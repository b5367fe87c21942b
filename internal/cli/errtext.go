package cli

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxShownArg caps a user value quoted in a message: a flag value can be a megabyte long.
const maxShownArg = 80

// showPath renders a path (or any short user value) for a message: as it is when it is plain
// printable text without surrounding space, else (and when empty) quoted with Go escapes, so a
// value holding a newline or an escape sequence cannot break the message or drive the terminal.
func showPath(path string) string {
	if path != "" && strings.TrimSpace(path) == path && strings.IndexFunc(path, func(r rune) bool {
		return r == utf8.RuneError || !unicode.IsPrint(r)
	}) < 0 {
		return path
	}
	return strconv.Quote(path)
}

// showArg is showPath for a flag value that may be long: cut to about maxShownArg bytes (at a
// rune boundary) and marked with "…" when cut.
func showArg(s string) string {
	if len(s) <= maxShownArg {
		return showPath(s)
	}
	cut := maxShownArg
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// oneLineText makes a message safe to print as one line on a terminal or in a log: every
// control character (C0, including newline, carriage return and tab; DEL; the C1 controls
// U+0080–U+009F), every bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069), the
// line and paragraph separators (U+2028, U+2029) and every invalid UTF-8 byte is written as a
// visible escape (\n, \r, \t, \u001b, \xff). Messages quote user values themselves; this is
// the last guard for a value that reaches a message unquoted (an error from a library, a path
// inside an *fs.PathError).
func oneLineText(s string) string {
	if !needsEscape(s) {
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
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// needsEscape reports whether oneLineText would change s.
func needsEscape(s string) bool {
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
		if r == utf8.RuneError && size == 1 || unsafeRune(r) {
			return true
		}
		i += size
	}
	return false
}

// unsafeRune reports whether r is a control, bidi or line-separator character that a message
// must not carry raw.
func unsafeRune(r rune) bool {
	return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x2028 || r == 0x2029
}

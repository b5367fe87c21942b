package token

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean trims what people paste around a token: surrounding whitespace and newlines (and a
// byte order mark), matching surrounding quotes (' or " or `), a "Bearer " prefix (any case,
// any whitespace after it) and a whole "Authorization: Bearer …" header line (any case,
// optional spaces around the colon). The steps repeat until nothing changes, so wrappings
// nest in any order ("'Bearer x'", "Authorization: \"Bearer x\"").
//
// Clean removes nothing inside the token: its result is always a substring of s, and
// Clean(Clean(s)) == Clean(s).
func Clean(s string) string {
	for {
		before := len(s)
		s = strings.TrimFunc(s, isPasteSpace)
		if len(s) >= 2 {
			switch q := s[0]; q {
			case '"', '\'', '`':
				if s[len(s)-1] == q {
					s = s[1 : len(s)-1]
				}
			}
		}
		if rest, ok := cutPrefixFold(s, "authorization"); ok {
			rest = strings.TrimLeft(rest, " \t")
			if strings.HasPrefix(rest, ":") {
				s = rest[1:]
			}
		}
		s = strings.TrimFunc(s, isPasteSpace)
		if rest, ok := cutPrefixFold(s, "bearer"); ok && startsWithSpace(rest) {
			s = rest
		}
		if len(s) == before {
			return s
		}
	}
}

// isPasteSpace reports whether r is whitespace or a byte order mark.
func isPasteSpace(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }

// startsWithSpace reports whether s begins with whitespace.
func startsWithSpace(s string) bool {
	r, size := utf8.DecodeRuneInString(s)
	return size > 0 && isPasteSpace(r)
}

// cutPrefixFold is strings.CutPrefix with ASCII case folding; prefix must be lower-case ASCII.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) {
		return s, false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return s, false
		}
	}
	return s[len(prefix):], true
}

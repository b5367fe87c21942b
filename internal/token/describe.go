package token

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// quoteName quotes a member name for a message, shortening a long one.
func quoteName(s string) string {
	const limit = 40
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// describeByte names the character at b[i] for a message: "a space", `"x"`, "U+00E9 (é)",
// "the invalid UTF-8 byte 0xff".
func describeByte(b []byte, i int) string {
	ch := b[i]
	switch ch {
	case ' ':
		return "a space"
	case '\t':
		return "a tab"
	case '\n':
		return "a line break"
	case '\r':
		return "a carriage return"
	}
	if ch < 0x20 || ch == 0x7f {
		return fmt.Sprintf("the control character U+%04X", ch)
	}
	if ch < utf8.RuneSelf {
		return strconv.Quote(string(ch))
	}
	r, size := utf8.DecodeRune(b[i:])
	if r == utf8.RuneError && size == 1 {
		return fmt.Sprintf("the invalid UTF-8 byte 0x%02x", ch)
	}
	if r == '\uFEFF' {
		return "a byte order mark (U+FEFF)"
	}
	if !strconv.IsPrint(r) {
		return fmt.Sprintf("the invisible character U+%04X", r)
	}
	return fmt.Sprintf("U+%04X (%c)", r, r)
}

// describeValue names the JSON kind of a value decoded with UseNumber.
func describeValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}

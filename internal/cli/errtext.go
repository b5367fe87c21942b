package cli

import (
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

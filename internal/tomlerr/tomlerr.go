// Package tomlerr describes a go-toml/v2 syntax error for a one-line message: where it is,
// what the parser said, and which key's value it is in, so that a caller can leave the
// parser's words out when that value is a secret (they may quote part of it).
package tomlerr

import (
	"errors"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// Detail is a syntax error of a TOML document.
type Detail struct {
	// Line and Column are 1-based; Column is 0 when unknown.
	Line, Column int
	// Message is the parser's message, without the "toml: " prefix; it may quote the input.
	Message string
	// Key is the last part of the key whose value the error is in (unquoted), "" when the error
	// is not in a value, or not known to be.
	Key string
}

// Describe returns the Detail of err, an error of toml.Unmarshal(data, …); false when err is
// not a syntax or decoding error with a position. The key is the one go-toml reports, else the
// key of the key/value line the error is on or, for a value that spans lines, of the last
// key/value line before it.
func Describe(data []byte, err error) (Detail, bool) {
	var de *toml.DecodeError
	if !errors.As(err, &de) {
		return Detail{}, false
	}
	d := Detail{Message: strings.TrimPrefix(de.Error(), "toml: ")}
	d.Line, d.Column = de.Position()
	if key := de.Key(); len(key) > 0 {
		d.Key = key[len(key)-1]
	} else {
		d.Key = lineKey(data, d.Line)
	}
	return d, true
}

// lineKey returns the last part of the key of the key/value line at or before line (1-based),
// stopping at a table header.
func lineKey(data []byte, line int) string {
	lines := strings.Split(string(data), "\n")
	if line > len(lines) {
		line = len(lines)
	}
	for i := line - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "[") {
			return ""
		}
		k, _, found := strings.Cut(l, "=")
		if !found || strings.HasPrefix(l, "#") {
			continue
		}
		k = strings.TrimSpace(k)
		if j := strings.LastIndexByte(k, '.'); j >= 0 {
			k = k[j+1:]
		}
		return strings.Trim(strings.TrimSpace(k), `"'`)
	}
	return ""
}

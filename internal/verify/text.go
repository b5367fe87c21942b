package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxShown caps a value shown in a message: token values are hostile and may be large.
const maxShown = 160

// jsonText renders v as compact JSON for messages, without HTML escaping, shortened to about
// maxShown bytes. JSON escapes control characters, so a hostile value cannot drive a terminal.
func jsonText(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "(unprintable value)"
	}
	return shorten(escapeInvisible(strings.TrimSuffix(buf.String(), "\n")))
}

// escapeInvisible writes format characters (bidirectional overrides, zero-width spaces…) as
// JSON \u escapes: JSON leaves them as they are, and on a terminal they can make a hostile
// value read as something else.
func escapeInvisible(s string) string {
	if !strings.ContainsFunc(s, isInvisible) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isInvisible(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isInvisible(r rune) bool { return r > 0x7f && r <= 0xffff && unicode.Is(unicode.Cf, r) }

// quote renders a string as a JSON string for messages.
func quote(s string) string { return jsonText(s) }

func shorten(s string) string {
	if len(s) <= maxShown {
		return s
	}
	cut := maxShown
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// normalType folds a typ value for comparison: lower case, without an "application/" prefix
// (RFC 7515 §4.1.9 lets it be omitted when the media type has no other slash).
func normalType(s string) string {
	s = strings.ToLower(s)
	if rest, ok := strings.CutPrefix(s, "application/"); ok && !strings.Contains(rest, "/") {
		return rest
	}
	return s
}

// claimMatches says whether a token's claim value satisfies an expected value: equal as JSON
// values, or, for an expected value that is not an array, contained in an array claim.
func claimMatches(found, want any) bool {
	if equalJSON(found, want, 0) {
		return true
	}
	list, isArray := found.([]any)
	if _, wantArray := want.([]any); !isArray || wantArray {
		return false
	}
	for _, item := range list {
		if equalJSON(item, want, 0) {
			return true
		}
	}
	return false
}

// equalJSON compares two values decoded by encoding/json with UseNumber. Numbers are equal when
// they denote the same value (1, 1.0 and 1e0 are equal); objects ignore member order.
func equalJSON(a, b any, depth int) bool {
	if depth > 128 {
		return false
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		return ok && equalNumber(x, y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i], depth+1) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equalJSON(xv, yv, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// equalNumber compares JSON numbers by value with 256 bits of precision; big.Float keeps the
// exponent apart from the mantissa, so "1e999999" costs no more than "1".
func equalNumber(a, b json.Number) bool {
	if a == b {
		return true
	}
	x, _, errA := big.ParseFloat(string(a), 10, 256, big.ToNearestEven)
	y, _, errB := big.ParseFloat(string(b), 10, 256, big.ToNearestEven)
	if errA != nil || errB != nil {
		return false
	}
	return x.Cmp(y) == 0
}

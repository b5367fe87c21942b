// Package suggest measures how far a mistyped name is from the names jwtkit knows, so that
// commands, flags and config keys can answer "did you mean …?".
package suggest

// maxLen bounds the names compared; longer ones are never close to anything.
const maxLen = 64

// Distance is the Damerau–Levenshtein distance (with adjacent transpositions) of a and b,
// counted in bytes, as jwtkit's names are ASCII. Names longer than 64 bytes are 64 apart from
// everything, which keeps the cost bounded on hostile input.
func Distance(a, b string) int {
	if len(a) > maxLen || len(b) > maxLen {
		return maxLen
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// Closest returns the name in names nearest to typed, or "" when none is near: within two
// edits (one when typed has at most four letters), case ignored, or typed a prefix of at least
// two letters (so "arr" finds "array"). A name that differs only in case is the nearest of
// all; an exact match is no suggestion.
func Closest(typed string, names []string) string {
	lower := toLower(typed)
	limit := 2
	if len(lower) <= 4 {
		limit = 1
	}
	best, bestDist := "", limit+1
	for _, name := range names {
		if name == typed {
			return ""
		}
		n := toLower(name)
		d := Distance(lower, n)
		if len(lower) >= 2 && len(lower) < len(n) && n[:len(lower)] == lower && d > 1 {
			d = 1
		}
		if d < bestDist {
			best, bestDist = name, d
		}
	}
	return best
}

// Hint is "; did you mean NAME?" for the name Closest finds, or "" when it finds none: the
// tail of an "unknown value" error.
func Hint(typed string, names []string) string {
	if s := Closest(typed, names); s != "" {
		return "; did you mean " + s + "?"
	}
	return ""
}

// toLower lowers ASCII letters only, as jwtkit's names are ASCII; other bytes stay as they are.
func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

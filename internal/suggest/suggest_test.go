package suggest

import (
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"mint", "mint", 0}, {"mnit", "mint", 1}, {"mint", "mintt", 1}, {"mint", "mit", 1},
		{"verfy", "verify", 1}, {"secert", "secret", 1}, {"tcsh", "bash", 2}, {"", "abc", 3},
		{"kitten", "sitting", 3}, {strings.Repeat("a", 65), "a", 64},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

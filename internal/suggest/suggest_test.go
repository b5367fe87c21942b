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

func TestClosest(t *testing.T) {
	formats := []string{"space", "array", "structured"}
	algs := []string{"HS256", "RS256", "ES256", "EdDSA"}
	for _, tc := range []struct {
		typed string
		names []string
		want  string
	}{
		{"arr", formats, "array"},
		{"aray", formats, "array"},
		{"structure", formats, "structured"},
		{"spaces", formats, "space"},
		{"SPACE", formats, "space"},
		{"space", formats, ""},
		{"json", formats, ""},
		{"s", formats, ""},
		{"", formats, ""},
		{"es256", algs, "ES256"},
		{"ES265", algs, "ES256"},
		{"eddsa", algs, "EdDSA"},
		{"XYZ", algs, ""},
		{strings.Repeat("a", 100), formats, ""},
	} {
		if got := Closest(tc.typed, tc.names); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
	if got := Hint("arr", formats); got != "; did you mean array?" {
		t.Errorf("Hint = %q", got)
	}
	if got := Hint("json", formats); got != "" {
		t.Errorf("Hint(json) = %q, want none", got)
	}
}

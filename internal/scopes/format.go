package scopes

import (
	"strconv"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/suggest"
)

// Format is the shape in which mint writes scopes into a token.
type Format string

// The scope formats.
const (
	// Space is one string of space-separated scopes in the "scope" claim.
	Space Format = "space"
	// Array is an array of scope strings in the "scopes" claim.
	Array Format = "array"
	// Structured is an object of resources, each with its "actions", in the "scopes" claim.
	Structured Format = "structured"
)

// Formats returns the format names, the default first, for help text and completion.
func Formats() []string { return []string{string(Space), string(Array), string(Structured)} }

// ParseFormat reads a --scope-format value; case and surrounding spaces do not matter. An
// unknown name is a usage error that lists the known ones.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	switch f {
	case Space, Array, Structured:
		return f, nil
	}
	shown := s
	if len(shown) > 40 {
		shown = shown[:40]
	}
	return "", failure.Usagef("bad_scope_format", "unknown scope format %s: use %s%s", strconv.Quote(shown), strings.Join(Formats(), ", "), suggest.Hint(s, Formats()))
}

// DefaultClaim returns the claim a format is written to: "scope" for Space, "scopes" for Array
// and Structured (and for anything else).
func DefaultClaim(f Format) string {
	if f == Space {
		return "scope"
	}
	return "scopes"
}

// String returns the format's name.
func (f Format) String() string { return string(f) }

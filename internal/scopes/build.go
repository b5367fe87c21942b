package scopes

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/suggest"
)

// Split flattens --scope values into a list of scopes: each value is split on whitespace and
// commas, empty pieces are dropped and duplicates removed, keeping the order first seen.
func Split(values []string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, v := range values {
		for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// Build turns a list of scopes into the claim value for format f, dropping empty and repeated
// scopes:
//
//   - Space: the string "a b";
//   - Array: []string{"a", "b"} (empty, never nil, for no scopes);
//   - Structured: a *claims.Object in which each "action:resource" adds action to
//     resource.actions, resources in the order first seen, actions deduplicated in order:
//     "read:users", "create:users" → {"users":{"actions":["read","create"]}}. A scope is split
//     at its first colon, so "read:users:email" is the action "read" on "users:email".
//
// It is a usage error when a scope contains whitespace (it would split into two in the space
// format, and is refused in every format so the choice of shape never changes meaning), when f
// is unknown, and in Structured when a scope lacks an action or a resource.
func Build(list []string, f Format) (any, error) {
	uniq := make([]string, 0, len(list))
	for _, s := range list {
		if s == "" || slices.Contains(uniq, s) {
			continue
		}
		if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
			return nil, failure.Usagef("bad_scope", "scope %s contains whitespace; give each scope separately", quote(s))
		}
		uniq = append(uniq, s)
	}
	switch f {
	case Space:
		return strings.Join(uniq, " "), nil
	case Array:
		return uniq, nil
	case Structured:
		return buildStructured(uniq)
	}
	return nil, failure.Usagef("bad_scope_format", "unknown scope format %s: use %s%s", quote(string(f)), strings.Join(Formats(), ", "), suggest.Hint(string(f), Formats()))
}

func buildStructured(list []string) (*claims.Object, error) {
	out := claims.NewObject()
	for _, s := range list {
		action, resource, ok := strings.Cut(s, ":")
		if !ok || action == "" || resource == "" {
			return nil, failure.Usagef("bad_scope", "structured scopes need action:resource, got %s", quote(s))
		}
		v, _ := out.Get(resource)
		entry, _ := v.(*claims.Object)
		if entry == nil {
			entry = claims.NewObject()
			entry.Set("actions", []string{})
			out.Set(resource, entry)
		}
		a, _ := entry.Get("actions")
		actions := a.([]string)
		if !slices.Contains(actions, action) {
			entry.Set("actions", append(actions, action))
		}
	}
	return out, nil
}

// quote renders a scope for an error message, escaped and cut to a sane length.
func quote(s string) string {
	const limit = 60
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "…"
	}
	return strconv.Quote(s)
}

package verify

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/failure"
)

// Policy is what a token must satisfy besides a good signature. The zero Policy checks the
// signature, exp, nbf and iat only, with no leeway.
type Policy struct {
	// Algs is the algorithm allow-list. Empty means: derived from each key's type (a JWK's alg
	// when set; RSA → RS* and PS*, EC → the ES* of its curve, Ed25519 → EdDSA, a secret → HS*).
	Algs []string
	// AllowWeak accepts HMAC secrets shorter than the hash (RFC 7518 §3.2 forbids them).
	AllowWeak bool

	// Leeway is the clock skew allowed on exp, nbf, iat and MaxAge.
	Leeway time.Duration
	// MaxAge, when positive, limits the time since iat (and then requires iat).
	MaxAge time.Duration
	// RequireExp fails tokens without exp.
	RequireExp bool

	// Issuer, when set, must equal the iss claim exactly.
	Issuer string
	// Audience, when not empty, must share at least one value with the aud claim (a string or
	// an array of strings).
	Audience []string
	// Subject, when set, must equal the sub claim exactly.
	Subject string
	// Type, when set, must match the header typ; both are compared without case and without
	// an "application/" prefix (RFC 7515 §4.1.9), so "at+jwt" matches "application/at+JWT".
	Type string
	// Claims are further claims the token must carry (see ParseClaimRequirement).
	Claims []ClaimRequirement
	// RequireScopes must all be granted; AnyScopes needs one of them granted. Scopes are read
	// from every shape (scope, scp, scopes array, structured scopes object).
	RequireScopes []string
	AnyScopes     []string
	// ScopeClaim, when set, is the one claim scopes are read from (in any shape), instead of
	// scope, scp and scopes: "permissions" for Auth0 RBAC.
	ScopeClaim string
}

// ClaimRequirement is one required claim: present (and not null), or equal to a value.
type ClaimRequirement struct {
	// Path is the member names from the outermost object inward.
	Path []string
	// Name is the path as the user wrote it, for messages.
	Name string
	// HasValue says whether Value must match; otherwise presence is enough.
	HasValue bool
	// Value is the expected value decoded from JSON (numbers as json.Number, objects as
	// map[string]any), or the string given when it was not JSON.
	Value any
	// ValueJSON is Value as compact JSON, for messages.
	ValueJSON string
}

// ParseClaimRequirement reads a --require-claim value with mint's --claim grammar: "name" needs
// the claim present and not null; "name=value" needs it equal to value, which is JSON when it
// parses as JSON (true, 42, "42", ["a"], {"a":1}) and else the string itself. "a.b" names the
// member b of the object a, and a backslash makes the next character literal ("a\.b"); a name
// with dots that is not found as a path is also looked up as one top-level claim, so namespaced
// claims such as https://example.com/roles work unescaped. A scalar value also matches when the
// claim is an array that contains it ("roles=admin" passes for ["admin","dev"]).
func ParseClaimRequirement(s string) (ClaimRequirement, error) {
	name, _, hasValue := cutUnescaped(s, '=')
	spec := s
	if !hasValue {
		spec = s + "="
	}
	a, err := claims.ParseAssignment(spec)
	if err != nil {
		return ClaimRequirement{}, failure.Usagef("usage", "invalid --require-claim: %w", err)
	}
	if a.Append {
		return ClaimRequirement{}, failure.Usagef("usage", "invalid --require-claim %q: += appends in mint and means nothing here; use name=value", s)
	}
	r := ClaimRequirement{Path: a.Path, Name: name, HasValue: hasValue}
	if !hasValue {
		return r, nil
	}
	raw, err := json.Marshal(a.Value)
	if err != nil {
		return ClaimRequirement{}, failure.Usagef("usage", "invalid --require-claim %q: %w", s, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&r.Value); err != nil {
		return ClaimRequirement{}, failure.Usagef("usage", "invalid --require-claim %q: %w", s, err)
	}
	r.ValueJSON = string(raw)
	return r, nil
}

// cutUnescaped splits s at the first sep not preceded by a backslash escape.
func cutUnescaped(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

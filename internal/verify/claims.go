package verify

import (
	"time"

	"github.com/jwtkit/jwtkit/internal/scopes"
	"github.com/jwtkit/jwtkit/internal/timespec"
)

// claims runs the claim checks in order; without detail it stops at the first failure.
func (r *run) claims() {
	next := func(ok bool) bool { return ok || r.v.detail }
	_ = next(r.claimTypes()) && next(r.exp()) && next(r.nbf()) && next(r.iat()) && next(r.maxAge()) &&
		next(r.issuer()) && next(r.audience()) && next(r.subject()) && next(r.typ()) &&
		next(r.required()) && next(r.scopes())
}

// claimTypes fails for each registered claim of a type RFC 7519 §4.1 does not allow (iss, sub
// or jti not a string, aud not a string or an array of strings), whether or not the policy
// asks about the claim: go-jose and panva's jose refuse such a token, and so does verify, on
// the fast path and the reference path alike.
func (r *run) claimTypes() bool {
	ok := true
	for _, e := range r.p.ClaimTypeErrors() {
		expected := "a string"
		if e.Claim == "aud" {
			expected = "a string or an array of strings"
		}
		r.fail(e.Claim, CodeBadClaimType, jsonText(r.p.Payload[e.Claim]), expected, "%s", e.Err.Error())
		ok = false
		if !r.v.detail {
			break
		}
	}
	return ok
}

func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// timeClaim reads a NumericDate claim, recording a failed check when it is present but not a
// number (null, a string, a boolean: "exp": null is not "no exp").
func (r *run) timeClaim(name string) (t time.Time, present, ok bool) {
	t, present, err := r.p.NumericDate(name)
	if err != nil {
		r.fail(name, CodeBadTimeClaim, jsonText(r.p.Payload[name]), "a number of seconds since 1970", "%s", err.Error())
		return t, true, false
	}
	return t, present, true
}

func (r *run) leewayHint() string {
	if r.v.policy.Leeway > 0 {
		return ", beyond the " + timespec.Compact(r.v.policy.Leeway) + " leeway"
	}
	return "; use --leeway to allow clock skew"
}

// exp fails when now is on or after exp (RFC 7519 §4.1.4) plus the leeway.
func (r *run) exp() bool {
	t, present, ok := r.timeClaim("exp")
	if !ok {
		return false
	}
	if !present {
		if r.v.policy.RequireExp {
			return r.fail("exp", CodeMissingExp, "no exp", "an exp claim",
				"token has no exp claim; --require-exp needs one")
		}
		return r.pass("exp", "no exp", "optional")
	}
	limit := t.Add(r.v.policy.Leeway)
	if !r.now.Before(limit) {
		return r.fail("exp", CodeExpired, instant(t), "later than "+instant(r.now.Add(-r.v.policy.Leeway)),
			"token expired %s (exp %s)%s", timespec.Ago(r.now.Sub(t)), instant(t), r.leewayHint())
	}
	if !r.v.detail {
		return true
	}
	return r.pass("exp", instant(t), "later than "+instant(r.now.Add(-r.v.policy.Leeway)))
}

// nbf fails when now plus the leeway is before nbf.
func (r *run) nbf() bool {
	t, present, ok := r.timeClaim("nbf")
	if !ok {
		return false
	}
	if !present {
		return r.pass("nbf", "no nbf", "optional")
	}
	if r.now.Add(r.v.policy.Leeway).Before(t) {
		return r.fail("nbf", CodeNotYetValid, instant(t), "not after "+instant(r.now.Add(r.v.policy.Leeway)),
			"token is not valid yet: it starts in %s (nbf %s)%s", timespec.Compact(t.Sub(r.now)), instant(t), r.leewayHint())
	}
	if !r.v.detail {
		return true
	}
	return r.pass("nbf", instant(t), "not after "+instant(r.now.Add(r.v.policy.Leeway)))
}

// iat fails when the token was issued in the future (beyond the leeway).
func (r *run) iat() bool {
	t, present, ok := r.timeClaim("iat")
	if !ok {
		return false
	}
	if !present {
		return r.pass("iat", "no iat", "optional")
	}
	if t.After(r.now.Add(r.v.policy.Leeway)) {
		return r.fail("iat", CodeIatInFuture, instant(t), "not after "+instant(r.now.Add(r.v.policy.Leeway)),
			"token was issued %s in the future (iat %s); the issuer's clock may be ahead%s",
			timespec.Compact(t.Sub(r.now)), instant(t), r.leewayHint())
	}
	if !r.v.detail {
		return true
	}
	return r.pass("iat", instant(t), "not after "+instant(r.now.Add(r.v.policy.Leeway)))
}

// maxAge fails when more than Policy.MaxAge (plus the leeway) has passed since iat.
func (r *run) maxAge() bool {
	max := r.v.policy.MaxAge
	if max <= 0 {
		return true
	}
	t, present, err := r.p.NumericDate("iat")
	if err != nil {
		return false // reported by iat
	}
	if present && !r.v.detail && r.now.Sub(t) <= max+r.v.policy.Leeway {
		return true
	}
	want := "issued within " + timespec.Compact(max)
	if !present {
		return r.fail("max_age", CodeMissingIat, "no iat", want, "token has no iat claim; --max-age needs one")
	}
	age := r.now.Sub(t)
	if age > max+r.v.policy.Leeway {
		return r.fail("max_age", CodeTooOld, timespec.Compact(age)+" old", want,
			"token was issued %s (iat %s), more than --max-age %s", timespec.Ago(age), instant(t), timespec.Compact(max))
	}
	return r.pass("max_age", timespec.Compact(age)+" old", want)
}

// exactString checks a string claim against an expected value.
func (r *run) exactString(name, claim, code, want string) bool {
	if want == "" {
		return true
	}
	v, present := r.p.Payload[claim]
	s, isString := v.(string)
	if isString && s == want {
		if !r.v.detail {
			return true
		}
		return r.pass(name, quote(s), quote(want))
	}
	found := "no " + claim
	if present {
		found = jsonText(v)
	}
	return r.fail(name, code, found, quote(want), "%s mismatch: token has %s, expected %s", name, found, quote(want))
}

func (r *run) issuer() bool {
	return r.exactString("issuer", "iss", CodeIssuer, r.v.policy.Issuer)
}

func (r *run) subject() bool {
	return r.exactString("subject", "sub", CodeSubject, r.v.policy.Subject)
}

// audience passes when the aud claim (a string or an array of strings) holds one of the
// expected audiences.
func (r *run) audience() bool {
	want := r.v.policy.Audience
	if len(want) == 0 {
		return true
	}
	v, present := r.p.Payload["aud"]
	match := func(s string) bool {
		for _, w := range want {
			if s == w {
				return true
			}
		}
		return false
	}
	ok := false
	switch aud := v.(type) {
	case string:
		ok = match(aud)
	case []any:
		for _, item := range aud {
			if s, isString := item.(string); isString && match(s) {
				ok = true
				break
			}
		}
	}
	if ok && !r.v.detail {
		return true
	}
	expected := quote(want[0])
	if len(want) > 1 {
		expected = "one of " + jsonText(want)
	}
	found := "no aud"
	if present {
		found = jsonText(v)
	}
	if ok {
		return r.pass("audience", found, expected)
	}
	return r.fail("audience", CodeAudience, found, expected, "audience mismatch: token has %s, expected %s", found, expected)
}

// typ compares the header's typ with Policy.Type, without case and "application/" prefix.
func (r *run) typ() bool {
	if r.v.typ == "" {
		return true
	}
	v, present := r.p.Header["typ"]
	s, isString := v.(string)
	if isString && normalType(s) == r.v.typ {
		if !r.v.detail {
			return true
		}
		return r.pass("type", quote(s), quote(r.v.policy.Type))
	}
	found, shown := "no typ", "no typ"
	if present {
		found = jsonText(v)
		shown = "typ " + found
	}
	return r.fail("type", CodeType, found, quote(r.v.policy.Type),
		"type mismatch: token has %s, expected %s", shown, quote(r.v.policy.Type))
}

// required checks Policy.Claims.
func (r *run) required() bool {
	all := true
	for _, c := range r.v.policy.Claims {
		if !r.requiredClaim(c) {
			all = false
			if !r.v.detail {
				return false
			}
		}
	}
	return all
}

func (r *run) requiredClaim(c ClaimRequirement) bool {
	v, present := lookup(r.p.Payload, c.Path)
	if !r.v.detail && present && (v != nil || c.HasValue) && (!c.HasValue || claimMatches(v, c.Value)) {
		return true // passed; the texts below are for failures and --json
	}
	name := "claim " + quote(c.Name)
	expected := "present"
	if c.HasValue {
		expected = c.ValueJSON
	}
	if !present || (v == nil && !c.HasValue) {
		found := "absent"
		if present {
			found = "null"
		}
		return r.fail(name, CodeClaim, found, expected, "missing claim %s: token has none, expected %s", quote(c.Name), expected)
	}
	if c.HasValue && !claimMatches(v, c.Value) {
		return r.fail(name, CodeClaim, jsonText(v), expected, "claim %s mismatch: token has %s, expected %s",
			quote(c.Name), jsonText(v), expected)
	}
	if !r.v.detail {
		return true
	}
	return r.pass(name, jsonText(v), expected)
}

// lookup finds the value at path in payload; a path of several names that is not found is
// also tried as one top-level member named by the names joined with dots, for namespaced claims
// such as "https://example.com/roles".
func lookup(payload map[string]any, path []string) (any, bool) {
	var cur any = payload
	found := true
	for _, name := range path {
		obj, isObject := cur.(map[string]any)
		if !isObject {
			found = false
			break
		}
		if cur, found = obj[name]; !found {
			break
		}
	}
	if found {
		return cur, true
	}
	if len(path) > 1 {
		joined := path[0]
		for _, p := range path[1:] {
			joined += "." + p
		}
		v, ok := payload[joined]
		return v, ok
	}
	return nil, false
}

// scopes checks RequireScopes (all) and AnyScopes (one), whatever the scope shape.
func (r *run) scopes() bool {
	pol := r.v.policy
	if len(pol.RequireScopes) == 0 && len(pol.AnyScopes) == 0 {
		return true
	}
	var granted []string
	if pol.ScopeClaim != "" {
		granted = scopes.ExtractClaim(r.p.Payload, pol.ScopeClaim)
	} else {
		granted, _ = scopes.Extract(r.p.Payload)
	}
	if !r.v.detail && (len(pol.RequireScopes) == 0 || len(scopes.Missing(granted, pol.RequireScopes)) == 0) &&
		(len(pol.AnyScopes) == 0 || scopes.HasAny(granted, pol.AnyScopes)) {
		return true // passed; the texts below are for failures and --json
	}
	found := jsonText(nonNil(granted))
	ok := true
	if len(pol.RequireScopes) > 0 {
		expected := "all of " + jsonText(pol.RequireScopes)
		if missing := scopes.Missing(granted, pol.RequireScopes); len(missing) > 0 {
			ok = r.fail("scope", CodeScope, found, expected,
				"missing scope: token has %s, expected %s (missing %s)", found, expected, jsonText(missing))
			if !r.v.detail {
				return false
			}
		} else {
			r.pass("scope", found, expected)
		}
	}
	if len(pol.AnyScopes) > 0 {
		expected := "one of " + jsonText(pol.AnyScopes)
		if !scopes.HasAny(granted, pol.AnyScopes) {
			return r.fail("any_scope", CodeScope, found, expected, "missing scope: token has %s, expected %s", found, expected)
		}
		r.pass("any_scope", found, expected)
	}
	return ok
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

package forge

import (
	"encoding/json"
	"strings"
	"time"
)

// ClaimProbe is a change to a genuine token's claims that a careful verifier refuses (or, for
// some, may rightly ignore), sent re-signed with the real key or under a forgery the service
// was found to accept.
type ClaimProbe struct {
	// Name is stable, for selecting probes by name.
	Name string
	// Title says in one line what changed.
	Title string
	// Cite is the RFC section behind the check.
	Cite string
	// Counts says whether a service accepting the probe has a defect by default: exp, nbf, aud
	// and iss must be checked; a service may rightly accept a token without exp, one for another
	// subject, or one with more scopes than it needs.
	Counts bool
	// Apply makes the probe's claims from the genuine ones at the instant now.
	Apply func(claims Object, now time.Time) Object
}

// Markers put in the claims by the probes, recognisable in a service's logs.
const (
	ProbeAudience = "https://wrong-audience.jwtkit.invalid"
	ProbeIssuer   = "https://wrong-issuer.jwtkit.invalid"
	ProbeSubject  = "jwtkit-audit-other-subject"
	ProbeScope    = "jwtkit-audit:admin"
)

// ClaimProbes lists the claim-level probes in a fixed order.
func ClaimProbes() []ClaimProbe {
	return []ClaimProbe{
		{"claim-expired", "exp an hour ago", "RFC 7519 §4.1.4", true, func(c Object, now time.Time) Object {
			c = c.With("exp", now.Add(-time.Hour).Unix())
			if c.Has("iat") {
				c = c.With("iat", now.Add(-2*time.Hour).Unix())
			}
			if c.Has("nbf") {
				c = c.With("nbf", now.Add(-2*time.Hour).Unix())
			}
			return c
		}},
		{"claim-not-yet-valid", "nbf an hour ahead", "RFC 7519 §4.1.5", true, func(c Object, now time.Time) Object {
			return c.With("nbf", now.Add(time.Hour).Unix())
		}},
		{"claim-wrong-aud", "aud " + ProbeAudience, "RFC 7519 §4.1.3; RFC 8725 §3.9", true, func(c Object, _ time.Time) Object {
			return c.With("aud", ProbeAudience)
		}},
		{"claim-wrong-iss", "iss " + ProbeIssuer, "RFC 8725 §3.8", true, func(c Object, _ time.Time) Object {
			return c.With("iss", ProbeIssuer)
		}},
		{"claim-missing-exp", "no exp", "RFC 7519 §4.1.4 (optional); RFC 9068 §2.2 (required in access tokens)", false, func(c Object, _ time.Time) Object {
			return c.Without("exp")
		}},
		{"claim-scope-escalation", "scope " + ProbeScope + " added", "RFC 6749 §3.3; RFC 9068 §2.2.3", false, addScope},
		{"claim-sub-changed", "sub " + ProbeSubject, "RFC 7519 §4.1.2", false, func(c Object, _ time.Time) Object {
			return c.With("sub", ProbeSubject)
		}},
	}
}

// addScope adds ProbeScope in the shape the token already uses: a space-separated scope or
// scp string, a scopes or scp array; a scope string when it has none.
func addScope(c Object, _ time.Time) Object {
	for _, name := range []string{"scope", "scp", "scopes"} {
		raw, ok := c.Raw(name)
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return c.With(name, strings.TrimSpace(s+" "+ProbeScope))
		}
		var list []any
		if json.Unmarshal(raw, &list) == nil {
			return c.With(name, append(list, ProbeScope))
		}
	}
	return c.With("scope", ProbeScope)
}

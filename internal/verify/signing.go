package verify

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/jwtkit/jwtkit/internal/keys"
)

// maxTries caps the keys tried on one token, so that a token without kid cannot make jwtkit try
// every key of a large set.
const maxTries = 16

// signature runs the algorithm, key and signature checks and reports whether all passed.
func (r *run) signature() bool {
	if len(r.v.allowList) == 0 && !strings.EqualFold(r.res.Alg, "none") {
		// Every key was passed over (not for verifying): no algorithm is allowed, and the key
		// check says why.
		return r.keyAndSignature()
	}
	return r.algorithm() && r.keyAndSignature()
}

// algorithm checks the header's alg against the allow-list; "none" never passes.
func (r *run) algorithm() bool {
	v, alg := r.v, r.res.Alg
	if !v.detail && slices.Contains(v.allowList, alg) && !strings.EqualFold(alg, "none") {
		return true // passed; the texts below are for failures and --json
	}
	expected := v.expectedAlgs()
	if strings.EqualFold(alg, "none") {
		return r.fail("algorithm", CodeAlgNotAllowed, quote(alg), expected,
			"algorithm not allowed: token has alg %s, which means unsigned; verify never accepts it", quote(alg))
	}
	if !slices.Contains(v.allowList, alg) {
		hint := ""
		if strings.HasPrefix(alg, "HS") && !v.hasSecret {
			hint = "; an HMAC algorithm is never accepted with a public key (the RS/HS key-confusion attack)"
		} else if len(v.policy.Algs) > 0 {
			hint = "; --alg sets the allowed algorithms"
		}
		return r.fail("algorithm", CodeAlgNotAllowed, quote(alg), expected,
			"algorithm not allowed: token has %s, expected %s%s", quote(alg), expected, hint)
	}
	return r.pass("algorithm", quote(alg), expected)
}

// expectedAlgs renders the allow-list for messages.
func (v *Verifier) expectedAlgs() string {
	if len(v.allowList) == 1 {
		return quote(v.allowList[0])
	}
	return "one of " + jsonText(v.allowList)
}

// keyAndSignature chooses the keys by kid, then by algorithm, and checks the signature with
// each until one verifies.
func (r *run) keyAndSignature() bool {
	v, alg, kid := r.v, r.res.Alg, r.res.Kid
	var buf [maxTries]int
	cands := buf[:0]
	first, byKid := -1, false
	consider := func(i int) {
		if first < 0 {
			first = i
		}
		if len(cands) < maxTries && slices.Contains(v.keys[i].algs, alg) {
			cands = append(cands, i)
		}
	}
	if kid != "" {
		for i := range v.keys {
			if v.keys[i].kid == kid {
				byKid = true
				consider(i)
			}
		}
	}
	if !byKid {
		// Keys without a kid were given for any token; a token without kid may be verified by
		// any key.
		for i := range v.keys {
			if kid == "" || v.keys[i].kid == "" {
				consider(i)
			}
		}
		if first < 0 {
			if kid == "" {
				return r.fail("key", CodeUnknownKid, "no kid", v.expectedKids(),
					"unknown key: the token has no kid and no key is for verifying it%s", r.keyHints())
			}
			return r.fail("key", CodeUnknownKid, quote(kid), v.expectedKids(),
				"unknown key: token has kid %s, expected %s%s", quote(kid), v.expectedKids(), r.keyHints())
		}
	}
	if len(cands) == 0 {
		return r.keyMismatch(first)
	}
	if r.v.detail {
		found := "no kid"
		if kid != "" {
			found = quote(kid)
		}
		r.pass("key", found, v.keys[cands[0]].desc)
	}

	var reason error
	for _, i := range cands {
		err := v.sig.CheckSignature(r.p, alg, v.keys[i].key.JWK.Key)
		if err == nil {
			r.res.Key = v.keys[i].desc
			if !r.v.detail {
				return true
			}
			return r.pass("signature", alg+" signature", "a signature by "+v.keys[i].desc)
		}
		var se *SignatureError
		if reason == nil || (errors.As(err, &se) && !errors.As(reason, &se)) {
			reason = err
		}
	}
	by := v.keys[cands[0]].desc
	if len(cands) > 1 {
		by = "any of the " + strconv.Itoa(len(cands)) + " keys for " + alg
	}
	var se *SignatureError
	if errors.As(reason, &se) {
		return r.fail("signature", CodeBadSignature, alg+" signature", "a signature by "+by,
			"bad signature: %s%s", se.Reason, r.keyHints())
	}
	return r.fail("signature", CodeBadSignature, alg+" signature", "a signature by "+by,
		"bad signature: the %s signature does not verify with %s; the token was altered or signed with another key%s",
		alg, by, r.keyHints())
}

// keyMismatch reports that the keys chosen by kid (or all keys) cannot verify the token's alg.
func (r *run) keyMismatch(first int) bool {
	v, alg := r.v, r.res.Alg
	c := v.keys[first]
	reason := "it is for " + strings.Join(c.algs, ", ")
	if err := keys.CheckAlg(c.key, alg, v.policy.AllowWeak); err != nil {
		reason = err.Error()
	}
	return r.fail("key", CodeKeyMismatch, quote(alg), strings.Join(c.algs, ", "),
		"no key for %s: %s cannot verify it (%s)%s", alg, c.desc, reason, r.keyHints())
}

// expectedKids renders the available kids for messages, at most 20 of them.
func (v *Verifier) expectedKids() string {
	const max = 20
	if len(v.kids) == 0 {
		return "a key for verifying"
	}
	if len(v.kids) == 1 {
		return quote(v.kids[0])
	}
	if len(v.kids) <= max {
		return "one of " + jsonText(v.kids)
	}
	return "one of " + jsonText(v.kids[:max]) + " and " + strconv.Itoa(len(v.kids)-max) + " more"
}

// headerKeyHint notes header members that point at keys, which jwtkit never uses, so that a
// refusal of such a token says why the key it carries did not count.
// keyHints is what a key-selection failure adds to its message: the keys passed over for
// the token's kid and why (passedHint), then the header's key members (headerKeyHint).
func (r *run) keyHints() string {
	return r.passedHint() + r.headerKeyHint()
}

// passedHint names the keys passed over that would otherwise have been tried for this token
// (those with its kid, or without a kid) and why they were, the first one in full:
// `; the EC P-256 public key from enc.json has that kid but was passed over: its "use" is
// "enc", not "sig" (RFC 7517 §4.2)`.
func (r *run) passedHint() string {
	var hit []passedKey
	for _, p := range r.v.passed {
		if p.kid == "" || p.kid == r.res.Kid || r.res.Kid == "" {
			hit = append(hit, p)
		}
	}
	if len(hit) == 0 {
		return ""
	}
	hint := "; passed over " + hit[0].desc + ": " + hit[0].why
	if hit[0].kid != "" && hit[0].kid == r.res.Kid {
		hint = "; " + hit[0].what + " has that kid but was passed over: " + hit[0].why
	}
	if len(hit) > 1 {
		hint += " (and " + strconv.Itoa(len(hit)-1) + " more keys not for verifying)"
	}
	return hint
}

func (r *run) headerKeyHint() string {
	var named []string
	for _, m := range [...]string{"jwk", "jku", "x5u", "x5c"} {
		if _, ok := r.p.Header[m]; ok {
			named = append(named, m)
		}
	}
	if len(named) == 0 {
		return ""
	}
	if len(named) == 1 {
		return "; the header's " + named[0] + " is ignored: jwtkit never takes keys from the token"
	}
	last := len(named) - 1
	return "; the header's " + strings.Join(named[:last], ", ") + " and " + named[last] +
		" are ignored: jwtkit never takes keys from the token"
}

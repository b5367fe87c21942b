package audit

import (
	"regexp"
	"slices"
)

// Judge decides whether an answer accepted the token.
type Judge struct {
	// AcceptStatus, when not empty, lists the codes that are acceptances; every other code is
	// a refusal.
	AcceptStatus []int
	// RejectStatus, when not empty, lists the codes that are refusals; every other code is an
	// acceptance. AcceptStatus wins when both are given.
	RejectStatus []int
	// AcceptBody, when not nil, must also match the body of an acceptance.
	AcceptBody *regexp.Regexp
}

// Accepted applies the judge to an answer; without status lists it uses the target's rule
// against the genuine token's answer.
func (j Judge) Accepted(t Target, a, genuine Answer) bool {
	return j.accepted(a, func() bool { return t.Accepts(a, genuine) })
}

// GenuineAccepted applies the judge to the genuine token's answer; without status lists it
// asks for the target's success (HTTP 2xx, exit status 0).
func (j Judge) GenuineAccepted(t Target, a Answer) bool {
	return j.accepted(a, func() bool { return t.Success(a) })
}

func (j Judge) accepted(a Answer, byDefault func() bool) bool {
	var ok bool
	switch {
	case len(j.AcceptStatus) > 0:
		ok = slices.Contains(j.AcceptStatus, a.Code)
	case len(j.RejectStatus) > 0:
		ok = !slices.Contains(j.RejectStatus, a.Code)
	default:
		ok = byDefault()
	}
	if ok && j.AcceptBody != nil {
		ok = j.AcceptBody.Match(a.Body)
	}
	return ok
}

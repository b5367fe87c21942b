package token

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// CodeBadTimeClaim is the failure code of a time claim that is present but not a usable
// NumericDate.
const CodeBadTimeClaim = "bad_time_claim"

// CodeBadClaimType is the failure code of a registered claim that is present with a type
// RFC 7519 §4.1 does not allow: iss, sub or jti not a string, aud neither a string nor an array
// of strings.
const CodeBadClaimType = "bad_claim_type"

// ClaimTypeError is a registered claim of the wrong type: its name and why.
type ClaimTypeError struct {
	Claim string
	Err   error
}

// ClaimTypeErrors checks the types of the registered claims that are not times: iss, sub and
// jti must be strings, aud a string or an array of strings (RFC 7519 §4.1.3); a present null is
// no value. It returns one failure.Invalid error (code CodeBadClaimType) per claim of the wrong
// type, in the order iss, sub, aud, jti, or nil when all are absent or well typed. The time
// claims are NumericDate's to check.
func (p *Parsed) ClaimTypeErrors() []ClaimTypeError {
	var errs []ClaimTypeError
	check := func(name, section string) {
		v, present := p.Payload[name]
		if !present {
			return
		}
		if _, ok := v.(string); !ok {
			errs = append(errs, ClaimTypeError{Claim: name, Err: failure.Invalidf(CodeBadClaimType,
				"claim %q is %s, not a string (RFC 7519 %s)", name, describeValue(v), section)})
		}
	}
	check("iss", "§4.1.1")
	check("sub", "§4.1.2")
	if v, present := p.Payload["aud"]; present {
		switch aud := v.(type) {
		case string:
		case []any:
			for i, item := range aud {
				if _, ok := item.(string); !ok {
					errs = append(errs, ClaimTypeError{Claim: "aud", Err: failure.Invalidf(CodeBadClaimType,
						"claim \"aud\" holds %s at index %d; an audience is a string or an array of strings (RFC 7519 §4.1.3)", describeValue(item), i)})
					break
				}
			}
		default:
			errs = append(errs, ClaimTypeError{Claim: "aud", Err: failure.Invalidf(CodeBadClaimType,
				"claim \"aud\" is %s, not a string or an array of strings (RFC 7519 §4.1.3)", describeValue(v))})
		}
	}
	check("jti", "§4.1.7")
	return errs
}

// NumericDate bounds: years 0001 to 9999, the range RFC 3339 can show.
const (
	minNumericDate = -62135596800 // 0001-01-01T00:00:00Z
	maxNumericDate = 253402300799 // 9999-12-31T23:59:59Z
)

// HeaderString returns the header parameter name when it is a string, else "".
func (p *Parsed) HeaderString(name string) string {
	s, _ := p.Header[name].(string)
	return s
}

// Alg returns the header's "alg" ("" when absent or not a string).
func (p *Parsed) Alg() string { return p.HeaderString("alg") }

// Typ returns the header's "typ" ("" when absent or not a string).
func (p *Parsed) Typ() string { return p.HeaderString("typ") }

// Kid returns the header's "kid" ("" when absent or not a string).
func (p *Parsed) Kid() string { return p.HeaderString("kid") }

// NumericDate reads the time claim name (exp, nbf, iat, auth_time, …) as seconds since
// 1970-01-01T00:00:00Z UTC, keeping fractions to the nanosecond.
//
// ok is false when the claim is absent (or the payload cannot be read: JWE, "b64": false).
// err is a failure.Invalid error with code CodeBadTimeClaim when the claim is present but not a
// JSON number (null, a string, a boolean, an object, an array) or outside years 0001–9999:
// "exp": null is not "no exp".
func (p *Parsed) NumericDate(name string) (t time.Time, ok bool, err error) {
	v, present := p.Payload[name]
	if !present {
		return time.Time{}, false, nil
	}
	n, isNumber := v.(json.Number)
	if !isNumber {
		what := describeValue(v)
		if s, isString := v.(string); isString {
			what = "the string " + quoteName(s)
		}
		return time.Time{}, true, failure.Invalidf(CodeBadTimeClaim,
			"claim %q is %s, not a number of seconds since 1970 (RFC 7519 NumericDate)", name, what)
	}
	t, err = numericDate(string(n))
	if err != nil {
		return time.Time{}, true, failure.Invalidf(CodeBadTimeClaim, "claim %q is %s", name, err)
	}
	return t, true, nil
}

// rangeError describes a NumericDate outside years 0001–9999.
type rangeError struct{ lit string }

func (e *rangeError) Error() string {
	lit := e.lit
	if len(lit) > 24 {
		lit = lit[:24] + "…"
	}
	msg := lit + ", outside years 0001–9999"
	// A Unix time in milliseconds for any instant from 1978 to 5138 lands past year 9999.
	if f, err := strconv.ParseFloat(e.lit, 64); err == nil && f > maxNumericDate && f < 1e14 {
		msg += " (milliseconds instead of seconds?)"
	}
	return msg
}

// numericDate converts a JSON number literal to a time.
func numericDate(lit string) (time.Time, error) {
	if !strings.ContainsAny(lit, ".eE") {
		sec, err := strconv.ParseInt(lit, 10, 64)
		if err != nil || sec < minNumericDate || sec > maxNumericDate {
			return time.Time{}, &rangeError{lit: lit}
		}
		return time.Unix(sec, 0).UTC(), nil
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f < minNumericDate || f > maxNumericDate {
		return time.Time{}, &rangeError{lit: lit}
	}
	sec := math.Floor(f)
	nsec := math.Round((f - sec) * 1e9)
	return time.Unix(int64(sec), int64(nsec)).UTC(), nil
}

package timespec

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// maxInput bounds the length of a time or duration argument. The longest sensible input, an
// RFC 3339 instant with nanoseconds and an offset, is 35 bytes.
const maxInput = 64

// minUnix and maxUnix bound every result to the years 0001–9999 (UTC), the range RFC 3339 can
// write: 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z in Unix seconds. Constants,
// not time.Date values, so that the package needs no initialisation (see failure.Sentinel).
const (
	minUnix = -62135596800
	maxUnix = 253402300799
)

// minTime and maxTime are minUnix and maxUnix as instants (maxTime with its last nanosecond).
func minTime() time.Time { return time.Unix(minUnix, 0).UTC() }
func maxTime() time.Time { return time.Unix(maxUnix, 999999999).UTC() }

const timeForms = "use a duration (15m, -2d), an RFC 3339 instant or Unix seconds"

const durationForms = "use a number with a unit (ms, s, m, h, d, w), e.g. 30s, 5m, 1h30m, 2d"

// Parse reads a time flag relative to now. It accepts:
//
//   - a duration: "15m", "+1h", "-2d", "1h30m", "90s", "1w", "2d12h", "1.5h" (units ns, us, ms,
//     s, m, h, d = 24h, w = 7d); a leading "-" means the past, "+" or no sign the future;
//   - an RFC 3339 instant: "2026-11-25T10:00:00Z", with fractional seconds or an offset
//     ("2026-11-25T12:00:00.5+02:00"); a space or lower-case "t" may separate date and time;
//   - a date: "2026-11-25", midnight UTC;
//   - Unix seconds: "1764064800" or "@1764064800" (only the "@" form may be negative).
//
// The result is in UTC and lies within the years 0001–9999; anything else is an error
// classified as a usage error, whose message names the accepted forms.
func Parse(s string, now time.Time) (time.Time, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return time.Time{}, failure.Usagef("bad_time", "empty time: %s", timeForms)
	}
	if len(in) > maxInput {
		return time.Time{}, failure.Usagef("bad_time", "invalid time %s: too long; %s", quote(in), timeForms)
	}
	var (
		t   time.Time
		err error
	)
	switch {
	case in[0] == '@':
		t, err = parseUnix(in[1:], true)
	case allDigits(in):
		t, err = parseUnix(in, false)
	case looksLikeDate(in):
		t, err = parseInstant(in)
	default:
		t, err = parseRelative(in, now)
	}
	if err != nil {
		if errors.Is(err, errSyntax) {
			return time.Time{}, failure.Usagef("bad_time", "invalid time %s: %s", quote(in), timeForms)
		}
		return time.Time{}, failure.Usagef("bad_time", "invalid time %s: %v; %s", quote(in), err, timeForms)
	}
	t = t.UTC()
	if t.Before(minTime()) || t.After(maxTime()) {
		return time.Time{}, failure.Usagef("bad_time", "invalid time %s: outside the years 0001-9999; %s", quote(in), timeForms)
	}
	return t, nil
}

// ParseDuration reads a non-negative duration with the units of Parse ("30s", "5m", "1h30m",
// "2d", "1w", "1.5h"; a leading "+" is allowed). "0" alone means zero. A number without a
// unit, a negative duration and one longer than about 292 years are errors.
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, failure.Usagef("bad_duration", "empty duration: %s", durationForms)
	}
	if len(in) > maxInput {
		return 0, failure.Usagef("bad_duration", "invalid duration %s: too long; %s", quote(in), durationForms)
	}
	body := in
	switch body[0] {
	case '-':
		return 0, failure.Usagef("bad_duration", "invalid duration %s: must not be negative; %s", quote(in), durationForms)
	case '+':
		body = body[1:]
	}
	if body == "0" {
		return 0, nil
	}
	d, err := parseDuration(body)
	if err != nil {
		if errors.Is(err, errSyntax) {
			return 0, failure.Usagef("bad_duration", "invalid duration %s: %s", quote(in), durationForms)
		}
		return 0, failure.Usagef("bad_duration", "invalid duration %s: %v; %s", quote(in), err, durationForms)
	}
	return d, nil
}

// errSyntax marks input that fits none of the accepted forms; the caller then lists them.
var errSyntax error = failure.Sentinel("syntax")

func parseRelative(s string, now time.Time) (time.Time, error) {
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	if s == "" {
		return time.Time{}, errSyntax
	}
	d, err := parseDuration(s)
	if err != nil {
		return time.Time{}, err
	}
	if neg {
		d = -d // d >= 0 and fits in int64, so its negation does too
	}
	return now.Add(d), nil
}

func parseUnix(s string, signed bool) (time.Time, error) {
	digits := s
	if signed && strings.HasPrefix(digits, "-") {
		digits = digits[1:]
	}
	if digits == "" || !allDigits(digits) {
		return time.Time{}, errSyntax
	}
	// Year 9999 ends at 253402300799: more than 12 digits (ignoring leading zeros) is out of
	// range, and checking first keeps ParseInt away from overflow.
	if len(strings.TrimLeft(digits, "0")) > 12 {
		return time.Time{}, errors.New("unix seconds outside the years 0001-9999")
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, errSyntax
	}
	if sec < minUnix || sec > maxUnix {
		return time.Time{}, errors.New("unix seconds outside the years 0001-9999")
	}
	return time.Unix(sec, 0), nil
}

// looksLikeDate reports whether s starts like "2026-": the caller then reads it as a date or
// an RFC 3339 instant and reports errors in those terms.
func looksLikeDate(s string) bool {
	return len(s) >= 5 && allDigits(s[:4]) && s[4] == '-'
}

func parseInstant(s string) (time.Time, error) {
	if len(s) == len("2006-01-02") {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return time.Time{}, instantError(err)
		}
		return t, nil
	}
	if len(s) > 10 && (s[10] == ' ' || s[10] == 't') {
		s = s[:10] + "T" + s[11:]
	}
	if strings.HasSuffix(s, "z") {
		s = s[:len(s)-1] + "Z"
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, instantError(err)
	}
	return t, nil
}

// instantError keeps the time package's range messages ("month out of range") and replaces
// its layout-speak with the accepted forms.
func instantError(err error) error {
	var pe *time.ParseError
	if errors.As(err, &pe) && pe.Message != "" {
		return errors.New(strings.TrimPrefix(pe.Message, ": "))
	}
	return errors.New("not an RFC 3339 instant (2026-11-25T10:00:00Z) or a date (2026-11-25)")
}

// unitLength returns the length of the unit named name, and whether there is one. A unit is the
// whole run of non-digits after a number, so "ms" never reads as "m" followed by "s".
func unitLength(name string) (uint64, bool) {
	switch name {
	case "ns":
		return uint64(time.Nanosecond), true
	case "us":
		return uint64(time.Microsecond), true
	case "µs": // U+00B5 micro sign
		return uint64(time.Microsecond), true
	case "μs": // U+03BC Greek mu
		return uint64(time.Microsecond), true
	case "ms":
		return uint64(time.Millisecond), true
	case "s":
		return uint64(time.Second), true
	case "m":
		return uint64(time.Minute), true
	case "h":
		return uint64(time.Hour), true
	case "d":
		return uint64(24 * time.Hour), true
	case "w":
		return uint64(7 * 24 * time.Hour), true
	}
	return 0, false
}

const maxDuration = uint64(1<<63 - 1)

var errTooLong error = failure.Sentinel("longer than 292 years")

// parseDuration reads an unsigned sequence of number+unit pairs. Numbers may have a fraction.
// It never overflows: any intermediate value beyond maxDuration is errTooLong.
func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errSyntax
	}
	var total uint64
	for s != "" {
		if !(s[0] == '.' || isDigit(s[0])) {
			return 0, errSyntax
		}
		var (
			whole    uint64
			overflow bool
			i        int
		)
		for i < len(s) && isDigit(s[i]) {
			if digit := uint64(s[i] - '0'); whole > (maxDuration-digit)/10 {
				overflow = true
			} else {
				whole = whole*10 + digit
			}
			i++
		}
		intDigits := i
		var (
			frac  uint64
			scale uint64 = 1
		)
		fracDigits := 0
		if i < len(s) && s[i] == '.' {
			i++
			for i < len(s) && isDigit(s[i]) {
				// Keep as many fraction digits as fit; the rest cannot change the result by
				// more than a nanosecond.
				if scale <= (maxDuration-9)/10 && frac <= (maxDuration-9)/10 {
					frac = frac*10 + uint64(s[i]-'0')
					scale *= 10
				}
				fracDigits++
				i++
			}
		}
		if intDigits == 0 && fracDigits == 0 {
			return 0, errSyntax
		}
		s = s[i:]
		j := 0
		for j < len(s) && s[j] != '.' && !isDigit(s[j]) {
			j++
		}
		if j == 0 {
			return 0, errors.New("missing unit")
		}
		unit, ok := unitLength(s[:j])
		if !ok {
			return 0, fmt.Errorf("unknown unit %s", quote(s[:j]))
		}
		s = s[j:]
		if overflow || whole > maxDuration/unit {
			return 0, errTooLong
		}
		v := whole * unit
		if frac > 0 {
			// frac/scale < 1, so this adds less than one unit (at most a week, which a
			// float64 holds to well under a nanosecond).
			add := uint64(float64(frac) * (float64(unit) / float64(scale)))
			if v > maxDuration-add {
				return 0, errTooLong
			}
			v += add
		}
		if total > maxDuration-v {
			return 0, errTooLong
		}
		total += v
	}
	return time.Duration(total), nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// quote renders user input for an error message: quoted, escaped and cut to a sane length.
func quote(s string) string {
	const limit = 40
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "…"
	}
	return strconv.Quote(s)
}

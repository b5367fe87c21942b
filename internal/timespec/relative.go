package timespec

import (
	"strconv"
	"strings"
	"time"
)

// unitSteps are the units Relative and Compact render, largest first.
var unitSteps = []struct {
	size time.Duration
	name string
}{
	{365 * 24 * time.Hour, "y"},
	{24 * time.Hour, "d"},
	{time.Hour, "h"},
	{time.Minute, "m"},
	{time.Second, "s"},
}

// Relative renders t against now for humans: "in 59m", "3h ago", "in 2d 4h", "12s ago", and
// "just now" within a second either side. It shows at most two adjacent units, largest first,
// truncating the rest ("in 2d" for 2d 0h 5m).
func Relative(t, now time.Time) string {
	d := t.Sub(now) // saturates instead of overflowing
	past := d < 0
	a := abs(d)
	if a < time.Second {
		return "just now"
	}
	s := twoUnits(a, " ")
	if past {
		return s + " ago"
	}
	return "in " + s
}

// Compact renders the magnitude of d compactly for error messages, as in "token expired 3m12s
// ago": at most two adjacent units, largest first, truncated to seconds ("3m12s", "2h5m",
// "3d4h", "2y31d", "45s"); under a second it is "0s". A year is 365 days.
func Compact(d time.Duration) string {
	a := abs(d)
	if a < time.Second {
		return "0s"
	}
	return twoUnits(a, "")
}

// Ago renders how long ago something happened, d being the time since: "3m12s ago",
// "56y353d ago", and "just now" under a second (never "0s ago").
func Ago(d time.Duration) string {
	if abs(d) < time.Second {
		return "just now"
	}
	return Compact(d) + " ago"
}

// abs returns |d|, with the most negative duration mapped to the largest positive one.
func abs(d time.Duration) time.Duration {
	if d >= 0 {
		return d
	}
	if d == time.Duration(-1<<63) {
		return time.Duration(1<<63 - 1)
	}
	return -d
}

// twoUnits renders d (at least one second) with its largest non-zero unit and, when not zero,
// the next smaller one.
func twoUnits(d time.Duration, sep string) string {
	var b strings.Builder
	for i, u := range unitSteps {
		if d < u.size {
			continue
		}
		b.WriteString(strconv.FormatInt(int64(d/u.size), 10))
		b.WriteString(u.name)
		if i+1 < len(unitSteps) {
			next := unitSteps[i+1]
			if n := (d % u.size) / next.size; n > 0 {
				b.WriteString(sep)
				b.WriteString(strconv.FormatInt(int64(n), 10))
				b.WriteString(next.name)
			}
		}
		break
	}
	return b.String()
}

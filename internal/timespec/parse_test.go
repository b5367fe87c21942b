package timespec

import (
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
)

var now = time.Date(2026, time.November, 23, 5, 0, 0, 0, time.UTC)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"15m", now.Add(15 * time.Minute)},
		{"+1h", now.Add(time.Hour)},
		{"-2d", now.Add(-48 * time.Hour)},
		{"1h30m", now.Add(90 * time.Minute)},
		{"90s", now.Add(90 * time.Second)},
		{"1w", now.Add(7 * 24 * time.Hour)},
		{"2d12h", now.Add(60 * time.Hour)},
		{"-1.5h", now.Add(-90 * time.Minute)},
		{".5m", now.Add(30 * time.Second)},
		{"250ms", now.Add(250 * time.Millisecond)},
		{"1µs", now.Add(time.Microsecond)},
		{"0s", now},
		{"  15m\n", now.Add(15 * time.Minute)},
		{"2026-11-25T10:00:00Z", time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
		{"2026-11-25t10:00:00z", time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
		{"2026-11-25 10:00:00Z", time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
		{"2026-11-25T10:00:00.123456789Z", time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)},
		{"2026-11-25T12:00:00+02:00", time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
		{"2026-11-25T05:30:00-04:30", time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
		{"2026-11-25", time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)},
		{"1764064800", time.Date(2025, 11, 25, 10, 0, 0, 0, time.UTC)},
		{"@1764064800", time.Date(2025, 11, 25, 10, 0, 0, 0, time.UTC)},
		{"0", time.Unix(0, 0).UTC()},
		{"@-86400", time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"253402300799", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"@-62135596800", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"0001-01-01", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"9999-12-31T23:59:59.999999999Z", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
		{"00000000000001764064800", time.Date(2025, 11, 25, 10, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in, now)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("Parse(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if got.Location() != time.UTC {
				t.Errorf("Parse(%q) location = %v, want UTC", tt.in, got.Location())
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in      string
		wantMsg string
	}{
		{"tomorrow", `invalid time "tomorrow": use a duration (15m, -2d), an RFC 3339 instant or Unix seconds`},
		{"", "empty time"},
		{"   ", "empty time"},
		{"+", `invalid time "+"`},
		{"-", `invalid time "-"`},
		{"15x", `unknown unit "x"`},
		{"15M", `unknown unit "M"`},
		{"1h30", "missing unit"},
		{"1..5h", "invalid time"},
		{"h", "invalid time"},
		{"-@5", "invalid time"},
		{"@", "invalid time"},
		{"@-", "invalid time"},
		{"@12a", "invalid time"},
		{"@+5", "invalid time"},
		{"2026-13-01", "month out of range"},
		{"2026-02-30", "day out of range"},
		{"2026-11-25T25:00:00Z", "hour out of range"},
		{"2026-11-25T10:00:00", "not an RFC 3339 instant"},
		{"2026-11-25T10:00Z", "not an RFC 3339 instant"},
		{"2026-1-5", "not an RFC 3339 instant"},
		{"253402300800", "outside the years 0001-9999"},
		{"@-62135596801", "outside the years 0001-9999"},
		{"99999999999999999999999999", "outside the years 0001-9999"},
		{"9999-12-31T23:59:59-01:00", "outside the years 0001-9999"},
		{"0001-01-01T00:00:00+01:00", "outside the years 0001-9999"},
		{"0000-06-01", "outside the years 0001-9999"},
		{"100000000w", "longer than 292 years"},
		{"9223372036854775807ns1ns", "longer than 292 years"},
		{"99999999999999999999h", "longer than 292 years"},
		{"2562047h47m16.854775808s", "longer than 292 years"},
		{strings.Repeat("1", 65), "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in, now)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want error containing %q", tt.in, tt.wantMsg)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Parse(%q) error = %q, want it to contain %q", tt.in, err, tt.wantMsg)
			}
			if !strings.Contains(err.Error(), timeForms) {
				t.Errorf("Parse(%q) error = %q, want it to list the accepted forms", tt.in, err)
			}
			if got := failure.ExitCode(err); got != 2 {
				t.Errorf("Parse(%q) exit code = %d, want 2", tt.in, got)
			}
		})
	}
}

func TestParseLargestDurations(t *testing.T) {
	// The largest duration is accepted as long as now plus it stays within year 9999.
	got, err := Parse("2562047h47m16.854775807s", now)
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(time.Duration(1<<63 - 1)); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	got, err = Parse("-2562047h47m16.854775807s", now)
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(-time.Duration(1<<63 - 1)); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// Near the end of the range a duration can push the result out of it.
	late := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	if _, err := Parse("2d", late); err == nil || !strings.Contains(err.Error(), "outside the years") {
		t.Errorf("Parse(2d) near year 9999: err = %v, want outside the years", err)
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"0", 0},
		{"0s", 0},
		{"30s", 30 * time.Second},
		{"+30s", 30 * time.Second},
		{"5m", 5 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"2d", 48 * time.Hour},
		{"1w", 7 * 24 * time.Hour},
		{"1w2d3h4m5s6ms7us8ns", 7*24*time.Hour + 2*24*time.Hour + 3*time.Hour + 4*time.Minute + 5*time.Second + 6*time.Millisecond + 7*time.Microsecond + 8},
		{"1.5h", 90 * time.Minute},
		{"0.001s", time.Millisecond},
		{"1.000000001s", time.Second + 1},
		{"1.0000000000000000000000001s", time.Second},
		{"1s1s", 2 * time.Second},
		{"9223372036854775807ns", time.Duration(1<<63 - 1)},
		{" 10m ", 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if err != nil {
				t.Fatalf("ParseDuration(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseDuration(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct {
		in      string
		wantMsg string
	}{
		{"", "empty duration"},
		{"30", `invalid duration "30": missing unit; use a number with a unit`},
		{"-5m", "must not be negative"},
		{"+", "invalid duration"},
		{"5 m", `unknown unit " m"`},
		{"5mins", `unknown unit "mins"`},
		{"1y", `unknown unit "y"`},
		{"s", "invalid duration"},
		{".s", "invalid duration"},
		{"2026-11-25", `unknown unit "-"`},
		{"9223372036854775808ns", "longer than 292 years"},
		{"15251w", "longer than 292 years"},
		{"106751d23h47m16.854775808s", "longer than 292 years"},
		{strings.Repeat("1s", 33), "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseDuration(tt.in)
			if err == nil {
				t.Fatalf("ParseDuration(%q) succeeded, want error containing %q", tt.in, tt.wantMsg)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ParseDuration(%q) error = %q, want it to contain %q", tt.in, err, tt.wantMsg)
			}
			if got := failure.ExitCode(err); got != 2 {
				t.Errorf("exit code = %d, want 2", got)
			}
		})
	}
}

// FuzzTimeParse checks that Parse and ParseDuration never panic, that every accepted time lies
// within the years 0001–9999, that every accepted duration is non-negative, and that a duration
// accepted by ParseDuration means the same offset to Parse.
func FuzzTimeParse(f *testing.F) {
	for _, s := range []string{
		"15m", "+1h", "-2d", "1h30m", "1.5h", "2026-11-25T10:00:00Z", "2026-11-25",
		"1764064800", "@1764064800", "@-1", "9223372036854775807ns", "2026-11-25 10:00:00.5+02:00",
		"tomorrow", "1e9s", "0", "1µs",
	} {
		f.Add(s, int64(1795410000))
	}
	f.Fuzz(func(t *testing.T, s string, nowUnix int64) {
		// Keep now itself within the supported range so results can be compared.
		nowUnix %= 253402300799
		if nowUnix < 0 {
			nowUnix = -nowUnix
		}
		n := time.Unix(nowUnix, 0).UTC()
		got, err := Parse(s, n)
		if err == nil {
			if got.Before(minTime()) || got.After(maxTime()) {
				t.Fatalf("Parse(%q) = %v, outside the supported years", s, got)
			}
			if got.Location() != time.UTC {
				t.Fatalf("Parse(%q) not in UTC", s)
			}
		} else if failure.ExitCode(err) != 2 {
			t.Fatalf("Parse(%q) error not a usage error: %v", s, err)
		}
		d, derr := ParseDuration(s)
		if derr != nil {
			if failure.ExitCode(derr) != 2 {
				t.Fatalf("ParseDuration(%q) error not a usage error: %v", s, derr)
			}
			return
		}
		if d < 0 {
			t.Fatalf("ParseDuration(%q) = %v, negative", s, d)
		}
		if in := strings.TrimSpace(s); in != "0" && err == nil && !got.Equal(n.Add(d)) {
			t.Fatalf("Parse(%q) = %v, but ParseDuration gives %v from %v", s, got, d, n)
		}
	})
}

// TestBoundsAreRFC3339Range keeps the constant bounds equal to the years RFC 3339 can write.
func TestBoundsAreRFC3339Range(t *testing.T) {
	if want := time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC); !minTime().Equal(want) {
		t.Errorf("minTime() = %v, want %v", minTime(), want)
	}
	if want := time.Date(9999, time.December, 31, 23, 59, 59, 999999999, time.UTC); !maxTime().Equal(want) {
		t.Errorf("maxTime() = %v, want %v", maxTime(), want)
	}
}

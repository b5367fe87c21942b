package timespec

import (
	"testing"
	"time"
)

func TestRelative(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "just now"},
		{999 * time.Millisecond, "just now"},
		{-999 * time.Millisecond, "just now"},
		{time.Second, "in 1s"},
		{-12 * time.Second, "12s ago"},
		{59 * time.Minute, "in 59m"},
		{59*time.Minute + 59*time.Second + 900*time.Millisecond, "in 59m 59s"},
		{-3 * time.Hour, "3h ago"},
		{-3*time.Hour - 20*time.Second, "3h ago"},
		{52 * time.Hour, "in 2d 4h"},
		{48*time.Hour + 5*time.Minute, "in 2d"},
		{-(26*time.Hour + 30*time.Minute), "1d 2h ago"},
		{400 * 24 * time.Hour, "in 1y 35d"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Relative(now.Add(tt.d), now); got != tt.want {
				t.Errorf("Relative(now%+v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestRelativeExtremes(t *testing.T) {
	// time.Time.Sub saturates; Relative must not overflow on the most negative duration.
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	early := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	if got, want := Relative(early, far), "292y 171d ago"; got != want {
		t.Errorf("Relative(year 1, year 9999) = %q, want %q", got, want)
	}
	if got, want := Relative(far, early), "in 292y 171d"; got != want {
		t.Errorf("Relative(year 9999, year 1) = %q, want %q", got, want)
	}
}

func TestCompact(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{500 * time.Millisecond, "0s"},
		{45 * time.Second, "45s"},
		{3*time.Minute + 12*time.Second, "3m12s"},
		{-(3*time.Minute + 12*time.Second), "3m12s"},
		{2*time.Hour + 5*time.Minute + 9*time.Second, "2h5m"},
		{2 * time.Hour, "2h"},
		{3*24*time.Hour + 4*time.Hour, "3d4h"},
		{time.Duration(-1 << 63), "292y171d"},
		{time.Duration(1<<63 - 1), "292y171d"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Compact(tt.d); got != tt.want {
				t.Errorf("Compact(%v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestAgo(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "just now"},
		{999 * time.Millisecond, "just now"},
		{time.Second, "1s ago"},
		{3*time.Minute + 12*time.Second, "3m12s ago"},
		{20792*24*time.Hour + 13*time.Hour, "56y352d ago"},
	} {
		if got := Ago(tt.d); got != tt.want {
			t.Errorf("Ago(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

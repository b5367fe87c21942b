package issuer

import (
	"errors"
	"testing"
	"time"
)

func TestReplayCache(t *testing.T) {
	c := newReplayCache(3)
	t0 := testNow
	steps := []struct {
		key  string
		exp  time.Duration // from t0
		now  time.Duration // from t0
		want error
	}{
		{"a", time.Minute, 0, nil},
		{"a", time.Minute, 0, errReplayed},
		{"a", 2 * time.Minute, 30 * time.Second, errReplayed},
		{"b", 2 * time.Minute, 0, nil},
		{"c", 3 * time.Minute, 0, nil},
		{"d", 3 * time.Minute, 0, errReplayFull},
		{"a", 5 * time.Minute, time.Minute, nil}, // a expired at exactly 1m: usable again, and purged first
		{"d", 3 * time.Minute, time.Minute, errReplayFull},
		{"d", 4 * time.Minute, 2 * time.Minute, nil}, // b expired
		{"c", 4 * time.Minute, 2 * time.Minute, errReplayed},
		{"e", 4 * time.Minute, 10 * time.Minute, nil}, // everything expired
	}
	for i, s := range steps {
		err := c.add(s.key, t0.Add(s.exp), t0.Add(s.now))
		if !errors.Is(err, s.want) || (err == nil) != (s.want == nil) {
			t.Fatalf("step %d (%s): err = %v, want %v", i, s.key, err, s.want)
		}
	}
	if n := c.len(); n != 1 {
		t.Errorf("%d entries left, want 1", n)
	}
}

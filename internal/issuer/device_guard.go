package issuer

import (
	"sync"
	"time"
)

// Guessing user codes (RFC 8628 §5.1): 8 letters of 20 are 2^34.6 codes, and every wrong
// guess at /device is counted; past MaxUserCodeFailures in one UserCodeFailureWindow the
// endpoint refuses every lookup, right codes too, until the window ends: a flood of wrong
// guesses holds a person up for at most one window, and a guesser learns nothing meanwhile.
const (
	MaxUserCodeFailures   = 50
	UserCodeFailureWindow = time.Minute
)

// failureWindow counts failures in fixed windows of time.
type failureWindow struct {
	mu    sync.Mutex
	start time.Time
	n     int
}

// blocked reports whether the failures of the window that holds now reached the limit.
func (f *failureWindow) blocked(now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roll(now)
	return f.n >= MaxUserCodeFailures
}

// fail counts one failure at now.
func (f *failureWindow) fail(now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roll(now)
	f.n++
}

func (f *failureWindow) roll(now time.Time) {
	if now.Sub(f.start) >= UserCodeFailureWindow || now.Before(f.start) {
		f.start, f.n = now, 0
	}
}

package issuer

import (
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// ErrReplayed is returned by Store.UseJTI for an identifier that was used before and has not
// expired.
var ErrReplayed error = failure.Sentinel("the jti was already used")

// JTIStore is the part of a Store that remembers the jti of single-use assertions (the RFC 7523
// jwt-bearer grant's) until they expire, so that a restarted server with a persistent Store
// still refuses a replay.
type JTIStore interface {
	// UseJTI records key until exp. It returns ErrReplayed when key is recorded and live at
	// now, and ErrStoreFull when there is no room; a recorded key is never dropped before exp.
	UseJTI(key string, exp, now time.Time) error
}

// UseJTI implements JTIStore.
func (m *MemoryStore) UseJTI(key string, exp, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if until, ok := m.jtis[key]; ok && until.After(now) {
		return ErrReplayed
	}
	if err := m.room(func() int { return len(m.jtis) }, now); err != nil {
		return err
	}
	m.jtis[key] = exp
	return nil
}

// sweepJTIs drops expired jti records; the caller holds mu.
func (m *MemoryStore) sweepJTIs(now time.Time) {
	for k, exp := range m.jtis {
		if !exp.After(now) {
			delete(m.jtis, k)
		}
	}
}

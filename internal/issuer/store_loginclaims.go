package issuer

import (
	"encoding/json"
	"time"

	"github.com/jwtkit/jwtkit/internal/claims"
	bolt "go.etcd.io/bbolt"
)

// LoginClaimsStore is the part of a Store that keeps the claims typed at the login page
// (serve --login-page) for each access token of that login, by its jti, until the token
// expires, so that /userinfo answers them as the ID token carries them. A record lives as
// long as its access token, not as long as the token's family, which may end sooner.
type LoginClaimsStore interface {
	// PutLoginClaims records c for the access token jti until exp; ErrStoreFull when there
	// is no room.
	PutLoginClaims(jti string, c *claims.Object, exp, now time.Time) error
	// LoginClaims returns the claims recorded for jti, nil for none or an expired record.
	LoginClaims(jti string, now time.Time) *claims.Object
}

// loginClaimsEntry is a LoginClaimsStore record.
type loginClaimsEntry struct {
	Claims  *claims.Object
	Expires time.Time
}

// PutLoginClaims implements LoginClaimsStore.
func (m *MemoryStore) PutLoginClaims(jti string, c *claims.Object, exp, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.room(func() int { return len(m.loginClaims) }, now); err != nil {
		return err
	}
	m.loginClaims[jti] = loginClaimsEntry{Claims: c, Expires: exp}
	return nil
}

// LoginClaims implements LoginClaimsStore.
func (m *MemoryStore) LoginClaims(jti string, now time.Time) *claims.Object {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.loginClaims[jti]
	if !ok || !e.Expires.After(now) {
		return nil
	}
	return e.Claims
}

// sweepLoginClaims drops expired login-claims records; the caller holds mu.
func (m *MemoryStore) sweepLoginClaims(now time.Time) {
	for k, e := range m.loginClaims {
		if !e.Expires.After(now) {
			delete(m.loginClaims, k)
		}
	}
}

// PutLoginClaims implements LoginClaimsStore.
func (s *BoltStore) PutLoginClaims(jti string, c *claims.Object, exp, now time.Time) error {
	return s.update(func(t *boltTx) error {
		if err := s.room(t, now, bucketLoginClaims); err != nil {
			return err
		}
		return t.put(bucketLoginClaims, jti, loginClaimsEntry{Claims: c, Expires: exp})
	})
}

// LoginClaims implements LoginClaimsStore.
func (s *BoltStore) LoginClaims(jti string, now time.Time) *claims.Object {
	var e loginClaimsEntry
	var ok bool
	_ = s.db.View(func(tx *bolt.Tx) error {
		ok = boltGet(s.bucket(tx, bucketLoginClaims), jti, &e)
		return nil
	})
	if !ok || !e.Expires.After(now) {
		return nil
	}
	return e.Claims
}

// expiredLoginClaims reports whether a stored login-claims record is damaged or expired.
func expiredLoginClaims(v []byte, now time.Time) bool {
	var e loginClaimsEntry
	return json.Unmarshal(v, &e) != nil || !e.Expires.After(now)
}

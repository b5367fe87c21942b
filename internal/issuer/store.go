package issuer

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/failure"
)

// Store bounds. A full store refuses new entries (the server answers temporarily_unavailable)
// rather than forget live ones: forgetting a used code or a revocation would let it be used again.
const (
	// DefaultStoreCapacity bounds each kind of entry in a MemoryStore when zero is asked for.
	DefaultStoreCapacity = 100_000
	// MaxFamilyTokens bounds the access tokens one grant may accumulate through refreshes;
	// past it the client must authorize anew.
	MaxFamilyTokens = 1000
)

// ErrStoreFull is returned by a Store that has no room for a new entry.
var ErrStoreFull error = failure.Sentinel("the server's token store is full")

// AuthCode is an issued authorization code's grant, kept until it expires.
type AuthCode struct {
	ClientID    string
	RedirectURI string
	Scope       string
	Nonce       string
	Subject     string
	AuthTime    time.Time
	// Challenge and Method are the PKCE code_challenge and its method ("" for none).
	Challenge string
	Method    string
	Expires   time.Time
	// Claims are the claims typed at the login page (serve --login-page) for this login, put
	// in its ID tokens (the first and those of refreshes) and /userinfo; nil for none. They never hold a reserved claim (parseLoginClaims).
	Claims *claims.Object `json:",omitempty"`
}

// Family is one grant's tokens: those issued from an authorization code and from every refresh
// token that descends from it (RFC 9700 §4.14.2). Revoking it revokes them all.
type Family struct {
	ID       string
	ClientID string
	Subject  string
	// Scope is the scope of the original grant; a refresh may narrow it, never widen it.
	Scope    string
	AuthTime time.Time
	// Current is the hash of the one refresh token that may be used, "" when none was issued.
	Current string
	// Expires ends the family: its refresh tokens stop working then.
	Expires time.Time
	Revoked bool
	// JKT, when set, binds the family's refresh tokens to a DPoP key (RFC 9449 §5): a refresh
	// needs a proof signed by the key with this thumbprint.
	JKT string `json:",omitempty"`
	// JTIs are the jti of the access tokens issued in the family, with their expiry.
	JTIs map[string]time.Time
	// Claims are the claims typed at the login page for the login that started the family
	// (AuthCode.Claims), which the ID tokens of its refreshes carry; nil for none, and in a
	// record written before they were kept.
	Claims *claims.Object `json:",omitempty"`
}

// RefreshState says what a presented refresh token turned out to be.
type RefreshState int

// Outcomes of Store.RotateRefresh.
const (
	// RefreshUnknown: no family has this token (or its family expired).
	RefreshUnknown RefreshState = iota
	// RefreshRotated: the token was current; it is replaced by the new one.
	RefreshRotated
	// RefreshReused: the token was replaced earlier (or its family was revoked): the family is
	// revoked now, since either the client or an attacker holds a stolen token.
	RefreshReused
)

// Store keeps the server's state: authorization codes, refresh-token families, revoked
// access tokens, device authorizations and used assertion ids. Keys are hashes of the secrets (TokenHash), never the secrets themselves, so
// looking one up leaks nothing through timing and a dump of the store holds no usable token.
// Every method is atomic and safe for concurrent use; entries go away when they expire.
type Store interface {
	// PutCode records a new authorization code.
	PutCode(hash string, c AuthCode, now time.Time) error
	// Code returns a code's grant without using it up; ok is false for an unknown or expired code.
	Code(hash string, now time.Time) (c AuthCode, ok bool)
	// RedeemCode marks a code used and binds it to family; when it was used already it
	// returns the family bound the first time and replayed true.
	RedeemCode(hash, family string, now time.Time) (first string, replayed bool)
	// PutFamily records a new family; f.Current, when set, is its first refresh token's hash.
	PutFamily(f Family, now time.Time) error
	// AddJTI records an access token issued in a family, until exp.
	AddJTI(family, jti string, exp time.Time) error
	// RotateRefresh replaces the current refresh token old of a family with next (and records
	// the access token jti of the new pair). Presenting a token the family has replaced
	// revokes the family.
	RotateRefresh(old, next, jti string, jtiExp, now time.Time) (Family, RefreshState, error)
	// Refresh returns the family of a refresh token and whether the token is the current one.
	Refresh(hash string, now time.Time) (f Family, current, ok bool)
	// RevokeFamily revokes a family and every access token issued in it.
	RevokeFamily(id string, now time.Time)
	// RevokeJTI revokes one access token until exp.
	RevokeJTI(jti string, exp, now time.Time) error
	// Revoked reports whether the access token with this jti is revoked.
	Revoked(jti string, now time.Time) bool
	DeviceStore
	JTIStore
	LoginClaimsStore
}

// TokenHash is the key a Store keeps a secret under: base64url(SHA-256(secret)).
func TokenHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// MemoryStore is a Store in memory, bounded in the number of entries of each kind.
type MemoryStore struct {
	mu       sync.Mutex
	capacity int
	codes    map[string]*codeEntry
	families map[string]*Family
	refresh  map[string]string // refresh token hash -> family id, for current and replaced tokens
	revoked  map[string]time.Time
	// devices and userCodes index the same device authorizations by device and user code hash.
	devices   map[string]*deviceEntry
	userCodes map[string]*deviceEntry
	jtis      map[string]time.Time // used assertion jti -> its expiry
	// loginClaims are the claims typed at the login page, by access token jti.
	loginClaims map[string]loginClaimsEntry
}

type codeEntry struct {
	code   AuthCode
	used   bool
	family string
}

// NewMemoryStore returns an empty MemoryStore holding at most capacity entries of each kind
// (codes, families, refresh tokens, revoked tokens, device authorizations, used assertion ids,
// login-claims records); capacity <= 0 means DefaultStoreCapacity.
func NewMemoryStore(capacity int) *MemoryStore {
	if capacity <= 0 {
		capacity = DefaultStoreCapacity
	}
	return &MemoryStore{
		capacity:    capacity,
		codes:       map[string]*codeEntry{},
		families:    map[string]*Family{},
		refresh:     map[string]string{},
		revoked:     map[string]time.Time{},
		devices:     map[string]*deviceEntry{},
		userCodes:   map[string]*deviceEntry{},
		jtis:        map[string]time.Time{},
		loginClaims: map[string]loginClaimsEntry{},
	}
}

// sweep drops expired entries of every kind. It runs when a kind is full, so its cost is paid
// only when memory is short; the caller holds mu.
func (m *MemoryStore) sweep(now time.Time) {
	for k, e := range m.codes {
		if !e.code.Expires.After(now) {
			delete(m.codes, k)
		}
	}
	for id, f := range m.families {
		if !f.Expires.After(now) && !m.familyHasLiveJTI(f, now) {
			delete(m.families, id)
		}
	}
	for h, id := range m.refresh {
		if m.families[id] == nil {
			delete(m.refresh, h)
		}
	}
	for jti, exp := range m.revoked {
		if !exp.After(now) {
			delete(m.revoked, jti)
		}
	}
	m.sweepDevices(now)
	m.sweepJTIs(now)
	m.sweepLoginClaims(now)
}

func (m *MemoryStore) familyHasLiveJTI(f *Family, now time.Time) bool {
	if !f.Revoked {
		return false
	}
	for _, exp := range f.JTIs {
		if exp.After(now) {
			return true
		}
	}
	return false
}

// room makes room for one more entry in a map of n entries, sweeping when it is full.
func (m *MemoryStore) room(n func() int, now time.Time) error {
	if n() < m.capacity {
		return nil
	}
	m.sweep(now)
	if n() < m.capacity {
		return nil
	}
	return ErrStoreFull
}

// PutCode implements Store.
func (m *MemoryStore) PutCode(hash string, c AuthCode, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.room(func() int { return len(m.codes) }, now); err != nil {
		return err
	}
	m.codes[hash] = &codeEntry{code: c}
	return nil
}

// Code implements Store.
func (m *MemoryStore) Code(hash string, now time.Time) (AuthCode, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.codes[hash]
	if e == nil || !e.code.Expires.After(now) {
		return AuthCode{}, false
	}
	return e.code, true
}

// RedeemCode implements Store.
func (m *MemoryStore) RedeemCode(hash, family string, now time.Time) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.codes[hash]
	if e == nil {
		return "", false
	}
	if e.used {
		return e.family, true
	}
	e.used, e.family = true, family
	return family, false
}

// PutFamily implements Store.
func (m *MemoryStore) PutFamily(f Family, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.room(func() int { return max(len(m.families), len(m.refresh)) }, now); err != nil {
		return err
	}
	if f.JTIs == nil {
		f.JTIs = map[string]time.Time{}
	}
	m.families[f.ID] = &f
	if f.Current != "" {
		m.refresh[f.Current] = f.ID
	}
	return nil
}

// AddJTI implements Store.
func (m *MemoryStore) AddJTI(family, jti string, exp time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.families[family]
	if f == nil {
		return errors.New("unknown token family")
	}
	if len(f.JTIs) >= MaxFamilyTokens {
		return ErrStoreFull
	}
	f.JTIs[jti] = exp
	if f.Revoked {
		m.revoked[jti] = exp
	}
	return nil
}

// RotateRefresh implements Store.
func (m *MemoryStore) RotateRefresh(old, next, jti string, jtiExp, now time.Time) (Family, RefreshState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.refresh[old]
	f := m.families[id]
	if !ok || f == nil || !f.Expires.After(now) {
		return Family{}, RefreshUnknown, nil
	}
	if f.Revoked || f.Current != old {
		m.revokeLocked(f)
		return copyFamily(f), RefreshReused, nil
	}
	if len(f.JTIs) >= MaxFamilyTokens {
		return Family{}, RefreshUnknown, ErrStoreFull
	}
	if err := m.room(func() int { return len(m.refresh) }, now); err != nil {
		return Family{}, RefreshUnknown, err
	}
	f.Current = next
	m.refresh[next] = id
	f.JTIs[jti] = jtiExp
	return copyFamily(f), RefreshRotated, nil
}

// Refresh implements Store.
func (m *MemoryStore) Refresh(hash string, now time.Time) (Family, bool, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.families[m.refresh[hash]]
	if f == nil || !f.Expires.After(now) {
		return Family{}, false, false
	}
	return copyFamily(f), !f.Revoked && f.Current == hash, true
}

// RevokeFamily implements Store.
func (m *MemoryStore) RevokeFamily(id string, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f := m.families[id]; f != nil {
		m.revokeLocked(f)
	}
}

// revokeLocked revokes f and its access tokens; the revocation list may exceed its capacity
// here, since a revocation must never be dropped.
func (m *MemoryStore) revokeLocked(f *Family) {
	f.Revoked = true
	for jti, exp := range f.JTIs {
		m.revoked[jti] = exp
	}
}

// RevokeJTI implements Store.
func (m *MemoryStore) RevokeJTI(jti string, exp, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.revoked[jti]; ok {
		return nil
	}
	if err := m.room(func() int { return len(m.revoked) }, now); err != nil {
		return err
	}
	m.revoked[jti] = exp
	return nil
}

// Revoked implements Store.
func (m *MemoryStore) Revoked(jti string, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	exp, ok := m.revoked[jti]
	return ok && exp.After(now)
}

func copyFamily(f *Family) Family {
	c := *f
	c.JTIs = nil
	return c
}

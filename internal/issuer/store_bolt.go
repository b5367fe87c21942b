package issuer

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
	bolt "go.etcd.io/bbolt"
)

// Bucket names of a BoltStore, one per kind of record; every value is JSON.
var (
	bucketMeta      = []byte("meta")
	bucketCodes     = []byte("codes")
	bucketFamilies  = []byte("families")
	bucketRefresh   = []byte("refresh")
	bucketRevoked   = []byte("revoked")
	bucketDevices   = []byte("devices")
	bucketUserCodes = []byte("usercodes")
	bucketJTIs      = []byte("jtis")
	// bucketLoginClaims holds the claims typed at the login page by access token jti
	// (LoginClaimsStore); a file written before it existed gets it empty when opened.
	bucketLoginClaims = []byte("loginclaims")
	// bucketIssuers holds one bucket per named issuer of an IssuerSet, each with the buckets
	// above (but meta) for that issuer's records; the default issuer's are at the top level.
	bucketIssuers = []byte("issuers")
)

// boltBuckets lists the buckets of one issuer's records. (A function: a package-level slice of
// the vars above would be package initialisation, which every jwtkit run pays for; see
// failure.Sentinel.)
func boltBuckets() [8][]byte {
	return [...][]byte{bucketCodes, bucketFamilies, bucketRefresh, bucketRevoked, bucketDevices, bucketUserCodes, bucketJTIs, bucketLoginClaims}
}

// boltFormat is the meta "format" value of a state file this version writes and reads.
const boltFormat = "jwtkit-state/1"

// BoltLockTimeout is how long OpenBoltStore waits for another process to release the file.
const BoltLockTimeout = time.Second

// ErrStateLocked is returned by OpenBoltStore when another process holds the state file.
var ErrStateLocked error = failure.Sentinel("another process (a running serve?) holds the state file")

// BoltStore is a Store in a bbolt file, so that a restarted server honours the refresh tokens,
// codes and revocations it issued before. It holds the file's lock while open; it is bounded
// in the number of entries of each kind like MemoryStore, and every write is one transaction.
// Commits are not fsynced one by one (bbolt's NoSync; Close syncs): a commit is in the
// kernel's page cache at once, so it survives the process being killed, and only an operating
// system crash can lose the last writes (or damage the file, which OpenBoltStore then refuses).
// For a test issuer that is the right trade: an fsync per commit cost 6x in round trips.
type BoltStore struct {
	db       *bolt.DB
	capacity int
	// issuer is the named issuer whose buckets this store uses (see ForIssuer); nil means the
	// top-level buckets, and a store that owns db.
	issuer []byte
	// mu serialises writers with the counts below, which mirror the buckets' sizes so that a
	// bound check costs no scan; they change only after a transaction commits.
	mu     sync.Mutex
	counts map[string]int
}

type boltCode struct {
	Code   AuthCode
	Used   bool
	Family string `json:",omitempty"`
}

// OpenBoltStore opens (creating it with mode 0600) the state file path, holding at most
// capacity entries of each kind (<= 0: DefaultStoreCapacity), and drops the entries that expired
// before now. It fails with ErrStateLocked when another process has the file open.
func OpenBoltStore(path string, capacity int, now time.Time) (*BoltStore, error) {
	if capacity <= 0 {
		capacity = DefaultStoreCapacity
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: BoltLockTimeout, NoSync: true})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("%s: %w", path, ErrStateLocked)
		}
		return nil, fmt.Errorf("%s is not a readable state file (%v); move it away to start afresh", path, err)
	}
	s := &BoltStore{db: db, capacity: capacity, counts: map[string]int{}}
	err = db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			empty := true
			_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
			if !empty {
				return errors.New("it is a bbolt file of another program")
			}
			var err error
			if meta, err = tx.CreateBucket(bucketMeta); err != nil {
				return err
			}
			if err := meta.Put([]byte("format"), []byte(boltFormat)); err != nil {
				return err
			}
		}
		if f := string(meta.Get([]byte("format"))); f != boltFormat {
			return fmt.Errorf("its format is %q, this jwtkit reads %q", f, boltFormat)
		}
		for _, name := range boltBuckets() {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		s.sweepTx(tx, now, nil)
		return nil
	})
	if err == nil {
		err = db.View(func(tx *bolt.Tx) error {
			for _, name := range boltBuckets() {
				s.counts[string(name)] = s.bucket(tx, name).Stats().KeyN
			}
			return nil
		})
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%s is not a usable state file: %v; move it away to start afresh", path, err)
	}
	return s, nil
}

// Close writes everything to the disk and releases the file. On a store from ForIssuer it
// does nothing: the store it came from owns the file.
func (s *BoltStore) Close() error {
	if s.issuer != nil {
		return nil
	}
	serr := s.db.Sync()
	if err := s.db.Close(); err != nil {
		return err
	}
	return serr
}

// ForIssuer returns the Store of the named issuer id in the same file. Its records live in
// buckets of their own (issuers/ID/…), so a code, refresh token, device code, used assertion
// id or revocation of one issuer is never found by another, even for a client of the same id;
// it is bounded like s, on its own. Entries that expired before now are dropped. The returned
// store shares s's file: close s, not it.
func (s *BoltStore) ForIssuer(id string, now time.Time) (*BoltStore, error) {
	if !ValidIssuerID(id) {
		return nil, fmt.Errorf("issuer id %q cannot name a state bucket", Sanitize(id, 80))
	}
	v := &BoltStore{db: s.db, capacity: s.capacity, issuer: []byte(id), counts: map[string]int{}}
	err := s.db.Update(func(tx *bolt.Tx) error {
		parent, err := tx.CreateBucketIfNotExists(bucketIssuers)
		if err != nil {
			return err
		}
		b, err := parent.CreateBucketIfNotExists(v.issuer)
		if err != nil {
			return err
		}
		for _, name := range boltBuckets() {
			if _, err := b.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		v.sweepTx(tx, now, nil)
		return nil
	})
	if err == nil {
		err = s.db.View(func(tx *bolt.Tx) error {
			for _, name := range boltBuckets() {
				v.counts[string(name)] = v.bucket(tx, name).Stats().KeyN
			}
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("state of issuer %s: %w", id, err)
	}
	return v, nil
}

// bucket returns the bucket name of this store's issuer in tx.
func (s *BoltStore) bucket(tx *bolt.Tx, name []byte) *bolt.Bucket {
	if s.issuer == nil {
		return tx.Bucket(name)
	}
	return tx.Bucket(bucketIssuers).Bucket(s.issuer).Bucket(name)
}

// boltTx is one write transaction with the changes it makes to the entry counts.
type boltTx struct {
	s     *BoltStore
	tx    *bolt.Tx
	delta map[string]int
}

func (t *boltTx) b(name []byte) *bolt.Bucket { return t.s.bucket(t.tx, name) }

func (t *boltTx) put(name []byte, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b := t.b(name)
	if b.Get([]byte(key)) == nil {
		t.delta[string(name)]++
	}
	return b.Put([]byte(key), data)
}

func (t *boltTx) del(name []byte, key []byte) {
	b := t.b(name)
	if b.Get(key) != nil {
		t.delta[string(name)]--
		_ = b.Delete(key)
	}
}

func boltGet(b *bolt.Bucket, key string, v any) bool {
	data := b.Get([]byte(key))
	return data != nil && json.Unmarshal(data, v) == nil
}

// update runs fn in one write transaction and applies its count changes once it commits.
func (s *BoltStore) update(fn func(t *boltTx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &boltTx{s: s, delta: map[string]int{}}
	err := s.db.Update(func(tx *bolt.Tx) error {
		t.tx = tx
		return fn(t)
	})
	if err != nil {
		return err
	}
	for k, d := range t.delta {
		s.counts[k] += d
	}
	return nil
}

// count is the number of entries of a bucket as the transaction t sees it.
func (s *BoltStore) count(t *boltTx, name []byte) int {
	return s.counts[string(name)] + t.delta[string(name)]
}

// room makes room for one more entry in the buckets names, sweeping when one is full.
func (s *BoltStore) room(t *boltTx, now time.Time, names ...[]byte) error {
	full := func() bool {
		for _, n := range names {
			if s.count(t, n) >= s.capacity {
				return true
			}
		}
		return false
	}
	if !full() {
		return nil
	}
	s.sweepTx(t.tx, now, t)
	if !full() {
		return nil
	}
	return ErrStoreFull
}

// sweepTx drops expired entries of every kind, by the rules of MemoryStore.sweep; t, when not
// nil, records the count changes.
func (s *BoltStore) sweepTx(tx *bolt.Tx, now time.Time, t *boltTx) {
	if t == nil {
		t = &boltTx{s: s, tx: tx, delta: map[string]int{}}
	}
	var drop [][]byte
	collect := func(name []byte, expired func(v []byte) bool) {
		drop = drop[:0]
		_ = s.bucket(tx, name).ForEach(func(k, v []byte) error {
			if expired(v) {
				drop = append(drop, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range drop {
			t.del(name, k)
		}
	}
	collect(bucketCodes, func(v []byte) bool {
		var c boltCode
		return json.Unmarshal(v, &c) != nil || !c.Code.Expires.After(now)
	})
	collect(bucketFamilies, func(v []byte) bool {
		var f Family
		return json.Unmarshal(v, &f) != nil || !f.Expires.After(now) && !liveRevokedJTI(&f, now)
	})
	fams := s.bucket(tx, bucketFamilies)
	collect(bucketRefresh, func(v []byte) bool {
		var id string
		return json.Unmarshal(v, &id) != nil || fams.Get([]byte(id)) == nil
	})
	collect(bucketRevoked, func(v []byte) bool {
		var exp time.Time
		return json.Unmarshal(v, &exp) != nil || !exp.After(now)
	})
	users := s.bucket(tx, bucketUserCodes)
	var userDrop [][]byte
	drop = drop[:0]
	_ = s.bucket(tx, bucketDevices).ForEach(func(k, v []byte) error {
		var d DeviceCode
		if json.Unmarshal(v, &d) != nil || !d.Live(now) {
			drop = append(drop, append([]byte(nil), k...))
			var owner string
			if boltGet(users, d.UserCode, &owner) && owner == string(k) {
				userDrop = append(userDrop, []byte(d.UserCode))
			}
		}
		return nil
	})
	for _, k := range drop {
		t.del(bucketDevices, k)
	}
	for _, k := range userDrop {
		t.del(bucketUserCodes, k)
	}
	collect(bucketJTIs, func(v []byte) bool {
		var exp time.Time
		return json.Unmarshal(v, &exp) != nil || !exp.After(now)
	})
	collect(bucketLoginClaims, func(v []byte) bool { return expiredLoginClaims(v, now) })
}

// liveRevokedJTI reports whether a revoked family still has an access token that has not
// expired, so that its revocation must be kept.
func liveRevokedJTI(f *Family, now time.Time) bool {
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

// PutCode implements Store.
func (s *BoltStore) PutCode(hash string, c AuthCode, now time.Time) error {
	return s.update(func(t *boltTx) error {
		if err := s.room(t, now, bucketCodes); err != nil {
			return err
		}
		return t.put(bucketCodes, hash, boltCode{Code: c})
	})
}

// Code implements Store.
func (s *BoltStore) Code(hash string, now time.Time) (AuthCode, bool) {
	var c boltCode
	var ok bool
	_ = s.db.View(func(tx *bolt.Tx) error {
		ok = boltGet(s.bucket(tx, bucketCodes), hash, &c) && c.Code.Expires.After(now)
		return nil
	})
	if !ok {
		return AuthCode{}, false
	}
	return c.Code, true
}

// RedeemCode implements Store.
func (s *BoltStore) RedeemCode(hash, family string, now time.Time) (string, bool) {
	var first string
	var replayed bool
	_ = s.update(func(t *boltTx) error {
		var c boltCode
		if !boltGet(t.b(bucketCodes), hash, &c) {
			return nil
		}
		if c.Used {
			first, replayed = c.Family, true
			return nil
		}
		c.Used, c.Family = true, family
		first = family
		return t.put(bucketCodes, hash, c)
	})
	return first, replayed
}

// PutFamily implements Store.
func (s *BoltStore) PutFamily(f Family, now time.Time) error {
	return s.update(func(t *boltTx) error {
		if err := s.room(t, now, bucketFamilies, bucketRefresh); err != nil {
			return err
		}
		if f.JTIs == nil {
			f.JTIs = map[string]time.Time{}
		}
		if err := t.put(bucketFamilies, f.ID, f); err != nil {
			return err
		}
		if f.Current != "" {
			return t.put(bucketRefresh, f.Current, f.ID)
		}
		return nil
	})
}

// refreshFamily returns the family whose refresh token hash is hash.
func refreshFamily(t *boltTx, hash string) (Family, bool) {
	var id string
	var f Family
	if !boltGet(t.b(bucketRefresh), hash, &id) || !boltGet(t.b(bucketFamilies), id, &f) {
		return Family{}, false
	}
	return f, true
}

// AddJTI implements Store.
func (s *BoltStore) AddJTI(family, jti string, exp time.Time) error {
	return s.update(func(t *boltTx) error {
		var f Family
		if !boltGet(t.b(bucketFamilies), family, &f) {
			return errors.New("unknown token family")
		}
		if len(f.JTIs) >= MaxFamilyTokens {
			return ErrStoreFull
		}
		if f.JTIs == nil {
			f.JTIs = map[string]time.Time{}
		}
		f.JTIs[jti] = exp
		if f.Revoked {
			if err := t.put(bucketRevoked, jti, exp); err != nil {
				return err
			}
		}
		return t.put(bucketFamilies, f.ID, f)
	})
}

// revokeTx revokes f and its access tokens; like MemoryStore, a revocation is never refused
// for want of room.
func revokeTx(t *boltTx, f *Family) error {
	f.Revoked = true
	for jti, exp := range f.JTIs {
		if err := t.put(bucketRevoked, jti, exp); err != nil {
			return err
		}
	}
	return t.put(bucketFamilies, f.ID, f)
}

// RotateRefresh implements Store.
func (s *BoltStore) RotateRefresh(old, next, jti string, jtiExp, now time.Time) (Family, RefreshState, error) {
	var out Family
	state := RefreshUnknown
	err := s.update(func(t *boltTx) error {
		f, ok := refreshFamily(t, old)
		if !ok || !f.Expires.After(now) {
			return nil
		}
		if f.Revoked || f.Current != old {
			state, out = RefreshReused, f
			return revokeTx(t, &f)
		}
		if len(f.JTIs) >= MaxFamilyTokens {
			return ErrStoreFull
		}
		if err := s.room(t, now, bucketRefresh); err != nil {
			return err
		}
		f.Current = next
		if f.JTIs == nil {
			f.JTIs = map[string]time.Time{}
		}
		f.JTIs[jti] = jtiExp
		if err := t.put(bucketRefresh, next, f.ID); err != nil {
			return err
		}
		state, out = RefreshRotated, f
		return t.put(bucketFamilies, f.ID, f)
	})
	if err != nil {
		return Family{}, RefreshUnknown, err
	}
	if state == RefreshReused {
		out.Revoked = true
	}
	out.JTIs = nil
	return out, state, nil
}

// Refresh implements Store.
func (s *BoltStore) Refresh(hash string, now time.Time) (Family, bool, bool) {
	var f Family
	var ok bool
	_ = s.db.View(func(tx *bolt.Tx) error {
		f, ok = refreshFamily(&boltTx{s: s, tx: tx}, hash)
		return nil
	})
	if !ok || !f.Expires.After(now) {
		return Family{}, false, false
	}
	current := !f.Revoked && f.Current == hash
	f.JTIs = nil
	return f, current, true
}

// RevokeFamily implements Store.
func (s *BoltStore) RevokeFamily(id string, now time.Time) {
	_ = s.update(func(t *boltTx) error {
		var f Family
		if !boltGet(t.b(bucketFamilies), id, &f) {
			return nil
		}
		return revokeTx(t, &f)
	})
}

// RevokeJTI implements Store.
func (s *BoltStore) RevokeJTI(jti string, exp, now time.Time) error {
	return s.update(func(t *boltTx) error {
		if t.b(bucketRevoked).Get([]byte(jti)) != nil {
			return nil
		}
		if err := s.room(t, now, bucketRevoked); err != nil {
			return err
		}
		return t.put(bucketRevoked, jti, exp)
	})
}

// Revoked implements Store.
func (s *BoltStore) Revoked(jti string, now time.Time) bool {
	var exp time.Time
	var ok bool
	_ = s.db.View(func(tx *bolt.Tx) error {
		ok = boltGet(s.bucket(tx, bucketRevoked), jti, &exp)
		return nil
	})
	return ok && exp.After(now)
}

// PutDevice implements DeviceStore.
func (s *BoltStore) PutDevice(deviceHash string, d DeviceCode, now time.Time) error {
	if d.Expires.After(now.Add(MaxDeviceLifetime)) {
		return errors.New("a device code may live at most 30 minutes")
	}
	return s.update(func(t *boltTx) error {
		var prev string
		var other DeviceCode
		if boltGet(t.b(bucketUserCodes), d.UserCode, &prev) && boltGet(t.b(bucketDevices), prev, &other) && other.Live(now) {
			return ErrUserCodeTaken
		}
		if t.b(bucketDevices).Get([]byte(deviceHash)) != nil {
			return errors.New("the device code is in use")
		}
		if err := s.room(t, now, bucketDevices); err != nil {
			return err
		}
		if err := t.put(bucketDevices, deviceHash, d); err != nil {
			return err
		}
		return t.put(bucketUserCodes, d.UserCode, deviceHash)
	})
}

// deviceByUser returns the device code hash and authorization of a user code hash.
func deviceByUser(t *boltTx, userHash string) (string, DeviceCode, bool) {
	var dh string
	var d DeviceCode
	if !boltGet(t.b(bucketUserCodes), userHash, &dh) || !boltGet(t.b(bucketDevices), dh, &d) {
		return "", DeviceCode{}, false
	}
	return dh, d, true
}

// DeviceByUser implements DeviceStore.
func (s *BoltStore) DeviceByUser(userHash string, now time.Time) (DeviceCode, bool) {
	var d DeviceCode
	var ok bool
	_ = s.db.View(func(tx *bolt.Tx) error {
		_, d, ok = deviceByUser(&boltTx{s: s, tx: tx}, userHash)
		return nil
	})
	if !ok || !d.Live(now) {
		return DeviceCode{}, false
	}
	return d, true
}

// DecideDevice implements DeviceStore.
func (s *BoltStore) DecideDevice(userHash string, approve bool, subject string, now time.Time) (DeviceCode, bool) {
	var d DeviceCode
	var ok bool
	err := s.update(func(t *boltTx) error {
		var dh string
		dh, d, ok = deviceByUser(t, userHash)
		if !ok || !d.Decide(approve, subject, now) {
			ok = false
			return nil
		}
		return t.put(bucketDevices, dh, d)
	})
	if err != nil || !ok {
		return DeviceCode{}, false
	}
	return d, true
}

// PollDevice implements DeviceStore.
func (s *BoltStore) PollDevice(deviceHash, clientID, family string, now time.Time) (DeviceCode, DevicePoll) {
	var d DeviceCode
	p := PollUnknown
	err := s.update(func(t *boltTx) error {
		if !boltGet(t.b(bucketDevices), deviceHash, &d) {
			return nil
		}
		if p = d.Poll(clientID, family, now); p == PollUnknown {
			return nil
		}
		return t.put(bucketDevices, deviceHash, d)
	})
	if err != nil || p == PollUnknown {
		return DeviceCode{}, PollUnknown
	}
	return d, p
}

// UseJTI implements JTIStore.
func (s *BoltStore) UseJTI(key string, exp, now time.Time) error {
	return s.update(func(t *boltTx) error {
		var until time.Time
		if boltGet(t.b(bucketJTIs), key, &until) && until.After(now) {
			return ErrReplayed
		}
		if err := s.room(t, now, bucketJTIs); err != nil {
			return err
		}
		return t.put(bucketJTIs, key, exp)
	})
}

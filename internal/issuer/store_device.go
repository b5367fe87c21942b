package issuer

import (
	"errors"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// Device authorization bounds (RFC 8628).
const (
	// MaxDeviceLifetime bounds how long a device code may live; a Store refuses a longer one.
	MaxDeviceLifetime = 30 * time.Minute
	// SlowDownStep is what a poll that comes too early adds to the interval (RFC 8628 §3.5).
	SlowDownStep = 5 * time.Second
	// PollSlack forgives a poll that comes this much before the interval has passed: a client
	// that sleeps exactly the interval may be a few milliseconds early by the server's clock.
	PollSlack = 200 * time.Millisecond
)

// ErrUserCodeTaken is returned by Store.PutDevice when a live device authorization already
// has the user code; the caller draws another.
var ErrUserCodeTaken error = failure.Sentinel("the user code is in use")

// DeviceStatus is where an RFC 8628 device authorization stands.
type DeviceStatus int

// Device authorization states.
const (
	// DevicePending: the user has not decided yet.
	DevicePending DeviceStatus = iota
	// DeviceApproved: the user approved; the next poll gets the tokens.
	DeviceApproved
	// DeviceDenied: the user refused; polls get access_denied.
	DeviceDenied
)

// DeviceCode is an RFC 8628 device authorization, kept under the hash of its device code
// until it expires.
type DeviceCode struct {
	ClientID string
	Scope    string
	// UserCode is the TokenHash of the normalised user code, the second key of the entry.
	UserCode string
	Expires  time.Time
	// Interval is the polling interval the client must keep; slow_down lengthens it.
	Interval time.Duration
	// LastPoll is when the client last polled (or when the authorization began).
	LastPoll time.Time
	Status   DeviceStatus
	// Subject and AuthTime are the user who approved and when, once approved.
	Subject  string
	AuthTime time.Time
	// Used is set when the tokens were issued; Family is the token family issued then.
	Used   bool
	Family string
}

// DevicePoll is the outcome of one token request with a device code.
type DevicePoll int

// Outcomes of Store.PollDevice and DeviceCode.Poll.
const (
	// PollUnknown: no such device code, or it belongs to another client (invalid_grant).
	PollUnknown DevicePoll = iota
	// PollExpired: the device code has expired (expired_token).
	PollExpired
	// PollSlowDown: the client polled before the interval passed; the interval grew by
	// SlowDownStep (slow_down).
	PollSlowDown
	// PollPending: the user has not decided yet (authorization_pending).
	PollPending
	// PollDenied: the user refused (access_denied).
	PollDenied
	// PollApproved: the user approved; the code is now used and bound to the family given.
	PollApproved
	// PollReplayed: the tokens were issued already; DeviceCode.Family is the family issued
	// the first time (invalid_grant, and the server revokes that family).
	PollReplayed
)

// Live reports whether the authorization has not expired at now.
func (d *DeviceCode) Live(now time.Time) bool { return d.Expires.After(now) }

// Poll applies one token request by clientID at now to d, binding family to it when it is
// approved, and says what the request gets. Every Store implements PollDevice with it, so they
// all agree on the rules: another client's poll changes nothing; a poll earlier than the
// interval (less PollSlack) while pending lengthens the interval by SlowDownStep; an approved
// code is used once.
func (d *DeviceCode) Poll(clientID, family string, now time.Time) DevicePoll {
	if d.ClientID != clientID {
		return PollUnknown
	}
	if d.Used {
		return PollReplayed
	}
	if !d.Live(now) {
		return PollExpired
	}
	switch d.Status {
	case DeviceApproved:
		d.Used, d.Family, d.LastPoll = true, family, now
		return PollApproved
	case DeviceDenied:
		d.LastPoll = now
		return PollDenied
	}
	early := !d.LastPoll.IsZero() && now.Sub(d.LastPoll) < d.Interval-PollSlack
	d.LastPoll = now
	if early {
		d.Interval += SlowDownStep
		return PollSlowDown
	}
	return PollPending
}

// Decide records the user's decision on a pending, live authorization: approval for subject at
// now, or denial. It reports false, changing nothing, when d is not pending or has expired.
func (d *DeviceCode) Decide(approve bool, subject string, now time.Time) bool {
	if d.Status != DevicePending || d.Used || !d.Live(now) {
		return false
	}
	if approve {
		d.Status, d.Subject, d.AuthTime = DeviceApproved, subject, now
	} else {
		d.Status = DeviceDenied
	}
	return true
}

// DeviceStore is the part of a Store that keeps RFC 8628 device authorizations. Keys are
// TokenHash values of the device code and of the normalised user code.
type DeviceStore interface {
	// PutDevice records a new authorization under deviceHash and d.UserCode. It returns
	// ErrUserCodeTaken when a live authorization has the same user code, ErrStoreFull when
	// there is no room, and an error when d.Expires is more than MaxDeviceLifetime after now.
	PutDevice(deviceHash string, d DeviceCode, now time.Time) error
	// DeviceByUser returns the live authorization whose user code hash is userHash, decided
	// or not; ok is false for an unknown or expired one.
	DeviceByUser(userHash string, now time.Time) (d DeviceCode, ok bool)
	// DecideDevice applies DeviceCode.Decide to the authorization with user code hash
	// userHash; false when there is none or it is not pending.
	DecideDevice(userHash string, approve bool, subject string, now time.Time) (DeviceCode, bool)
	// PollDevice applies DeviceCode.Poll to the authorization with device code hash
	// deviceHash and returns it as it is afterwards (the zero DeviceCode for PollUnknown).
	PollDevice(deviceHash, clientID, family string, now time.Time) (DeviceCode, DevicePoll)
}

type deviceEntry struct {
	device string // device code hash
	code   DeviceCode
}

// PutDevice implements DeviceStore.
func (m *MemoryStore) PutDevice(deviceHash string, d DeviceCode, now time.Time) error {
	if d.Expires.After(now.Add(MaxDeviceLifetime)) {
		return errors.New("a device code may live at most 30 minutes")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.userCodes[d.UserCode]; e != nil && e.code.Live(now) {
		return ErrUserCodeTaken
	}
	if _, ok := m.devices[deviceHash]; ok {
		return errors.New("the device code is in use")
	}
	if err := m.room(func() int { return len(m.devices) }, now); err != nil {
		return err
	}
	e := &deviceEntry{device: deviceHash, code: d}
	m.devices[deviceHash] = e
	m.userCodes[d.UserCode] = e
	return nil
}

// DeviceByUser implements DeviceStore.
func (m *MemoryStore) DeviceByUser(userHash string, now time.Time) (DeviceCode, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.userCodes[userHash]
	if e == nil || !e.code.Live(now) {
		return DeviceCode{}, false
	}
	return e.code, true
}

// DecideDevice implements DeviceStore.
func (m *MemoryStore) DecideDevice(userHash string, approve bool, subject string, now time.Time) (DeviceCode, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.userCodes[userHash]
	if e == nil || !e.code.Decide(approve, subject, now) {
		return DeviceCode{}, false
	}
	return e.code, true
}

// PollDevice implements DeviceStore.
func (m *MemoryStore) PollDevice(deviceHash, clientID, family string, now time.Time) (DeviceCode, DevicePoll) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.devices[deviceHash]
	if e == nil {
		return DeviceCode{}, PollUnknown
	}
	p := e.code.Poll(clientID, family, now)
	if p == PollUnknown {
		return DeviceCode{}, PollUnknown
	}
	return e.code, p
}

// sweepDevices drops device authorizations that expired; the caller holds mu. An expired
// entry is kept until the store needs room, so a late poll still gets expired_token.
func (m *MemoryStore) sweepDevices(now time.Time) {
	for h, e := range m.devices {
		if !e.code.Live(now) {
			delete(m.devices, h)
			if m.userCodes[e.code.UserCode] == e {
				delete(m.userCodes, e.code.UserCode)
			}
		}
	}
}

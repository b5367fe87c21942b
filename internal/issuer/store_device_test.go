package issuer

import (
	"errors"
	"testing"
	"time"
)

func TestDeviceCodePoll(t *testing.T) {
	now := testNow
	fresh := func() DeviceCode {
		return DeviceCode{ClientID: "tv", UserCode: "u", Expires: now.Add(10 * time.Minute),
			Interval: 5 * time.Second, LastPoll: now}
	}
	approved := fresh()
	approved.Decide(true, "alice", now)
	denied := fresh()
	denied.Decide(false, "", now)
	used := approved
	used.Used, used.Family = true, "fam0"
	never := fresh()
	never.LastPoll = time.Time{}
	tests := []struct {
		name         string
		d            DeviceCode
		client       string
		at           time.Duration
		want         DevicePoll
		wantInterval time.Duration
	}{
		{"pending after the interval", fresh(), "tv", 5 * time.Second, PollPending, 5 * time.Second},
		{"pending just inside the slack", fresh(), "tv", 5*time.Second - PollSlack, PollPending, 5 * time.Second},
		{"too early slows down", fresh(), "tv", 4 * time.Second, PollSlowDown, 10 * time.Second},
		{"first poll without a last poll", never, "tv", 0, PollPending, 5 * time.Second},
		{"another client", fresh(), "other", 6 * time.Second, PollUnknown, 5 * time.Second},
		{"expired", fresh(), "tv", 10 * time.Minute, PollExpired, 5 * time.Second},
		{"approved", approved, "tv", time.Second, PollApproved, 5 * time.Second},
		{"approved but another client", approved, "other", time.Second, PollUnknown, 5 * time.Second},
		{"approved but expired", approved, "tv", 11 * time.Minute, PollExpired, 5 * time.Second},
		{"denied", denied, "tv", 6 * time.Second, PollDenied, 5 * time.Second},
		{"used", used, "tv", 6 * time.Second, PollReplayed, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.d
			before := d
			if got := d.Poll(tt.client, "fam1", now.Add(tt.at)); got != tt.want {
				t.Fatalf("Poll = %v, want %v", got, tt.want)
			}
			if d.Interval != tt.wantInterval {
				t.Errorf("interval = %v, want %v", d.Interval, tt.wantInterval)
			}
			switch tt.want {
			case PollUnknown:
				if d != before {
					t.Errorf("another client's poll changed the authorization: %+v", d)
				}
			case PollApproved:
				if !d.Used || d.Family != "fam1" {
					t.Errorf("approved poll left used=%v family=%q", d.Used, d.Family)
				}
			case PollReplayed:
				if d.Family != "fam0" {
					t.Errorf("replay rebound the family to %q", d.Family)
				}
			}
		})
	}
}

func TestDeviceCodeDecide(t *testing.T) {
	now := testNow
	d := DeviceCode{ClientID: "tv", Expires: now.Add(time.Minute)}
	if !d.Decide(true, "alice", now) || d.Status != DeviceApproved || d.Subject != "alice" || !d.AuthTime.Equal(now) {
		t.Fatalf("approval: %+v", d)
	}
	if d.Decide(false, "", now) || d.Status != DeviceApproved {
		t.Error("a decided authorization was decided again")
	}
	e := DeviceCode{ClientID: "tv", Expires: now.Add(time.Minute)}
	if e.Decide(true, "alice", now.Add(time.Minute)) {
		t.Error("an expired authorization was approved")
	}
}

// testDeviceStore is the contract of DeviceStore, for any Store: newStore returns an empty
// store that holds at most capacity entries of a kind. A persistent Store runs it too.
func testDeviceStore(t *testing.T, newStore func(capacity int) Store) {
	now := testNow
	m := newStore(2)
	d := DeviceCode{ClientID: "tv", UserCode: "u1", Expires: now.Add(time.Minute), Interval: time.Second, LastPoll: now}
	if err := m.PutDevice("d1", d, now); err != nil {
		t.Fatal(err)
	}
	d2 := d
	if err := m.PutDevice("d2", d2, now); !errors.Is(err, ErrUserCodeTaken) {
		t.Fatalf("same user code: %v, want ErrUserCodeTaken", err)
	}
	d2.UserCode = "u2"
	if err := m.PutDevice("d2", d2, now); err != nil {
		t.Fatal(err)
	}
	d3 := d
	d3.UserCode = "u3"
	if err := m.PutDevice("d3", d3, now); !errors.Is(err, ErrStoreFull) {
		t.Fatalf("third in a store of 2: %v, want ErrStoreFull", err)
	}
	long := d3
	long.Expires = now.Add(MaxDeviceLifetime + time.Second)
	if err := m.PutDevice("d4", long, now); err == nil {
		t.Error("a device code past MaxDeviceLifetime was accepted")
	}

	if got, ok := m.DeviceByUser("u1", now); !ok || got.ClientID != "tv" {
		t.Fatalf("DeviceByUser = %+v %v", got, ok)
	}
	if _, p := m.PollDevice("d1", "tv", "f", now.Add(2*time.Second)); p != PollPending {
		t.Fatalf("poll = %v, want pending", p)
	}
	if _, p := m.PollDevice("d1", "tv", "f", now.Add(2500*time.Millisecond)); p != PollSlowDown {
		t.Fatalf("early poll = %v, want slow_down", p)
	}
	if got, _ := m.DeviceByUser("u1", now); got.Interval != time.Second+SlowDownStep {
		t.Errorf("interval after slow_down = %v", got.Interval)
	}
	if _, ok := m.DecideDevice("nope", true, "alice", now); ok {
		t.Error("an unknown user code was approved")
	}
	if _, ok := m.DecideDevice("u1", true, "alice", now); !ok {
		t.Fatal("approval failed")
	}
	if _, ok := m.DecideDevice("u1", false, "", now); ok {
		t.Error("an approved authorization was denied afterwards")
	}
	if _, p := m.PollDevice("d1", "other", "f", now.Add(10*time.Second)); p != PollUnknown {
		t.Errorf("another client's poll = %v", p)
	}
	got, p := m.PollDevice("d1", "tv", "fam", now.Add(10*time.Second))
	if p != PollApproved || got.Subject != "alice" || got.Family != "fam" {
		t.Fatalf("poll after approval = %v %+v", p, got)
	}
	if got, p := m.PollDevice("d1", "tv", "fam2", now.Add(20*time.Second)); p != PollReplayed || got.Family != "fam" {
		t.Errorf("second poll = %v %q, want replayed with the first family", p, got.Family)
	}
	if _, p := m.PollDevice("d9", "tv", "f", now); p != PollUnknown {
		t.Errorf("unknown device code = %v", p)
	}

	// Expired entries answer expired_token until the store needs the room.
	late := now.Add(2 * time.Minute)
	if _, p := m.PollDevice("d2", "tv", "f", late); p != PollExpired {
		t.Errorf("expired poll = %v", p)
	}
	if _, ok := m.DeviceByUser("u2", late); ok {
		t.Error("an expired user code was found")
	}
	d3.Expires = late.Add(time.Minute)
	if err := m.PutDevice("d3", d3, late); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if _, p := m.PollDevice("d2", "tv", "f", late); p != PollUnknown {
		t.Errorf("swept entry = %v, want unknown", p)
	}
	// A live user code is not handed out twice.
	d5 := d3
	d5.UserCode = "u3"
	if err := m.PutDevice("d5", d5, late); !errors.Is(err, ErrUserCodeTaken) {
		t.Errorf("live duplicate user code: %v", err)
	}
}

// testJTIStore is the contract of JTIStore, for any Store (see testDeviceStore).
func testJTIStore(t *testing.T, newStore func(capacity int) Store) {
	now := testNow
	m := newStore(2)
	if err := m.UseJTI("a", now.Add(time.Minute), now); err != nil {
		t.Fatal(err)
	}
	if err := m.UseJTI("a", now.Add(time.Minute), now.Add(59*time.Second)); !errors.Is(err, ErrReplayed) {
		t.Fatalf("replay = %v, want ErrReplayed", err)
	}
	if err := m.UseJTI("b", now.Add(2*time.Minute), now); err != nil {
		t.Fatal(err)
	}
	if err := m.UseJTI("c", now.Add(time.Minute), now); !errors.Is(err, ErrStoreFull) {
		t.Fatalf("third in a store of 2 = %v, want ErrStoreFull", err)
	}
	later := now.Add(time.Minute)
	if err := m.UseJTI("a", later.Add(time.Minute), later); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if err := m.UseJTI("b", later.Add(time.Minute), later); !errors.Is(err, ErrReplayed) {
		t.Errorf("a live jti was forgotten while sweeping: %v", err)
	}
}

func TestMemoryStoreDevices(t *testing.T) {
	testDeviceStore(t, func(n int) Store { return NewMemoryStore(n) })
}

func TestMemoryStoreJTI(t *testing.T) {
	testJTIStore(t, func(n int) Store { return NewMemoryStore(n) })
}

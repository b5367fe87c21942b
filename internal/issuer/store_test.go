package issuer

import (
	"errors"
	"testing"
	"time"
)

func TestMemoryStoreBounds(t *testing.T) {
	testStoreBounds(t, func(n int) Store { return NewMemoryStore(n) })
}

func TestMemoryStoreRefreshFamily(t *testing.T) {
	testStoreRefreshFamily(t, func(n int) Store { return NewMemoryStore(n) })
}

// testStoreBounds is the contract of a Store's codes and bounds (see testDeviceStore).
func testStoreBounds(t *testing.T, newStore func(capacity int) Store) {
	m := newStore(2)
	now := testNow
	for i, h := range []string{"a", "b"} {
		if err := m.PutCode(h, AuthCode{Expires: now.Add(time.Duration(i+1) * time.Minute)}, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.PutCode("c", AuthCode{Expires: now.Add(time.Minute)}, now); !errors.Is(err, ErrStoreFull) {
		t.Fatalf("third code in a store of 2: %v, want ErrStoreFull", err)
	}
	// Once the first code has expired, there is room again, and the expired one is gone.
	later := now.Add(90 * time.Second)
	if err := m.PutCode("c", AuthCode{Expires: later.Add(time.Minute)}, later); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if _, ok := m.Code("a", later); ok {
		t.Error("an expired code is still there")
	}
	if _, ok := m.Code("b", later); !ok {
		t.Error("a live code was dropped")
	}
	// Codes are single-use and remember their family.
	if f, replayed := m.RedeemCode("b", "fam1", later); replayed || f != "fam1" {
		t.Errorf("first redemption = %q %v", f, replayed)
	}
	if f, replayed := m.RedeemCode("b", "fam2", later); !replayed || f != "fam1" {
		t.Errorf("second redemption = %q %v, want fam1 replayed", f, replayed)
	}
}

// testStoreRefreshFamily is the contract of a Store's refresh families (see testDeviceStore).
func testStoreRefreshFamily(t *testing.T, newStore func(capacity int) Store) {
	m := newStore(10)
	now := testNow
	exp := now.Add(time.Hour)
	if err := m.PutFamily(Family{ID: "f", ClientID: "app", Current: "r1", Expires: exp,
		JTIs: map[string]time.Time{"j1": exp}}, now); err != nil {
		t.Fatal(err)
	}
	if _, st, _ := m.RotateRefresh("r1", "r2", "j2", exp, now); st != RefreshRotated {
		t.Fatalf("rotate = %v", st)
	}
	if _, current, ok := m.Refresh("r1", now); !ok || current {
		t.Errorf("replaced token: ok %v current %v", ok, current)
	}
	if m.Revoked("j1", now) {
		t.Error("revoked before any reuse")
	}
	if _, st, _ := m.RotateRefresh("r1", "r3", "j3", exp, now); st != RefreshReused {
		t.Fatalf("reuse = %v", st)
	}
	for _, jti := range []string{"j1", "j2"} {
		if !m.Revoked(jti, now) {
			t.Errorf("%s is not revoked after the reuse", jti)
		}
	}
	if _, st, _ := m.RotateRefresh("r2", "r4", "j4", exp, now); st != RefreshReused {
		t.Errorf("the current token of a revoked family = %v, want RefreshReused", st)
	}
	if _, st, _ := m.RotateRefresh("r2", "r5", "j5", exp, exp); st != RefreshUnknown {
		t.Errorf("after the family expired = %v", st)
	}
	if m.Revoked("j1", exp) {
		t.Error("a revocation outlived the token")
	}
}

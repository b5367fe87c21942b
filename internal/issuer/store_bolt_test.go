package issuer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newTestBolt returns a function opening a fresh BoltStore in the test's directory.
func newTestBolt(t *testing.T) func(capacity int) Store {
	return func(n int) Store {
		s, err := OpenBoltStore(filepath.Join(t.TempDir(), "state.db"), n, testNow)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

func TestBoltStoreContract(t *testing.T) {
	t.Run("bounds", func(t *testing.T) { testStoreBounds(t, newTestBolt(t)) })
	t.Run("refresh", func(t *testing.T) { testStoreRefreshFamily(t, newTestBolt(t)) })
	t.Run("devices", func(t *testing.T) { testDeviceStore(t, newTestBolt(t)) })
	t.Run("jti", func(t *testing.T) { testJTIStore(t, newTestBolt(t)) })
}

func TestBoltStoreReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	now := testNow
	exp := now.Add(time.Hour)
	s, err := OpenBoltStore(path, 10, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutFamily(Family{ID: "f", ClientID: "app", Current: "r1", Expires: exp,
		JTIs: map[string]time.Time{"j1": exp}}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeJTI("gone", exp, now); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCode("short", AuthCode{Expires: now.Add(time.Minute)}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenBoltStore(path, 10, now); !errors.Is(err, ErrStateLocked) {
		t.Fatalf("second open while the first holds the file: %v, want ErrStateLocked", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode %v %v, want 0600", fi.Mode(), err)
	}

	// Reopened after the code expired: it is swept, the rest is kept.
	later := now.Add(2 * time.Minute)
	s, err = OpenBoltStore(path, 10, later)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Revoked("gone", later) {
		t.Error("a revocation was lost across the restart")
	}
	if _, st, _ := s.RotateRefresh("r1", "r2", "j2", exp, later); st != RefreshRotated {
		t.Fatalf("rotate after restart = %v", st)
	}
	if s.counts[string(bucketCodes)] != 0 {
		t.Errorf("expired code not swept at open: %d codes", s.counts[string(bucketCodes)])
	}
	if s.counts[string(bucketRefresh)] != 2 || s.counts[string(bucketFamilies)] != 1 {
		t.Errorf("counts after reopen = %v", s.counts)
	}
}

func TestBoltStoreBadFile(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := OpenBoltStore(junk, 0, testNow)
	if err == nil || !strings.Contains(err.Error(), junk) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("corrupt file: %v", err)
	}
}

// newTestBoltIssuer returns a function opening the store of issuer tenant-a in a fresh file.
func newTestBoltIssuer(t *testing.T) func(capacity int) Store {
	return func(n int) Store {
		root, err := OpenBoltStore(filepath.Join(t.TempDir(), "state.db"), n, testNow)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { root.Close() })
		s, err := root.ForIssuer("tenant-a", testNow)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func TestBoltStoreIssuerContract(t *testing.T) {
	t.Run("bounds", func(t *testing.T) { testStoreBounds(t, newTestBoltIssuer(t)) })
	t.Run("refresh", func(t *testing.T) { testStoreRefreshFamily(t, newTestBoltIssuer(t)) })
	t.Run("devices", func(t *testing.T) { testDeviceStore(t, newTestBoltIssuer(t)) })
	t.Run("jti", func(t *testing.T) { testJTIStore(t, newTestBoltIssuer(t)) })
}

// Each issuer's records are its own, and persist across a reopen.
func TestBoltStoreIssuersApart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	now := testNow
	exp := now.Add(time.Hour)
	root, err := OpenBoltStore(path, 10, now)
	if err != nil {
		t.Fatal(err)
	}
	a, err := root.ForIssuer("tenant-a", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.PutFamily(Family{ID: "f", ClientID: "app", Current: "r1", Expires: exp}, now); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeJTI("gone", exp, now); err != nil {
		t.Fatal(err)
	}
	if err := a.PutCode("code", AuthCode{Expires: now.Add(time.Minute)}, now); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := root.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := root.ForIssuer("token", now); err == nil {
		t.Error("an endpoint name made a state bucket")
	}

	root, err = OpenBoltStore(path, 10, now)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, id := range []string{"tenant-a", "tenant-b", ""} {
		var s Store = root
		if id != "" {
			if s, err = root.ForIssuer(id, now); err != nil {
				t.Fatal(err)
			}
		}
		_, ok, _ := s.Refresh("r1", now)
		_, codeOK := s.Code("code", now)
		if want := id == "tenant-a"; ok != want || s.Revoked("gone", now) != want || codeOK != want {
			t.Errorf("issuer %q: refresh %v, revoked %v, code %v; want %v", id, ok, s.Revoked("gone", now), codeOK, want)
		}
	}
}

package issuer

import (
	"errors"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/claims"
)

func TestMemoryStoreCodeClaims(t *testing.T) {
	testStoreCodeClaims(t, func(n int) Store { return NewMemoryStore(n) })
}

func TestBoltStoreCodeClaims(t *testing.T) {
	testStoreCodeClaims(t, newTestBolt(t))
}

// testStoreCodeClaims: a code keeps the claims typed at the login page, in order, nested
// values and numbers as typed, and a code without them keeps none.
func testStoreCodeClaims(t *testing.T, newStore func(capacity int) Store) {
	s := newStore(10)
	now := testNow
	typed, err := claims.ParseObject([]byte(`{"tenant":"acme","roles":["admin","dev"],"level":12.50,"org":{"id":7}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutCode("with", AuthCode{Subject: "alice", Claims: typed, Expires: now.Add(time.Minute)}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCode("without", AuthCode{Subject: "bob", Expires: now.Add(time.Minute)}, now); err != nil {
		t.Fatal(err)
	}
	got, ok := s.Code("with", now)
	if !ok || got.Claims == nil || !got.Claims.Equal(typed) {
		t.Fatalf("code claims = %v (found %v), want %v", got.Claims, ok, typed)
	}
	if b, _ := got.Claims.MarshalJSON(); string(b) != `{"tenant":"acme","roles":["admin","dev"],"level":12.50,"org":{"id":7}}` {
		t.Errorf("code claims JSON = %s", b)
	}
	if got, ok := s.Code("without", now); !ok || got.Claims != nil {
		t.Errorf("code without claims: %v %v", got.Claims, ok)
	}
}

func TestMemoryStoreLoginClaims(t *testing.T) {
	testStoreLoginClaims(t, func(n int) Store { return NewMemoryStore(n) })
}

func TestBoltStoreLoginClaims(t *testing.T) {
	testStoreLoginClaims(t, newTestBolt(t))
}

// testStoreLoginClaims: login claims are kept by jti until they expire, an unknown jti has
// none, and a full store refuses a new record until expired ones can be swept.
func testStoreLoginClaims(t *testing.T, newStore func(capacity int) Store) {
	s := newStore(2)
	now := testNow
	typed, err := claims.ParseObject([]byte(`{"tenant":"acme","level":12.50}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutLoginClaims("j1", typed, now.Add(time.Minute), now); err != nil {
		t.Fatal(err)
	}
	if err := s.PutLoginClaims("j2", typed, now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if got := s.LoginClaims("j1", now); got == nil || !got.Equal(typed) {
		t.Fatalf("login claims of j1 = %v, want %v", got, typed)
	}
	if b, _ := s.LoginClaims("j2", now).MarshalJSON(); string(b) != `{"tenant":"acme","level":12.50}` {
		t.Errorf("login claims JSON = %s", b)
	}
	if got := s.LoginClaims("other", now); got != nil {
		t.Errorf("login claims of an unknown jti = %v", got)
	}
	if err := s.PutLoginClaims("j3", typed, now.Add(time.Hour), now); !errors.Is(err, ErrStoreFull) {
		t.Errorf("third record in a store of 2: %v, want ErrStoreFull", err)
	}
	later := now.Add(2 * time.Minute)
	if got := s.LoginClaims("j1", later); got != nil {
		t.Errorf("expired login claims = %v", got)
	}
	if err := s.PutLoginClaims("j3", typed, later.Add(time.Hour), later); err != nil {
		t.Errorf("a record once j1 expired: %v", err)
	}
	if s.LoginClaims("j2", later) == nil || s.LoginClaims("j3", later) == nil {
		t.Error("live login claims lost by the sweep")
	}
}

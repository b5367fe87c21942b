package issuer

import (
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

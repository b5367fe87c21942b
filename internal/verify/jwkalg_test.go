package verify

import (
	"testing"

	"github.com/jwtkit/jwtkit/internal/keys"
)

// TestFullySpecifiedEd25519Alg checks that a JWK whose alg is RFC 9864's "Ed25519" verifies
// EdDSA tokens, as keys.InferAlg reads that alg, instead of being refused as unknown.
func TestFullySpecifiedEd25519Alg(t *testing.T) {
	fx := fixtures()
	k := fx.keyFor("EdDSA")
	tok := sign(t, k, "EdDSA", nil, claimsAt(nil))
	pub := k.Public()
	pub.JWK.Algorithm = "Ed25519"
	v := newVerifier(t, []keys.Key{pub}, Policy{}, Options{})
	if res := v.Verify(parse(t, tok), now); !res.Valid {
		t.Fatalf("EdDSA token refused with a JWK alg of Ed25519: %v", res.Err())
	}
	if got := v.Algorithms(); len(got) != 1 || got[0] != "EdDSA" {
		t.Fatalf("allowed algorithms = %v, want [EdDSA]", got)
	}
}

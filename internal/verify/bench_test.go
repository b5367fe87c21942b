package verify

import (
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

// BenchmarkVerify measures one verification per algorithm: token.Parse plus Verify with a
// typical policy (audience, issuer, a scope), against BenchmarkGoJose, go-jose's raw
// ParseSignedCompact plus Verify of the same token.
func BenchmarkVerify(b *testing.B) {
	fx := fixtures()
	for _, alg := range allAlgs {
		k := fx.keyFor(alg)
		tok := sign(b, k, alg, nil, claimsAt(map[string]any{"iss": "https://idp.test", "aud": "api", "scope": "read:users write:users"}))
		v := newVerifier(b, []keys.Key{k.Public()}, Policy{Issuer: "https://idp.test", Audience: []string{"api"},
			RequireScopes: []string{"read:users"}}, Options{})
		b.Run(alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := token.Parse(tok, 0)
				if err != nil {
					b.Fatal(err)
				}
				if res := v.Verify(p, now); !res.Valid {
					b.Fatal(res.Err())
				}
			}
		})
	}
}

func BenchmarkGoJose(b *testing.B) {
	fx := fixtures()
	for _, alg := range allAlgs {
		k := fx.keyFor(alg)
		tok := sign(b, k, alg, nil, claimsAt(map[string]any{"iss": "https://idp.test", "aud": "api", "scope": "read:users write:users"}))
		pub := publicOf(k)
		algs := []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)}
		b.Run(alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				jws, err := jose.ParseSignedCompact(tok, algs)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := jws.Verify(pub); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

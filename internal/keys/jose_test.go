package keys

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// TestKeysWorkWithGoJose checks that keys from this package sign and verify through go-jose,
// the reference verifier elsewhere in jwtkit, and that go-jose reads the JWKs we write.
func TestKeysWorkWithGoJose(t *testing.T) {
	made := map[string]Key{} // one key per kind, size and curve: RSA keys are slow to make
	for _, alg := range Algorithms() {
		t.Run(alg, func(t *testing.T) {
			kind, size, curve, err := KeyForAlg(alg)
			if err != nil {
				t.Fatal(err)
			}
			id := fmt.Sprint(kind, size, curve)
			k, ok := made[id]
			if !ok {
				if k, err = Generate(rand.Reader, kind, size, curve, ""); err != nil {
					t.Fatal(err)
				}
				made[id] = k
			}
			k.JWK.Algorithm = alg
			signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: k.JWK.Key}, nil)
			if err != nil {
				t.Fatalf("NewSigner: %v", err)
			}
			jws, err := signer.Sign([]byte(`{"sub":"x"}`))
			if err != nil {
				t.Fatal(err)
			}
			compact, _ := jws.CompactSerialize()
			parsed, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			verifyKey := k.Public().JWK.Key
			if _, err := parsed.Verify(verifyKey); err != nil {
				t.Fatalf("go-jose cannot verify with our public key: %v", err)
			}

			out, err := MarshalJWKS([]Key{k}, k.IsSymmetric())
			if err != nil {
				t.Fatal(err)
			}
			var set jose.JSONWebKeySet
			if err := json.Unmarshal(out, &set); err != nil || len(set.Keys) != 1 {
				t.Fatalf("go-jose cannot read our JWK Set: %v\n%s", err, out)
			}
			if _, err := parsed.Verify(set.Keys[0]); err != nil {
				t.Errorf("go-jose cannot verify with the JWK it read: %v", err)
			}
			if set.Keys[0].KeyID != k.JWK.KeyID || set.Keys[0].Algorithm != alg || set.Keys[0].Use != "sig" {
				t.Errorf("go-jose read kid %q alg %q use %q", set.Keys[0].KeyID, set.Keys[0].Algorithm, set.Keys[0].Use)
			}
		})
	}
}

package issuer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/token"
)

func TestVerifySignature(t *testing.T) {
	const input = "eyJhbGciOiJ0ZXN0In0.eyJzdWIiOiJ4In0"
	for _, alg := range assertionAlgs {
		t.Run(alg, func(t *testing.T) {
			k := genKey(t, alg)
			tok, err := token.Sign(alg, k.JWK.Key, []byte(`{"alg":"`+alg+`"}`), []byte(`{"sub":"x"}`), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			p, err := token.Parse(tok, 0)
			if err != nil {
				t.Fatal(err)
			}
			pub := k.Public().JWK.Key
			if err := verifySignature(alg, pub, p.SigningInput, p.Signature); err != nil {
				t.Fatalf("a good signature fails: %v", err)
			}
			bad := append([]byte(nil), p.Signature...)
			bad[len(bad)/2] ^= 0x40
			if verifySignature(alg, pub, p.SigningInput, bad) == nil {
				t.Error("a changed signature verifies")
			}
			if verifySignature(alg, pub, p.SigningInput+"x", p.Signature) == nil {
				t.Error("a changed input verifies")
			}
			if verifySignature(alg, pub, p.SigningInput, p.Signature[:len(p.Signature)-1]) == nil {
				t.Error("a truncated signature verifies")
			}
			other := genKey(t, "ES384").Public().JWK.Key
			if alg == "ES384" {
				other = genKey(t, "ES256").Public().JWK.Key
			}
			if verifySignature(alg, other, p.SigningInput, p.Signature) == nil {
				t.Error("another key verifies")
			}
		})
	}
	for _, alg := range []string{"", "none", "HS256", "XS256", "RS1", "E"} {
		if verifySignature(alg, nil, input, nil) == nil {
			t.Errorf("alg %q verifies", alg)
		}
	}
}

// TestVerifyPSSSaltLength checks RFC 7518 §3.5: a PSS signature whose salt is not as long as
// the hash is refused, though Go's automatic salt detection would accept it.
func TestVerifyPSSSaltLength(t *testing.T) {
	k := genKey(t, "PS256")
	priv := k.JWK.Key.(*rsa.PrivateKey)
	input := "eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJ4In0"
	digest := sha256.Sum256([]byte(input))
	for _, tc := range []struct {
		salt int
		ok   bool
	}{{32, true}, {rsa.PSSSaltLengthAuto, false}, {20, false}, {0, false}} {
		sig, err := rsa.SignPSS(rand.Reader, priv, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: tc.salt})
		if err != nil {
			t.Fatal(err)
		}
		if err := verifySignature("PS256", &priv.PublicKey, input, sig); (err == nil) != tc.ok {
			t.Errorf("salt %d: err = %v, want ok=%v", tc.salt, err, tc.ok)
		}
	}
}

// TestVerifyECDSAFormat refuses a DER-encoded ECDSA signature (RFC 7518 §3.4 wants r||s).
func TestVerifyECDSAFormat(t *testing.T) {
	k := genKey(t, "ES256")
	priv := k.JWK.Key.(*ecdsa.PrivateKey)
	input := "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0"
	digest := sha256.Sum256([]byte(input))
	der, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if verifySignature("ES256", &priv.PublicKey, input, der) == nil {
		t.Error("a DER signature verifies")
	}
	if !strings.HasPrefix(k.JWK.Algorithm, "ES") {
		t.Fatal("not an EC key")
	}
}

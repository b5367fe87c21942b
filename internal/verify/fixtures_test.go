package verify

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

// now is the fixed clock of these tests.
var now = time.Date(2026, time.November, 23, 5, 0, 0, 0, time.UTC)

// testKeys holds one private key per algorithm family, made once per test binary: RSA key
// generation is slow.
type testKeys struct {
	rsa, rsa2           keys.Key
	p256, p384, p521    keys.Key
	ed, secret, secret2 keys.Key
}

var fixtures = sync.OnceValue(func() *testKeys {
	gen := func(kind string, size int, curve string) keys.Key {
		k, err := keys.Generate(nil, kind, size, curve, "")
		if err != nil {
			panic(err)
		}
		return k
	}
	return &testKeys{
		rsa: gen("RSA", 2048, ""), rsa2: gen("RSA", 2048, ""),
		p256: gen("EC", 0, "P-256"), p384: gen("EC", 0, "P-384"), p521: gen("EC", 0, "P-521"),
		ed: gen("OKP", 0, "Ed25519"), secret: gen("oct", 512, ""), secret2: gen("oct", 512, ""),
	}
})

// keyFor returns the fixture key that signs alg.
func (k *testKeys) keyFor(alg string) keys.Key {
	switch alg[:2] {
	case "HS":
		return k.secret
	case "RS", "PS":
		return k.rsa
	case "Ed":
		return k.ed
	}
	switch alg {
	case "ES256":
		return k.p256
	case "ES384":
		return k.p384
	}
	return k.p521
}

var allAlgs = []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA"}

// mustJSON marshals v.
func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sign makes a token with token.Sign from a header (alg and kid are set from the arguments
// unless the header has them) and claims.
func sign(t testing.TB, k keys.Key, alg string, header map[string]any, claims map[string]any) string {
	t.Helper()
	h := map[string]any{"alg": alg, "typ": "JWT"}
	if k.JWK.KeyID != "" {
		h["kid"] = k.JWK.KeyID
	}
	for name, v := range header {
		if v == nil {
			delete(h, name)
		} else {
			h[name] = v
		}
	}
	tok, err := token.Sign(alg, k.JWK.Key, mustJSON(t, h), mustJSON(t, claims), nil)
	if err != nil {
		t.Fatalf("signing %s: %v", alg, err)
	}
	return tok
}

// b64 encodes a segment.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// assemble builds a compact token from raw parts.
func assemble(header, payload, sig []byte) string {
	return b64(header) + "." + b64(payload) + "." + b64(sig)
}

// parse parses a token or fails the test.
func parse(t testing.TB, tok string) *token.Parsed {
	t.Helper()
	p, err := token.Parse(tok, 0)
	if err != nil {
		t.Fatalf("parsing %q: %v", tok, err)
	}
	return p
}

// newVerifier makes a verifier or fails the test.
func newVerifier(t testing.TB, ks []keys.Key, p Policy, o Options) *Verifier {
	t.Helper()
	v, err := New(ks, p, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

// claimsAt returns standard claims valid at now.
func claimsAt(extra map[string]any) map[string]any {
	c := map[string]any{"sub": "alice", "iat": now.Unix() - 60, "exp": now.Unix() + 3600}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// publicOf returns the public key value of a fixture.
func publicOf(k keys.Key) any {
	switch key := k.JWK.Key.(type) {
	case *rsa.PrivateKey:
		return &key.PublicKey
	case *ecdsa.PrivateKey:
		return &key.PublicKey
	case ed25519.PrivateKey:
		return key.Public()
	}
	return k.JWK.Key
}

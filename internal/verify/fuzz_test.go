package verify

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

// FuzzVerify feeds hostile tokens to the engine, with keys of every family. It must never
// panic, detail and plain mode must agree, and whatever it accepts go-jose must accept too with
// the key that verified it (jwtkit is stricter than go-jose, never looser), with the claims
// being the token's payload.
func FuzzVerify(f *testing.F) {
	fx := fixtures()
	ks := []keys.Key{fx.secret, fx.rsa.Public(), fx.p256.Public(), fx.ed.Public()}
	for _, alg := range []string{"HS256", "RS256", "PS256", "ES256", "EdDSA"} {
		f.Add(sign(f, fx.keyFor(alg), alg, nil, claimsAt(map[string]any{"aud": "api", "scope": "a b"})))
	}
	f.Add(sign(f, fx.secret, "HS256", map[string]any{"kid": nil, "crit": []string{"b64"}, "b64": true}, claimsAt(nil)))
	f.Add(sign(f, fx.p256, "ES256", map[string]any{"jwk": map[string]any{"kty": "EC"}}, claimsAt(map[string]any{"exp": 1.5})))
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add("eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVy.dGFn")
	f.Add("eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19.x.AAAA")
	pol := Policy{Audience: []string{"api"}, RequireScopes: []string{"a"}, Claims: []ClaimRequirement{{Path: []string{"sub"}, Name: "sub"}}}
	plain := newVerifier(f, ks, pol, Options{})
	detail := newVerifier(f, ks, pol, Options{Detail: true})
	keyByDesc := map[string]any{}
	for _, c := range plain.keys {
		keyByDesc[c.desc] = c.key.JWK.Key
	}
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := token.Parse(tok, 0)
		if err != nil {
			return
		}
		a := plain.Verify(p, now)
		b := detail.Verify(p, now)
		if a.Valid != b.Valid {
			t.Fatalf("plain valid %v, detail valid %v", a.Valid, b.Valid)
		}
		ca, fa := a.Failure()
		cb, fb := b.Failure()
		if fa != fb || ca.Code != cb.Code || ca.Message != cb.Message {
			t.Fatalf("first failures differ: %+v vs %+v", ca, cb)
		}
		if !a.Valid {
			if ca.Message == "" || strings.Contains(ca.Message, "\n") {
				t.Fatalf("bad failure message %q", ca.Message)
			}
			return
		}
		if !bytes.Equal(a.Claims, p.PayloadJSON) {
			t.Fatal("claims are not the payload")
		}
		key, ok := keyByDesc[a.Key]
		if !ok {
			t.Fatalf("verified by an unknown key %q", a.Key)
		}
		jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(a.Alg)})
		if err != nil {
			t.Fatalf("jwtkit accepted what go-jose cannot parse: %v", err)
		}
		payload, err := jws.Verify(key)
		if err != nil {
			t.Fatalf("jwtkit accepted what go-jose refuses: %v", err)
		}
		if !bytes.Equal(payload, p.PayloadJSON) {
			t.Fatal("go-jose verified another payload")
		}
	})
}

// FuzzParseClaimRequirement checks the --require-claim parser on any input: no panic, and
// what parses is usable.
func FuzzParseClaimRequirement(f *testing.F) {
	for _, s := range []string{"role", "role=admin", "level=3", `o={"a":[1,2]}`, `a\.b=c`, "a.b.c=", "x+=1",
		"=v", "a..b", `k="quoted"`, "n=1e999999", "https://example.com/roles=admin", "\xff=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseClaimRequirement(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if len(r.Path) == 0 {
			t.Fatal("empty path accepted")
		}
		for _, p := range r.Path {
			if p == "" {
				t.Fatal("empty path element accepted")
			}
		}
		if r.HasValue {
			if !json.Valid([]byte(r.ValueJSON)) {
				t.Fatalf("ValueJSON %q is not JSON", r.ValueJSON)
			}
			if !claimMatches(r.Value, r.Value) {
				t.Fatalf("value %s does not match itself", r.ValueJSON)
			}
		}
	})
}

// FuzzEqualNumber checks number comparison on any pair of literals: no panic or hang (big
// exponents), reflexive and symmetric.
func FuzzEqualNumber(f *testing.F) {
	f.Add("1", "1.0")
	f.Add("1e999999999", "1e999999999")
	f.Add("-0", "0")
	f.Add("0.1", "1e-1")
	f.Add("123456789012345678901234567890", "1.2345678901234567890123456789e29")
	f.Fuzz(func(t *testing.T, a, b string) {
		x, y := json.Number(a), json.Number(b)
		if equalNumber(x, y) != equalNumber(y, x) {
			t.Fatalf("not symmetric: %q %q", a, b)
		}
		// Equal values round to the same float64; different float64 values are different.
		fx, errX := strconv.ParseFloat(a, 64)
		fy, errY := strconv.ParseFloat(b, 64)
		if errX == nil && errY == nil && json.Valid([]byte(a)) && json.Valid([]byte(b)) {
			if equalNumber(x, y) && fx != fy {
				t.Fatalf("%q and %q are equal but round to %v and %v", a, b, fx, fy)
			}
		}
	})
}

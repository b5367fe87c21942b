package verify

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

// The fast path's differential tests: parseSimple against token.Parse, Fast against Reference
// (go-jose), and a Verifier with both fast parts against one with neither. The fuzz targets
// build tokens from fuzzed header and payload JSON and sign them, so that the fuzzer explores
// what a header may hold with a signature that verifies; mutating a signed token only reaches
// bad signatures.

// fastSeeds are header and payload JSON texts for the fuzz targets: common shapes, shapes the
// fast path leaves to the reference, and edge cases of JSON.
var fastSeeds = []struct{ header, payload string }{
	{`{"alg":"HS256","typ":"JWT"}`, `{"sub":"alice","iat":1764064800,"exp":4102444800}`},
	{`{"alg":"ES256","typ":"at+jwt","kid":"k1"}`, `{"iss":"https:\/\/idp.test\/","aud":["api","web"],"scope":"a b","exp":4102444800}`},
	{`{ "alg" : "RS256" , "kid" : "x" }`, "{\n  \"sub\": \"bob\",\n  \"n\": -0.5e+3,\n  \"ok\": true,\n  \"no\": null\n}\n"},
	{`{"alg":"EdDSA","kid":5}`, `{"scopes":{"users":{"actions":["read","create"]}},"roles":[]}`},
	{`{"alg":"PS256","typ":null}`, `{"sub":"caf\u00e9","e":"\ud83d\ude00","x":"\ud800"}`},
	{`{"alg":"HS256","crit":["b64"],"b64":true}`, `{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":1}}}}}}}}}}}}}}}}}`},
	{`{"alg":"HS256","jwk":{"kty":"oct","k":"AA"},"x5c":["MII"]}`, `{"sub":"a","sub":"b"}`},
	{`{"alg":"HS256","b64":false,"crit":["b64"]}`, `{"esc":"\"\\\/\b\f\n\r\t","n":01}`},
	{`{"alg":"ES384","typ":"JWT","x5u":"https://evil.test/"}`, `{"exp":1e999999,"nbf":"1764064800","iat":1.5}`},
	{`{"alg":"HS512"}`, `[1,2]`},
	{`{"alg":"none"}`, `{}`},
	{`{"alg":"HS256","kid":"a\"b"}`, "{\"s\":\"tab\there\"}"},
}

// FuzzParseSimple checks that parseSimple, when it takes a token, returns exactly what
// token.Parse does; tokens are built from fuzzed header and payload bytes and a signature.
func FuzzParseSimple(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add(s.header, s.payload, []byte{1, 2, 3})
	}
	f.Fuzz(func(t *testing.T, header, payload string, sig []byte) {
		tok := assemble([]byte(header), []byte(payload), sig)
		checkParseSimple(t, tok)
		// The raw text too: dots, padding and other characters the scanner must leave alone.
		checkParseSimple(t, header)
	})
}

func checkParseSimple(t *testing.T, tok string) {
	t.Helper()
	got, ok := parseSimple(tok, 0)
	want, err := token.Parse(tok, 0)
	if !ok {
		return
	}
	if err != nil {
		t.Fatalf("parseSimple took %q, which token.Parse refuses: %v", tok, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parseSimple(%q) =\n%#v\ntoken.Parse gives\n%#v", tok, got, want)
	}
	if p, err := Parse(tok, 0); err != nil || !reflect.DeepEqual(p, want) {
		t.Fatalf("Parse(%q) differs from token.Parse: %v", tok, err)
	}
}

// fastKeys returns, for alg, the key that signs and the public keys to check with: the right
// one, another of the same kind, and one of another curve or hash size where there is one.
func fastKeys(alg string) (signer keys.Key, pubs []any) {
	fx := fixtures()
	signer = fx.keyFor(alg)
	switch alg[:2] {
	case "HS":
		return signer, []any{fx.secret.JWK.Key, fx.secret2.JWK.Key, fx.secret.JWK.Key.([]byte)[:32]}
	case "RS", "PS":
		return signer, []any{publicOf(fx.rsa), publicOf(fx.rsa2)}
	case "Ed":
		return signer, []any{publicOf(fx.ed), publicOf(fx.p256)}
	}
	pubs = []any{publicOf(signer)}
	for _, k := range []keys.Key{fx.p256, fx.p384, fx.p521} {
		if k.JWK.Key != signer.JWK.Key {
			pubs = append(pubs, publicOf(k))
		}
	}
	return signer, pubs
}

// fastToken signs header and payload for allAlgs[algIndex] and parses the token; tamper flips a
// bit of the signature. It reports false when there is no token to check.
func fastToken(header, payload string, algIndex, tamper uint8) (p *token.Parsed, alg string, pubs []any, ok bool) {
	alg = allAlgs[int(algIndex)%len(allAlgs)]
	signer, pubs := fastKeys(alg)
	tok, err := token.Sign(alg, signer.JWK.Key, []byte(header), []byte(payload), nil)
	if err != nil {
		return nil, "", nil, false
	}
	if tamper != 0 {
		dot := strings.LastIndexByte(tok, '.')
		sig := []byte(tok[dot+1:])
		i := int(tamper) % len(sig)
		if sig[i] == 'A' {
			sig[i] = 'B'
		} else {
			sig[i] = 'A'
		}
		tok = tok[:dot+1] + string(sig)
	}
	p, err = token.Parse(tok, 0)
	if err != nil {
		return nil, "", nil, false
	}
	return p, alg, pubs, true
}

// FuzzFastSignature checks that Fast gives Reference's verdict, with Reference's reason, for
// every algorithm and key on tokens signed over fuzzed headers and payloads.
func FuzzFastSignature(f *testing.F) {
	for i, s := range fastSeeds {
		for a := range allAlgs {
			f.Add(s.header, s.payload, uint8(a), uint8(0))
		}
		f.Add(s.header, s.payload, uint8(i), uint8(i+1))
	}
	f.Fuzz(func(t *testing.T, header, payload string, algIndex, tamper uint8) {
		p, signedAlg, pubs, ok := fastToken(header, payload, algIndex, tamper)
		if !ok {
			return
		}
		for _, alg := range []string{signedAlg, p.Alg()} {
			for _, pub := range pubs {
				for _, fast := range []Fast{{}, {macs: newMacCache([]candidate{{key: keys.SecretKey(asSecret(pub), "fuzz")}})}} {
					errF := fast.CheckSignature(p, alg, pub)
					errR := Reference{}.CheckSignature(p, alg, pub)
					if !sameVerdict(errF, errR, fastHeader(p, alg)) {
						t.Fatalf("%s with %T on %q: Fast says %v, Reference says %v", alg, pub, p.Raw, errF, errR)
					}
				}
			}
		}
	})
}

// asSecret returns key when it is an HMAC secret, else nil.
func asSecret(key any) []byte {
	secret, _ := key.([]byte)
	return secret
}

// sameVerdict reports whether two signature checks agree: both accept, or both refuse with
// the same kind of error, and with the same reason when exact. go-jose words some refusals
// differently from one call to the next (it reads header members in map order), so the reason
// is compared only on the tokens Fast takes, whose headers go-jose reads the same way each time.
func sameVerdict(got, want error, exact bool) bool {
	if (got == nil) != (want == nil) {
		return false
	}
	if got == nil {
		return true
	}
	var seGot, seWant *SignatureError
	if errors.As(got, &seGot) != errors.As(want, &seWant) {
		return false
	}
	return !exact || got.Error() == want.Error()
}

// FuzzVerifyFast checks that a Verifier reading tokens with Parse and checking signatures with
// Fast returns the same Result, checks and messages included, as one using token.Parse and
// Reference.
func FuzzVerifyFast(f *testing.F) {
	for i, s := range fastSeeds {
		f.Add(s.header, s.payload, uint8(i), uint8(0))
	}
	f.Add(`{"alg":"HS256","typ":"JWT"}`, `{"sub":"alice","aud":"api","scope":"read write","iat":1764064800,"exp":4102444800}`, uint8(0), uint8(0))
	f.Add(`{"alg":"ES256","kid":"p256"}`, `{"sub":"alice","aud":["api"],"scope":"read","exp":1764064800}`, uint8(9), uint8(0))
	// Every registered claim with a value of every JSON type, at every depth (claimtypes_test.go),
	// beside the claims the policy below asks for, so that the fuzzer starts from tokens whose
	// verdict turns on a claim's type.
	for i, c := range registeredClaims {
		for j, val := range claimValues {
			f.Add(`{"alg":"HS256","typ":"JWT"}`, claimTypeSeed(c.name, c.number, val.json), uint8(i+j), uint8(0))
		}
	}
	fx := fixtures()
	ks := []keys.Key{fx.secret, fx.rsa.Public(), fx.p256.Public(), fx.p384.Public(), fx.p521.Public(), fx.ed.Public()}
	pol := Policy{Audience: []string{"api"}, RequireScopes: []string{"read"}, Claims: []ClaimRequirement{{Path: []string{"sub"}, Name: "sub"}}}
	var pairs [4][2]*Verifier // [policy or none × detail][fast]
	for d, detail := range []bool{false, true} {
		pairs[d][0] = newVerifier(f, ks, pol, Options{Detail: detail, Signature: Reference{}})
		pairs[d][1] = newVerifier(f, ks, pol, Options{Detail: detail})
		pairs[2+d][0] = newVerifier(f, ks, Policy{}, Options{Detail: detail, Signature: Reference{}})
		pairs[2+d][1] = newVerifier(f, ks, Policy{}, Options{Detail: detail})
	}
	f.Fuzz(func(t *testing.T, header, payload string, algIndex, tamper uint8) {
		p, _, _, ok := fastToken(header, payload, algIndex, tamper)
		if !ok {
			return
		}
		fastP, err := Parse(p.Raw, 0)
		if err != nil {
			t.Fatalf("Parse refuses %q, which token.Parse took: %v", p.Raw, err)
		}
		// The two paths share the claim checks, so agreeing with each other proves nothing about
		// them (how a number inside aud went unseen): go-jose's jwt package judges the claim
		// types independently, and what it refuses to read must not verify.
		joseRefuses := goJoseRefusesClaims(t, p.Raw)
		for _, pair := range pairs {
			want := pair[0].Verify(p, now)
			got := pair[1].Verify(fastP, now)
			if joseRefuses && (got.Valid || want.Valid) {
				t.Fatalf("go-jose refuses the claims of %q, which verify accepts", p.Raw)
			}
			if reflect.DeepEqual(got, want) {
				continue
			}
			// A go-jose refusal may be worded differently by another call (see sameVerdict):
			// on the tokens Fast leaves to go-jose, the verdict and the failed check must agree.
			cg, _ := got.Failure()
			cw, _ := want.Failure()
			if fastHeader(p, p.Alg()) || got.Valid != want.Valid || cg.Name != cw.Name || cg.Code != cw.Code {
				t.Fatalf("on %q the fast path gives\n%#v\nthe reference path\n%#v", p.Raw, got, want)
			}
		}
	})
}

// claimTypeSeed is a payload that meets FuzzVerifyFast's policy (sub, aud api, scope read, a
// future exp) except that claim has the JSON value (NUM standing for number, or 1).
func claimTypeSeed(claim, number, value string) string {
	if number == "" {
		number = "1"
	}
	members := []string{`"sub":"alice"`, `"aud":"api"`, `"scope":"read"`, `"exp":4102444800`}
	out := []string{`"` + claim + `":` + strings.ReplaceAll(value, "NUM", number)}
	for _, m := range members {
		if !strings.HasPrefix(m, `"`+claim+`"`) {
			out = append(out, m)
		}
	}
	return "{" + strings.Join(out, ",") + "}"
}

// TestParseSimpleTakesCommonTokens keeps the fast path in use: tokens as common libraries write
// them must not fall back to token.Parse.
func TestParseSimpleTakesCommonTokens(t *testing.T) {
	tests := []struct{ header, payload string }{
		{`{"alg":"HS256","typ":"JWT"}`, `{"sub":"1234567890","name":"John Doe","iat":1516239022}`},
		{`{"alg":"RS256","kid":"abc","typ":"at+jwt"}`, `{"iss":"https://idp.test/","aud":["api","web"],"scope":"read write","client_id":"ci","exp":4102444800,"iat":1764064800,"jti":"x"}`},
		{`{"typ":"JWT","alg":"ES256"}`, `{"iss":"https:\/\/example.com","scopes":{"users":{"actions":["read"]}},"admin":true,"ratio":0.5,"none":null}`},
		{`{"alg": "EdDSA", "typ": "JWT"}`, `{"sub": "alice", "exp": 4102444800}`},
	}
	for _, tt := range tests {
		tok := assemble([]byte(tt.header), []byte(tt.payload), []byte{1, 2, 3})
		if _, ok := parseSimple(tok, 0); !ok {
			t.Errorf("parseSimple leaves %s . %s to token.Parse", tt.header, tt.payload)
		}
		checkParseSimple(t, tok)
	}
}

// TestFastTakesCommonTokens keeps Fast in use for every algorithm: a token with alg, typ and
// kid verifies without Reference.
func TestFastTakesCommonTokens(t *testing.T) {
	for _, alg := range allAlgs {
		signer, pubs := fastKeys(alg)
		tok, err := token.Sign(alg, signer.JWK.Key, []byte(`{"alg":"`+alg+`","typ":"JWT","kid":"k"}`), []byte(`{"sub":"a"}`), nil)
		if err != nil {
			t.Fatal(err)
		}
		p := parse(t, tok)
		if !(Fast{}).check(p, alg, pubs[0]) {
			t.Errorf("%s: Fast hands a common token to Reference", alg)
		}
		for _, other := range pubs[1:] {
			if (Fast{}).check(p, alg, other) {
				t.Errorf("%s: Fast accepts the signature with another key (%T)", alg, other)
			}
		}
	}
}

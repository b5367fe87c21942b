package verify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"hash"
	"strconv"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
)

func TestEveryAlgorithmVerifies(t *testing.T) {
	fx := fixtures()
	for _, alg := range allAlgs {
		t.Run(alg, func(t *testing.T) {
			k := fx.keyFor(alg)
			claims := claimsAt(map[string]any{"scope": "read:users"})
			tok := sign(t, k, alg, nil, claims)
			// The verifier gets the public half only (a secret stays itself).
			v := newVerifier(t, []keys.Key{k.Public()}, Policy{}, Options{})
			res := v.Verify(parse(t, tok), now)
			if !res.Valid {
				t.Fatalf("%s token rejected: %v", alg, res.Err())
			}
			if res.Err() != nil {
				t.Fatalf("Err() = %v for a valid token", res.Err())
			}
			if !bytes.Equal(res.Claims, mustJSON(t, claims)) {
				t.Fatalf("claims = %s, want %s", res.Claims, mustJSON(t, claims))
			}
			if res.Alg != alg || res.Kid != k.JWK.KeyID || res.Key == "" {
				t.Fatalf("alg/kid/key = %q/%q/%q", res.Alg, res.Kid, res.Key)
			}
			if len(res.Checks) != 0 {
				t.Fatalf("without detail a valid result records no checks, got %+v", res.Checks)
			}
		})
	}
}

// TestTokensFromGoJose verifies tokens made by an independent signer (go-jose).
func TestTokensFromGoJose(t *testing.T) {
	fx := fixtures()
	for _, alg := range allAlgs {
		t.Run(alg, func(t *testing.T) {
			k := fx.keyFor(alg)
			signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: k.JWK.Key},
				(&jose.SignerOptions{}).WithType("JWT"))
			if err != nil {
				t.Fatal(err)
			}
			obj, err := signer.Sign(mustJSON(t, claimsAt(nil)))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := obj.CompactSerialize()
			if err != nil {
				t.Fatal(err)
			}
			res := newVerifier(t, []keys.Key{k}, Policy{}, Options{}).Verify(parse(t, tok), now)
			if !res.Valid {
				t.Fatalf("go-jose %s token rejected: %v", alg, res.Err())
			}
		})
	}
}

// code runs a token through Parse and Verify and returns the failure code ("" when valid) and
// message.
func code(t *testing.T, v *Verifier, tok string) (string, string) {
	t.Helper()
	res := v.Verify(parse(t, tok), now)
	c, failed := res.Failure()
	if res.Valid == failed {
		t.Fatalf("Valid = %v but Failure found = %v", res.Valid, failed)
	}
	if !failed {
		return "", ""
	}
	return c.Code, c.Message
}

func TestClaimChecks(t *testing.T) {
	fx := fixtures()
	k := fx.p256
	nowUnix := now.Unix()
	tests := []struct {
		name    string
		policy  Policy
		header  map[string]any
		claims  map[string]any
		code    string
		message string // exact when set
		contain string
	}{
		{name: "valid", claims: claimsAt(nil)},
		{name: "exp equal to now is expired", claims: claimsAt(map[string]any{"exp": nowUnix}), code: CodeExpired,
			message: "token expired just now (exp 2026-11-23T05:00:00Z); use --leeway to allow clock skew"},
		{name: "expired", claims: claimsAt(map[string]any{"exp": nowUnix - 192}), code: CodeExpired,
			message: "token expired 3m12s ago (exp 2026-11-23T04:56:48Z); use --leeway to allow clock skew"},
		{name: "leeway covers skew", policy: Policy{Leeway: time.Minute}, claims: claimsAt(map[string]any{"exp": nowUnix - 59})},
		{name: "leeway is exceeded", policy: Policy{Leeway: time.Minute}, claims: claimsAt(map[string]any{"exp": nowUnix - 60}),
			code: CodeExpired, contain: "beyond the 1m leeway"},
		{name: "exp one second ahead", claims: claimsAt(map[string]any{"exp": nowUnix + 1})},
		{name: "fractional exp just past", claims: claimsAt(map[string]any{"exp": json.Number(strconv.FormatInt(nowUnix-1, 10) + ".5")}), code: CodeExpired},
		{name: "exp null", claims: claimsAt(map[string]any{"exp": json.RawMessage("null")}), code: CodeBadTimeClaim, contain: `"exp" is null`},
		{name: "exp string", claims: claimsAt(map[string]any{"exp": "1795323600"}), code: CodeBadTimeClaim, contain: "string"},
		{name: "exp bool", claims: claimsAt(map[string]any{"exp": true}), code: CodeBadTimeClaim},
		{name: "exp milliseconds", claims: claimsAt(map[string]any{"exp": nowUnix * 1000}), code: CodeBadTimeClaim, contain: "milliseconds"},
		{name: "no exp allowed by default", claims: claimsAt(map[string]any{"exp": nil})},
		{name: "require exp", policy: Policy{RequireExp: true}, claims: claimsAt(map[string]any{"exp": nil}), code: CodeMissingExp,
			message: "token has no exp claim; --require-exp needs one"},
		{name: "nbf future", claims: claimsAt(map[string]any{"nbf": nowUnix + 300}), code: CodeNotYetValid,
			message: "token is not valid yet: it starts in 5m (nbf 2026-11-23T05:05:00Z); use --leeway to allow clock skew"},
		{name: "nbf now", claims: claimsAt(map[string]any{"nbf": nowUnix})},
		{name: "nbf within leeway", policy: Policy{Leeway: 5 * time.Minute}, claims: claimsAt(map[string]any{"nbf": nowUnix + 300})},
		{name: "nbf null", claims: claimsAt(map[string]any{"nbf": json.RawMessage("null")}), code: CodeBadTimeClaim},
		{name: "iat future", claims: claimsAt(map[string]any{"iat": nowUnix + 120}), code: CodeIatInFuture, contain: "issued 2m in the future"},
		{name: "iat object", claims: claimsAt(map[string]any{"iat": map[string]any{}}), code: CodeBadTimeClaim},
		{name: "max age ok", policy: Policy{MaxAge: time.Hour}, claims: claimsAt(nil)},
		{name: "max age exceeded", policy: Policy{MaxAge: time.Minute}, claims: claimsAt(map[string]any{"iat": nowUnix - 3600}),
			code: CodeTooOld, message: "token was issued 1h ago (iat 2026-11-23T04:00:00Z), more than --max-age 1m"},
		{name: "max age needs iat", policy: Policy{MaxAge: time.Minute}, claims: claimsAt(map[string]any{"iat": nil}), code: CodeMissingIat},
		{name: "issuer ok", policy: Policy{Issuer: "https://idp.test"}, claims: claimsAt(map[string]any{"iss": "https://idp.test"})},
		{name: "issuer mismatch", policy: Policy{Issuer: "https://idp.test"}, claims: claimsAt(map[string]any{"iss": "https://evil.test"}),
			code: CodeIssuer, message: `issuer mismatch: token has "https://evil.test", expected "https://idp.test"`},
		{name: "issuer trailing slash differs", policy: Policy{Issuer: "https://idp.test"}, claims: claimsAt(map[string]any{"iss": "https://idp.test/"}), code: CodeIssuer},
		{name: "issuer missing", policy: Policy{Issuer: "https://idp.test"}, claims: claimsAt(nil), code: CodeIssuer,
			message: `issuer mismatch: token has no iss, expected "https://idp.test"`},
		{name: "issuer not a string", policy: Policy{Issuer: "1"}, claims: claimsAt(map[string]any{"iss": 1}), code: CodeBadClaimType},
		{name: "audience string", policy: Policy{Audience: []string{"api://b"}}, claims: claimsAt(map[string]any{"aud": "api://b"})},
		{name: "audience array", policy: Policy{Audience: []string{"api://b"}}, claims: claimsAt(map[string]any{"aud": []string{"api://a", "api://b"}})},
		{name: "audience one of several", policy: Policy{Audience: []string{"x", "api://a"}}, claims: claimsAt(map[string]any{"aud": []string{"api://a"}})},
		{name: "audience mismatch", policy: Policy{Audience: []string{"api://b"}}, claims: claimsAt(map[string]any{"aud": []string{"api://a"}}),
			code: CodeAudience, message: `audience mismatch: token has ["api://a"], expected "api://b"`},
		{name: "audience mismatch several", policy: Policy{Audience: []string{"b", "c"}}, claims: claimsAt(map[string]any{"aud": "a"}),
			code: CodeAudience, message: `audience mismatch: token has "a", expected one of ["b","c"]`},
		{name: "audience missing", policy: Policy{Audience: []string{"b"}}, claims: claimsAt(nil), code: CodeAudience,
			message: `audience mismatch: token has no aud, expected "b"`},
		{name: "audience non-string members", policy: Policy{Audience: []string{"1"}}, claims: claimsAt(map[string]any{"aud": []any{1, nil}}), code: CodeBadClaimType},
		{name: "subject", policy: Policy{Subject: "alice"}, claims: claimsAt(nil)},
		{name: "subject mismatch", policy: Policy{Subject: "bob"}, claims: claimsAt(nil), code: CodeSubject,
			message: `subject mismatch: token has "alice", expected "bob"`},
		{name: "typ at+jwt", policy: Policy{Type: "at+jwt"}, header: map[string]any{"typ": "at+jwt"}, claims: claimsAt(nil)},
		{name: "typ with application prefix and case", policy: Policy{Type: "at+jwt"}, header: map[string]any{"typ": "application/AT+JWT"}, claims: claimsAt(nil)},
		{name: "typ mismatch", policy: Policy{Type: "at+jwt"}, claims: claimsAt(nil), code: CodeType,
			message: `type mismatch: token has typ "JWT", expected "at+jwt"`},
		{name: "typ missing", policy: Policy{Type: "at+jwt"}, header: map[string]any{"typ": nil}, claims: claimsAt(nil), code: CodeType,
			message: `type mismatch: token has no typ, expected "at+jwt"`},
		{name: "scopes all, space string", policy: Policy{RequireScopes: []string{"read:users", "write:users"}},
			claims: claimsAt(map[string]any{"scope": "read:users write:users"})},
		{name: "scopes all, scp array", policy: Policy{RequireScopes: []string{"read:users"}}, claims: claimsAt(map[string]any{"scp": []string{"read:users"}})},
		{name: "scopes all, scp string", policy: Policy{RequireScopes: []string{"a", "b"}}, claims: claimsAt(map[string]any{"scp": "a b"})},
		{name: "scopes all, array", policy: Policy{RequireScopes: []string{"read:users"}}, claims: claimsAt(map[string]any{"scopes": []string{"read:users"}})},
		{name: "scopes all, structured", policy: Policy{RequireScopes: []string{"read:users", "create:users"}},
			claims: claimsAt(map[string]any{"scopes": map[string]any{"users": map[string]any{"actions": []string{"read", "create"}}}})},
		{name: "scope missing", policy: Policy{RequireScopes: []string{"read:users", "write:users"}}, claims: claimsAt(map[string]any{"scope": "read:users"}),
			code: CodeScope, message: `missing scope: token has ["read:users"], expected all of ["read:users","write:users"] (missing ["write:users"])`},
		{name: "no scopes at all", policy: Policy{RequireScopes: []string{"a"}}, claims: claimsAt(nil), code: CodeScope, contain: "token has []"},
		{name: "any scope", policy: Policy{AnyScopes: []string{"x", "read:users"}}, claims: claimsAt(map[string]any{"scope": "read:users"})},
		{name: "any scope missing", policy: Policy{AnyScopes: []string{"x", "y"}}, claims: claimsAt(map[string]any{"scope": "read:users"}),
			code: CodeScope, message: `missing scope: token has ["read:users"], expected one of ["x","y"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := sign(t, k, "ES256", tt.header, tt.claims)
			v := newVerifier(t, []keys.Key{k}, tt.policy, Options{})
			gotCode, msg := code(t, v, tok)
			if gotCode != tt.code {
				t.Fatalf("code = %q (%s), want %q", gotCode, msg, tt.code)
			}
			if tt.message != "" && msg != tt.message {
				t.Fatalf("message = %q\nwant      %q", msg, tt.message)
			}
			if !strings.Contains(msg, tt.contain) {
				t.Fatalf("message %q does not contain %q", msg, tt.contain)
			}
			// Detail mode reaches the same verdict.
			dv := newVerifier(t, []keys.Key{k}, tt.policy, Options{Detail: true})
			if c, _ := code(t, dv, tok); c != tt.code {
				t.Fatalf("detail mode code = %q, want %q", c, tt.code)
			}
		})
	}
}

func TestRequiredClaims(t *testing.T) {
	k := fixtures().ed
	claims := claimsAt(map[string]any{
		"role": "admin", "level": 3, "roles": []string{"admin", "dev"}, "flag": false, "nothing": nil,
		"org": map[string]any{"id": 42, "name": "acme"}, "https://example.com/tenant": "t1",
		"a.b": "literal",
	})
	claims["nothing"] = json.RawMessage("null")
	tok := sign(t, k, "EdDSA", nil, claims)
	tests := []struct {
		spec    string
		code    string
		message string
	}{
		{spec: "role"},
		{spec: "role=admin"},
		{spec: `role="admin"`},
		{spec: "level=3"},
		{spec: "level=3.0"},
		{spec: "level=3e0"},
		{spec: "flag=false"},
		{spec: "flag"},
		{spec: "roles=admin"},
		{spec: `roles=["admin","dev"]`},
		{spec: "org.id=42"},
		{spec: `org={"name":"acme","id":42}`},
		{spec: "https://example.com/tenant=t1"},
		{spec: `a\.b=literal`},
		{spec: "nothing=null"},
		{spec: "nothing", code: CodeClaim, message: `missing claim "nothing": token has none, expected present`},
		{spec: "missing", code: CodeClaim, message: `missing claim "missing": token has none, expected present`},
		{spec: "role=user", code: CodeClaim, message: `claim "role" mismatch: token has "admin", expected "user"`},
		{spec: `level="3"`, code: CodeClaim, message: `claim "level" mismatch: token has 3, expected "3"`},
		{spec: "flag=true", code: CodeClaim},
		{spec: "roles=ops", code: CodeClaim},
		{spec: `roles=["admin"]`, code: CodeClaim},
		{spec: "org.id=43", code: CodeClaim},
		{spec: "org.missing", code: CodeClaim},
		{spec: "role.sub", code: CodeClaim},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			req, err := ParseClaimRequirement(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			v := newVerifier(t, []keys.Key{k}, Policy{Claims: []ClaimRequirement{req}}, Options{})
			gotCode, msg := code(t, v, tok)
			if gotCode != tt.code {
				t.Fatalf("code = %q (%s), want %q", gotCode, msg, tt.code)
			}
			if tt.message != "" && msg != tt.message {
				t.Fatalf("message = %q\nwant      %q", msg, tt.message)
			}
		})
	}
}

func TestParseClaimRequirementErrors(t *testing.T) {
	for _, spec := range []string{"", "=x", "a..b=1", "roles+=x", `x\`, "a=\xff", `o={"a":1,"a":2}`} {
		if _, err := ParseClaimRequirement(spec); err == nil {
			t.Errorf("ParseClaimRequirement(%q) succeeded", spec)
		} else if failure.KindOf(err) != failure.KindUsage {
			t.Errorf("ParseClaimRequirement(%q): kind %v, want usage", spec, failure.KindOf(err))
		}
	}
}

func TestDetailListsEveryCheck(t *testing.T) {
	k := fixtures().p256
	tok := sign(t, k, "ES256", nil, claimsAt(map[string]any{"exp": now.Unix() - 10, "aud": "a"}))
	pol := Policy{Audience: []string{"b"}, Issuer: "https://idp.test", RequireScopes: []string{"s"}}
	res := newVerifier(t, []keys.Key{k}, pol, Options{Detail: true}).Verify(parse(t, tok), now)
	var names []string
	for _, c := range res.Checks {
		names = append(names, c.Name)
		if c.OK && c.Message != "" {
			t.Errorf("passed check %s has a message %q", c.Name, c.Message)
		}
		if !c.OK && (c.Code == "" || c.Message == "" || c.Found == "" || c.Expected == "") {
			t.Errorf("failed check %+v lacks code, message, found or expected", c)
		}
	}
	want := "form algorithm key signature exp nbf iat issuer audience scope"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("checks = %s\nwant     %s", got, want)
	}
	first, _ := res.Failure()
	if first.Code != CodeExpired || res.Valid || res.Claims != nil {
		t.Fatalf("first failure = %+v, valid %v, claims %s", first, res.Valid, res.Claims)
	}
	if err := res.Err(); failure.KindOf(err) != failure.KindInvalid || failure.CodeOf(err) != CodeExpired {
		t.Fatalf("Err() = %v (%v, %s)", err, failure.KindOf(err), failure.CodeOf(err))
	}
	// Without detail verification stops at the first failure.
	res = newVerifier(t, []keys.Key{k}, pol, Options{}).Verify(parse(t, tok), now)
	if len(res.Checks) != 1 || res.Checks[0].Code != CodeExpired {
		t.Fatalf("checks without detail = %+v", res.Checks)
	}
}

func TestNewRefuses(t *testing.T) {
	fx := fixtures()
	short := keys.SecretKey([]byte("short secret"), "--secret")
	enc := fx.p256.Public()
	enc.JWK.Use = "enc"
	tests := []struct {
		name    string
		keys    []keys.Key
		policy  Policy
		kind    failure.Kind
		contain string
	}{
		{name: "no keys", contain: "no verification key"},
		{name: "alg none", keys: []keys.Key{fx.secret}, policy: Policy{Algs: []string{"none"}}, contain: "--alg none is never accepted"},
		{name: "alg None", keys: []keys.Key{fx.secret}, policy: Policy{Algs: []string{"None"}}, contain: "never accepted"},
		{name: "unknown alg", keys: []keys.Key{fx.secret}, policy: Policy{Algs: []string{"HS1"}}, contain: `unknown algorithm "HS1"`},
		{name: "HS256 with an RSA key", keys: []keys.Key{fx.rsa.Public()}, policy: Policy{Algs: []string{"HS256"}}, contain: "HS256 needs a secret"},
		{name: "ES384 with a P-256 key", keys: []keys.Key{fx.p256}, policy: Policy{Algs: []string{"ES384"}}, contain: "ES384 needs an EC P-384 key"},
		{name: "short secret", keys: []keys.Key{short}, contain: "the secret is 12 bytes; HS256 needs at least 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.keys, tt.policy, Options{})
			if err == nil {
				t.Fatal("New succeeded")
			}
			if failure.KindOf(err) != failure.KindUsage {
				t.Fatalf("kind = %v, want usage: %v", failure.KindOf(err), err)
			}
			if !strings.Contains(err.Error(), tt.contain) {
				t.Fatalf("error %q does not contain %q", err, tt.contain)
			}
		})
	}
	// A key not for verifying is no usage error: it is passed over, and a token only it could
	// verify fails as an unknown key that says why (RFC 7517 §4.2).
	if _, err := New([]keys.Key{enc}, Policy{}, Options{}); err != nil {
		t.Fatalf("New with only an encryption key: %v", err)
	}
	// A weak secret is accepted when asked for, and then verifies (go-jose alone would refuse
	// it) and still rejects a wrong tag.
	weak, err := New([]keys.Key{short}, Policy{AllowWeak: true}, Options{})
	if err != nil {
		t.Fatalf("AllowWeak: %v", err)
	}
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		h := b64([]byte(`{"alg":"`+alg+`"}`)) + "." + b64([]byte(`{"sub":"x"}`))
		tok := h + "." + b64(hmacTag(alg, []byte("short secret"), h))
		if res := weak.Verify(parse(t, tok), now); !res.Valid {
			t.Fatalf("weak %s: %v", alg, res.Err())
		}
		if res := weak.Verify(parse(t, h+"."+b64(hmacTag(alg, []byte("short secreT"), h))), now); res.Valid {
			t.Fatalf("weak %s accepted another secret's tag", alg)
		}
	}
}

func TestAllowListDerivation(t *testing.T) {
	fx := fixtures()
	withAlg := fx.rsa.Public()
	withAlg.JWK.Algorithm = "PS256"
	tests := []struct {
		keys   []keys.Key
		policy Policy
		want   string
	}{
		{keys: []keys.Key{fx.rsa}, want: "RS256 RS384 RS512 PS256 PS384 PS512"},
		{keys: []keys.Key{withAlg}, want: "PS256"},
		{keys: []keys.Key{fx.p384, fx.ed}, want: "ES384 EdDSA"},
		{keys: []keys.Key{keys.SecretKey(bytes.Repeat([]byte{1}, 40), "s")}, want: "HS256"},
		{keys: []keys.Key{fx.secret, fx.rsa}, policy: Policy{Algs: []string{"RS256", "HS512"}}, want: "HS512 RS256"},
	}
	for _, tt := range tests {
		v := newVerifier(t, tt.keys, tt.policy, Options{})
		if got := strings.Join(v.Algorithms(), " "); got != tt.want {
			t.Errorf("Algorithms() = %s, want %s", got, tt.want)
		}
	}
}

// hmacTag computes an HMAC tag independently of the code under test.
func hmacTag(alg string, secret []byte, input string) []byte {
	h := map[string]func() hash.Hash{"HS256": sha256.New, "HS384": sha512.New384, "HS512": sha512.New}[alg]
	m := hmac.New(h, secret)
	m.Write([]byte(input))
	return m.Sum(nil)
}

func TestMessagesShowHostileValuesSafely(t *testing.T) {
	k := fixtures().p256
	long := strings.Repeat("a", 1000)
	tests := []struct {
		iss, want string
	}{
		{"evil\u202eresu", `"evil\u202eresu"`},
		{"line\nbreak\x1b[31m", `"line\nbreak\u001b[31m"`},
		{"<script>", `"<script>"`},
		{long, `"` + long[:maxShown-1] + "…"},
	}
	for _, tt := range tests {
		tok := sign(t, k, "ES256", nil, claimsAt(map[string]any{"iss": tt.iss}))
		_, msg := code(t, newVerifier(t, []keys.Key{k}, Policy{Issuer: "x"}, Options{}), tok)
		want := "issuer mismatch: token has " + tt.want + `, expected "x"`
		if msg != want {
			t.Errorf("message = %q\nwant      %q", msg, want)
		}
	}
}

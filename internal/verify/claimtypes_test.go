package verify

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

// registeredClaims are RFC 7519 §4.1's claims with the JSON types each allows.
var registeredClaims = []struct {
	name   string
	allows func(kind string) bool
	number string // a number that passes the claim's check at now
}{
	{"iss", isString, ""},
	{"sub", isString, ""},
	{"aud", func(k string) bool { return k == "string" || k == "array of strings" }, ""},
	{"exp", isNumber, strconv.FormatInt(now.Unix()+3600, 10)},
	{"nbf", isNumber, strconv.FormatInt(now.Unix()-60, 10)},
	{"iat", isNumber, strconv.FormatInt(now.Unix()-60, 10)},
	{"jti", isString, ""},
}

func isString(kind string) bool { return kind == "string" }
func isNumber(kind string) bool { return kind == "number" }

// claimValues are JSON values of every type, at every depth, with the kind the allows functions
// read. "NUM" stands for the claim's passing number.
var claimValues = []struct{ kind, json string }{
	{"null", `null`},
	{"boolean", `true`},
	{"boolean", `false`},
	{"number", `NUM`},
	{"number", `NUM.0`},
	{"number", `NUMe0`},
	{"string", `"https://issuer.example"`},
	{"string", `""`},
	{"string", `"NUM"`},
	{"object", `{}`},
	{"object", `{"aud":"api"}`},
	{"object", `{"a":{"b":["api"]}}`},
	{"array of strings", `[]`},
	{"array of strings", `["api"]`},
	{"array of strings", `["api","web"]`},
	{"array", `[null]`},
	{"array", `[true]`},
	{"array", `["api",5]`},
	{"array", `[NUM]`},
	{"array", `["api",null]`},
	{"array", `[["api"]]`},
	{"array", `[{"aud":"api"}]`},
	{"array", `[[[["api"]]]]`},
	{"array", `["api",{}]`},
}

// TestRegisteredClaimTypes: for every registered claim and every JSON type, at every depth,
// the fast path (Parse and Fast) and the reference path (token.Parse and go-jose's signature
// check) give the same Result; a type RFC 7519 does not allow fails with exit 1 (invalid) in a
// check named after the claim whose message names it; and whatever go-jose's jwt package
// refuses to read as claims, verify refuses too.
func TestRegisteredClaimTypes(t *testing.T) {
	fx := fixtures()
	ks := []keys.Key{fx.secret}
	var pairs [2][2]*Verifier // [detail][fast]
	for d, detail := range []bool{false, true} {
		pairs[d][0] = newVerifier(t, ks, Policy{}, Options{Detail: detail, Signature: Reference{}})
		pairs[d][1] = newVerifier(t, ks, Policy{}, Options{Detail: detail})
	}
	for _, c := range registeredClaims {
		for _, val := range claimValues {
			num := c.number
			if num == "" {
				num = "1"
			}
			value := strings.ReplaceAll(val.json, "NUM", num)
			payload := `{"sub":"alice","exp":` + strconv.FormatInt(now.Unix()+3600, 10)
			if c.name == "sub" || c.name == "exp" {
				payload = `{"iat":` + strconv.FormatInt(now.Unix()-60, 10)
			}
			payload += `,"` + c.name + `":` + value + `}`
			t.Run(c.name+"="+value, func(t *testing.T) {
				tok, err := token.Sign("HS256", fx.secret.JWK.Key, []byte(`{"alg":"HS256","typ":"JWT"}`), []byte(payload), nil)
				if err != nil {
					t.Fatal(err)
				}
				ref := parse(t, tok)
				fast, err := Parse(tok, 0)
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				for _, pair := range pairs {
					want := pair[0].Verify(ref, now)
					got := pair[1].Verify(fast, now)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("fast path\n%#v\nreference path\n%#v", got, want)
					}
				}
				res := pairs[0][1].Verify(fast, now)
				allowed := c.allows(val.kind)
				if res.Valid != allowed {
					t.Fatalf("valid = %v for a %s %s (%s)", res.Valid, val.kind, c.name, res.Err())
				}
				if !allowed {
					check, _ := res.Failure()
					if check.Name != c.name || (check.Code != CodeBadClaimType && check.Code != CodeBadTimeClaim) ||
						!strings.Contains(check.Message, strconv.Quote(c.name)) {
						t.Errorf("failed check %q (%s): %s; want the %s check to name it", check.Name, check.Code, check.Message, c.name)
					}
					if err := res.Err(); err == nil || failure.ExitCode(err) != 1 {
						t.Errorf("error %v, want an invalid-token error (exit 1)", err)
					}
				}
				if goJoseRefusesClaims(t, tok) && res.Valid {
					t.Errorf("go-jose's jwt package refuses these claims, verify accepts them")
				}
			})
		}
	}
}

// goJoseRefusesClaims reports whether go-jose's jwt package cannot read tok's payload as its
// registered claims: the independent judge of claim types (it refuses a number in aud, a
// string exp; it takes null for iss, which verify refuses, so only its refusals are used).
func goJoseRefusesClaims(t testing.TB, tok string) bool {
	t.Helper()
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.HS256, jose.HS384, jose.HS512,
		jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512, jose.ES256, jose.ES384, jose.ES512, jose.EdDSA})
	if err != nil {
		return false // not a token go-jose reads at all: no verdict on its claims
	}
	var claims jwt.Claims
	return parsed.UnsafeClaimsWithoutVerification(&claims) != nil
}

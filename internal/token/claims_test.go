package token

import (
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
)

func mustParse(t testing.TB, s string) *Parsed {
	t.Helper()
	p, err := Parse(s, 0)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

func TestNumericDate(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    time.Time
		ok      bool
		wantErr string
	}{
		{"absent", `{}`, time.Time{}, false, ""},
		{"integer", `{"exp":1700000000}`, time.Unix(1700000000, 0).UTC(), true, ""},
		{"zero", `{"exp":0}`, time.Unix(0, 0).UTC(), true, ""},
		{"negative", `{"exp":-1}`, time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), true, ""},
		{"fraction", `{"exp":1.5}`, time.Unix(1, 500_000_000).UTC(), true, ""},
		{"negative fraction", `{"exp":-1.5}`, time.Unix(-2, 500_000_000).UTC(), true, ""},
		{"exponent", `{"exp":1.7e9}`, time.Unix(1_700_000_000, 0).UTC(), true, ""},
		{"tiny exponent", `{"exp":1e-400}`, time.Unix(0, 0).UTC(), true, ""},
		{"last second of 9999", `{"exp":253402300799}`, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), true, ""},
		{"first second of 0001", `{"exp":-62135596800}`, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), true, ""},
		{"null", `{"exp":null}`, time.Time{}, true, `claim "exp" is null, not a number of seconds since 1970 (RFC 7519 NumericDate)`},
		{"string", `{"exp":"123"}`, time.Time{}, true, `claim "exp" is the string "123", not a number of seconds since 1970 (RFC 7519 NumericDate)`},
		{"boolean", `{"exp":true}`, time.Time{}, true, `claim "exp" is a boolean, not a number of seconds since 1970 (RFC 7519 NumericDate)`},
		{"object", `{"exp":{}}`, time.Time{}, true, `claim "exp" is an object, not a number of seconds since 1970 (RFC 7519 NumericDate)`},
		{"array", `{"exp":[1]}`, time.Time{}, true, `claim "exp" is an array, not a number of seconds since 1970 (RFC 7519 NumericDate)`},
		{"1e400", `{"exp":1e400}`, time.Time{}, true, `claim "exp" is 1e400, outside years 0001–9999`},
		{"-1e400", `{"exp":-1e400}`, time.Time{}, true, `claim "exp" is -1e400, outside years 0001–9999`},
		{"past 9999", `{"exp":253402300800}`, time.Time{}, true, `claim "exp" is 253402300800, outside years 0001–9999 (milliseconds instead of seconds?)`},
		{"milliseconds", `{"exp":1700000000000}`, time.Time{}, true, `claim "exp" is 1700000000000, outside years 0001–9999 (milliseconds instead of seconds?)`},
		{"int64 overflow", `{"exp":999999999999999999999999999999}`, time.Time{}, true, `claim "exp" is 999999999999999999999999…, outside years 0001–9999`},
		{"before 0001", `{"exp":-62135596801}`, time.Time{}, true, `claim "exp" is -62135596801, outside years 0001–9999`},
		{"float past 9999", `{"exp":2.6e11}`, time.Time{}, true, `claim "exp" is 2.6e11, outside years 0001–9999 (milliseconds instead of seconds?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, jws(hs, tt.payload, ""))
			got, ok, err := p.NumericDate("exp")
			if ok != tt.ok {
				t.Errorf("ok = %v, want %v", ok, tt.ok)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if !got.Equal(tt.want) {
					t.Errorf("time = %v, want %v", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; time %v", got)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.wantErr)
			}
			if failure.KindOf(err) != failure.KindInvalid || failure.CodeOf(err) != CodeBadTimeClaim {
				t.Errorf("kind %v code %q", failure.KindOf(err), failure.CodeOf(err))
			}
			if !got.IsZero() {
				t.Errorf("time %v with an error", got)
			}
		})
	}
}

func TestNumericDateUnreadablePayload(t *testing.T) {
	jwe := mustParse(t, enc(`{"alg":"dir","enc":"A128GCM"}`)+"..YQ.YQ.YQ")
	unencoded := mustParse(t, enc(`{"alg":"HS256","b64":false}`)+".exp."+enc("s"))
	for _, p := range []*Parsed{jwe, unencoded} {
		if _, ok, err := p.NumericDate("exp"); ok || err != nil {
			t.Errorf("ok %v err %v, want absent", ok, err)
		}
	}
}

func TestHeaderStrings(t *testing.T) {
	p := mustParse(t, jws(`{"alg":"ES256","typ":7,"kid":"key-1","cty":"JWT"}`, "{}", ""))
	if p.Alg() != "ES256" || p.Typ() != "" || p.Kid() != "key-1" || p.HeaderString("cty") != "JWT" || p.HeaderString("x") != "" {
		t.Errorf("Alg %q Typ %q Kid %q cty %q", p.Alg(), p.Typ(), p.Kid(), p.HeaderString("cty"))
	}
	if strings.Contains(p.Typ(), "7") {
		t.Error("a non-string typ leaked")
	}
}

func TestClaimTypeErrors(t *testing.T) {
	tests := []struct {
		payload string
		want    []string // one message per claim of the wrong type, in order
	}{
		{`{"iss":"a","sub":"b","aud":["c","d"],"jti":"e"}`, nil},
		{`{"aud":"c"}`, nil},
		{`{"aud":[]}`, nil},
		{`{"other":5,"nested":{"aud":5}}`, nil},
		{`{"iss":1}`, []string{`claim "iss" is a number, not a string (RFC 7519 §4.1.1)`}},
		{`{"sub":null}`, []string{`claim "sub" is null, not a string (RFC 7519 §4.1.2)`}},
		{`{"jti":{"a":1}}`, []string{`claim "jti" is an object, not a string (RFC 7519 §4.1.7)`}},
		{`{"aud":["api",5]}`, []string{`claim "aud" holds a number at index 1; an audience is a string or an array of strings (RFC 7519 §4.1.3)`}},
		{`{"aud":[["api"]]}`, []string{`claim "aud" holds an array at index 0`}},
		{`{"aud":true}`, []string{`claim "aud" is a boolean, not a string or an array of strings (RFC 7519 §4.1.3)`}},
		{`{"jti":[],"iss":false,"aud":null,"sub":["x"]}`, []string{`"iss" is a boolean`, `"sub" is an array`, `"aud" is null`, `"jti" is an array`}},
	}
	for _, tt := range tests {
		p := mustParse(t, Base64().EncodeToString([]byte(`{"alg":"HS256"}`))+"."+Base64().EncodeToString([]byte(tt.payload))+".c2ln")
		got := p.ClaimTypeErrors()
		if len(got) != len(tt.want) {
			t.Errorf("%s: %d errors %v, want %d", tt.payload, len(got), got, len(tt.want))
			continue
		}
		for i, e := range got {
			if !strings.Contains(e.Err.Error(), tt.want[i]) || failure.CodeOf(e.Err) != CodeBadClaimType || failure.KindOf(e.Err) != failure.KindInvalid {
				t.Errorf("%s: error %d = %v (%s), want %q", tt.payload, i, e.Err, failure.CodeOf(e.Err), tt.want[i])
			}
		}
	}
}

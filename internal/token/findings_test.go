package token

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFindings(t *testing.T) {
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	unix := now.Unix()
	at := func(d time.Duration) string { return strconv.FormatInt(unix+int64(d/time.Second), 10) }
	es := `{"alg":"ES256"}`
	unverified := Finding{Info, "unverified", "decode does not check the signature; use jwtkit verify"}

	tests := []struct {
		name  string
		token string
		want  []Finding
	}{
		{"clean", jws(es, `{"exp":`+at(time.Hour)+`,"iat":`+at(0)+`}`, ""), []Finding{unverified}},
		{"expired", jws(es, `{"exp":`+at(-3*time.Hour)+`}`, ""), []Finding{
			{Danger, "expired", "expired 3h ago (exp 2026-11-23T05:00:00Z)"}, unverified}},
		{"exp equal to now is expired", jws(es, `{"exp":`+at(0)+`}`, ""), []Finding{
			{Danger, "expired", "expired just now (exp 2026-11-23T08:00:00Z)"}, unverified}},
		{"exp one second ahead is not", jws(es, `{"exp":`+at(time.Second)+`}`, ""), []Finding{unverified}},
		{"not yet valid", jws(es, `{"exp":`+at(time.Hour)+`,"nbf":`+at(5*time.Minute)+`}`, ""), []Finding{
			{Warning, "not_yet_valid", "not valid until 2026-11-23T08:05:00Z (in 5m)"}, unverified}},
		{"nbf equal to now is valid", jws(es, `{"exp":`+at(time.Hour)+`,"nbf":`+at(0)+`}`, ""), []Finding{unverified}},
		{"iat in future", jws(es, `{"exp":`+at(time.Hour)+`,"iat":`+at(90*time.Second)+`}`, ""), []Finding{
			{Warning, "iat_in_future", "issued 1m30s in the future (iat 2026-11-23T08:01:30Z); check the issuer's clock"}, unverified}},
		{"alg none", enc(`{"alg":"none"}`) + "." + enc(`{"exp":`+at(time.Hour)+`}`) + ".", []Finding{
			{Danger, "alg_none", `alg is "none": the token is unsigned and anyone can forge it`}, unverified}},
		{"alg NoNe", enc(`{"alg":"NoNe"}`) + "." + enc(`{"exp":`+at(time.Hour)+`}`) + ".", []Finding{
			{Danger, "alg_none", `alg is "NoNe": the token is unsigned and anyone can forge it`}, unverified}},
		{"no exp", jws(es, `{"sub":"x"}`, ""), []Finding{
			{Warning, "no_exp", "no exp: the token never expires"}, unverified}},
		{"long lifetime from iat", jws(es, `{"iat":`+at(-time.Hour)+`,"exp":`+at(30*24*time.Hour-time.Hour)+`}`, ""), []Finding{
			{Warning, "long_lifetime", "lifetime is 30d"}, unverified}},
		{"long lifetime from nbf", jws(es, `{"nbf":`+at(0)+`,"exp":`+at(25*time.Hour)+`}`, ""), []Finding{
			{Warning, "long_lifetime", "lifetime is 1d1h"}, unverified}},
		{"long lifetime from now", jws(es, `{"exp":`+at(48*time.Hour)+`}`, ""), []Finding{
			{Warning, "long_lifetime", "valid for 2d from now (no iat or nbf)"}, unverified}},
		{"24h exactly is not long", jws(es, `{"iat":`+at(0)+`,"exp":`+at(24*time.Hour)+`}`, ""), []Finding{unverified}},
		{"bad time claims", jws(es, `{"exp":null,"nbf":"1","iat":true}`, ""), []Finding{
			{Danger, "bad_time_claim", `claim "exp" is null, not a number of seconds since 1970 (RFC 7519 NumericDate)`},
			{Danger, "bad_time_claim", `claim "nbf" is the string "1", not a number of seconds since 1970 (RFC 7519 NumericDate)`},
			{Danger, "bad_time_claim", `claim "iat" is a boolean, not a number of seconds since 1970 (RFC 7519 NumericDate)`},
			unverified}},
		{"shared secret", jws(`{"alg":"HS384"}`, `{"exp":`+at(time.Minute)+`}`, ""), []Finding{
			{Info, "shared_secret", "HS384: anyone who can verify can also mint"}, unverified}},
		{"key headers", jws(`{"alg":"RS256","x5c":["a"],"jwk":{},"x5u":"u","jku":"https://x"}`, `{"exp":`+at(time.Minute)+`}`, ""), []Finding{
			{Warning, "header_jku", "header has jku; jwtkit never fetches keys from a token"},
			{Warning, "header_x5u", "header has x5u; jwtkit never fetches keys from a token"},
			{Warning, "header_jwk", "header has jwk; jwtkit never trusts a key carried in a token"},
			{Warning, "header_x5c", "header has x5c; jwtkit never trusts a key carried in a token"},
			unverified}},
		{"crit", jws(`{"alg":"ES256","crit":["exp"],"exp":1}`, `{"exp":`+at(time.Minute)+`}`, ""), []Finding{
			{Warning, "crit", `header has crit ["exp"]: a verifier must understand these extensions or refuse the token`},
			unverified}},
		{"crit shown as written and shortened", jws(`{"alg":"ES256","crit":["<a&b>","`+strings.Repeat("é", 40)+`"]}`, `{"exp":`+at(time.Minute)+`}`, ""), []Finding{
			{Warning, "crit", `header has crit ["<a&b>","` + strings.Repeat("é", 35) + `…: a verifier must understand these extensions or refuse the token`},
			unverified}},
		{"b64 false", enc(`{"alg":"HS256","b64":false,"crit":["b64"]}`) + ".payload." + enc("s"), []Finding{
			{Info, "shared_secret", "HS256: anyone who can verify can also mint"},
			{Warning, "crit", `header has crit ["b64"]: a verifier must understand these extensions or refuse the token`},
			{Danger, "b64_false", "header has b64: false (RFC 7797): the payload is not base64url-encoded and jwtkit verify refuses it"},
			unverified}},
		{"encrypted", enc(`{"alg":"RSA-OAEP","enc":"A256GCM"}`) + ".YQ.YQ.YQ.YQ", []Finding{
			{Info, "encrypted", "encrypted (JWE, alg RSA-OAEP, enc A256GCM): only the header can be read without the key (decode --key KEY opens a nested token)"}}},
		{"encrypted dir without enc", enc(`{"alg":"dir"}`) + "..YQ.YQ.YQ", []Finding{
			{Info, "encrypted", "encrypted (JWE, alg dir, enc none given): only the header can be read without the key (decode --key KEY opens a nested token)"}}},
		{"everything in order", enc(`{"alg":"none","jku":"x","crit":["b"]}`) + "." + enc(`{"exp":`+at(-time.Minute)+`,"nbf":`+at(time.Hour)+`,"iat":`+at(-48*time.Hour)+`}`) + ".", []Finding{
			{Danger, "expired", "expired 1m ago (exp 2026-11-23T07:59:00Z)"},
			{Warning, "not_yet_valid", "not valid until 2026-11-23T09:00:00Z (in 1h)"},
			{Danger, "alg_none", `alg is "none": the token is unsigned and anyone can forge it`},
			{Warning, "long_lifetime", "lifetime is 1d23h"},
			{Warning, "header_jku", "header has jku; jwtkit never fetches keys from a token"},
			{Warning, "crit", `header has crit ["b"]: a verifier must understand these extensions or refuse the token`},
			unverified}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Findings(mustParse(t, tt.token), now)
			if !reflect.DeepEqual(got, tt.want) {
				g, _ := json.MarshalIndent(got, "", " ")
				w, _ := json.MarshalIndent(tt.want, "", " ")
				t.Errorf("findings\n got: %s\nwant: %s", g, w)
			}
		})
	}
}

func TestFindingJSON(t *testing.T) {
	b, err := json.Marshal(Finding{Danger, "expired", "expired 3h ago"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"severity":"danger","code":"expired","message":"expired 3h ago"}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{999 * time.Millisecond, "0s"},
		{45 * time.Second, "45s"},
		{-45 * time.Second, "45s"},
		{time.Minute, "1m"},
		{3*time.Minute + 12*time.Second, "3m12s"},
		{59*time.Minute + 59*time.Second, "59m59s"},
		{3 * time.Hour, "3h"},
		{3*time.Hour + 5*time.Minute + 9*time.Second, "3h5m"},
		{24 * time.Hour, "1d"},
		{30 * 24 * time.Hour, "30d"},
		{50*time.Hour + 30*time.Minute, "2d2h"},
		{-1 << 63, "292y171d"},
		{1<<63 - 1, "292y171d"},
	}
	for _, tt := range tests {
		if got := HumanDuration(tt.d); got != tt.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

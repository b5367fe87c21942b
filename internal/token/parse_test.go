package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// enc is base64url without padding, for building test tokens.
func enc(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// jws builds header.payload.signature from raw JSON and signature bytes.
func jws(header, payload, sig string) string {
	return enc(header) + "." + enc(payload) + "." + enc(sig)
}

const hs = `{"alg":"HS256","typ":"JWT"}`

func TestParseOK(t *testing.T) {
	t.Run("jws", func(t *testing.T) {
		s := jws(hs, `{"sub":"1","exp":1700000000,"n":1.5}`, "0123456789abcdef0123456789abcdef")
		p, err := Parse(s, 0)
		if err != nil {
			t.Fatal(err)
		}
		if p.Raw != s || p.Encrypted || p.Unencoded {
			t.Errorf("Raw/Encrypted/Unencoded = %q %v %v", p.Raw, p.Encrypted, p.Unencoded)
		}
		if string(p.HeaderJSON) != hs || string(p.PayloadJSON) != `{"sub":"1","exp":1700000000,"n":1.5}` {
			t.Errorf("HeaderJSON %q PayloadJSON %q", p.HeaderJSON, p.PayloadJSON)
		}
		if p.Payload["exp"] != json.Number("1700000000") || p.Payload["n"] != json.Number("1.5") {
			t.Errorf("numbers not decoded with UseNumber: %#v", p.Payload)
		}
		if string(p.Signature) != "0123456789abcdef0123456789abcdef" {
			t.Errorf("Signature = %q", p.Signature)
		}
		if want := s[:strings.LastIndexByte(s, '.')]; p.SigningInput != want {
			t.Errorf("SigningInput = %q, want %q", p.SigningInput, want)
		}
		if p.Alg() != "HS256" || p.Typ() != "JWT" || p.Kid() != "" {
			t.Errorf("Alg/Typ/Kid = %q %q %q", p.Alg(), p.Typ(), p.Kid())
		}
	})
	t.Run("unsigned", func(t *testing.T) {
		p, err := Parse(enc(`{"alg":"none"}`)+"."+enc(`{}`)+".", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Signature) != 0 || p.Alg() != "none" {
			t.Errorf("Signature %q alg %q", p.Signature, p.Alg())
		}
	})
	t.Run("jwe", func(t *testing.T) {
		s := enc(`{"alg":"RSA-OAEP","enc":"A256GCM","kid":"k1"}`) + "." + enc("key") + "." + enc("iv-bytes") + "." + enc("cipher text") + "." + enc("tag")
		p, err := Parse(s, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Encrypted || p.Payload != nil || p.PayloadJSON != nil || p.Signature != nil || p.SigningInput != "" {
			t.Errorf("JWE parsed as %+v", p)
		}
		if p.Alg() != "RSA-OAEP" || p.HeaderString("enc") != "A256GCM" || p.Kid() != "k1" {
			t.Errorf("header %v", p.Header)
		}
	})
	t.Run("jwe with empty encrypted key", func(t *testing.T) {
		s := enc(`{"alg":"dir","enc":"A128GCM"}`) + ".." + enc("iv") + "." + enc("ct") + "." + enc("tag")
		if _, err := Parse(s, 0); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("b64 false", func(t *testing.T) {
		s := enc(`{"alg":"HS256","b64":false,"crit":["b64"]}`) + ".raw-payload." + enc("sig")
		p, err := Parse(s, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Unencoded || string(p.PayloadJSON) != "raw-payload" || p.Payload != nil {
			t.Errorf("Unencoded %v PayloadJSON %q Payload %v", p.Unencoded, p.PayloadJSON, p.Payload)
		}
	})
	t.Run("b64 true", func(t *testing.T) {
		p, err := Parse(jws(`{"alg":"HS256","b64":true}`, `{}`, "s"), 0)
		if err != nil || p.Unencoded {
			t.Fatalf("err %v, Unencoded %v", err, p.Unencoded)
		}
	})
	t.Run("json whitespace and escapes", func(t *testing.T) {
		p, err := Parse(jws("{\"alg\" :\r\n \"HS256\"}", ` { "a\u00e9" : "\ud83d\ude00\n" , "e":1E+2 } `, "s"), 0)
		if err != nil {
			t.Fatal(err)
		}
		if p.Payload["aé"] != "😀\n" {
			t.Errorf("payload %#v", p.Payload)
		}
	})
	t.Run("depth 64", func(t *testing.T) {
		payload := strings.Repeat(`{"a":`, 63) + "[]" + strings.Repeat("}", 63)
		if _, err := Parse(jws(hs, payload, "s"), 0); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("exactly max bytes", func(t *testing.T) {
		s := jws(hs, `{}`, "s")
		if _, err := Parse(s, len(s)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestParseErrors(t *testing.T) {
	big := jws(hs, `{"a":"`+strings.Repeat("x", 300<<10)+`"}`, "s")
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"empty", "", 0, "token is empty; expected a JWT (header.payload.signature)"},
		{"too large", big, 0, "token is 400 KiB; the limit is 256 KiB (--max-size)"},
		{"too large by one byte", strings.Repeat("a", MaxSize+1), 0, "token is 262145 bytes; the limit is 262144 bytes (--max-size)"},
		{"too large small max", "aaaaaaaaaa.b.c", 10, "token is 14 bytes; the limit is 10 bytes (--max-size)"},
		{"space", tok[:20] + " " + tok[21:], 0, "token contains a space at offset 20; JWTs use only base64url characters and dots"},
		{"newline", tok[:5] + "\n" + tok[5:], 0, "token contains a line break at offset 5; JWTs use only base64url characters and dots"},
		{"carriage return", tok[:5] + "\r" + tok[5:], 0, "token contains a carriage return at offset 5; JWTs use only base64url characters and dots"},
		{"tab", "\t" + tok, 0, "token contains a tab at offset 0; JWTs use only base64url characters and dots"},
		{"padding", "eyJhbGciOiJIUzI1NiJ9=.e30.c2ln", 0, `token contains padding "=" at offset 20; JWT segments are base64url without padding`},
		{"plus", "ab+c.e30.c2ln", 0, `token contains "+" at offset 2; JWTs use base64url (- and _), not standard base64`},
		{"slash", "ab/c.e30.c2ln", 0, `token contains "/" at offset 2; JWTs use base64url (- and _), not standard base64`},
		{"quote", `"` + tok, 0, `token contains "\"" at offset 0; JWTs use only base64url characters and dots`},
		{"non-ASCII", "abé.e30.c2ln", 0, "token contains U+00E9 (é) at offset 2; JWTs use only base64url characters and dots"},
		{"invalid UTF-8", "ab\xff.e30.c2ln", 0, "token contains the invalid UTF-8 byte 0xff at offset 2; JWTs use only base64url characters and dots"},
		{"control", "ab\x00.e30.c2ln", 0, "token contains the control character U+0000 at offset 2; JWTs use only base64url characters and dots"},
		{"zero width space", "ab\u200b.e30.c2ln", 0, "token contains the invisible character U+200B at offset 2; JWTs use only base64url characters and dots"},
		{"byte order mark", "\uFEFFab.e30.c2ln", 0, "token contains a byte order mark (U+FEFF) at offset 0; JWTs use only base64url characters and dots"},
		{"1 segment", "abc", 0, "token has 1 segment (no dots); a JWT has 3 (header.payload.signature)"},
		{"2 segments", "abc.def", 0, "token has 2 segments; a JWT has 3 (header.payload.signature)"},
		{"4 segments", "a.b.c.d", 0, "token has 4 segments; a JWT has 3 (header.payload.signature), or 5 when encrypted (JWE)"},
		{"6 segments", "a.b.c.d.e.f", 0, "token has 6 segments; a JWT has 3 (header.payload.signature), or 5 when encrypted (JWE)"},
		{"only dots", "..", 0, "header is empty; a JWT's header is a JSON object"},
		{"header length", "abcde.e30.c2ln", 0, "segment 1 (header) is not base64url: 5 characters cannot encode whole bytes; the segment looks truncated or has a character too many"},
		{"payload stray bits", enc(hs) + ".e31.c2ln", 0, "segment 2 (payload) is not base64url: its last character has bits that encode nothing; the segment was altered or truncated"},
		{"signature length", enc(hs) + ".e30.c", 0, "segment 3 (signature) is not base64url: 1 characters cannot encode whole bytes; the segment looks truncated or has a character too many"},
		{"jwe iv", enc(`{"alg":"dir","enc":"A128GCM"}`) + "..abcde.YQ.YQ", 0, "segment 3 (initialization vector) is not base64url: 5 characters cannot encode whole bytes; the segment looks truncated or has a character too many"},
		{"jwe tag bits", enc(`{"alg":"dir","enc":"A128GCM"}`) + "..YQ.YQ.YR", 0, "segment 5 (authentication tag) is not base64url: its last character has bits that encode nothing; the segment was altered or truncated"},
		{"jwe header", enc(`{"enc":"A128GCM"}`) + "..YQ.YQ.YQ", 0, `header has no "alg"; every JWT header names its algorithm (RFC 7515 §4.1.1)`},
		{"header empty", "." + enc("{}") + ".", 0, "header is empty; a JWT's header is a JSON object"},
		{"header whitespace", enc(" \n") + "." + enc("{}") + ".", 0, "header is empty; a JWT's header is a JSON object"},
		{"payload empty", enc(hs) + "..c2ln", 0, "payload is empty; a JWT's payload is a JSON object"},
		{"header not UTF-8", jws("{\"alg\":\"\xc3\"}", "{}", ""), 0, "header is not valid UTF-8 (byte 0xc3 at offset 8)"},
		{"payload not UTF-8", jws(hs, "{\"a\":\"ok\xff\"}", ""), 0, "payload is not valid UTF-8 (byte 0xff at offset 8)"},
		{"header not JSON", jws(`{alg:"HS256"}`, "{}", ""), 0, `header is not JSON: "a" at byte 1 is out of place`},
		{"payload truncated", jws(hs, `{"sub":"1"`, ""), 0, "payload is not JSON: it ends early (truncated?) at byte 10"},
		{"payload trailing data", jws(hs, `{} {}`, ""), 0, "payload is not JSON: extra data after the value at byte 3"},
		{"payload trailing comma", jws(hs, `{"a":1,}`, ""), 0, `payload is not JSON: "}" at byte 7 is out of place`},
		{"payload control char", jws(hs, "{\"a\":\"x\ty\"}", ""), 0, "payload is not JSON: a control character inside a string at byte 7"},
		{"payload bad escape", jws(hs, `{"a":"\x"}`, ""), 0, `payload is not JSON: an invalid escape at byte 7`},
		{"payload bad unicode escape", jws(hs, `{"a":"\u12g4"}`, ""), 0, `payload is not JSON: an invalid \u escape at byte 7`},
		{"payload bad number", jws(hs, `{"a":01}`, ""), 0, `payload is not JSON: "1" at byte 6 is out of place`},
		{"payload bad literal", jws(hs, `{"a":nul}`, ""), 0, `payload is not JSON: "}" at byte 8 is out of place`},
		{"payload bom", jws(hs, "\uFEFF{}", ""), 0, "payload is not JSON: a byte order mark (U+FEFF) at byte 0 is out of place"},
		{"payload non-breaking space", jws(hs, "\u00a0", ""), 0, "payload is not JSON: the invisible character U+00A0 at byte 0 is out of place"},
		{"payload array", jws(hs, `["a"]`, ""), 0, "payload is not a JSON object (it is an array)"},
		{"payload string", jws(hs, `"a"`, ""), 0, "payload is not a JSON object (it is a string)"},
		{"payload number", jws(hs, `-1.5`, ""), 0, "payload is not a JSON object (it is a number)"},
		{"payload boolean", jws(hs, `true`, ""), 0, "payload is not a JSON object (it is a boolean)"},
		{"payload null", jws(hs, `null`, ""), 0, "payload is not a JSON object (it is null)"},
		{"header array", jws(`[]`, "{}", ""), 0, "header is not a JSON object (it is an array)"},
		{"duplicate claim", jws(hs, `{"exp":1,"sub":"a","exp":2}`, ""), 0, `payload has claim "exp" twice`},
		{"duplicate claim escaped", jws(hs, `{"exp":1,"\u0065xp":2}`, ""), 0, `payload has claim "exp" twice`},
		{"duplicate header parameter", jws(`{"alg":"HS256","alg":"none"}`, "{}", ""), 0, `header has parameter "alg" twice`},
		{"duplicate nested member", jws(hs, `{"scopes":{"users":1,"users":2}}`, ""), 0, `payload has member "users" twice in one nested object (byte 21)`},
		{"duplicate long name", jws(hs, `{"`+strings.Repeat("n", 50)+`":1,"`+strings.Repeat("n", 50)+`":2}`, ""), 0, `payload has claim "` + strings.Repeat("n", 40) + `"… twice`},
		{"too deep", jws(hs, strings.Repeat(`{"a":`, 64)+"[]"+strings.Repeat("}", 64), ""), 0, "payload nests objects and arrays deeper than 64 levels (byte 320)"},
		{"too deep arrays", jws(hs, `{"a":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+"}", ""), 0, "payload nests objects and arrays deeper than 64 levels (byte 68)"},
		{"lone low surrogate", jws(hs, `{"a":"\udc00"}`, ""), 0, `payload has a \u escape for a lone UTF-16 surrogate at byte 6; it cannot be decoded faithfully`},
		{"lone high surrogate", jws(hs, `{"a":"x\ud800y"}`, ""), 0, `payload has a \u escape for a lone UTF-16 surrogate at byte 7; it cannot be decoded faithfully`},
		{"high surrogate then high", jws(hs, `{"a":"\ud800\ud800"}`, ""), 0, `payload has a \u escape for a lone UTF-16 surrogate at byte 6; it cannot be decoded faithfully`},
		{"no alg", jws(`{"typ":"JWT"}`, "{}", ""), 0, `header has no "alg"; every JWT header names its algorithm (RFC 7515 §4.1.1)`},
		{"alg number", jws(`{"alg":256}`, "{}", ""), 0, `header "alg" is a number, not a string (RFC 7515 §4.1.1)`},
		{"alg null", jws(`{"alg":null}`, "{}", ""), 0, `header "alg" is null, not a string (RFC 7515 §4.1.1)`},
		{"b64 string", jws(`{"alg":"HS256","b64":"false"}`, "{}", ""), 0, `header "b64" is a string; it must be true or false (RFC 7797)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.in, tt.max)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", p)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
			if want := parseErrorClass(tt.want); failure.KindOf(err) != want.kind || failure.CodeOf(err) != want.code {
				t.Errorf("kind %v code %q, want %v %q", failure.KindOf(err), failure.CodeOf(err), want.kind, want.code)
			}
			if strings.Contains(tt.want, "limit") != errors.Is(err, ErrTooLarge) {
				t.Errorf("errors.Is(err, ErrTooLarge) = %v", errors.Is(err, ErrTooLarge))
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("message is not one line: %q", err)
			}
		})
	}
}

// TestParseAgreesWithEncodingJSON checks that what the strict checker accepts decodes to what
// encoding/json alone would give.
func TestParseAgreesWithEncodingJSON(t *testing.T) {
	payloads := []string{
		`{}`, `{"a":[1,2,{"b":null}],"c":"\"\\\/\b\f\n\r\t\u00e9"}`, `{"n":-0.5e-3,"m":0,"big":123456789012345678901234567890}`,
		`{"a":{"a":{"a":"a"}},"b":[[],{}],"t":true,"f":false}`,
	}
	for _, payload := range payloads {
		p, err := Parse(jws(hs, payload, ""), 0)
		if err != nil {
			t.Fatalf("%s: %v", payload, err)
		}
		dec := json.NewDecoder(strings.NewReader(payload))
		dec.UseNumber()
		var want map[string]any
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p.Payload, want) {
			t.Errorf("%s: got %#v, want %#v", payload, p.Payload, want)
		}
	}
}

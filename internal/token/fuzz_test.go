package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/jwtkit/jwtkit/internal/failure"
)

var fuzzNow = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// checkMalformed fails unless err is a one-line malformed-token usage error.
func checkMalformed(t *testing.T, err error) {
	t.Helper()
	if want := parseErrorClass(err.Error()); failure.KindOf(err) != want.kind || failure.CodeOf(err) != want.code {
		t.Fatalf("error %q has kind %v code %q, want %v %q", err, failure.KindOf(err), failure.CodeOf(err), want.kind, want.code)
	}
	if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\r\n") || len(msg) > 400 {
		t.Fatalf("bad message %q", msg)
	}
}

// errorClass is the kind and code a parse error must have.
type errorClass struct {
	kind failure.Kind
	code string
}

// parseErrorClass says, from its message, which class a parse error belongs to: a JWT that must
// not be trusted (exit 1) for a repeated member, unsafe JSON or an odd alg or b64, and not a JWT
// at all (exit 2) for everything else.
func parseErrorClass(msg string) errorClass {
	switch {
	case strings.Contains(msg, " twice"):
		return errorClass{failure.KindInvalid, CodeDuplicateMember}
	case strings.Contains(msg, "surrogate") || strings.Contains(msg, "deeper than"):
		return errorClass{failure.KindInvalid, CodeUnsafeJSON}
	case strings.HasPrefix(msg, `header has no "alg"`) || strings.HasPrefix(msg, `header "alg" is`) || strings.HasPrefix(msg, `header "b64" is`):
		return errorClass{failure.KindInvalid, CodeBadHeader}
	}
	return errorClass{failure.KindUsage, CodeMalformed}
}

// exercise calls every reader of a parsed token; none may panic.
func exercise(t *testing.T, p *Parsed) {
	t.Helper()
	_ = p.Alg() + p.Typ() + p.Kid()
	for _, name := range []string{"exp", "nbf", "iat"} {
		tm, ok, err := p.NumericDate(name)
		if err != nil && (!ok || !tm.IsZero() || failure.CodeOf(err) != CodeBadTimeClaim) {
			t.Fatalf("NumericDate(%q) = %v, %v, %v", name, tm, ok, err)
		}
	}
	fs := Findings(p, fuzzNow)
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range fs {
		if f.Code == "" || f.Message == "" || strings.ContainsAny(f.Message, "\r\n") {
			t.Fatalf("bad finding %+v", f)
		}
	}
	info := p.SignatureInfo()
	if info.Length != len(p.Signature) || info.Message == "" {
		t.Fatalf("bad signature info %+v", info)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(jws(hs, `{"sub":"1","exp":1700000000}`, "0123456789abcdef0123456789abcdef"))
	f.Add(enc(`{"alg":"none"}`) + "." + enc(`{"iat":1.5,"nbf":null}`) + ".")
	f.Add(enc(`{"alg":"RSA-OAEP","enc":"A256GCM"}`) + ".a2V5.aXY.Y3Q.dGFn")
	f.Add(enc(`{"alg":"HS256","b64":false,"crit":["b64"]}`) + ".payload." + enc("sig"))
	f.Add(enc(`{"alg":"ES256","jku":"x","x5c":[]}`) + "." + enc(`{"a":{"b":[1,2,{"c":"\u00e9"}]}}`) + "." + enc(strings.Repeat("s", 64)))
	f.Add("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("....")
	f.Add(enc(hs) + ".e31.c2ln")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s, 4096)
		if err != nil {
			checkMalformed(t, err)
			return
		}
		if p.Raw != s {
			t.Fatal("Raw differs from the input")
		}
		segs := strings.Split(s, ".")
		if got := Base64().EncodeToString(p.HeaderJSON); got != segs[0] {
			t.Fatalf("header re-encodes to %q, not %q", got, segs[0])
		}
		if p.Encrypted {
			if len(segs) != 5 || p.Payload != nil || p.Signature != nil {
				t.Fatalf("JWE parsed as %+v", p)
			}
			for _, seg := range segs[1:] {
				b, err := Base64().DecodeString(seg)
				if err != nil || Base64().EncodeToString(b) != seg {
					t.Fatalf("JWE segment %q accepted but does not round-trip", seg)
				}
			}
		} else {
			payload := Base64().EncodeToString(p.PayloadJSON)
			if p.Unencoded {
				payload = string(p.PayloadJSON)
			}
			if again := segs[0] + "." + payload + "." + Base64().EncodeToString(p.Signature); again != s {
				t.Fatalf("re-encoded %q, input %q", again, s)
			}
			if p.SigningInput != segs[0]+"."+segs[1] {
				t.Fatalf("SigningInput %q", p.SigningInput)
			}
		}
		exercise(t, p)
	})
}

// FuzzPayload feeds JSON straight to the payload checks (the fuzzer reaches them slowly through
// base64) and cross-checks the strict JSON checker against encoding/json.
func FuzzPayload(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"exp":1700000000,"nbf":1.5e9,"iat":-1}`, `{"exp":null}`, `{"exp":"1"}`, `{"exp":1e400}`,
		`{"a":"\ud83d\ude00","b":"\ud800"}`, `{"a":1,"a":2}`, `{"a":{"b":1,"b":2}}`, `[[[[]]]]`,
		`{"a":[1,2,3],"b":{"c":[true,false,null]}}`, `{"s":"\"\\\/\b\f\n\r\t"}`, `{"n":-0.0e+0}`,
		`{"n":01}`, `{"a" 1}`, ` {"a":1} `, `{"a":1}x`, "{\"a\":\"\x01\"}", `"str"`,
		strings.Repeat(`{"a":`, 64) + "1" + strings.Repeat("}", 64),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		b := []byte(payload)
		if utf8.Valid(b) {
			_, err := checkJSONObject(b)
			var p *jsonProblem
			switch {
			case err == nil && !json.Valid(b):
				t.Fatalf("checker accepts what encoding/json refuses: %q", payload)
			case err != nil && !errors.As(err, &p):
				t.Fatalf("checker error of type %T", err)
			case err != nil && p.kind == syntaxProblem && json.Valid(b):
				t.Fatalf("checker calls valid JSON invalid (%v): %q", err, payload)
			}
		}
		p, err := Parse(enc(hs)+"."+enc(payload)+".", 0)
		if err != nil {
			checkMalformed(t, err)
			return
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var want map[string]any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("Parse accepts what encoding/json cannot decode: %v", err)
		}
		if !reflect.DeepEqual(p.Payload, want) {
			t.Fatalf("payload %#v, encoding/json %#v", p.Payload, want)
		}
		exercise(t, p)
	})
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{
		tok, " " + tok + "\n", `"` + tok + `"`, "'Bearer " + tok + "'", "Authorization: Bearer " + tok,
		"authorization :bearer\t" + tok + "\r\n", "`" + tok + "`", "\uFEFF" + tok, `""`, `"`, "Bearer",
		"Bearer Bearer x", "a b", "",
		`-H "Authorization: Bearer ` + tok + `"`, "--header='authorization: bearer " + tok + "' \\",
		`{"access_token":"` + tok + `","token_type":"Bearer","expires_in":300}`, `{"access_token":"a\"b"}`,
		`-H x`, `{"access_token":5}`, `{"access_token":""}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		if !strings.Contains(s, c) {
			t.Fatalf("Clean(%q) = %q is not part of the input", s, c)
		}
		if Clean(c) != c {
			t.Fatalf("Clean(%q) = %q, but Clean of that is %q", s, c, Clean(c))
		}
		if strings.TrimFunc(c, isPasteSpace) != c {
			t.Fatalf("Clean(%q) = %q keeps surrounding space", s, c)
		}
		// Any token-shaped string survives every paste form.
		var tb strings.Builder
		for i := 0; i < len(s); i++ {
			if isTokenByte(s[i]) {
				tb.WriteByte(s[i])
			}
		}
		tk := tb.String()
		if tk == "" {
			return
		}
		for _, wrapped := range []string{
			tk, " \t" + tk + "\r\n", `"` + tk + `"`, "'" + tk + "'", "`" + tk + "`",
			"Bearer " + tk, "BEARER\t" + tk, "Authorization: Bearer " + tk, "authorization:bearer " + tk,
			`"Authorization: Bearer ` + tk + `"`, "\uFEFF" + tk + "\n",
			`-H "Authorization: Bearer ` + tk + `"`, `-H'authorization:bearer ` + tk + `'`, "--header=Authorization: Bearer " + tk,
			`{"access_token":"` + tk + `","token_type":"Bearer"}`, ` {"token_type":"Bearer","access_token":"` + tk + `"}` + "\n",
		} {
			if got := Clean(wrapped); got != tk {
				t.Fatalf("Clean(%q) = %q, want %q", wrapped, got, tk)
			}
		}
	})
}

// readerModel is what Reader should yield for data, computed the simple way.
func readerModel(data string, max int) []item {
	var out []item
	lines := strings.Split(data, "\n")
	terminated := make([]bool, len(lines))
	for i := range lines[:len(lines)-1] {
		terminated[i] = true
	}
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, raw := range lines {
		if terminated[i] {
			raw = strings.TrimSuffix(raw, "\r")
		}
		n := i + 1
		switch {
		case len(raw) > max+lineSlack:
			out = append(out, item{line: n, err: "too large"})
		case strings.TrimFunc(raw, isPasteSpace) == "":
		case len(Clean(raw)) > max:
			out = append(out, item{line: n, err: "too large"})
		default:
			out = append(out, item{tok: Clean(raw), line: n})
		}
	}
	return out
}

func FuzzReader(f *testing.F) {
	f.Add([]byte(tok+"\n\n  "+tok+"\r\nBearer x\n"), uint16(64), false)
	f.Add([]byte("a\r\nb\rc\n\n\n"), uint16(1), true)
	f.Add([]byte(strings.Repeat("y", 1100)+"\nz"), uint16(8), true)
	f.Add([]byte("\"\"\n'Authorization: Bearer abc'"), uint16(3), false)
	f.Fuzz(func(t *testing.T, data []byte, max uint16, oneByte bool) {
		limit := int(max%2048) + 1
		var src io.Reader = bytes.NewReader(data)
		if oneByte {
			src = iotest.OneByteReader(src)
		}
		r := NewReader(src, limit)
		var got []item
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatal("reader does not end")
			}
			tk, line, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("unexpected error %v", err)
				}
				checkMalformed(t, err)
				got = append(got, item{line: line, err: "too large"})
				continue
			}
			got = append(got, item{tok: tk, line: line})
		}
		if want := readerModel(string(data), limit); !reflect.DeepEqual(got, want) {
			t.Fatalf("max %d\n got %+v\nwant %+v", limit, got, want)
		}
	})
}

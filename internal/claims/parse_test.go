package claims

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
)

func TestParseObject(t *testing.T) {
	tests := []struct {
		in   string
		want string // compact re-encoding
	}{
		{`{}`, `{}`},
		{" \n\t{ } \r\n", `{}`},
		{`{"b":1,"a":2}`, `{"b":1,"a":2}`},
		{`{"n":1.0e+10,"m":-0,"big":123456789012345678901234567890}`, `{"n":1.0e+10,"m":-0,"big":123456789012345678901234567890}`},
		{`{"s":"\u00e9\ud83d\ude00\n","t":"<&>"}`, `{"s":"é😀\n","t":"<&>"}`},
		{`{"o":{"z":{"y":[{"b":1,"a":2}]}},"e":[],"f":{}}`, `{"o":{"z":{"y":[{"b":1,"a":2}]}},"e":[],"f":{}}`},
		{`{"a":null,"b":true,"c":false}`, `{"a":null,"b":true,"c":false}`},
		{`{"A":1,"a":2}`, `{"A":1,"a":2}`},
		{`{"same":1,"x":{"same":2}}`, `{"same":1,"x":{"same":2}}`},
		{`{"d":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`, `{"d":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`},
		{`{"esc":"\\ud800"}`, `{"esc":"\\ud800"}`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			o, err := ParseObject([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseObject error: %v", err)
			}
			got, err := o.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("re-encoded = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseObjectTypes(t *testing.T) {
	o := mustParse(t, []byte(`{"n":1.50,"o":{"x":1},"a":[1,"s",null]}`))
	if v, _ := o.Get("n"); v != json.Number("1.50") {
		t.Errorf("number = %#v, want json.Number(\"1.50\")", v)
	}
	if v, _ := o.Get("o"); reflect.TypeOf(v) != reflect.TypeOf(&Object{}) {
		t.Errorf("nested object is %T, want *Object", v)
	}
	if v, _ := o.Get("a"); !reflect.DeepEqual(v, []any{json.Number("1"), "s", nil}) {
		t.Errorf("array = %#v", v)
	}
}

func TestParseObjectErrors(t *testing.T) {
	tests := []struct {
		name, in, wantMsg string
	}{
		{"empty", ``, "empty input"},
		{"spaces", "  \n", "empty input"},
		{"array", `[1]`, "expected a JSON object, got an array"},
		{"string", `"x"`, "expected a JSON object, got a string"},
		{"number", `1`, "expected a JSON object, got a number"},
		{"null", `null`, "expected a JSON object, got null"},
		{"bool", `true`, "expected a JSON object, got a boolean"},
		{"duplicate", `{"exp":1,"exp":2}`, `duplicate key "exp"; a key may appear only once`},
		{"duplicate by escape", `{"exp":1,"\u0065xp":2}`, `duplicate key "exp"`},
		{"nested duplicate", `{"a":{"b":[{"c":1,"c":1}]}}`, `duplicate key "c" in "a.b[0]"`},
		{"lone high surrogate", `{"a":"\ud800"}`, `unpaired surrogate escape \ud800`},
		{"lone low surrogate", `{"\udc00":1}`, `unpaired surrogate escape \udc00`},
		{"reversed pair", `{"a":"\udc00\ud800"}`, `unpaired surrogate escape`},
		{"high then letter", `{"a":"\ud800\u0041"}`, `unpaired surrogate escape`},
		{"invalid utf8", "{\"a\":\"\xff\"}", "not valid UTF-8 at byte 6"},
		{"too deep", `{"d":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`, "nested deeper than 64 levels"},
		{"too deep objects", strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1), "nested deeper than 64 levels"},
		{"too large", `{"a":"` + strings.Repeat("x", MaxSize) + `"}`, "more than the 1048576 allowed"},
		{"trailing data", `{} {}`, "unexpected data after the value"},
		{"trailing garbage", `{}x`, "invalid JSON"},
		{"truncated", `{"a":1`, "unexpected end of input"},
		{"trailing comma", `{"a":1,}`, "invalid JSON"},
		{"missing comma", `{"a":1 "b":2}`, "invalid JSON"},
		{"bare key", `{a:1}`, "invalid JSON"},
		{"single quotes", `{'a':1}`, "invalid JSON"},
		{"comment", `{"a":1 /* c */}`, "invalid JSON"},
		{"nan", `{"a":NaN}`, "invalid JSON"},
		{"leading zero", `{"a":01}`, "invalid JSON"},
		{"bad escape", `{"a":"\x"}`, "invalid JSON"},
		{"control char", "{\"a\":\"\x01\"}", "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseObject([]byte(tt.in))
			if err == nil {
				t.Fatalf("ParseObject succeeded (%v), want error containing %q", o.Keys(), tt.wantMsg)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantMsg)
			}
			if failure.ExitCode(err) != 2 {
				t.Errorf("exit code = %d, want 2", failure.ExitCode(err))
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

// FuzzParseObject checks that ParseObject never panics, accepts only valid JSON, and that
// ParseObject → MarshalJSON → ParseObject gives an equal object whose encoding is a fixed
// point.
func FuzzParseObject(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"b":1,"a":[true,null,{"c":"d"}]}`, `{"exp":1,"exp":2}`, `{"n":1.5e-10}`,
		`{"s":"\ud83d\ude00\u2028<&>"}`, `[1]`, `{"a":{"a":{"a":{}}}}`, `{"a":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := ParseObject(data)
		if err != nil {
			if failure.ExitCode(err) != 2 {
				t.Fatalf("error is not a usage error: %v", err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		enc, err := o.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON of a parsed object: %v", err)
		}
		p, err := ParseObject(enc)
		if err != nil {
			t.Fatalf("re-parsing %s: %v", enc, err)
		}
		if !reflect.DeepEqual(o, p) {
			t.Fatalf("round trip changed the object: %q → %s", data, enc)
		}
		enc2, err := p.MarshalJSON()
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding is not stable: %s vs %s (%v)", enc, enc2, err)
		}
	})
}

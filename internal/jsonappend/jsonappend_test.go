package jsonappend

import (
	"bytes"
	"encoding/json"
	"testing"
)

// marshal is what encoding/json writes for v with SetEscapeHTML(false), without the newline.
func marshal(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// indented is what an encoding/json Encoder with SetIndent("", "  ") writes for raw.
func indented(t testing.TB, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(json.RawMessage(raw)); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

var stringCases = []string{
	"", "plain", `quote " and backslash \`, "<script>&amp;</script>", "\b\f\n\r\t", "\x00\x01\x1f\x7f",
	"é ü 日本 🙂", "line\u2028para\u2029end", "bad \xff utf-8 \xc3", "\xed\xa0\x80 surrogate bytes",
	"\u00a0 nbsp, \u202e bidi", "/slash/",
}

func TestString(t *testing.T) {
	for _, s := range stringCases {
		if got, want := String(nil, s), marshal(t, s); !bytes.Equal(got, want) {
			t.Errorf("String(%q) = %s, encoding/json writes %s", s, got, want)
		}
	}
	if got := String([]byte("x"), "y"); string(got) != `x"y"` {
		t.Errorf("String appends: got %s", got)
	}
}

func TestStrings(t *testing.T) {
	for _, ss := range [][]string{nil, {}, {"a"}, {"a", "b\n", ""}} {
		if got, want := Strings(nil, ss), marshal(t, ss); !bytes.Equal(got, want) {
			t.Errorf("Strings(%q) = %s, encoding/json writes %s", ss, got, want)
		}
	}
}

func TestBool(t *testing.T) {
	if string(Bool(nil, true)) != "true" || string(Bool(nil, false)) != "false" {
		t.Error("Bool writes true and false")
	}
}

var rawCases = []string{
	`{}`, `[]`, `{"a":1}`, ` { "a" : [ 1 , 2 , { } , [ ] ] ,"b":"x y" } `, "{\n\t\"k\":\r\n\"<&>\"}",
	`"s"`, `1.5e3`, `true`, `null`, `[{"a":{"b":[{}]}},[[],[1]]]`, `{"esc":"a\"b\\c\u2028"}`,
	`{"a":"{,:}[]"}`,
}

func TestRaw(t *testing.T) {
	for _, r := range rawCases {
		got, err := Raw([]byte("x"), []byte(r))
		if err != nil {
			t.Errorf("Raw(%q): %v", r, err)
			continue
		}
		if want := append([]byte("x"), marshal(t, json.RawMessage(r))...); !bytes.Equal(got, want) {
			t.Errorf("Raw(%q) = %s, encoding/json writes %s", r, got, want)
		}
	}
	if got, err := Raw(nil, nil); err != nil || string(got) != "null" {
		t.Errorf("Raw(nil) = %s, %v; want null", got, err)
	}
	for _, bad := range []string{``, `{`, `{"a":}`, `[1,]`, `x`, `{} {}`} {
		if got, err := Raw([]byte("x"), []byte(bad)); err == nil || string(got) != "x" {
			t.Errorf("Raw(%q) = %s, %v; want an error and dst unchanged", bad, got, err)
		}
	}
}

func TestIndent(t *testing.T) {
	for _, r := range rawCases {
		compact, err := Raw(nil, []byte(r))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := Indent(nil, compact), indented(t, []byte(r)); !bytes.Equal(got, want) {
			t.Errorf("Indent(%s) =\n%s\nencoding/json writes\n%s", compact, got, want)
		}
	}
}

// FuzzString checks String against encoding/json on any string.
func FuzzString(f *testing.F) {
	for _, s := range stringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := String(nil, s), marshal(t, s); !bytes.Equal(got, want) {
			t.Fatalf("String(%q) = %s, encoding/json writes %s", s, got, want)
		}
	})
}

// FuzzRawIndent checks Raw and Indent against encoding/json on any JSON text: Raw fails where
// encoding/json fails, and writes what it writes where it does not.
func FuzzRawIndent(f *testing.F) {
	for _, r := range rawCases {
		f.Add([]byte(r))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		compact, err := Raw(nil, raw)
		if !json.Valid(raw) {
			if err == nil {
				t.Fatalf("Raw(%q) accepted JSON that encoding/json refuses: %s", raw, compact)
			}
			return
		}
		if err != nil {
			t.Fatalf("Raw(%q): %v", raw, err)
		}
		if want := marshal(t, json.RawMessage(raw)); !bytes.Equal(compact, want) {
			t.Fatalf("Raw(%q) = %s, encoding/json writes %s", raw, compact, want)
		}
		if got, want := Indent(nil, compact), indented(t, raw); !bytes.Equal(got, want) {
			t.Fatalf("Indent(%s) =\n%s\nencoding/json writes\n%s", compact, got, want)
		}
	})
}

package termsafe

import (
	"encoding/json"
	"testing"
)

func TestLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"plain message", "plain message"},
		{`already "quoted\n" text`, `already "quoted\n" text`},
		{"é ü 日本 emoji 🙂, NBSP\u00a0kept", "é ü 日本 emoji 🙂, NBSP\u00a0kept"},
		{"a\nb", `a\nb`},
		{"a\r\nb", `a\r\nb`},
		{"tab\there", `tab\there`},
		{"x\x00y", `x\u0000y`},
		{"x\x1b[2Jy", `x\u001b[2Jy`},
		{"bell\a", `bell\u0007`},
		{"\x1f", `\u001f`},
		{"del\x7f", `del\u007f`},
		{"c1 \u0080 \u009b \u009f", `c1 \u0080 \u009b \u009f`},
		{"not c1: \u00a0", "not c1: \u00a0"},
		{"bidi \u202aa\u202bb\u202cc\u202dd\u202ee", `bidi \u202aa\u202bb\u202cc\u202dd\u202ee`},
		{"isolates \u2066\u2067\u2068\u2069", `isolates \u2066\u2067\u2068\u2069`},
		{"not bidi \u2029x\u2028y", `not bidi \u2029x\u2028y`},
		{"\u2065 \u206a kept", "\u2065 \u206a kept"},
		{"bad \xff byte", `bad \xff byte`},
		{"cut \xe2\x80", `cut \xe2\x80`},
		{"\xc0\x80", `\xc0\x80`},
	} {
		got := Line(tc.in)
		if got != tc.want {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if NeedsEscape(got) {
			t.Errorf("Line(%q) = %q still needs escaping", tc.in, got)
		}
		if NeedsEscape(tc.in) != (tc.in != tc.want) {
			t.Errorf("NeedsEscape(%q) = %v", tc.in, NeedsEscape(tc.in))
		}
	}
}

func TestJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"a":"plain"}`, `{"a":"plain"}`},
		{`{"a":"héllo – ok"}`, `{"a":"héllo – ok"}`},
		{"{\"a\":\"x\x7fy\"}", `{"a":"x\u007fy"}`},
		{"{\"a\":\"\u009b31m\"}", `{"a":"\u009b31m"}`},
		{"{\"a\u202e\":\"\u2066b\u2069\"}", `{"a\u202e":"\u2066b\u2069"}`},
	} {
		got := string(JSON([]byte(tc.in)))
		if got != tc.want {
			t.Errorf("JSON(%q) = %q, want %q", tc.in, got, tc.want)
		}
		var before, after any
		if err := json.Unmarshal([]byte(tc.in), &before); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(got), &after); err != nil {
			t.Fatalf("%q is not JSON: %v", got, err)
		}
		if b1, _ := json.Marshal(before); string(b1) != func() string { b2, _ := json.Marshal(after); return string(b2) }() {
			t.Errorf("%q changed the JSON value", tc.in)
		}
	}
}

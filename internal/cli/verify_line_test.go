package cli

import (
	"bytes"
	"encoding/json"
	"testing"
)

// slowValidLine is the stream line of a valid token as the general path writes it.
func slowValidLine(t testing.TB, line int, claims []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	vd := verdict{checked: true}
	vd.res.Claims = claims
	if err := writeJSONValue(&buf, vd.toJSON(line, false), false); err != nil {
		t.Fatalf("writeJSONValue: %v", err)
	}
	return buf.Bytes()
}

var validLineSeeds = []string{
	`{"sub":"alice","iat":1764064800,"exp":4102444800}`,
	`{"scope":"read write","aud":["api","web"],"n":1.5e3}`,
	"{\n  \"sub\": \"bob\",\n  \"q\": \"a \\\" b\",\n  \"t\": \"\\t\"\n}\n",
	`{"html":"<a href=\"x\">&amp;</a>","u":"\u00e9\u2028","e":"\\"}`,
	`{"nested":{"a":[1, 2, {"b" : null}]},"esc":"\\\" \\\\"}`,
	`{}`,
	` [ "not" , "an object" ] `,
}

func TestAppendValidLine(t *testing.T) {
	for _, line := range []int{1, 7, 123456789} {
		for _, claims := range validLineSeeds {
			got, ok := appendValidLine([]byte("prefix:"), line, []byte(claims))
			if !ok {
				t.Fatalf("line %d of %s: not handled", line, claims)
			}
			if want := append([]byte("prefix:"), slowValidLine(t, line, []byte(claims))...); !bytes.Equal(got, want) {
				t.Errorf("line %d of %s:\n got %s\nwant %s", line, claims, got, want)
			}
		}
	}
	if _, ok := appendValidLine(nil, 0, []byte(`{}`)); ok {
		t.Error("line 0, which encoding/json omits, was handled")
	}
}

// FuzzValidLine checks that appendValidLine writes what the general path writes, for any JSON
// claims and line number.
func FuzzValidLine(f *testing.F) {
	for i, s := range validLineSeeds {
		f.Add(s, i+1)
	}
	f.Fuzz(func(t *testing.T, claims string, line int) {
		if !json.Valid([]byte(claims)) {
			return
		}
		got, ok := appendValidLine(nil, line, []byte(claims))
		if !ok {
			if line != 0 {
				t.Fatalf("line %d of %q: not handled", line, claims)
			}
			return
		}
		if want := slowValidLine(t, line, []byte(claims)); !bytes.Equal(got, want) {
			t.Fatalf("line %d of %q:\n got %s\nwant %s", line, claims, got, want)
		}
	})
}

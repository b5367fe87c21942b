package cli

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/token"
)

// decodePieces are fragments random strings are made of: what encoding/json escapes (quotes,
// backslashes, controls, invalid UTF-8, U+2028/U+2029), what it must not escape here (<, >, &),
// and what termsafe escapes afterwards (DEL, C1 controls, bidi characters).
var decodePieces = []string{
	"", "a", "alice", " ", `"`, `\`, "<", ">", "&", "\n", "\t", "\b", "\f", "\r", "\x00", "\x1f",
	"\x7f", "\u0085", "\u202e", "\u2028", "\u2029", "é", "日本", "🙂", "\xff", "\xc3", "/", "{", "}",
	"[", "]", ",", ":",
}

func randomString(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(6) {
		b.WriteString(decodePieces[r.IntN(len(decodePieces))])
	}
	return b.String()
}

func randomStrings(r *rand.Rand) []string {
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return []string{}
	}
	ss := make([]string, 1+r.IntN(4))
	for i := range ss {
		ss[i] = randomString(r)
	}
	return ss
}

// space is insignificant white space between JSON tokens, often none.
func space(r *rand.Rand) string {
	return []string{"", "", "", " ", "\n  ", "\t", "\r\n"}[r.IntN(7)]
}

// randomJSON writes a random JSON value, with random white space between its tokens.
func randomJSON(r *rand.Rand, b *strings.Builder, depth int) {
	b.WriteString(space(r))
	kind := r.IntN(8)
	if depth > 3 && kind >= 6 {
		kind = r.IntN(6)
	}
	switch kind {
	case 0:
		b.WriteString("null")
	case 1:
		b.WriteString([]string{"true", "false"}[r.IntN(2)])
	case 2:
		b.WriteString([]string{"0", "-1", "1.5e3", "4102444800", "0.25"}[r.IntN(5)])
	case 3, 4, 5:
		// The token's JSON may hold escapes encoding/json would not write; they stay as they are.
		b.WriteString([]string{`"x"`, `"<&>"`, `"a\"b"`, `"\u00e9\u2028"`, `"\\"`, `"{,:}[]"`, `""`, "\"\u202e\""}[r.IntN(8)])
	case 6:
		b.WriteByte('[')
		for i := range r.IntN(4) {
			if i > 0 {
				b.WriteString(space(r) + ",")
			}
			randomJSON(r, b, depth+1)
		}
		b.WriteString(space(r) + "]")
	case 7:
		randomObject(r, b, depth)
	}
	b.WriteString(space(r))
}

func randomObject(r *rand.Rand, b *strings.Builder, depth int) {
	b.WriteByte('{')
	for i := range r.IntN(4) {
		if i > 0 {
			b.WriteString(space(r) + ",")
		}
		b.WriteString(space(r) + `"k` + string(rune('a'+i)) + `"` + space(r) + ":")
		randomJSON(r, b, depth+1)
	}
	b.WriteString(space(r) + "}")
}

func randomRaw(r *rand.Rand, omittable bool) json.RawMessage {
	if omittable && r.IntN(3) == 0 {
		return nil
	}
	var b strings.Builder
	randomObject(r, &b, 0)
	return json.RawMessage(b.String())
}

func randomReport(r *rand.Rand) decodedJSON {
	d := decodedJSON{
		Header:    randomRaw(r, false),
		Payload:   randomRaw(r, true),
		Signature: randomString(r),
		Alg:       randomString(r),
		Encrypted: r.IntN(2) == 0,
		JWEHeader: randomRaw(r, true),
		Scopes:    randomStrings(r),
	}
	d.Line = []int{0, 0, 1, 2, r.IntN(100000)}[r.IntN(5)]
	if r.IntN(5) > 0 {
		d.Times = map[string]decodedTime{}
		for _, name := range timeClaims {
			if r.IntN(2) == 0 {
				d.Times[name] = decodedTime{Unix: r.Int64N(1<<40) - 1<<39, Time: randomString(r), Relative: randomString(r)}
			}
		}
	}
	if r.IntN(5) > 0 {
		d.Findings = []token.Finding{}
		for range r.IntN(4) {
			d.Findings = append(d.Findings, token.Finding{Severity: token.Severity(randomString(r)), Code: randomString(r), Message: randomString(r)})
		}
	}
	return d
}

// TestDecodedJSONMatchesEncodingJSON keeps decode's hand-written JSON (appendJSON) identical to
// what encoding/json writes for the same decodedJSON, indented and in stream lines, on random
// reports: any member, escape or omitempty rule that drifts fails here.
func TestDecodedJSONMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 2026))
	for i := range 5000 {
		d := randomReport(r)
		for _, indent := range []bool{true, false} {
			var want, got bytes.Buffer
			if err := writeJSONValue(&want, d, indent); err != nil {
				t.Fatalf("report %d: encoding/json: %v", i, err)
			}
			if err := writeDecodedJSON(&got, &d, indent); err != nil {
				t.Fatalf("report %d: writeDecodedJSON: %v", i, err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("report %d (indent %v) %+v:\ngot  %s\nwant %s", i, indent, d, got.Bytes(), want.Bytes())
			}
		}
	}
}

// TestDecodedJSONRefusesInvalidRaw: where encoding/json fails on a member that is not JSON,
// the hand-written writer fails too rather than write broken JSON.
func TestDecodedJSONRefusesInvalidRaw(t *testing.T) {
	for _, d := range []decodedJSON{
		{Header: json.RawMessage(`{"a":`)},
		{Header: json.RawMessage(`{}`), Payload: json.RawMessage(`[1,]`)},
		{Header: json.RawMessage(`{}`), JWEHeader: json.RawMessage(`x`)},
		{Header: json.RawMessage{}},
	} {
		var want, got bytes.Buffer
		if writeJSONValue(&want, d, true) == nil {
			t.Fatalf("encoding/json accepted %+v", d)
		}
		if err := writeDecodedJSON(&got, &d, true); err == nil || got.Len() != 0 {
			t.Errorf("writeDecodedJSON(%+v) = %q, %v; want an error and nothing written", d, got.Bytes(), err)
		}
	}
}

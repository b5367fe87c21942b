package claims

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
)

func obj(kv ...any) *Object {
	o := NewObject()
	for i := 0; i < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

func TestParseAssignment(t *testing.T) {
	tests := []struct {
		in   string
		want Assignment
	}{
		{"sub=ada", Assignment{Path: []string{"sub"}, Value: "ada"}},
		{"name=Ada Lovelace", Assignment{Path: []string{"name"}, Value: "Ada Lovelace"}},
		{"key=", Assignment{Path: []string{"key"}, Value: ""}},
		{"n=123", Assignment{Path: []string{"n"}, Value: json.Number("123")}},
		{"n=-1.5e3", Assignment{Path: []string{"n"}, Value: json.Number("-1.5e3")}},
		{"zip=0123", Assignment{Path: []string{"zip"}, Value: "0123"}},
		{"admin=true", Assignment{Path: []string{"admin"}, Value: true}},
		{"gone=null", Assignment{Path: []string{"gone"}, Value: nil}},
		{`s="123"`, Assignment{Path: []string{"s"}, Value: "123"}},
		{`s="unterminated`, Assignment{Path: []string{"s"}, Value: `"unterminated`}},
		{"arr=[1,2]", Assignment{Path: []string{"arr"}, Value: []any{json.Number("1"), json.Number("2")}}},
		{"arr=[1,2", Assignment{Path: []string{"arr"}, Value: "[1,2"}},
		{`o={"b":1,"a":2}`, Assignment{Path: []string{"o"}, Value: obj("b", json.Number("1"), "a", json.Number("2"))}},
		{"eq=a=b", Assignment{Path: []string{"eq"}, Value: "a=b"}},
		{"url=https://x.example/?a=1&b=2", Assignment{Path: []string{"url"}, Value: "https://x.example/?a=1&b=2"}},
		{"a.b.c=1", Assignment{Path: []string{"a", "b", "c"}, Value: json.Number("1")}},
		{`a\.b=1`, Assignment{Path: []string{"a.b"}, Value: json.Number("1")}},
		{`https://example\.com/roles+=admin`, Assignment{Path: []string{"https://example.com/roles"}, Value: "admin", Append: true}},
		{`a\=b=1`, Assignment{Path: []string{"a=b"}, Value: json.Number("1")}},
		{`c\+=1`, Assignment{Path: []string{"c+"}, Value: json.Number("1")}},
		{`back\\slash=1`, Assignment{Path: []string{`back\slash`}, Value: json.Number("1")}},
		{"a+b=1", Assignment{Path: []string{"a+b"}, Value: json.Number("1")}},
		{"roles+=admin", Assignment{Path: []string{"roles"}, Value: "admin", Append: true}},
		{"roles+=", Assignment{Path: []string{"roles"}, Value: "", Append: true}},
		{"x=+=", Assignment{Path: []string{"x"}, Value: "+="}},
		{"k= 12 ", Assignment{Path: []string{"k"}, Value: json.Number("12")}},
		{"k=é", Assignment{Path: []string{"k"}, Value: "é"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAssignment(tt.in)
			if err != nil {
				t.Fatalf("ParseAssignment(%q) error: %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseAssignment(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseAssignmentErrors(t *testing.T) {
	tests := []struct {
		in, wantMsg string
	}{
		{"sub", `invalid assignment "sub": no "="; use key=value, a.b=value (nested) or key+=value`},
		{"", `no "="`},
		{`a\=b`, `no "="`},
		{"=x", "empty key"},
		{"+=x", "empty key"},
		{"a..b=1", `empty name in the path "a..b"`},
		{".a=1", "empty name in the path"},
		{"a.=1", "empty name in the path"},
		{`a\`, "lone backslash"},
		{strings.Repeat("a.", MaxDepth) + "a=1", "more than 64 parts"},
		{`o={"a":1,"a":2}`, `invalid value for "o": duplicate key "a"`},
		{`o={"a":"\udc00"}`, "unpaired surrogate"},
		{"o=" + strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), "nested deeper than 64"},
		{"k=\xff", "not valid UTF-8"},
		{"k=" + strings.Repeat("x", MaxSize), "more than the 1048576 allowed"},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			a, err := ParseAssignment(tt.in)
			if err == nil {
				t.Fatalf("ParseAssignment succeeded (%v), want error containing %q", a, tt.wantMsg)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantMsg)
			}
			if failure.ExitCode(err) != 2 {
				t.Errorf("exit code = %d, want 2", failure.ExitCode(err))
			}
			if len(err.Error()) > 300 {
				t.Errorf("error is %d bytes long", len(err.Error()))
			}
		})
	}
}

func TestApply(t *testing.T) {
	tests := []struct {
		name    string
		start   string
		assigns []string
		want    string
	}{
		{"order of flags", `{}`, []string{"sub=ada", "iss=me", "admin=true"}, `{"sub":"ada","iss":"me","admin":true}`},
		{"replace keeps position", `{"a":1,"b":2}`, []string{"a=3"}, `{"a":3,"b":2}`},
		{"nested create", `{}`, []string{"a.b.c=1", "a.b.d=2", "a.e=x"}, `{"a":{"b":{"c":1,"d":2},"e":"x"}}`},
		{"nested into existing", `{"a":{"z":0}}`, []string{"a.b=1"}, `{"a":{"z":0,"b":1}}`},
		{"through null", `{"a":null}`, []string{"a.b=1"}, `{"a":{"b":1}}`},
		{"literal dot", `{}`, []string{`https://example\.com/role=admin`}, `{"https://example.com/role":"admin"}`},
		{"append creates", `{}`, []string{"roles+=admin", "roles+=dev"}, `{"roles":["admin","dev"]}`},
		{"append to existing", `{"roles":["a"]}`, []string{"roles+=b"}, `{"roles":["a","b"]}`},
		{"append to null", `{"roles":null}`, []string{"roles+=b"}, `{"roles":["b"]}`},
		{"append promotes scalar", `{"aud":"api"}`, []string{"aud+=web"}, `{"aud":["api","web"]}`},
		{"append concatenates arrays", `{"r":[1]}`, []string{`r+=[2,3]`}, `{"r":[1,2,3]}`},
		{"append nested array", `{}`, []string{`r+=[[1]]`}, `{"r":[[1]]}`},
		{"append object", `{}`, []string{`r+={"b":1,"a":2}`}, `{"r":[{"b":1,"a":2}]}`},
		{"append nested path", `{}`, []string{"a.b+=1"}, `{"a":{"b":[1]}}`},
		{"set object value", `{}`, []string{`o={"b":1,"a":2}`, "o.c=3"}, `{"o":{"b":1,"a":2,"c":3}}`},
		{"set null", `{"a":1}`, []string{"a=null"}, `{"a":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := mustParse(t, []byte(tt.start))
			for _, s := range tt.assigns {
				a, err := ParseAssignment(s)
				if err != nil {
					t.Fatalf("ParseAssignment(%q): %v", s, err)
				}
				if err := o.Apply(a); err != nil {
					t.Fatalf("Apply(%q): %v", s, err)
				}
			}
			got, err := o.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestApplyGoValues(t *testing.T) {
	o := NewObject()
	o.Set("m", map[string]any{"y": 1, "x": 2})
	o.Set("s", []string{"a"})
	o.Set("raw", json.RawMessage(`[1]`))
	for _, a := range []Assignment{
		{Path: []string{"m", "z"}, Value: 3},
		{Path: []string{"s"}, Value: "b", Append: true},
		{Path: []string{"raw"}, Value: 2, Append: true},
		{Path: []string{"list"}, Value: []string{"p", "q"}, Append: true},
	} {
		if err := o.Apply(a); err != nil {
			t.Fatalf("Apply(%v): %v", a, err)
		}
	}
	got, _ := o.MarshalJSON()
	if want := `{"m":{"x":2,"y":1,"z":3},"s":["a","b"],"raw":[1,2],"list":["p","q"]}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestApplyCopiesValues(t *testing.T) {
	a, err := ParseAssignment(`o={"a":[1]}`)
	if err != nil {
		t.Fatal(err)
	}
	first, second := NewObject(), NewObject()
	for _, o := range []*Object{first, second} {
		if err := o.Apply(a); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := ParseAssignment("o.a+=2")
	if err := first.Apply(b); err != nil {
		t.Fatal(err)
	}
	got1, _ := first.MarshalJSON()
	got2, _ := second.MarshalJSON()
	if string(got1) != `{"o":{"a":[1,2]}}` || string(got2) != `{"o":{"a":[1]}}` {
		t.Errorf("objects share values: %s and %s", got1, got2)
	}
	if v := a.Value.(*Object); v.Len() != 1 {
		t.Errorf("the assignment's value was changed: %v", v.Keys())
	}
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		start, assign, wantMsg string
	}{
		{`{"a":"x"}`, "a.b=1", "cannot set a.b: a is a string"},
		{`{"a":{"b":1}}`, "a.b.c=1", "cannot set a.b.c: a.b is a number"},
		{`{"a":[1]}`, "a.b=1", "cannot set a.b: a is an array"},
		{`{"a":true}`, "a.b+=1", "cannot set a.b: a is a boolean"},
		{`{"a.b":"x"}`, `a\.b.c=1`, `cannot set a\.b.c: a\.b is a string`},
		{`{"a":{}}`, "a+=1", "cannot append to a: it is an object"},
		{`{"a b":"x"}`, "a b.c=1", `cannot set "a b.c": "a b" is a string`},
	}
	for _, tt := range tests {
		t.Run(tt.assign, func(t *testing.T) {
			o := mustParse(t, []byte(tt.start))
			before, _ := o.MarshalJSON()
			a, err := ParseAssignment(tt.assign)
			if err != nil {
				t.Fatal(err)
			}
			err = o.Apply(a)
			if err == nil {
				t.Fatalf("Apply succeeded, want error containing %q", tt.wantMsg)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantMsg)
			}
			if failure.ExitCode(err) != 2 {
				t.Errorf("exit code = %d, want 2", failure.ExitCode(err))
			}
			after, _ := o.MarshalJSON()
			if string(before) != string(after) {
				t.Errorf("failed Apply changed the object: %s → %s", before, after)
			}
		})
	}
	if err := NewObject().Apply(Assignment{Value: 1}); err == nil {
		t.Error("Apply with an empty path succeeded")
	}
}

func TestAssignmentString(t *testing.T) {
	for _, s := range []string{`a\.b.c+=[1,"x"]`, `k="v"`, `a\=b\+=1`, `o={"b":1,"a":null}`} {
		a, err := ParseAssignment(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.String(); got != s {
			t.Errorf("String() = %s, want %s", got, s)
		}
	}
}

// FuzzParseAssignment checks that ParseAssignment never panics, that what it accepts has a
// non-empty path of non-empty names, that String writes it back so that it parses to the same
// assignment, and that applying it to an empty object works and encodes.
func FuzzParseAssignment(f *testing.F) {
	for _, s := range []string{
		"sub=ada", "a.b.c=1", `a\.b=1`, "roles+=admin", `o={"b":1,"a":[1,2]}`, "k=", "=x",
		`a\`, "a..b=1", `x={"a":1,"a":2}`, "n=0123", `s="q"`, `c\+=1`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAssignment(s)
		if err != nil {
			if failure.ExitCode(err) != 2 {
				t.Fatalf("error is not a usage error: %v", err)
			}
			return
		}
		if len(a.Path) == 0 || len(a.Path) > MaxDepth {
			t.Fatalf("ParseAssignment(%q) path has %d parts", s, len(a.Path))
		}
		for _, p := range a.Path {
			if p == "" {
				t.Fatalf("ParseAssignment(%q) has an empty path name", s)
			}
		}
		back, err := ParseAssignment(a.String())
		if err != nil {
			t.Fatalf("String() %q does not parse: %v", a.String(), err)
		}
		if !reflect.DeepEqual(a, back) {
			t.Fatalf("ParseAssignment(%q) = %#v, but its String() %q parses to %#v", s, a, a.String(), back)
		}
		o := NewObject()
		if err := o.Apply(a); err != nil {
			t.Fatalf("Apply(%q) to an empty object: %v", s, err)
		}
		if _, err := o.MarshalJSON(); err != nil {
			t.Fatalf("encoding after Apply(%q): %v", s, err)
		}
	})
}

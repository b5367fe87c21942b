package claims

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

func TestObjectOrderAndEdits(t *testing.T) {
	o := NewObject()
	o.Set("sub", "ada")
	o.Set("iss", "https://issuer.example/?a=1&b=<2>")
	o.Set("exp", json.Number("1764064800"))
	o.Set("sub", "grace") // replaced in place
	if got, want := o.Keys(), []string{"sub", "iss", "exp"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Keys() = %v, want %v", got, want)
	}
	if v, ok := o.Get("sub"); !ok || v != "grace" {
		t.Errorf(`Get("sub") = %v, %v, want "grace", true`, v, ok)
	}
	if _, ok := o.Get("nope"); ok {
		t.Error(`Get("nope") reported present`)
	}
	o.Delete("iss")
	o.Delete("missing")
	o.Set("iss", "later")
	if got, want := o.Keys(), []string{"sub", "exp", "iss"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after Delete and Set, Keys() = %v, want %v", got, want)
	}
	if o.Len() != 3 {
		t.Errorf("Len() = %d, want 3", o.Len())
	}
	keys := o.Keys()
	keys[0] = "changed"
	if o.Keys()[0] != "sub" {
		t.Error("Keys() returned the internal slice")
	}
}

func TestObjectZeroAndNil(t *testing.T) {
	var z Object
	z.Set("a", 1)
	if b, err := z.MarshalJSON(); err != nil || string(b) != `{"a":1}` {
		t.Errorf("zero Object after Set = %s, %v", b, err)
	}
	var n *Object
	if n.Len() != 0 || n.Keys() != nil {
		t.Error("nil *Object is not empty")
	}
	if _, ok := n.Get("a"); ok {
		t.Error("nil *Object Get reported present")
	}
	n.Delete("a") // must not panic
	if b, _ := n.MarshalJSON(); string(b) != "null" {
		t.Errorf("nil *Object marshals to %s, want null", b)
	}
	if !n.Equal(NewObject()) || !NewObject().Equal(n) {
		t.Error("nil and empty objects are not Equal")
	}
}

func TestMarshalJSON(t *testing.T) {
	inner := NewObject()
	inner.Set("z", true)
	inner.Set("a", nil)
	tests := []struct {
		name string
		set  func(o *Object)
		want string
	}{
		{"empty", func(o *Object) {}, `{}`},
		{"order kept", func(o *Object) {
			o.Set("z", 1)
			o.Set("a", 2)
			o.Set("m", 3)
		}, `{"z":1,"a":2,"m":3}`},
		{"no html escaping", func(o *Object) {
			o.Set("url", "https://x.example/?a=1&b=<2>")
			o.Set("<k>", "&")
		}, `{"url":"https://x.example/?a=1&b=<2>","<k>":"&"}`},
		{"value kinds", func(o *Object) {
			o.Set("null", nil)
			o.Set("bool", false)
			o.Set("num", json.Number("1.50"))
			o.Set("f", 2.5)
			o.Set("i", int64(-7))
			o.Set("arr", []any{"x", json.Number("1"), inner})
			o.Set("obj", inner)
			o.Set("raw", json.RawMessage(` { "b" : [ 1 , 2 ] } `))
			o.Set("strs", []string{"a", "b"})
			o.Set("map", map[string]any{"y": 1, "x": 2})
		}, `{"null":null,"bool":false,"num":1.50,"f":2.5,"i":-7,"arr":["x",1,{"z":true,"a":null}],"obj":{"z":true,"a":null},"raw":{"b":[1,2]},"strs":["a","b"],"map":{"x":2,"y":1}}`},
		{"escapes", func(o *Object) {
			o.Set("q\"\\\n", "tab\there\u2028")
		}, `{"q\"\\\n":"tab\there\u2028"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewObject()
			tt.set(o)
			got, err := o.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("MarshalJSON() =\n%s\nwant\n%s", got, tt.want)
			}
			// Nested inside encoding/json the order must survive too.
			wrapped, err := json.Marshal([]any{o})
			if err != nil {
				t.Fatal(err)
			}
			var back []json.RawMessage
			if err := json.Unmarshal(wrapped, &back); err != nil {
				t.Fatal(err)
			}
			p, err := ParseObject(back[0])
			if err != nil {
				t.Fatal(err)
			}
			if !p.Equal(mustParse(t, got)) {
				t.Errorf("order lost through json.Marshal: %s", back[0])
			}
		})
	}
}

func TestMarshalJSONErrors(t *testing.T) {
	for name, v := range map[string]any{
		"NaN":        math.NaN(),
		"channel":    make(chan int),
		"bad number": json.Number("1x"),
		"bad raw":    json.RawMessage(`{`),
	} {
		t.Run(name, func(t *testing.T) {
			o := NewObject()
			o.Set("k", v)
			if b, err := o.MarshalJSON(); err == nil {
				t.Errorf("MarshalJSON() = %s, want an error", b)
			}
			if o.Equal(o) {
				t.Error("an object that cannot be encoded is Equal to itself")
			}
		})
	}
}

func TestUnmarshalJSON(t *testing.T) {
	var s struct {
		Claims *Object `json:"claims"`
	}
	if err := json.Unmarshal([]byte(`{"claims":{"b":1,"a":{"d":2,"c":3}}}`), &s); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Claims.MarshalJSON()
	if string(got) != `{"b":1,"a":{"d":2,"c":3}}` {
		t.Errorf("decoded through a struct: %s", got)
	}
	if err := json.Unmarshal([]byte(`{"claims":{"a":1,"a":2}}`), &s); err == nil {
		t.Error("duplicate key accepted through UnmarshalJSON")
	}
}

func TestEqual(t *testing.T) {
	a := mustParse(t, []byte(`{"a":1,"b":[true]}`))
	tests := []struct {
		name string
		b    string
		want bool
	}{
		{"same", `{"a":1,"b":[true]}`, true},
		{"whitespace", ` { "a" : 1 , "b" : [ true ] } `, true},
		{"order", `{"b":[true],"a":1}`, false},
		{"number text", `{"a":1.0,"b":[true]}`, false},
		{"value", `{"a":1,"b":[false]}`, false},
		{"extra", `{"a":1,"b":[true],"c":null}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := a.Equal(mustParse(t, []byte(tt.b))); got != tt.want {
				t.Errorf("Equal(%s) = %v, want %v", tt.b, got, tt.want)
			}
		})
	}
}

func mustParse(t *testing.T, data []byte) *Object {
	t.Helper()
	o, err := ParseObject(data)
	if err != nil {
		t.Fatalf("ParseObject(%s): %v", data, err)
	}
	return o
}

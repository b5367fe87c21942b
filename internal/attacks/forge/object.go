package forge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Object is a JSON object kept as its members in order, so that a forged header or claims set
// differs from the genuine one only where an attack changes it. Values are kept as raw JSON.
type Object struct {
	members []member
}

type member struct {
	name  string
	value json.RawMessage
}

// maxObjectSize caps the JSON an Object is parsed from; a JOSE header or claims set is far
// smaller.
const maxObjectSize = 1 << 20

// ParseObject reads a JSON object, keeping member order. It refuses anything that is not a
// single JSON object and repeated member names (which have no one meaning to forge from).
func ParseObject(data []byte) (Object, error) {
	if len(data) > maxObjectSize {
		return Object{}, fmt.Errorf("JSON object of %d bytes is over the %d-byte limit", len(data), maxObjectSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return Object{}, fmt.Errorf("reading JSON object: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return Object{}, errors.New("not a JSON object")
	}
	var o Object
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Object{}, fmt.Errorf("reading JSON object: %w", err)
		}
		name, ok := tok.(string)
		if !ok {
			return Object{}, errors.New("reading JSON object: member name is not a string")
		}
		if seen[name] {
			return Object{}, fmt.Errorf("member %q appears twice", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return Object{}, fmt.Errorf("reading member %q: %w", name, err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, raw); err != nil {
			return Object{}, fmt.Errorf("reading member %q: %w", name, err)
		}
		o.members = append(o.members, member{name: name, value: compact.Bytes()})
	}
	if _, err := dec.Token(); err != nil {
		return Object{}, fmt.Errorf("reading JSON object: %w", err)
	}
	if _, err := dec.Token(); err == nil {
		return Object{}, errors.New("data after the JSON object")
	}
	return o, nil
}

// MustParseObject is ParseObject for literals known to be valid; it panics otherwise.
func MustParseObject(s string) Object {
	o, err := ParseObject([]byte(s))
	if err != nil {
		panic(err)
	}
	return o
}

// With returns a copy of o with the member set to value (any JSON-encodable value, or a
// json.RawMessage), in its place when o has it and at the end otherwise.
func (o Object) With(name string, value any) Object {
	raw, ok := value.(json.RawMessage)
	if !ok {
		raw = json.RawMessage(compactJSON(value))
	}
	out := Object{members: make([]member, 0, len(o.members)+1)}
	found := false
	for _, m := range o.members {
		if m.name == name {
			m.value, found = raw, true
		}
		out.members = append(out.members, m)
	}
	if !found {
		out.members = append(out.members, member{name: name, value: raw})
	}
	return out
}

// Without returns a copy of o without the member.
func (o Object) Without(name string) Object {
	out := Object{members: make([]member, 0, len(o.members))}
	for _, m := range o.members {
		if m.name != name {
			out.members = append(out.members, m)
		}
	}
	return out
}

// Has reports whether o has the member.
func (o Object) Has(name string) bool {
	_, ok := o.Raw(name)
	return ok
}

// Raw returns the member's raw JSON value.
func (o Object) Raw(name string) (json.RawMessage, bool) {
	for _, m := range o.members {
		if m.name == name {
			return m.value, true
		}
	}
	return nil, false
}

// String returns the member's value when it is a JSON string.
func (o Object) String(name string) (string, bool) {
	raw, ok := o.Raw(name)
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// JSON renders o compactly, members in order.
func (o Object) JSON() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range o.members {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(compactJSON(m.name))
		b.WriteByte(':')
		b.Write(m.value)
	}
	b.WriteByte('}')
	return b.String()
}

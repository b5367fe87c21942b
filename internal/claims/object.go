package claims

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// Object is a JSON object that keeps its members in insertion order. Member values may be nil,
// bool, string, json.Number, float64, int, int64, []any, *Object, json.RawMessage, or anything
// else encoding/json marshals. The zero value is an empty object ready to use; an Object is
// not safe for concurrent modification.
type Object struct {
	keys []string
	vals map[string]any
}

// NewObject returns an empty Object.
func NewObject() *Object { return &Object{} }

// Set sets the member key to v: in place when key is present, else appended at the end.
func (o *Object) Set(key string, v any) {
	if o.vals == nil {
		o.vals = make(map[string]any)
	}
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
}

// Get returns the value of member key and whether it is present.
func (o *Object) Get(key string) (any, bool) {
	if o == nil {
		return nil, false
	}
	v, ok := o.vals[key]
	return v, ok
}

// Delete removes member key, keeping the order of the others. Deleting a missing key does
// nothing.
func (o *Object) Delete(key string) {
	if o == nil {
		return
	}
	if _, ok := o.vals[key]; !ok {
		return
	}
	delete(o.vals, key)
	o.keys = slices.DeleteFunc(o.keys, func(k string) bool { return k == key })
}

// Keys returns the member names in order. The slice is a copy.
func (o *Object) Keys() []string {
	if o == nil {
		return nil
	}
	return slices.Clone(o.keys)
}

// Len returns the number of members.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.keys)
}

// MarshalJSON writes the object as compact JSON with its members in order. Unlike
// encoding/json's default it does not escape <, > and &, so a URL claim reads as written.
// A nil *Object is null.
func (o *Object) MarshalJSON() ([]byte, error) {
	if o == nil {
		return []byte("null"), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(k); err != nil {
			return nil, err
		}
		trimNewline(&buf)
		buf.WriteByte(':')
		if err := enc.Encode(o.vals[k]); err != nil {
			return nil, fmt.Errorf("encoding member %q: %w", k, err)
		}
		trimNewline(&buf)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON replaces the object's members with those of data, read as ParseObject reads
// it, so an *Object can sit inside structs decoded by encoding/json.
func (o *Object) UnmarshalJSON(data []byte) error {
	p, err := ParseObject(data)
	if err != nil {
		return err
	}
	*o = *p
	return nil
}

// Equal reports whether o and p have the same members in the same order with equal values.
// Values are compared by their JSON encoding, so json.Number("1") equals int(1) but not
// json.Number("1.0"). A nil *Object equals an empty one; an object that cannot be encoded
// equals nothing.
func (o *Object) Equal(p *Object) bool {
	if o.Len() != p.Len() {
		return false
	}
	if o.Len() == 0 {
		return true
	}
	a, errA := o.MarshalJSON()
	b, errB := p.MarshalJSON()
	return errA == nil && errB == nil && bytes.Equal(a, b)
}

// trimNewline removes the newline json.Encoder.Encode appends.
func trimNewline(buf *bytes.Buffer) {
	if n := buf.Len(); n > 0 && buf.Bytes()[n-1] == '\n' {
		buf.Truncate(n - 1)
	}
}

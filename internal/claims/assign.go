package claims

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// Assignment is one parsed --claim or --header value: set Value at Path, or with Append add it
// to the array there.
type Assignment struct {
	// Path is the member names from the outermost object inward; never empty once parsed.
	Path []string
	// Value is what was given after "=": JSON when it parses as JSON, else the string itself.
	Value any
	// Append is true for "key+=value".
	Append bool
}

const assignForms = "use key=value, a.b=value (nested) or key+=value (append to an array)"

// ParseAssignment reads one --claim or --header value:
//
//   - "key=value" sets key; "a.b.c=value" sets c inside objects a and b;
//   - "key+=value" appends to the array at key (see Object.Apply);
//   - a backslash makes the next character of the key literal: "a\.b=1" sets the member
//     "a.b", "a\=b=1" the member "a=b", "c\+=1" sets (not appends to) "c+";
//   - the value is read as JSON when it is valid JSON (true, 123, null, {"a":1}, [1,2],
//     "quoted"), and kept as a string otherwise: "name=Ada" is the string "Ada", "n=0123" the
//     string "0123", "n=123" the number 123, `n="123"` the string "123". Objects keep their
//     member order. "key=" sets the empty string.
//
// Errors (usage errors): invalid UTF-8, no "=", an empty key or path segment, a trailing backslash, a path
// deeper than MaxDepth, a value larger than MaxSize, and a value that is JSON but breaks
// ParseObject's rules (a duplicate key, invalid UTF-8, nesting too deep).
func ParseAssignment(s string) (Assignment, error) {
	if len(s) > MaxSize {
		return Assignment{}, failure.Usagef("bad_assignment", "invalid assignment: %d bytes, more than the %d allowed", len(s), MaxSize)
	}
	if !utf8.ValidString(s) {
		return Assignment{}, failure.Usagef("bad_assignment", "invalid assignment %s: not valid UTF-8", quote(s))
	}
	var (
		path    []string
		seg     strings.Builder
		escaped bool
		eq      = -1
		appendv bool
	)
	for i := 0; i < len(s) && eq < 0; i++ {
		c := s[i]
		switch {
		case escaped:
			seg.WriteByte(c)
			escaped = false
		case c == '\\':
			escaped = true
		case c == '.':
			path = append(path, seg.String())
			seg.Reset()
		case c == '+' && i+1 < len(s) && s[i+1] == '=':
			appendv = true
			eq = i + 1
		case c == '=':
			eq = i
		default:
			seg.WriteByte(c)
		}
	}
	if escaped {
		return Assignment{}, failure.Usagef("bad_assignment", "invalid assignment %s: the key ends with a lone backslash; write \\\\ for a literal one", quote(s))
	}
	if eq < 0 {
		return Assignment{}, failure.Usagef("bad_assignment", "invalid assignment %s: no \"=\"; %s", quote(s), assignForms)
	}
	path = append(path, seg.String())
	keyText := s[:eq]
	if appendv {
		keyText = s[:eq-1]
	}
	if slices.Contains(path, "") {
		if len(path) == 1 {
			return Assignment{}, failure.Usagef("bad_assignment", "invalid assignment %s: empty key; %s", quote(s), assignForms)
		}
		return Assignment{}, failure.Usagef("bad_assignment", "invalid assignment %s: empty name in the path %s; write \\. for a literal dot", quote(s), quote(keyText))
	}
	if len(path) > MaxDepth {
		return Assignment{}, failure.Usagef("bad_assignment", "invalid assignment %s: the path has more than %d parts", quote(keyText), MaxDepth)
	}
	raw := s[eq+1:]
	a := Assignment{Path: path, Value: raw, Append: appendv}
	if raw == "" {
		return a, nil
	}
	v, err := parseJSON([]byte(raw))
	switch {
	case err == nil:
		a.Value = v
	case errors.Is(err, errNotJSON):
		// Not JSON: the value is the string as given.
	default:
		return Assignment{}, failure.Usagef("bad_assignment", "invalid value for %s: %v", quote(keyText), err)
	}
	return a, nil
}

// Apply sets a.Value at a.Path in o, creating the objects on the way that are missing (or
// null). With a.Append it adds to the array at the path instead: a missing or null member
// becomes a new array, an array is extended, and a scalar becomes [old, new]; an array value
// is concatenated ("roles+=[\"a\",\"b\"]" adds two elements; write [[…]] to add one array).
// Values are copied, so later changes to o never alter a.
//
// It is a usage error when the path crosses a member that is not an object ("cannot set a.b:
// a is a string") or when appending to an object.
func (o *Object) Apply(a Assignment) error {
	if len(a.Path) == 0 {
		return failure.Usagef("bad_assignment", "cannot apply an assignment with an empty path; %s", assignForms)
	}
	cur := o
	for i, seg := range a.Path[:len(a.Path)-1] {
		v, _ := cur.Get(seg)
		switch t := v.(type) {
		case nil:
			next := NewObject()
			cur.Set(seg, next)
			cur = next
		case *Object:
			if t == nil {
				t = NewObject()
				cur.Set(seg, t)
			}
			cur = t
		case map[string]any:
			next := objectFromMap(t)
			cur.Set(seg, next)
			cur = next
		default:
			return failure.Usagef("bad_assignment", "cannot set %s: %s is %s", joinPath(a.Path), joinPath(a.Path[:i+1]), kindOf(v))
		}
	}
	last := a.Path[len(a.Path)-1]
	if !a.Append {
		cur.Set(last, clone(a.Value))
		return nil
	}
	add, isList := asList(a.Value)
	if !isList {
		add = []any{a.Value}
	}
	add = clone(add).([]any)
	old, _ := cur.Get(last)
	if raw, ok := old.(json.RawMessage); ok {
		if v, err := parseJSON(raw); err == nil {
			old = v
		}
	}
	switch t := old.(type) {
	case nil:
		cur.Set(last, add)
	case *Object, map[string]any:
		return failure.Usagef("bad_assignment", "cannot append to %s: it is an object; set a member with %s.name=value", joinPath(a.Path), joinPath(a.Path))
	default:
		list, ok := asList(t)
		if !ok {
			list = []any{t}
		}
		cur.Set(last, append(list, add...))
	}
	return nil
}

// asList returns v as a fresh []any when it is a JSON array value.
func asList(v any) ([]any, bool) {
	switch t := v.(type) {
	case []any:
		return slices.Clone(t), true
	case []string:
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// clone deep-copies the containers jwtkit builds (*Object, []any, map[string]any); other values
// are immutable or copied by value.
func clone(v any) any {
	switch t := v.(type) {
	case *Object:
		if t == nil {
			return t
		}
		c := NewObject()
		for _, k := range t.keys {
			c.Set(k, clone(t.vals[k]))
		}
		return c
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = clone(e)
		}
		return c
	case map[string]any:
		return objectFromMap(t)
	}
	return v
}

// objectFromMap turns a map into an Object with its keys sorted, the order encoding/json
// would write them in.
func objectFromMap(m map[string]any) *Object {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	o := NewObject()
	for _, k := range keys {
		o.Set(k, clone(m[k]))
	}
	return o
}

// joinPath writes a path back in the flag's syntax, quoted if it needs to be.
func joinPath(path []string) string {
	parts := make([]string, len(path))
	r := strings.NewReplacer(`\`, `\\`, `.`, `\.`)
	for i, p := range path {
		parts[i] = r.Replace(p)
	}
	s := strings.Join(parts, ".")
	if len(s) > 80 || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsGraphic(r) || unicode.IsSpace(r) }) >= 0 {
		return quote(s)
	}
	return s
}

// quote renders user input for an error message: quoted, escaped and cut to a sane length.
func quote(s string) string {
	const limit = 60
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "…"
	}
	return strconv.Quote(s)
}

// String writes the assignment back in the flag's syntax, with the value as compact JSON.
func (a Assignment) String() string {
	op := "="
	if a.Append {
		op = "+="
	}
	v, err := json.Marshal(a.Value)
	if err != nil {
		v = []byte(fmt.Sprint(a.Value))
	}
	r := strings.NewReplacer(`\`, `\\`, `.`, `\.`, `=`, `\=`, `+`, `\+`)
	parts := make([]string, len(a.Path))
	for i, p := range a.Path {
		parts[i] = r.Replace(p)
	}
	return strings.Join(parts, ".") + op + string(v)
}

package claims

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jwtkit/jwtkit/internal/failure"
)

const (
	// MaxSize is the largest JSON input ParseObject reads, in bytes.
	MaxSize = 1 << 20
	// MaxDepth is the deepest nesting of objects and arrays ParseObject reads; the outermost
	// object is depth 1.
	MaxDepth = 64
)

// ParseObject parses a JSON object, keeping member order at every depth: nested objects become
// *Object, arrays []any, numbers json.Number (their text exactly as written), strings, booleans
// and null as encoding/json decodes them.
//
// It refuses, with a usage error that says why: input that is not a single JSON object,
// duplicate member names (naming the member, even when the duplicates are spelled with
// different escapes), invalid UTF-8 and unpaired UTF-16 surrogate escapes, nesting deeper than
// MaxDepth and input larger than MaxSize. Whitespace around the object is allowed.
func ParseObject(data []byte) (*Object, error) {
	v, err := parseJSON(data)
	if err != nil {
		return nil, failure.Usage("bad_json", err)
	}
	obj, ok := v.(*Object)
	if !ok {
		return nil, failure.Usagef("bad_json", "expected a JSON object, got %s", kindOf(v))
	}
	return obj, nil
}

// errNotJSON marks input that is not well-formed JSON, as opposed to well-formed JSON that
// breaks one of ParseObject's rules; ParseAssignment keeps the former as a string.
var errNotJSON = errors.New("not JSON")

type syntaxError struct{ msg string }

func (e *syntaxError) Error() string        { return e.msg }
func (e *syntaxError) Is(target error) bool { return target == errNotJSON }

// parseJSON parses any JSON value with ParseObject's rules. Errors that mean "this is not JSON
// at all" match errNotJSON.
func parseJSON(data []byte) (any, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("JSON input is %d bytes, more than the %d allowed", len(data), MaxSize)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &syntaxError{"empty input where JSON was expected"}
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("invalid JSON: not valid UTF-8 at byte %d", invalidUTF8At(data))
	}
	if err := checkSurrogates(data); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	p := &parser{dec: dec}
	tok, err := p.token()
	if err != nil {
		return nil, err
	}
	v, err := p.value(tok)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &syntaxError{fmt.Sprintf("invalid JSON: unexpected data after the value at byte %d", dec.InputOffset())}
	}
	return v, nil
}

type parser struct {
	dec   *json.Decoder
	depth int
	path  []string // member names and indexes leading to the current value, for errors
}

func (p *parser) token() (json.Token, error) {
	tok, err := p.dec.Token()
	if err == nil {
		return tok, nil
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, &syntaxError{"invalid JSON: unexpected end of input"}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return nil, &syntaxError{fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, se.Error())}
	}
	return nil, &syntaxError{"invalid JSON: " + err.Error()}
}

func (p *parser) value(tok json.Token) (any, error) {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return p.object()
		case '[':
			return p.array()
		}
		return nil, &syntaxError{fmt.Sprintf("invalid JSON: unexpected %q", rune(t))}
	case string, json.Number, bool, nil:
		return t, nil
	}
	return nil, &syntaxError{fmt.Sprintf("invalid JSON: unexpected token %v", tok)}
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return fmt.Errorf("JSON nested deeper than %d levels at %s", MaxDepth, p.where())
	}
	return nil
}

func (p *parser) object() (*Object, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	obj := NewObject()
	for {
		tok, err := p.token()
		if err != nil {
			return nil, err
		}
		if d, ok := tok.(json.Delim); ok && d == '}' {
			break
		}
		key, ok := tok.(string)
		if !ok {
			return nil, &syntaxError{"invalid JSON: object key is not a string"}
		}
		if _, dup := obj.Get(key); dup {
			where := ""
			if len(p.path) > 0 {
				where = " in " + p.where()
			}
			return nil, fmt.Errorf("duplicate key %s%s; a key may appear only once", strconv.Quote(key), where)
		}
		tok, err = p.token()
		if err != nil {
			return nil, err
		}
		p.path = append(p.path, key)
		v, err := p.value(tok)
		if err != nil {
			return nil, err
		}
		p.path = p.path[:len(p.path)-1]
		obj.Set(key, v)
	}
	p.depth--
	return obj, nil
}

func (p *parser) array() ([]any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	arr := []any{}
	for {
		tok, err := p.token()
		if err != nil {
			return nil, err
		}
		if d, ok := tok.(json.Delim); ok && d == ']' {
			break
		}
		p.path = append(p.path, "["+strconv.Itoa(len(arr))+"]")
		v, err := p.value(tok)
		if err != nil {
			return nil, err
		}
		p.path = p.path[:len(p.path)-1]
		arr = append(arr, v)
	}
	p.depth--
	return arr, nil
}

// where renders the current path as a.b[0].c for error messages, cut to a sane length.
func (p *parser) where() string {
	if len(p.path) == 0 {
		return "the top level"
	}
	var b strings.Builder
	for i, part := range p.path {
		if i > 0 && !strings.HasPrefix(part, "[") {
			b.WriteByte('.')
		}
		b.WriteString(part)
	}
	s := b.String()
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return strconv.Quote(s)
}

// checkSurrogates refuses \u escapes that encode half of a UTF-16 surrogate pair. encoding/json
// would turn each into U+FFFD, so "\ud800" and "\udc00" would silently become the same key;
// RFC 7493 (I-JSON) forbids them. A backslash can only occur inside a string in valid JSON, so
// the raw bytes can be scanned without tracking strings.
func checkSurrogates(data []byte) error {
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if i+1 >= len(data) || data[i+1] != 'u' {
			i++ // skip the escaped character, which may be a backslash
			continue
		}
		r, ok := hex4(data, i+2)
		if !ok {
			i++
			continue // the decoder reports the malformed escape
		}
		switch {
		case 0xD800 <= r && r < 0xDC00:
			lo, ok := -1, false
			if i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
				lo, ok = hex4(data, i+8)
			}
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return fmt.Errorf("invalid JSON: unpaired surrogate escape \\u%04x at byte %d", r, i)
			}
			i += 11
		case 0xDC00 <= r && r <= 0xDFFF:
			return fmt.Errorf("invalid JSON: unpaired surrogate escape \\u%04x at byte %d", r, i)
		default:
			i += 5
		}
	}
	return nil
}

func hex4(data []byte, at int) (int, bool) {
	if at+4 > len(data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(data[at:at+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return int(v), true
}

func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// kindOf names the JSON type of a decoded value for messages.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number, float64, float32, int, int64, int32, uint, uint64, uint32:
		return "a number"
	case []any, []string:
		return "an array"
	case *Object, map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

package token

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// MaxDepth is the deepest nesting of objects and arrays accepted in a header or payload; the
// top-level object counts as depth 1.
const MaxDepth = 64

// jsonChecker validates one JSON text more strictly than encoding/json: it refuses duplicate
// member names in any object, nesting deeper than MaxDepth and \u escapes that encode a lone
// UTF-16 surrogate (which encoding/json silently turns into U+FFFD). It reports problems with
// their byte offset. The input must already be valid UTF-8.
type jsonChecker struct {
	b     []byte
	i     int
	depth int
	// topKeys records the names of the top-level object when it is one, in order.
	topKeys []string
}

// problemKind classifies what checkJSONObject found wrong.
type problemKind int

const (
	syntaxProblem    problemKind = iota // not JSON at all
	duplicateProblem                    // a member name appears twice in one object
	depthProblem                        // nesting deeper than MaxDepth
	surrogateProblem                    // a \u escape encodes a lone UTF-16 surrogate
)

// jsonProblem is what checkJSONObject found wrong, at byte offset at. For a duplicate, name is
// the member name and topLevel tells whether it was in the top-level object.
type jsonProblem struct {
	kind     problemKind
	msg      string
	at       int
	tail     string // said after the offset
	name     string
	topLevel bool
}

func (p *jsonProblem) Error() string { return fmt.Sprintf("%s at byte %d%s", p.msg, p.at, p.tail) }

// jsonKind names the kind of JSON value that starts with c, for messages.
func jsonKind(c byte) string {
	switch {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	default:
		return "a number"
	}
}

// checkJSONObject checks that b is exactly one JSON object, surrounded by optional whitespace,
// and returns the kind of the value when it is valid JSON but not an object.
func checkJSONObject(b []byte) (notObject string, err error) {
	c := &jsonChecker{b: b}
	c.space()
	start := c.i
	if err := c.value(); err != nil {
		return "", err
	}
	c.space()
	if c.i < len(c.b) {
		return "", c.fail("extra data after the value")
	}
	if b[start] != '{' {
		return jsonKind(b[start]), nil
	}
	return "", nil
}

func (c *jsonChecker) fail(what string) *jsonProblem {
	return &jsonProblem{kind: syntaxProblem, msg: what, at: c.i}
}

func (c *jsonChecker) unexpected() *jsonProblem {
	if c.i >= len(c.b) {
		return c.fail("it ends early (truncated?)")
	}
	p := c.fail(describeByte(c.b, c.i))
	p.tail = " is out of place"
	return p
}

func (c *jsonChecker) space() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

func (c *jsonChecker) value() error {
	if c.i >= len(c.b) {
		return c.unexpected()
	}
	switch ch := c.b[c.i]; {
	case ch == '{':
		return c.object()
	case ch == '[':
		return c.array()
	case ch == '"':
		_, _, err := c.str()
		return err
	case ch == '-' || (ch >= '0' && ch <= '9'):
		return c.number()
	case ch == 't':
		return c.literal("true")
	case ch == 'f':
		return c.literal("false")
	case ch == 'n':
		return c.literal("null")
	}
	return c.unexpected()
}

func (c *jsonChecker) enter() error {
	c.depth++
	if c.depth > MaxDepth {
		return &jsonProblem{kind: depthProblem, msg: fmt.Sprintf("nesting deeper than %d levels", MaxDepth), at: c.i}
	}
	return nil
}

func (c *jsonChecker) object() error {
	if err := c.enter(); err != nil {
		return err
	}
	top := c.depth == 1
	c.i++ // '{'
	c.space()
	if c.i < len(c.b) && c.b[c.i] == '}' {
		c.i++
		c.depth--
		return nil
	}
	seen := make(map[string]struct{})
	for {
		c.space()
		if c.i >= len(c.b) || c.b[c.i] != '"' {
			return c.unexpected()
		}
		keyAt := c.i
		raw, escaped, err := c.str()
		if err != nil {
			return err
		}
		name := string(raw)
		if escaped {
			// The string was validated above, so this cannot fail.
			var s string
			if err := json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s); err == nil {
				name = s
			}
		}
		if _, dup := seen[name]; dup {
			return &jsonProblem{
				kind:     duplicateProblem,
				msg:      fmt.Sprintf("member %s appears twice in one object", quoteName(name)),
				at:       keyAt,
				name:     name,
				topLevel: top,
			}
		}
		seen[name] = struct{}{}
		if top {
			c.topKeys = append(c.topKeys, name)
		}
		c.space()
		if c.i >= len(c.b) || c.b[c.i] != ':' {
			return c.unexpected()
		}
		c.i++
		c.space()
		if err := c.value(); err != nil {
			return err
		}
		c.space()
		if c.i >= len(c.b) {
			return c.unexpected()
		}
		switch c.b[c.i] {
		case ',':
			c.i++
		case '}':
			c.i++
			c.depth--
			return nil
		default:
			return c.unexpected()
		}
	}
}

func (c *jsonChecker) array() error {
	if err := c.enter(); err != nil {
		return err
	}
	c.i++ // '['
	c.space()
	if c.i < len(c.b) && c.b[c.i] == ']' {
		c.i++
		c.depth--
		return nil
	}
	for {
		c.space()
		if err := c.value(); err != nil {
			return err
		}
		c.space()
		if c.i >= len(c.b) {
			return c.unexpected()
		}
		switch c.b[c.i] {
		case ',':
			c.i++
		case ']':
			c.i++
			c.depth--
			return nil
		default:
			return c.unexpected()
		}
	}
}

// str consumes a string and returns its raw contents (between the quotes) and whether they
// contain an escape.
func (c *jsonChecker) str() (raw []byte, escaped bool, err error) {
	c.i++ // '"'
	start := c.i
	for c.i < len(c.b) {
		ch := c.b[c.i]
		switch {
		case ch == '"':
			raw = c.b[start:c.i]
			c.i++
			return raw, escaped, nil
		case ch < 0x20:
			return nil, false, c.fail("a control character inside a string")
		case ch == '\\':
			escaped = true
			if err := c.escape(); err != nil {
				return nil, false, err
			}
		default:
			c.i++
		}
	}
	return nil, false, c.unexpected()
}

// escape consumes one escape sequence starting at the backslash.
func (c *jsonChecker) escape() error {
	at := c.i
	c.i++
	if c.i >= len(c.b) {
		return c.unexpected()
	}
	switch c.b[c.i] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		c.i++
		return nil
	case 'u':
	default:
		return c.fail("an invalid escape")
	}
	r, ok := c.hex4(c.i + 1)
	if !ok {
		return c.fail("an invalid \\u escape")
	}
	c.i += 5
	switch {
	case r >= 0xDC00 && r <= 0xDFFF:
		return &jsonProblem{kind: surrogateProblem, msg: "a lone UTF-16 surrogate escape", at: at}
	case r >= 0xD800 && r <= 0xDBFF:
		if c.i+1 < len(c.b) && c.b[c.i] == '\\' && c.b[c.i+1] == 'u' {
			if lo, ok := c.hex4(c.i + 2); ok && lo >= 0xDC00 && lo <= 0xDFFF {
				c.i += 6
				return nil
			}
		}
		return &jsonProblem{kind: surrogateProblem, msg: "a lone UTF-16 surrogate escape", at: at}
	}
	return nil
}

func (c *jsonChecker) hex4(at int) (rune, bool) {
	if at+4 > len(c.b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(c.b[at:at+4]), 16, 16)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}

func (c *jsonChecker) digits() int {
	n := 0
	for c.i < len(c.b) && c.b[c.i] >= '0' && c.b[c.i] <= '9' {
		c.i++
		n++
	}
	return n
}

func (c *jsonChecker) number() error {
	if c.b[c.i] == '-' {
		c.i++
	}
	if c.i < len(c.b) && c.b[c.i] == '0' {
		c.i++
	} else if c.digits() == 0 {
		return c.unexpected()
	}
	if c.i < len(c.b) && c.b[c.i] == '.' {
		c.i++
		if c.digits() == 0 {
			return c.unexpected()
		}
	}
	if c.i < len(c.b) && (c.b[c.i] == 'e' || c.b[c.i] == 'E') {
		c.i++
		if c.i < len(c.b) && (c.b[c.i] == '+' || c.b[c.i] == '-') {
			c.i++
		}
		if c.digits() == 0 {
			return c.unexpected()
		}
	}
	return nil
}

func (c *jsonChecker) literal(word string) error {
	for k := 0; k < len(word); k++ {
		if c.i >= len(c.b) || c.b[c.i] != word[k] {
			return c.unexpected()
		}
		c.i++
	}
	return nil
}

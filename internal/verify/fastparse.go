package verify

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/jwtkit/jwtkit/internal/token"
)

// Parse reads a token for verification: it returns exactly what token.Parse(raw, max) returns,
// faster for the common token. A compact JWS whose header and payload are plain JSON objects
// (no \u escapes, no duplicate members, no "b64", nesting at most simpleMaxDepth deep) is
// decoded here by a small scanner, several times faster than encoding/json into maps; anything
// else, including every malformed token, goes to token.Parse, which also words the errors.
// FuzzParseSimple checks that the scanner gives token.Parse's result on every input it takes.
func Parse(raw string, max int) (*token.Parsed, error) {
	if p, ok := parseSimple(raw, max); ok {
		return p, nil
	}
	return token.Parse(raw, max)
}

// simpleMaxDepth bounds the nesting parseSimple handles (token.Parse allows token.MaxDepth).
const simpleMaxDepth = 16

// simpleMaxNumber bounds the length of a number literal parseSimple handles.
const simpleMaxNumber = 40

// parseSimple decodes a common compact JWS as token.Parse would, or reports false.
func parseSimple(raw string, max int) (*token.Parsed, bool) {
	if max <= 0 {
		max = token.MaxSize
	}
	if raw == "" || len(raw) > max {
		return nil, false
	}
	d1, d2 := -1, -1
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_':
		case c == '.' && d1 < 0:
			d1 = i
		case c == '.' && d2 < 0:
			d2 = i
		default:
			return nil, false // a third dot (JWE), or a character token.Parse refuses
		}
	}
	if d2 < 0 {
		return nil, false
	}
	segs := [3]string{raw[:d1], raw[d1+1 : d2], raw[d2+1:]}
	// One allocation for the three decoded segments.
	strictB64 := token.Base64()
	buf := make([]byte, strictB64.DecodedLen(len(segs[0]))+strictB64.DecodedLen(len(segs[1]))+strictB64.DecodedLen(len(segs[2])))
	var out [3][]byte
	for i, seg := range segs {
		n, err := strictB64.Decode(buf, []byte(seg))
		if err != nil {
			return nil, false
		}
		out[i], buf = buf[:n:n], buf[n:]
	}
	header, ok := simpleObject(out[0])
	if !ok {
		return nil, false
	}
	if _, isString := header["alg"].(string); !isString {
		return nil, false
	}
	if _, has := header["b64"]; has {
		return nil, false
	}
	payload, ok := simpleObject(out[1])
	if !ok {
		return nil, false
	}
	return &token.Parsed{
		Raw:          raw,
		HeaderJSON:   out[0],
		PayloadJSON:  out[1],
		Header:       header,
		Payload:      payload,
		Signature:    out[2],
		SigningInput: raw[:d2],
	}, true
}

// simpleObject decodes b, which must be one JSON object with nothing but whitespace around it,
// into what encoding/json with UseNumber gives, or reports false.
func simpleObject(b []byte) (map[string]any, bool) {
	if !utf8.Valid(b) {
		return nil, false
	}
	s := simpleScanner{b: b}
	s.space()
	if s.i >= len(b) || b[s.i] != '{' {
		return nil, false
	}
	m, ok := s.object()
	if !ok {
		return nil, false
	}
	s.space()
	return m, s.i == len(b)
}

// simpleScanner reads the plain JSON subset parseSimple handles. Every method reports false for
// anything outside it, valid JSON or not.
type simpleScanner struct {
	b     []byte
	i     int
	depth int
}

func (s *simpleScanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next skips whitespace and returns the next byte, or 0 at the end.
func (s *simpleScanner) next() byte {
	s.space()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

func (s *simpleScanner) value() (any, bool) {
	switch c := s.next(); {
	case c == '{':
		return s.object()
	case c == '[':
		return s.array()
	case c == '"':
		return s.str()
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	case c == 't':
		return true, s.literal("true")
	case c == 'f':
		return false, s.literal("false")
	case c == 'n':
		return nil, s.literal("null")
	}
	return nil, false
}

func (s *simpleScanner) literal(word string) bool {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	return true
}

// object reads an object starting at '{'. Duplicate member names are left to token.Parse,
// which refuses them.
func (s *simpleScanner) object() (map[string]any, bool) {
	if s.depth++; s.depth > simpleMaxDepth {
		return nil, false
	}
	s.i++
	m := make(map[string]any, 8)
	if s.next() == '}' {
		s.i++
		s.depth--
		return m, true
	}
	for {
		if s.next() != '"' {
			return nil, false
		}
		name, ok := s.str()
		if !ok {
			return nil, false
		}
		if _, dup := m[name]; dup {
			return nil, false
		}
		if s.next() != ':' {
			return nil, false
		}
		s.i++
		v, ok := s.value()
		if !ok {
			return nil, false
		}
		m[name] = v
		switch s.next() {
		case ',':
			s.i++
		case '}':
			s.i++
			s.depth--
			return m, true
		default:
			return nil, false
		}
	}
}

// array reads an array starting at '['; encoding/json gives an empty array as a non-nil slice.
func (s *simpleScanner) array() ([]any, bool) {
	if s.depth++; s.depth > simpleMaxDepth {
		return nil, false
	}
	s.i++
	a := make([]any, 0, 4)
	if s.next() == ']' {
		s.i++
		s.depth--
		return a, true
	}
	for {
		v, ok := s.value()
		if !ok {
			return nil, false
		}
		a = append(a, v)
		switch s.next() {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return a, true
		default:
			return nil, false
		}
	}
}

// str reads a string starting at '"'. It takes the escapes \" \\ \/ \b \f \n \r \t and leaves
// \u escapes (surrogates) to token.Parse. The input is valid UTF-8, so other bytes are copied.
func (s *simpleScanner) str() (string, bool) {
	s.i++
	start := s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			v := intern(s.b[start:s.i])
			s.i++
			return v, true
		case c == '\\':
			return s.escaped(start)
		case c < 0x20:
			return "", false
		}
		s.i++
	}
	return "", false
}

// intern returns b as a string, without allocating for the member names and values that most
// tokens share.
func intern(b []byte) string {
	switch string(b) {
	case "alg":
		return "alg"
	case "typ":
		return "typ"
	case "kid":
		return "kid"
	case "JWT":
		return "JWT"
	case "at+jwt":
		return "at+jwt"
	case "iss":
		return "iss"
	case "sub":
		return "sub"
	case "aud":
		return "aud"
	case "exp":
		return "exp"
	case "nbf":
		return "nbf"
	case "iat":
		return "iat"
	case "jti":
		return "jti"
	case "scope":
		return "scope"
	case "scp":
		return "scp"
	case "scopes":
		return "scopes"
	case "client_id":
		return "client_id"
	case "azp":
		return "azp"
	case "HS256":
		return "HS256"
	case "ES256":
		return "ES256"
	case "RS256":
		return "RS256"
	case "PS256":
		return "PS256"
	case "EdDSA":
		return "EdDSA"
	}
	return string(b)
}

// escaped finishes a string from start that has an escape at s.i.
func (s *simpleScanner) escaped(start int) (string, bool) {
	var sb strings.Builder
	sb.Write(s.b[start:s.i])
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return sb.String(), true
		case c < 0x20:
			return "", false
		case c != '\\':
			sb.WriteByte(c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			return "", false
		}
		switch s.b[s.i+1] {
		case '"', '\\', '/':
			sb.WriteByte(s.b[s.i+1])
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		default:
			return "", false // \u and invalid escapes
		}
		s.i += 2
	}
	return "", false
}

// number reads a JSON number literal (RFC 8259 §6) and keeps its text, as UseNumber does.
func (s *simpleScanner) number() (json.Number, bool) {
	start := s.i
	if s.b[s.i] == '-' {
		s.i++
	}
	digits := func() int {
		n := 0
		for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if digits() == 0 {
		return "", false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return "", false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return "", false
		}
	}
	if s.i-start > simpleMaxNumber {
		return "", false
	}
	return json.Number(s.b[start:s.i]), true
}

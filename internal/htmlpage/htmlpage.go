// Package htmlpage writes small HTML pages whose markup comes only from string constants and
// whose dynamic values are always escaped, without html/template.
//
// Why not html/template: Go runs the init of every linked package, and html/template's compiles
// two regular expressions and builds maps at every start of the program, although only a server
// shows pages (issue 17: about 144k instructions and 17 page faults on each run of jwtkit).
//
// Why the escaping cannot be forgotten: a Page takes markup only through Markup, whose parameter
// has the unexported type constant. Outside this package that type cannot be named, so nothing
// can convert a variable to it: only an untyped string constant (a literal, a const, or a
// constant expression of them) is assignable to it. A string that comes from a request, a
// configuration or any other variable can reach the page only through Text or URL, which escape
// it. This package itself makes no constant values from variables.
//
// What the caller still owes: Text is for text content, for the body of an RCDATA element
// (textarea, title) and for a double-quoted attribute value; URL is for a double-quoted href or
// action. The markup around them must put them there (never in a tag or attribute name, an
// unquoted or single-quoted attribute, a script or a style), which is a property of the
// constants alone and so is fixed when the code is written, not by the values.
//
// The escaping is byte for byte html/template's for those contexts (its htmlEscaper,
// rcdataEscaper and attrEscaper on strings, and urlFilter plus urlNormalizer for URLs), so a
// page moved from html/template to Page renders the same bytes; the tests of the pages compare
// the two.
package htmlpage

import "io"

// constant is markup written in the program. It is unexported so that only untyped string
// constants can become one outside this package (see the package comment).
type constant string

// Page is an HTML page being written. The zero value is an empty page.
type Page struct {
	b []byte
}

// Markup appends m, markup written in the program as a string constant, as it is.
func (p *Page) Markup(m constant) { p.b = append(p.b, m...) }

// Text appends s escaped for text content, an RCDATA element body or a double-quoted attribute
// value: & < > " ' and + become character references and NUL becomes U+FFFD, as html/template
// does, so that s can neither open a tag or a character reference nor end the attribute value.
// Other bytes, invalid UTF-8 included, are kept (as html/template keeps them).
func (p *Page) Text(s string) { p.b = appendText(p.b, s) }

// URL appends u for a double-quoted href or action attribute: a URL whose scheme is neither
// http nor https (javascript:, data:, …) is replaced by "#ZgotmplZ", as html/template replaces
// it; bytes that may not stand in a URL are percent-encoded (a valid %XX is kept), and the
// result is escaped as Text does. A relative URL (no scheme, such as a path of this server) is
// kept. Unlike html/template, mailto: is refused too: no page here links to mail.
func (p *Page) URL(u string) {
	if !safeScheme(u) {
		p.b = append(p.b, "#ZgotmplZ"...)
		return
	}
	p.b = appendText(p.b, string(appendURLNormalized(nil, u)))
}

// Bytes returns the page written so far. It aliases the page's buffer until the next append.
func (p *Page) Bytes() []byte { return p.b }

// WriteTo writes the page to w in one Write.
func (p *Page) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(p.b)
	return int64(n), err
}

// appendText appends s to b escaped as html/template's htmlReplacementTable does. Every byte it
// replaces is ASCII, and no byte of a multi-byte UTF-8 sequence (valid or not) is ASCII, so a
// byte loop is the same as html/template's rune loop.
func appendText(b []byte, s string) []byte {
	written := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		b = append(b, s[written:i]...)
		b = append(b, repl...)
		written = i + 1
	}
	return append(b, s[written:]...)
}

// safeScheme reports whether u has no scheme, or http or https (in any case). Like
// html/template, a colon after a slash is not a scheme's ("/a:b" is a path).
func safeScheme(u string) bool {
	for i := 0; i < len(u); i++ {
		switch u[i] {
		case '/':
			return true
		case ':':
			return equalFold(u[:i], "http") || equalFold(u[:i], "https")
		}
	}
	return true
}

// equalFold reports whether s is word (lower-case ASCII) in any ASCII case.
func equalFold(s, word string) bool {
	if len(s) != len(word) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != word[i] {
			return false
		}
	}
	return true
}

// appendURLNormalized appends u to b with every byte percent-encoded that is neither unreserved
// nor reserved in RFC 3986 (except ' ( ), which html/template encodes too), keeping valid %XX
// escapes: html/template's urlNormalizer.
func appendURLNormalized(b []byte, u string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '_', c == '~':
		case c == '!', c == '#', c == '$', c == '&', c == '*', c == '+', c == ',', c == '/',
			c == ':', c == ';', c == '=', c == '?', c == '@', c == '[', c == ']':
		case c == '%' && i+2 < len(u) && isHex(u[i+1]) && isHex(u[i+2]):
		default:
			b = append(b, '%', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return b
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

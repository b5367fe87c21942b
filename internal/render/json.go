// Package render writes jwtkit's human-readable output: JSON indented in its own member order and
// coloured by type, with notes beside chosen members, and the decode report built from it. It
// knows nothing of tokens or terminals: callers pass bytes, notes and a palette.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/jwtkit/jwtkit/internal/iostreams"
	"github.com/jwtkit/jwtkit/internal/termsafe"
)

// JSON writes the JSON value in data indented by two spaces per level, keeping member order,
// coloured with p. notes maps a top-level member name to a comment written after its value
// ("// in 59m"). data must be valid JSON.
func JSON(w io.Writer, data []byte, p iostreams.Palette, notes map[string]string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	pr := &printer{w: w, p: p, dec: dec, notes: notes}
	if err := pr.value(0, ""); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

type printer struct {
	w     io.Writer
	p     iostreams.Palette
	dec   *json.Decoder
	notes map[string]string
	// pending is the note for the top-level member just printed.
	pending string
}

func (pr *printer) indent(depth int) string { return strings.Repeat("  ", depth) }

// value prints the next value; key is the member name it belongs to at depth 1, for notes.
func (pr *printer) value(depth int, key string) error {
	tok, err := pr.dec.Token()
	if err != nil {
		return fmt.Errorf("reading JSON: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return pr.object(depth)
		case '[':
			return pr.array(depth)
		}
		return fmt.Errorf("unexpected %q in JSON", t)
	case string:
		pr.p.String.Fprint(pr.w, quote(t))
	case json.Number:
		pr.p.Number.Fprint(pr.w, t.String())
	case bool:
		pr.p.Literal.Fprint(pr.w, fmt.Sprint(t))
	case nil:
		pr.p.Literal.Fprint(pr.w, "null")
	}
	return nil
}

func (pr *printer) object(depth int) error {
	if !pr.dec.More() {
		_, _ = pr.dec.Token()
		_, err := io.WriteString(pr.w, "{}")
		return err
	}
	io.WriteString(pr.w, "{\n")
	for first := true; pr.dec.More(); first = false {
		if !first {
			io.WriteString(pr.w, ",")
			pr.pendingNote()
			io.WriteString(pr.w, "\n")
		}
		tok, err := pr.dec.Token()
		if err != nil {
			return fmt.Errorf("reading JSON: %w", err)
		}
		name, _ := tok.(string)
		io.WriteString(pr.w, pr.indent(depth+1))
		pr.p.Key.Fprint(pr.w, quote(name))
		io.WriteString(pr.w, ": ")
		if err := pr.value(depth+1, name); err != nil {
			return err
		}
		if depth == 0 {
			pr.pending = pr.notes[name]
		}
	}
	if _, err := pr.dec.Token(); err != nil {
		return fmt.Errorf("reading JSON: %w", err)
	}
	pr.pendingNote()
	fmt.Fprintf(pr.w, "\n%s}", pr.indent(depth))
	return nil
}

func (pr *printer) array(depth int) error {
	if !pr.dec.More() {
		_, _ = pr.dec.Token()
		_, err := io.WriteString(pr.w, "[]")
		return err
	}
	io.WriteString(pr.w, "[\n")
	for first := true; pr.dec.More(); first = false {
		if !first {
			io.WriteString(pr.w, ",\n")
		}
		io.WriteString(pr.w, pr.indent(depth+1))
		if err := pr.value(depth+1, ""); err != nil {
			return err
		}
	}
	if _, err := pr.dec.Token(); err != nil {
		return fmt.Errorf("reading JSON: %w", err)
	}
	fmt.Fprintf(pr.w, "\n%s]", pr.indent(depth))
	return nil
}

// pendingNote writes the note of the member just printed; a note goes after the comma that
// follows its member, so the output stays readable as JSON with comments.
func (pr *printer) pendingNote() {
	if pr.pending == "" {
		return
	}
	io.WriteString(pr.w, "  ")
	pr.p.Dim.Fprint(pr.w, "// "+termsafe.Line(pr.pending))
	pr.pending = ""
}

// quote writes s as a JSON string without escaping <, > and &, and with what a terminal would
// act on escaped too (termsafe.JSON): the same JSON string.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return string(termsafe.JSON(bytes.TrimSuffix(b.Bytes(), []byte("\n"))))
}

package cli

import (
	"io"
	"slices"
	"strconv"

	"github.com/jwtkit/jwtkit/internal/jsonappend"
	"github.com/jwtkit/jwtkit/internal/termsafe"
)

// decode's JSON object is written by hand, not by encoding/json: the first Marshal of
// decodedJSON built its encoders by reflection, about 190 thousand instructions of every
// `jwtkit decode` run. appendJSON writes what json.Marshal writes for the same value with
// SetEscapeHTML(false), member for member (TestDecodedJSONMatchesEncodingJSON compares the two
// on random reports); a member added to decodedJSON must be added here too.

// appendJSON appends d as compact JSON, as encoding/json writes it.
func (d *decodedJSON) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, '{')
	if d.Line != 0 {
		b = append(b, `"line":`...)
		b = strconv.AppendInt(b, int64(d.Line), 10)
		b = append(b, ',')
	}
	b = append(b, `"header":`...)
	if b, err = jsonappend.Raw(b, d.Header); err != nil {
		return nil, err
	}
	if len(d.Payload) > 0 {
		b = append(b, `,"payload":`...)
		if b, err = jsonappend.Raw(b, d.Payload); err != nil {
			return nil, err
		}
	}
	b = append(b, `,"signature":`...)
	b = jsonappend.String(b, d.Signature)
	b = append(b, `,"alg":`...)
	b = jsonappend.String(b, d.Alg)
	b = append(b, `,"encrypted":`...)
	b = jsonappend.Bool(b, d.Encrypted)
	if len(d.JWEHeader) > 0 {
		b = append(b, `,"jwe_header":`...)
		if b, err = jsonappend.Raw(b, d.JWEHeader); err != nil {
			return nil, err
		}
	}
	b = append(b, `,"scopes":`...)
	b = jsonappend.Strings(b, d.Scopes)
	b = append(b, `,"times":`...)
	if d.Times == nil {
		b = append(b, "null"...)
	} else {
		names := make([]string, 0, len(d.Times))
		for name := range d.Times {
			names = append(names, name)
		}
		slices.Sort(names)
		b = append(b, '{')
		for i, name := range names {
			if i > 0 {
				b = append(b, ',')
			}
			t := d.Times[name]
			b = jsonappend.String(b, name)
			b = append(b, `:{"unix":`...)
			b = strconv.AppendInt(b, t.Unix, 10)
			b = append(b, `,"time":`...)
			b = jsonappend.String(b, t.Time)
			b = append(b, `,"relative":`...)
			b = jsonappend.String(b, t.Relative)
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	b = append(b, `,"findings":`...)
	if d.Findings == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, f := range d.Findings {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"severity":`...)
			b = jsonappend.String(b, string(f.Severity))
			b = append(b, `,"code":`...)
			b = jsonappend.String(b, f.Code)
			b = append(b, `,"message":`...)
			b = jsonappend.String(b, f.Message)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// writeDecodedJSON writes d as writeJSONValue would: indented for a single result, one compact
// line per result in a stream, with what a terminal would act on escaped.
func writeDecodedJSON(w io.Writer, d *decodedJSON, indent bool) error {
	b, err := d.appendJSON(make([]byte, 0, 1024))
	if err != nil {
		return err
	}
	if indent {
		b = jsonappend.Indent(make([]byte, 0, len(b)+len(b)/2), b)
	}
	b = append(b, '\n')
	_, err = w.Write(termsafe.JSON(b))
	return err
}

package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/jwtkit/jwtkit/internal/iostreams"
	"github.com/jwtkit/jwtkit/internal/termsafe"
)

// Finding is one thing the reader of a decoded token should notice.
type Finding struct {
	// Severity is "info", "warning" or "danger".
	Severity string
	Message  string
}

// Report is everything the human decode report shows about one token.
type Report struct {
	// Title heads the report when several tokens are shown ("token 2 (line 3)"); empty for one.
	Title     string
	Encrypted bool
	Header    []byte
	Payload   []byte
	// HeaderNotes and PayloadNotes annotate top-level members (times, mostly).
	HeaderNotes  map[string]string
	PayloadNotes map[string]string
	Scopes       []string
	// ScopeShapes says where the scopes were found ("space", "array", "structured", "scp").
	ScopeShapes []string
	// Signature describes the signature ("HS256, 32 bytes").
	Signature string
	Findings  []Finding
}

// DecodeReport writes r for a person: header and payload as annotated JSON, then scopes,
// signature and findings.
func DecodeReport(w io.Writer, p iostreams.Palette, r Report) error {
	if r.Title != "" {
		fmt.Fprintf(w, "%s\n", p.Heading.Sprint("── "+termsafe.Line(r.Title)+" ──"))
	}
	kind := "JWS"
	if r.Encrypted {
		kind = "JWE, encrypted"
	}
	fmt.Fprintf(w, "%s %s\n", p.Heading.Sprint("Header"), p.Dim.Sprintf("(%s)", kind))
	if err := JSON(w, r.Header, p, r.HeaderNotes); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if r.Payload != nil {
		fmt.Fprintf(w, "\n%s\n", p.Heading.Sprint("Payload"))
		if err := JSON(w, r.Payload, p, r.PayloadNotes); err != nil {
			return fmt.Errorf("payload: %w", err)
		}
	}
	fmt.Fprintln(w)
	if len(r.Scopes) > 0 {
		fmt.Fprintf(w, "%s  %s %s\n", p.Heading.Sprint("Scopes   "), termsafe.Line(strings.Join(r.Scopes, " ")),
			p.Dim.Sprintf("(%s)", strings.Join(r.ScopeShapes, ", ")))
	}
	if r.Signature != "" {
		fmt.Fprintf(w, "%s  %s\n", p.Heading.Sprint("Signature"), termsafe.Line(r.Signature))
	}
	if len(r.Findings) > 0 {
		fmt.Fprintf(w, "%s\n", p.Heading.Sprint("Findings"))
		for _, f := range r.Findings {
			mark, c := "·", p.Info
			switch f.Severity {
			case "danger":
				mark, c = "✗", p.Danger
			case "warning":
				mark, c = "!", p.Warning
			}
			fmt.Fprintf(w, "  %s %s\n", c.Sprint(mark), termsafe.Line(f.Message))
		}
	}
	return nil
}

package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/token"
)

// tokenInput is where a command's tokens come from: the argument, the clipboard, or stdin read
// as a stream with one token per line.
type tokenInput struct {
	// single is the one token given as an argument or pasted; used when reader is nil.
	single string
	form   string // CleanForm's form of single
	done   bool
	reader *token.Reader
	// noted holds the forms already named on stderr; g says where, and whether -q.
	noted map[string]bool
	g     *Global
}

// note says once per form, on stderr, that a token was taken out of a wrapping (a token
// response, a curl -H argument), so a user who pasted more than the token knows what was read.
// An Authorization header line is the documented input form (and what -H takes): no note.
func (in *tokenInput) note(form string, line int) {
	if form == "" || form == token.FormAuthorization || in.g == nil || in.noted[form] {
		return
	}
	if in.noted == nil {
		in.noted = map[string]bool{}
	}
	in.noted[form] = true
	where := ""
	if in.reader != nil {
		where = fmt.Sprintf(" on line %d", line)
	}
	in.g.Infof("jwtkit: took the token%s out of %s", where, form)
}

// Stream reports whether tokens come from stdin, where there may be many.
func (in *tokenInput) Stream() bool { return in.reader != nil }

// StdinUsed reports whether stdin is taken by the tokens, so a key cannot be read from it.
func (in *tokenInput) StdinUsed() bool { return in.reader != nil }

// Ready reports whether Next would return at once, without waiting for input.
func (in *tokenInput) Ready() bool {
	if in.reader != nil {
		return in.reader.Ready()
	}
	return true
}

// Next returns the next token and its line (1 for a single token). It returns io.EOF after the
// last; other errors belong to one line and the stream goes on.
func (in *tokenInput) Next() (string, int, error) {
	if in.reader != nil {
		tok, line, err := in.reader.Next()
		if err == nil {
			in.note(in.reader.Form(), line)
		}
		return tok, line, err
	}
	if in.done {
		return "", 0, io.EOF
	}
	in.done = true
	in.note(in.form, 1)
	return in.single, 1, nil
}

// tokenSource is where the flags say the token is, when not in an argument or on stdin: the
// clipboard (--paste) or an HTTP header line (-H, as curl takes it).
type tokenSource struct {
	paste  bool
	header string
}

// openTokenInput chooses the source by the design's token-input rule: the argument unless it is
// absent or "-", then the clipboard with --paste, else stdin (which must not be a terminal).
func openTokenInput(g *Global, args []string, src tokenSource, maxSize int) (*tokenInput, error) {
	paste := src.paste
	if src.header != "" {
		if len(args) > 0 || paste {
			return nil, failure.Usagef("usage", "-H and a token argument or --paste both given; use one")
		}
		tok, form := token.CleanForm(src.header)
		return &tokenInput{single: tok, form: form, g: g}, nil
	}
	if len(args) > 1 {
		return nil, failure.Usagef("usage", "expected one token argument, got %d; pass several tokens on stdin, one per line", len(args))
	}
	if len(args) == 1 && args[0] != "-" {
		if paste {
			return nil, failure.Usagef("usage", "--paste and a token argument both given; use one")
		}
		tok, form := token.CleanForm(args[0])
		return &tokenInput{single: tok, form: form, g: g}, nil
	}
	if paste {
		text, err := g.deps.Clipboard.ReadAll()
		if err != nil {
			return nil, failure.Usagef("usage", "reading the clipboard: %v", err)
		}
		tok, form := token.CleanForm(text)
		return &tokenInput{single: tok, form: form, g: g}, nil
	}
	if g.deps.IO.IsStdinTTY() && (len(args) == 0) {
		return nil, failure.Usage("usage", errors.New("no token given: pass it as an argument, pipe it on stdin, or use --paste"))
	}
	return &tokenInput{reader: token.NewReader(g.deps.IO.In, maxSize), g: g}, nil
}

package cli

import (
	"errors"
	"io"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/token"
)

// tokenInput is where a command's tokens come from: the argument, the clipboard, or stdin read
// as a stream with one token per line.
type tokenInput struct {
	// single is the one token given as an argument or pasted; used when reader is nil.
	single string
	done   bool
	reader *token.Reader
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
		return in.reader.Next()
	}
	if in.done {
		return "", 0, io.EOF
	}
	in.done = true
	return in.single, 1, nil
}

// openTokenInput chooses the source by the design's token-input rule: the argument unless it is
// absent or "-", then the clipboard with --paste, else stdin (which must not be a terminal).
func openTokenInput(g *Global, args []string, paste bool, maxSize int) (*tokenInput, error) {
	if len(args) > 1 {
		return nil, failure.Usagef("usage", "expected one token argument, got %d; pass several tokens on stdin, one per line", len(args))
	}
	if len(args) == 1 && args[0] != "-" {
		if paste {
			return nil, failure.Usagef("usage", "--paste and a token argument both given; use one")
		}
		return &tokenInput{single: token.Clean(args[0])}, nil
	}
	if paste {
		text, err := g.deps.Clipboard.ReadAll()
		if err != nil {
			return nil, failure.Usagef("usage", "reading the clipboard: %v", err)
		}
		return &tokenInput{single: token.Clean(text)}, nil
	}
	if g.deps.IO.IsStdinTTY() && (len(args) == 0) {
		return nil, failure.Usage("usage", errors.New("no token given: pass it as an argument, pipe it on stdin, or use --paste"))
	}
	return &tokenInput{reader: token.NewReader(g.deps.IO.In, maxSize)}, nil
}

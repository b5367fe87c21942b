package token

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// CodeReadFailed is the failure code of an error reading the token stream itself.
const CodeReadFailed = "read_failed"

// lineSlack is how many bytes a line may hold beyond the size limit for what Clean removes
// (indentation, quotes, an "Authorization: Bearer " header name).
const lineSlack = 1024

// readChunk is the size of the Reader's read buffer.
const readChunk = 32 << 10

// Reader yields tokens from a stream, one per non-blank line, in order, with memory bounded by
// the size limit whatever the input: a line too long is counted and skipped, never held.
type Reader struct {
	br   *bufio.Reader
	max  int
	line int
	buf  []byte
	err  error  // io.EOF, or a read error to return once before io.EOF
	form string // CleanForm's form of the last token
}

// Form names the wrapping the last token returned by Next was taken out of (see CleanForm),
// or "".
func (r *Reader) Form() string { return r.form }

// NewReader returns a Reader over r that accepts tokens of at most max bytes after Clean;
// max <= 0 means MaxSize.
func NewReader(r io.Reader, max int) *Reader {
	if max <= 0 {
		max = MaxSize
	}
	return &Reader{br: bufio.NewReaderSize(r, readChunk), max: max}
}

// Next returns the next token, cleaned with Clean, and its 1-based line number. Blank lines
// are skipped. At the end of the stream it returns io.EOF.
//
// A line whose token is over the limit gives an error matching ErrTooLarge (a failure.Usage
// error with code CodeMalformed) for that line only: the next call goes on with the next line.
// Any other error is a failure to read the stream (code CodeReadFailed): it ends the stream, so
// it is returned once and every later call returns io.EOF (a caller that reports errors and
// goes on cannot loop on it).
func (r *Reader) Next() (tok string, line int, err error) {
	for {
		if r.err != nil {
			err := r.err
			r.err = io.EOF
			return "", r.line, err
		}
		raw, size, ok := r.readLine()
		if !ok {
			continue
		}
		r.line++
		limit := r.max + lineSlack
		if size > int64(limit) {
			return "", r.line, r.tooLong("line %d is %s; the limit for one token is %s (--max-size); skipped", size)
		}
		s := string(raw)
		if strings.TrimFunc(s, isPasteSpace) == "" {
			continue
		}
		tok, r.form = CleanForm(s)
		if len(tok) > r.max {
			return "", r.line, r.tooLong("the token on line %d is %s; the limit is %s (--max-size); skipped", int64(len(tok)))
		}
		return tok, r.line, nil
	}
}

// Ready reports whether Next would return without waiting for more input: the stream has
// ended, or a whole non-blank line is already buffered. A caller that batches tokens sends what
// it holds when Ready is false, so results of a slow stream (tail -f) are not held back.
func (r *Reader) Ready() bool {
	if r.err != nil {
		return true
	}
	buf, _ := r.br.Peek(r.br.Buffered())
	for {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			return false
		}
		if len(bytes.TrimFunc(buf[:i], isPasteSpace)) > 0 {
			return true
		}
		buf = buf[i+1:]
	}
}

// tooLong formats a size error for the current line; format takes the line, the size and the
// limit.
func (r *Reader) tooLong(format string, size int64) error {
	s, l := formatSize(size), formatSize(int64(r.max))
	if s == l {
		s, l = fmt.Sprintf("%d bytes", size), fmt.Sprintf("%d bytes", r.max)
	}
	return failure.Usage(CodeMalformed, &sizeError{
		msg: fmt.Sprintf(format, r.line, s, l),
	})
}

// readLine reads one line without its line ending. It keeps at most max+lineSlack bytes of it
// and returns the full length in size. ok is false when there was no line: the stream ended
// (r.err is set) exactly at a line boundary, or a read failed.
func (r *Reader) readLine() (raw []byte, size int64, ok bool) {
	keep := r.max + lineSlack + len("\r\n")
	r.buf = r.buf[:0]
	over := false
	endsWithNewline := false
	for {
		chunk, err := r.br.ReadSlice('\n')
		size += int64(len(chunk))
		if !over && len(r.buf)+len(chunk) > keep {
			over = true
			r.buf = r.buf[:0]
		}
		if !over {
			r.buf = append(r.buf, chunk...)
		}
		endsWithNewline = len(chunk) > 0 && chunk[len(chunk)-1] == '\n'
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			r.err = io.EOF
			if size == 0 {
				return nil, 0, false
			}
		} else if err != nil {
			r.err = failure.Usagef(CodeReadFailed, "reading tokens after line %d failed: %w", r.line, err)
			return nil, 0, false
		}
		break
	}
	if over {
		if endsWithNewline {
			size--
		}
		return nil, size, true
	}
	raw = r.buf
	if endsWithNewline {
		raw = raw[:len(raw)-1]
		if n := len(raw); n > 0 && raw[n-1] == '\r' {
			raw = raw[:n-1]
		}
	}
	return raw, int64(len(raw)), true
}

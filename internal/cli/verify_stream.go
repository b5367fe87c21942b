package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/token"
)

// streamItem is one line of a token stream on its way through the workers.
type streamItem struct {
	line int
	tok  string
	err  error // the line could not be read (too long)
	done chan streamOut
}

// streamOut is a finished line: its JSON and the kind of failure (0 when valid).
type streamOut struct {
	data []byte
	kind failure.Kind
	err  error
}

// streamWindow is how many lines per worker may be in flight between the reader and the
// writer; it bounds memory whatever the length of the stream.
const streamWindow = 16

// stream verifies tokens from in, starting with pending, on every core, and writes one JSON
// line per token in input order. Memory stays flat: the reader runs at most a fixed window
// ahead of the writer.
func (r *verifyRun) stream(in *tokenInput, pending []streamItem) error {
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *streamItem, workers)
	order := make(chan *streamItem, workers*streamWindow)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool := sync.Pool{New: func() any { return &streamItem{done: make(chan streamOut, 1)} }}

	var readErr error
	go func() {
		defer close(jobs)
		defer close(order)
		send := func(it *streamItem) bool {
			select {
			case order <- it:
			case <-ctx.Done():
				return false
			}
			select {
			case jobs <- it:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for _, p := range pending {
			it := pool.Get().(*streamItem)
			it.line, it.tok, it.err = p.line, p.tok, p.err
			if !send(it) {
				return
			}
		}
		for {
			tok, line, err := in.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil && failure.CodeOf(err) != token.CodeMalformed {
				readErr = err // the stream itself failed; what was read is still reported
				return
			}
			it := pool.Get().(*streamItem)
			it.line, it.tok, it.err = line, tok, err
			if !send(it) {
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range jobs {
				it.done <- r.streamLine(it)
			}
		}()
	}

	out := bufio.NewWriterSize(r.g.deps.IO.Out, 64<<10)
	var total, invalid int
	var firstInvalid, firstRemote error
	var writeErr error
	for it := range order {
		res := <-it.done
		total++
		switch res.kind {
		case 0:
		case failure.KindRemote:
			if firstRemote == nil {
				firstRemote = fmt.Errorf("line %d: %w", it.line, res.err)
			}
			invalid++
		default:
			if firstInvalid == nil {
				firstInvalid = fmt.Errorf("line %d: %w", it.line, res.err)
			}
			invalid++
		}
		if !r.g.Quiet && writeErr == nil {
			if _, err := out.Write(res.data); err != nil {
				writeErr = err
				cancel()
			} else if len(order) == 0 {
				writeErr = out.Flush()
			}
		}
		it.tok, it.err = "", nil
		pool.Put(it)
	}
	wg.Wait()
	if writeErr == nil && !r.g.Quiet {
		writeErr = out.Flush()
	}
	if writeErr != nil {
		return fmt.Errorf("writing the results: %w", writeErr)
	}
	if readErr != nil {
		return readErr
	}
	var err error
	switch {
	case firstRemote != nil:
		err = failure.Remote(failure.CodeOf(firstRemote), fmt.Errorf("%d of %d tokens could not be verified (first: %w)", invalid, total, firstRemote))
	case firstInvalid != nil:
		err = failure.Invalid(failure.CodeOf(firstInvalid), fmt.Errorf("%d of %d tokens are invalid (first: %w)", invalid, total, firstInvalid))
	}
	return r.quietly(err)
}

// streamLine verifies one line and encodes its result.
func (r *verifyRun) streamLine(it *streamItem) streamOut {
	var vd verdict
	if it.err != nil {
		vd = verdict{err: it.err}
	} else {
		vd = r.check(it.tok)
	}
	if vd.err == nil && !r.g.JSONOutput() {
		if data, ok := appendValidLine(nil, it.line, vd.res.Claims); ok {
			return streamOut{data: data}
		}
	}
	var buf bytes.Buffer
	if err := writeJSONValue(&buf, vd.toJSON(it.line, r.g.JSONOutput()), false); err != nil {
		// The claims parsed as a JSON object, so this cannot happen; the line still says so.
		buf.Reset()
		fmt.Fprintf(&buf, `{"line":%d,"valid":false,"reason":"cannot encode the result","claims":null}`+"\n", it.line)
		vd.err = failure.Usagef("internal", "cannot encode the result: %v", err)
	}
	o := streamOut{data: buf.Bytes(), err: vd.err}
	if vd.err != nil {
		o.kind = failure.KindOf(vd.err)
	}
	return o
}

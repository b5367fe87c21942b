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

// streamItem is one line of a token stream.
type streamItem struct {
	line int
	tok  string
	err  error // the line could not be read (too long)
}

// streamOut is a finished line: its JSON and the kind of failure (0 when valid).
type streamOut struct {
	data []byte
	kind failure.Kind
	err  error
}

// streamBatch is a run of consecutive lines that one worker verifies: handing lines over in
// batches rather than one by one keeps the cost of channels and wake-ups per token small next
// to a signature check.
type streamBatch struct {
	items []streamItem
	outs  []streamOut
	done  chan struct{} // closed when outs is filled
}

func newStreamBatch(capacity int) *streamBatch {
	return &streamBatch{items: make([]streamItem, 0, capacity), done: make(chan struct{})}
}

const (
	// streamBatchLines and streamBatchBytes bound one batch. A batch is also sent as soon as
	// the input has no whole line waiting, so a slow stream gets each result at once.
	streamBatchLines = 64
	streamBatchBytes = 64 << 10
	// streamWindow is how many batches per worker may be in flight between the reader and the
	// writer; with the batch bounds it bounds memory whatever the length of the stream.
	streamWindow = 4
)

// stream verifies tokens from in, starting with pending, on every core, and writes one JSON
// line per token in input order. Memory stays flat: the reader runs at most a fixed window
// ahead of the writer.
func (r *verifyRun) stream(in *tokenInput, pending []streamItem) error {
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *streamBatch, workers)
	order := make(chan *streamBatch, workers*streamWindow)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var readErr error
	go func() {
		defer close(jobs)
		defer close(order)
		send := func(b *streamBatch) bool {
			select {
			case order <- b:
			case <-ctx.Done():
				return false
			}
			select {
			case jobs <- b:
				return true
			case <-ctx.Done():
				close(b.done) // the writer waits for it; it holds no results
				return false
			}
		}
		b := newStreamBatch(max(len(pending), streamBatchLines))
		b.items = append(b.items, pending...)
		size := 0
		for {
			if len(b.items) > 0 && (len(b.items) >= streamBatchLines || size >= streamBatchBytes || !in.Ready()) {
				if !send(b) {
					return
				}
				b, size = newStreamBatch(streamBatchLines), 0
			}
			tok, line, err := in.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil && failure.CodeOf(err) != token.CodeMalformed {
				readErr = err // the stream itself failed; what was read is still reported
				break
			}
			b.items = append(b.items, streamItem{line: line, tok: tok, err: err})
			size += len(tok)
		}
		if len(b.items) > 0 {
			send(b)
		}
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				b.outs = make([]streamOut, len(b.items))
				for i := range b.items {
					b.outs[i] = r.streamLine(&b.items[i])
				}
				close(b.done)
			}
		}()
	}

	out := bufio.NewWriterSize(r.g.deps.IO.Out, 64<<10)
	var tally streamTally
	var writeErr error
	stopped := false
results:
	for b := range order {
		<-b.done
		for i, res := range b.outs {
			stop := tally.add(b.items[i].line, res.err)
			if !r.g.Quiet && writeErr == nil {
				if _, err := out.Write(res.data); err != nil {
					writeErr = err
					cancel()
				}
			}
			if stop {
				// The reader may be waiting on input that never ends (tail -f): leave it and the
				// workers to the cancelled context, and report.
				stopped = true
				cancel()
				break results
			}
		}
		if !r.g.Quiet && writeErr == nil && len(order) == 0 {
			if writeErr = out.Flush(); writeErr != nil {
				cancel()
			}
		}
	}
	if !stopped {
		wg.Wait()
	}
	if writeErr == nil && !r.g.Quiet {
		writeErr = out.Flush()
	}
	if writeErr != nil {
		return fmt.Errorf("writing the results: %w", writeErr)
	}
	if readErr != nil && !stopped {
		return readErr
	}
	return r.quietly(tally.err("are invalid"))
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

package token

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// item is one result of Reader.Next.
type item struct {
	tok  string
	line int
	err  string
}

func readAll(t *testing.T, r *Reader) []item {
	t.Helper()
	var out []item
	for i := 0; ; i++ {
		if i > 1_000_000 {
			t.Fatal("reader does not end")
		}
		tok, line, err := r.Next()
		if err == io.EOF {
			return out
		}
		it := item{tok: tok, line: line}
		if err != nil {
			it.err = err.Error()
			if !errors.Is(err, ErrTooLarge) {
				out = append(out, it)
				return out
			}
		}
		out = append(out, it)
	}
}

func TestReader(t *testing.T) {
	a, b := jws(hs, `{"n":1}`, "s"), jws(hs, `{"n":2}`, "s")
	tests := []struct {
		name string
		in   string
		max  int
		want []item
	}{
		{"empty", "", 0, nil},
		{"only blank lines", "\n \n\t\r\n\n", 0, nil},
		{"one without newline", a, 0, []item{{a, 1, ""}}},
		{"one with newline", a + "\n", 0, []item{{a, 1, ""}}},
		{"two", a + "\n" + b + "\n", 0, []item{{a, 1, ""}, {b, 2, ""}}},
		{"blank lines keep numbering", "\n\n" + a + "\n   \n" + b, 0, []item{{a, 3, ""}, {b, 5, ""}}},
		{"crlf", a + "\r\n" + b + "\r\n", 0, []item{{a, 1, ""}, {b, 2, ""}}},
		{"cleaned", "Authorization: Bearer " + a + "\n'" + b + "'\n", 0, []item{{a, 1, ""}, {b, 2, ""}}},
		{"quotes alone give an empty token", "\"\"\n" + a, 0, []item{{"", 1, ""}, {a, 2, ""}}},
		{"inner spaces kept for Parse to report", "a b\n", 0, []item{{"a b", 1, ""}}},
		{"line at the limit", "0123456789\n", 10, []item{{"0123456789", 1, ""}}},
		{"token at the limit with decoration", "Authorization: Bearer 0123456789\n", 10, []item{{"0123456789", 1, ""}}},
		{"token over the limit", "01234567890\n" + "abc", 10, []item{
			{"", 1, "the token on line 1 is 11 bytes; the limit is 10 bytes (--max-size); skipped"}, {"abc", 2, ""}}},
		{"line far over the limit", strings.Repeat("x", 3000) + "\r\n" + "abc\n", 10, []item{
			{"", 1, "line 1 is 2.9 KiB; the limit for one token is 10 bytes (--max-size); skipped"}, {"abc", 2, ""}}},
		{"last line far over the limit", "abc\n" + strings.Repeat("x", 3000), 10, []item{
			{"abc", 1, ""}, {"", 2, "line 2 is 2.9 KiB; the limit for one token is 10 bytes (--max-size); skipped"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, NewReader(strings.NewReader(tt.in), tt.max))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestReaderManyLines(t *testing.T) {
	var sb strings.Builder
	const n = 20000
	for i := range n {
		if i%7 == 0 {
			sb.WriteString("\n")
		}
		fmt.Fprintf(&sb, "%s\r\n", jws(hs, fmt.Sprintf(`{"i":%d}`, i), "s"))
	}
	// One byte at a time exercises every buffer boundary.
	for name, src := range map[string]io.Reader{
		"whole":    strings.NewReader(sb.String()),
		"one byte": iotest.OneByteReader(strings.NewReader(sb.String())),
	} {
		t.Run(name, func(t *testing.T) {
			got := readAll(t, NewReader(src, 0))
			if len(got) != n {
				t.Fatalf("got %d tokens, want %d", len(got), n)
			}
			line := 0
			for i, it := range got {
				line++
				if i%7 == 0 {
					line++
				}
				if want := jws(hs, fmt.Sprintf(`{"i":%d}`, i), "s"); it.tok != want || it.line != line || it.err != "" {
					t.Fatalf("token %d = %+v, want %q on line %d", i, it, want, line)
				}
			}
		})
	}
}

func TestReaderReadError(t *testing.T) {
	a := jws(hs, `{}`, "s")
	boom := errors.New("disk on fire")
	r := NewReader(io.MultiReader(strings.NewReader(a+"\npartial"), iotest.ErrReader(boom)), 0)
	tok, line, err := r.Next()
	if tok != a || line != 1 || err != nil {
		t.Fatalf("first: %q %d %v", tok, line, err)
	}
	_, _, err = r.Next()
	if !errors.Is(err, boom) || failure.CodeOf(err) != CodeReadFailed || errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v (code %q), want the read error", err, failure.CodeOf(err))
	}
	if want := "reading tokens after line 1 failed: disk on fire"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	for range 2 {
		if _, _, err := r.Next(); err != io.EOF {
			t.Fatalf("after the read error: %v, want io.EOF", err)
		}
	}
}

func TestReaderTooLongIsUsageError(t *testing.T) {
	_, _, err := NewReader(strings.NewReader("0123456789x"), 10).Next()
	if failure.KindOf(err) != failure.KindUsage || failure.CodeOf(err) != CodeMalformed || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err %v kind %v code %q", err, failure.KindOf(err), failure.CodeOf(err))
	}
}

// patternReader yields n bytes of 'x' then tail, without holding the n bytes anywhere.
type patternReader struct {
	n    int64
	tail string
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.n > 0 {
		k := min(int64(len(b)), p.n)
		for i := range k {
			b[i] = 'x'
		}
		p.n -= k
		return int(k), nil
	}
	if p.tail == "" {
		return 0, io.EOF
	}
	k := copy(b, p.tail)
	p.tail = p.tail[k:]
	return k, nil
}

// TestReaderHugeLineBoundedMemory reads a 10 MB line between two tokens and checks that the
// reader allocates far less than the line, and that it recovers for the next line.
func TestReaderHugeLineBoundedMemory(t *testing.T) {
	a := jws(hs, `{}`, "s")
	const huge = 10 << 20
	src := io.MultiReader(strings.NewReader(a+"\n"), &patternReader{n: huge, tail: "\n" + a + "\n"})
	r := NewReader(src, 0)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got := readAll(t, r)
	runtime.ReadMemStats(&after)

	want := []item{{a, 1, ""}, {"", 2, "line 2 is 10 MiB; the limit for one token is 256 KiB (--max-size); skipped"}, {a, 3, ""}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("reading a 10 MiB line allocated %d bytes", allocated)
	if allocated > 2<<20 {
		t.Errorf("reading a 10 MiB line allocated %d bytes; want under 2 MiB", allocated)
	}
}

// TestReaderReady checks that Ready is true exactly when Next can return without reading more:
// a whole non-blank line is buffered, or the stream has ended.
func TestReaderReady(t *testing.T) {
	pr, pw := io.Pipe()
	r := NewReader(pr, 0)
	if r.Ready() {
		t.Fatal("Ready before any input")
	}
	go func() { _, _ = pw.Write([]byte("a.b.c\n\n  \nd.e")) }()
	if tok, _, err := r.Next(); err != nil || tok != "a.b.c" {
		t.Fatalf("Next = %q, %v", tok, err)
	}
	if r.Ready() {
		t.Fatal("Ready with only blank lines and a partial line buffered")
	}
	go func() { _, _ = pw.Write([]byte(".f\ng.h.i\n")) }()
	if tok, _, err := r.Next(); err != nil || tok != "d.e.f" {
		t.Fatalf("Next = %q, %v", tok, err)
	}
	if !r.Ready() {
		t.Fatal("not Ready with a whole line buffered")
	}
	if tok, _, err := r.Next(); err != nil || tok != "g.h.i" {
		t.Fatalf("Next = %q, %v", tok, err)
	}
	_ = pw.Close()
	if _, _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next at the end = %v", err)
	}
	if !r.Ready() {
		t.Fatal("not Ready after the end")
	}
}

package spinner

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// handTicker is a Ticker the test feeds by hand.
type handTicker struct {
	c       chan time.Time
	mu      sync.Mutex
	stopped bool
}

func newHandTicker() *handTicker { return &handTicker{c: make(chan time.Time)} }

func (h *handTicker) Ticks() <-chan time.Time { return h.c }
func (h *handTicker) Stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopped = true
}
func (h *handTicker) isStopped() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stopped
}

// tick delivers one tick; it returns once the spinner has received it.
func (h *handTicker) tick() { h.c <- time.Time{} }

// syncBuffer is a bytes.Buffer safe for the spinner goroutine and the test together.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestSpinnerDraws(t *testing.T) {
	tests := []struct {
		name  string
		ticks int
		want  string
	}{
		{"no tick draws nothing", 0, ""},
		{"one tick", 1, "\r⠋ working" + eraseLine},
		{"three ticks", 3, "\r⠋ working\r⠙ working\r⠹ working" + eraseLine},
		{"frames wrap around", 11, "\r⠋ working\r⠙ working\r⠹ working\r⠸ working\r⠼ working\r⠴ working" +
			"\r⠦ working\r⠧ working\r⠇ working\r⠏ working\r⠋ working" + eraseLine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out syncBuffer
			tk := newHandTicker()
			s := Start(&out, "working", tk)
			for range tt.ticks {
				tk.tick()
			}
			s.Stop()
			if got := out.String(); got != tt.want {
				t.Errorf("output = %q, want %q", got, tt.want)
			}
			if !tk.isStopped() {
				t.Error("Stop did not stop the ticker")
			}
		})
	}
}

func TestStopIsFinal(t *testing.T) {
	var out syncBuffer
	tk := newHandTicker()
	s := Start(&out, "working", tk)
	tk.tick()
	s.Stop()
	s.Stop() // a second Stop is harmless and erases nothing twice
	before := out.String()
	// Nobody receives ticks any more: a late tick must not be drawn.
	select {
	case tk.c <- time.Time{}:
		t.Fatal("a tick was received after Stop")
	case <-time.After(20 * time.Millisecond):
	}
	if after := out.String(); after != before {
		t.Errorf("output changed after Stop: %q → %q", before, after)
	}
	if strings.Count(before, eraseLine) != 1 {
		t.Errorf("erased %d times, want once: %q", strings.Count(before, eraseLine), before)
	}
}

func TestNilAndZeroSpinnerStop(t *testing.T) {
	var s *Spinner
	s.Stop()
	var z Spinner
	z.Stop()
}

type failingWriter struct{ writes int }

func (f *failingWriter) Write(p []byte) (int, error) {
	f.writes++
	return 0, errors.New("stream closed")
}

func TestWriteErrorStopsDrawing(t *testing.T) {
	w := &failingWriter{}
	tk := newHandTicker()
	s := Start(w, "working", tk)
	tk.tick()
	// After the failed write the goroutine only waits for Stop; further ticks are not taken.
	select {
	case tk.c <- time.Time{}:
		t.Fatal("the spinner kept drawing after a write error")
	case <-time.After(20 * time.Millisecond):
	}
	s.Stop()
	if w.writes != 1 {
		t.Errorf("writes = %d, want 1 (no erase after nothing was drawn)", w.writes)
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 50 {
		tk := newHandTicker()
		s := Start(&syncBuffer{}, "working", tk)
		tk.tick()
		s.Stop()
	}
	for range 50 {
		s := Start(&syncBuffer{}, "working", Every(time.Millisecond))
		time.Sleep(2 * time.Millisecond)
		s.Stop()
	}
	// Stop waits for the goroutine to end, so the count is back at once; allow the runtime a
	// moment for unrelated goroutines.
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines: %d before, %d after 100 stopped spinners", before, after)
	}
}

func TestEveryTicks(t *testing.T) {
	var out syncBuffer
	s := Start(&out, "working", Every(time.Millisecond))
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(out.String(), "⠙") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	s.Stop()
	got := out.String()
	if !strings.HasPrefix(got, "\r⠋ working\r⠙ working") || !strings.HasSuffix(got, eraseLine) {
		t.Errorf("output = %q, want frames then an erase", got)
	}
}

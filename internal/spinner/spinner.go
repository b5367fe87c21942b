// Package spinner draws a one-line progress animation on a terminal while slow work runs, such
// as generating an RSA 4096-bit key.
//
// The caller decides whether the stream is a terminal; this package only draws. The animation is
// driven by a Ticker the caller supplies (Every in production, a hand-fed channel in tests), and
// nothing is drawn before the first tick, so work that finishes sooner leaves the terminal
// untouched. Stop stops the ticker, waits for the drawing goroutine to end and erases the line:
// no goroutine outlives a stopped Spinner and no frame is written after Stop returns.
package spinner

import (
	"io"
	"sync"
	"time"
	"unicode/utf8"
)

// frames are the animation's frames, drawn in turn (Braille dots, as gh and npm use).
const frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

// eraseLine returns the cursor to the start of the line and clears it (ANSI EL 0).
const eraseLine = "\r\x1b[K"

// Ticker delivers the ticks that advance a Spinner.
type Ticker interface {
	// Ticks is the channel that receives a value for each frame.
	Ticks() <-chan time.Time
	// Stop stops the ticks; it need not close the channel.
	Stop()
}

// timeTicker adapts *time.Ticker to Ticker.
type timeTicker struct{ t *time.Ticker }

func (t timeTicker) Ticks() <-chan time.Time { return t.t.C }
func (t timeTicker) Stop()                   { t.t.Stop() }

// Every returns a Ticker that ticks every d, backed by a time.Ticker. d must be positive.
func Every(d time.Duration) Ticker {
	return timeTicker{time.NewTicker(d)}
}

// Spinner is a running animation. The zero value and a nil *Spinner are stopped spinners whose
// Stop does nothing.
type Spinner struct {
	w       io.Writer
	message string
	ticker  Ticker
	frames  []string

	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once

	// drawn says whether a frame reached w; written only by the drawing goroutine and read by
	// Stop after that goroutine has ended.
	drawn bool
}

// Start starts a spinner that shows message after an animated frame on w, one frame per tick of
// t, until Stop. w should be a terminal: frames are redrawn in place with a carriage return. The
// message should fit on one line. Start takes ownership of t and stops it in Stop.
func Start(w io.Writer, message string, t Ticker) *Spinner {
	s := &Spinner{
		w:       w,
		message: message,
		ticker:  t,
		frames:  splitFrames(frames),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go s.run()
	return s
}

func splitFrames(s string) []string {
	out := make([]string, 0, utf8.RuneCountInString(s))
	for _, r := range s {
		out = append(out, string(r))
	}
	return out
}

// run draws one frame per tick until stop is closed. A write error ends the drawing (the stream
// is gone; the work it was showing goes on).
func (s *Spinner) run() {
	defer close(s.done)
	ticks := s.ticker.Ticks()
	for i := 0; ; i++ {
		select {
		case <-s.stop:
			return
		case <-ticks:
		}
		// A tick and a stop may be ready together; stop wins so that no frame follows Stop.
		select {
		case <-s.stop:
			return
		default:
		}
		frame := s.frames[i%len(s.frames)]
		if _, err := io.WriteString(s.w, "\r"+frame+" "+s.message); err != nil {
			<-s.stop
			return
		}
		s.drawn = true
	}
}

// Stop stops the spinner: it stops the ticker, waits until the drawing goroutine has ended, and
// erases the spinner's line if anything was drawn. It is safe to call more than once, and on a
// nil *Spinner.
func (s *Spinner) Stop() {
	if s == nil || s.stop == nil {
		return
	}
	s.stopOnce.Do(func() {
		close(s.stop)
		s.ticker.Stop()
		<-s.done
		if s.drawn {
			_, _ = io.WriteString(s.w, eraseLine)
		}
	})
}

package cli

import (
	"encoding/base64"
	"io"
	"net/url"
	"strings"
	"sync"
)

// minRedacted is the shortest secret that is searched for in output: replacing every
// occurrence of a very short string would garble messages while hiding next to nothing.
const minRedacted = 4

// redactor removes known secrets (the client secret in the forms it is sent, and every client
// assertion made) from text a server may have echoed back: error messages and --verbose
// output. It is safe for concurrent use.
type redactor struct {
	mu      sync.Mutex
	secrets []string
}

// add registers s and, for a client secret, the encodings a request carries it in.
func (r *redactor) add(s string, encodings bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	forms := []string{s}
	if encodings {
		forms = append(forms, url.QueryEscape(s), base64.StdEncoding.EncodeToString([]byte(s)))
	}
	for _, f := range forms {
		if len(f) >= minRedacted {
			r.secrets = append(r.secrets, f)
		}
	}
}

// addBasic registers the credentials of a Basic header.
func (r *redactor) addBasic(b64 string) { r.add(b64, false) }

// redact replaces every registered secret in s by "[redacted]".
func (r *redactor) redact(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}

// error returns err with registered secrets removed from its message; the chain (and so its
// kind and code) is kept.
func (r *redactor) error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := r.redact(msg); clean != msg {
		return &redactedError{msg: clean, err: err}
	}
	return err
}

// writer returns w with registered secrets removed from each write. safehttp writes each
// verbose line whole, so a secret is never split across writes.
func (r *redactor) writer(w io.Writer) io.Writer { return &redactingWriter{r: r, w: w} }

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

type redactingWriter struct {
	r *redactor
	w io.Writer
}

func (w *redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.r.redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

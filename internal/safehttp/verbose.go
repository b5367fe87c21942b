package safehttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// maxLoggedBody is how much of a body the verbose log shows.
const maxLoggedBody = 8 << 10

// verboseLog writes curl -v style lines: "> " for the request, "< " for the response. Values of
// sensitive headers, form fields, JSON members and query parameters are replaced by
// "[redacted]"; bodies that are neither JSON nor a form are shown only by their size.
// A nil *verboseLog logs nothing.
type verboseLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *verboseLog) request(req *http.Request, body []byte) {
	if l == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", req.Method, DisplayURL(req.URL))
	writeHeaders(&b, "> ", req.Header)
	if len(body) > 0 {
		fmt.Fprintf(&b, "> %s\n", redactBody(req.Header.Get("Content-Type"), body))
	}
	l.write(b.String())
}

func (l *verboseLog) response(resp *http.Response) {
	if l == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "< %s %s\n", resp.Proto, statusText(resp))
	writeHeaders(&b, "< ", resp.Header)
	l.write(b.String())
}

func (l *verboseLog) body(contentType string, body []byte) {
	if l == nil || len(body) == 0 {
		return
	}
	l.write("< " + redactBody(contentType, body) + "\n")
}

func (l *verboseLog) write(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(l.w, s)
}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			if sensitiveHeader(http.CanonicalHeaderKey(k)) {
				v = redacted
			}
			fmt.Fprintf(b, "%s%s: %s\n", prefix, Sanitize(k, 100), Sanitize(v, 500))
		}
	}
}

// redactBody renders a body for the verbose log with sensitive values replaced.
func redactBody(contentType string, body []byte) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimSpace(body)
	switch {
	case mt == "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			break
		}
		for k := range q {
			if sensitiveParam(strings.ToLower(k)) {
				q[k] = []string{redacted}
			}
		}
		return clip(q.Encode())
	case len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['):
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			break
		}
		out, err := json.Marshal(redactJSON(v, 0))
		if err != nil {
			break
		}
		return clip(string(out))
	}
	return fmt.Sprintf("[%d bytes of %s not shown]", len(body), Sanitize(orUnknown(mt), 100))
}

func orUnknown(mt string) string {
	if mt == "" {
		return "unknown type"
	}
	return mt
}

func clip(s string) string {
	if len(s) > maxLoggedBody {
		return Sanitize(s[:maxLoggedBody], maxLoggedBody) + fmt.Sprintf(" [%d more bytes]", len(s)-maxLoggedBody)
	}
	return Sanitize(s, maxLoggedBody)
}

// redactJSON replaces the values of sensitive members at any depth. Beyond a modest depth the
// value is replaced whole, which also bounds the recursion.
func redactJSON(v any, depth int) any {
	if depth > 32 {
		return redacted
	}
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if sensitiveParam(strings.ToLower(k)) {
				t[k] = redacted
			} else {
				t[k] = redactJSON(x, depth+1)
			}
		}
	case []any:
		for i, x := range t {
			t[i] = redactJSON(x, depth+1)
		}
	}
	return v
}

package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdHTTPServe is the testscript command `httpserve NAME DIR`: it serves the files of DIR (under
// $WORK) on a loopback port until the script ends and sets $NAME to the server's URL. Each
// request's method and path is appended to $WORK/NAME.log, so scripts can count requests.
//
// A served file's content has every "{{URL}}" replaced by the server's URL (for discovery
// documents that name their own issuer). Next to FILE, an optional FILE.status holds the
// status code to answer, FILE.headers holds "Name: value" lines to send, and FILE.redirect
// holds a URL to redirect to (302).
func cmdHTTPServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! httpserve")
	}
	if len(args) != 2 {
		ts.Fatalf("usage: httpserve NAME DIR")
	}
	name, dir := args[0], ts.MkAbs(args[1])
	logPath := ts.MkAbs(name + ".log")
	var mu sync.Mutex
	var url string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		f, err := os.OpenFile(logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err == nil {
			_, _ = f.WriteString(r.Method + " " + r.URL.Path + "\n")
			_ = f.Close()
		}
		base := url
		mu.Unlock()
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/")))
		if !strings.HasPrefix(p, dir+string(filepath.Separator)) {
			http.NotFound(w, r)
			return
		}
		if target, err := os.ReadFile(p + ".redirect"); err == nil {
			http.Redirect(w, r, strings.TrimSpace(strings.ReplaceAll(string(target), "{{URL}}", base)), http.StatusFound)
			return
		}
		body, err := os.ReadFile(p)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if headers, err := os.ReadFile(p + ".headers"); err == nil {
			for _, line := range strings.Split(string(headers), "\n") {
				if k, v, ok := strings.Cut(line, ":"); ok {
					w.Header().Add(strings.TrimSpace(k), strings.TrimSpace(v))
				}
			}
		}
		status := http.StatusOK
		if s, err := os.ReadFile(p + ".status"); err == nil {
			if status, err = strconv.Atoi(strings.TrimSpace(string(s))); err != nil {
				http.Error(w, "bad status file", http.StatusInternalServerError)
				return
			}
		}
		w.WriteHeader(status)
		_, _ = w.Write(bytes.ReplaceAll(body, []byte("{{URL}}"), []byte(base)))
	}))
	mu.Lock()
	url = srv.URL
	mu.Unlock()
	ts.Setenv(name, srv.URL)
	ts.Defer(srv.Close)
}

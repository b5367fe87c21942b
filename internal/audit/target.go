package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// Placeholder is what templates (headers, body, command) hold where the token goes.
const Placeholder = "{token}"

// TokenEnv is the environment variable a command target finds the token in.
const TokenEnv = "JWTKIT_AUDIT_TOKEN"

// Answer is what a target said to one token.
type Answer struct {
	// Code is the HTTP status, or the command's exit status.
	Code int
	// Body is the response body, or the command's standard output, capped.
	Body []byte
	// Text names the answer for a report: "HTTP 401", "exit 1".
	Text string
}

// Target is the service under audit.
type Target interface {
	// Send presents token to the service once. An error means the service could not be asked
	// (unreachable, timed out, the command could not start), not that it refused.
	Send(ctx context.Context, token string) (Answer, error)
	// Accepts is the default rule for an answer that is an acceptance, given the genuine
	// token's answer.
	Accepts(a, genuine Answer) bool
	// Success is the default rule for the genuine token's answer to be an acceptance.
	Success(a Answer) bool
}

// HTTPTarget sends the token in an HTTP request.
type HTTPTarget struct {
	// Client sends the request; it follows no redirect and contacts only URL's host.
	Client *safehttp.Client
	// URL and Method are the request's; an empty Method is GET, or POST with a Body.
	URL, Method string
	// Headers are "Name: value" templates, with Placeholder where the token goes.
	Headers []string
	// Body is a body template, empty for none.
	Body string
}

// ParseHeaders checks "Name: value" templates; at least one header or the body must carry the
// placeholder, or the token would never be sent.
func ParseHeaders(templates []string, body string) error {
	carried := strings.Contains(body, Placeholder)
	for _, h := range templates {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
			return failure.Usagef("usage", "--header %q is not of the form 'Name: value'", h)
		}
		carried = carried || strings.Contains(value, Placeholder)
	}
	if !carried {
		return failure.Usagef("usage", "neither --header nor --data holds %s, so the token would never be sent; add it where the service reads the token", Placeholder)
	}
	return nil
}

// Send makes one request.
func (t *HTTPTarget) Send(ctx context.Context, token string) (Answer, error) {
	h := http.Header{}
	for _, tpl := range t.Headers {
		name, value, _ := strings.Cut(tpl, ":")
		h.Add(textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name)), strings.ReplaceAll(strings.TrimSpace(value), Placeholder, token))
	}
	method := t.Method
	var body []byte
	if t.Body != "" {
		body = []byte(strings.ReplaceAll(t.Body, Placeholder, token))
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if method == "" {
			method = http.MethodPost
		}
	}
	if method == "" {
		method = http.MethodGet
	}
	resp, err := t.Client.Send(ctx, method, t.URL, h, body)
	if err != nil {
		return Answer{}, err
	}
	return Answer{Code: resp.Status, Body: resp.Body, Text: "HTTP " + fmt.Sprint(resp.Status)}, nil
}

// Accepts says an answer is an acceptance when its status is the genuine token's.
func (t *HTTPTarget) Accepts(a, genuine Answer) bool { return a.Code == genuine.Code }

// Success says a 2xx status is an acceptance of the genuine token.
func (t *HTTPTarget) Success(a Answer) bool { return a.Code >= 200 && a.Code < 300 }

// CommandTarget runs a shell command per token: exit status 0 is acceptance.
type CommandTarget struct {
	// Command is a /bin/sh command line; each Placeholder becomes "$JWTKIT_AUDIT_TOKEN", so the
	// token reaches the command through its environment and is never spliced into shell text.
	Command string
	// Env is the command's environment, to which TokenEnv is added.
	Env []string
	// Timeout bounds one run; the command's process group is killed when it passes.
	Timeout time.Duration
	// Dir is the working directory; empty means the current one.
	Dir string
}

// maxOutput caps the standard output kept from one run.
const maxOutput = 1 << 20

// Script is the shell text the command runs as: the placeholder replaced by a quoted reference
// to the environment variable.
func (t *CommandTarget) Script() string {
	return strings.ReplaceAll(t.Command, Placeholder, `"$`+TokenEnv+`"`)
}

// Send runs the command once.
func (t *CommandTarget) Send(ctx context.Context, token string) (Answer, error) {
	if t.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", t.Script())
	cmd.Env = append(append([]string(nil), t.Env...), TokenEnv+"="+token)
	cmd.Dir = t.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	out := &capped{max: maxOutput}
	cmd.Stdout = out
	err := cmd.Run()
	if ctx.Err() != nil {
		return Answer{}, failure.Remotef("timeout", "the command did not finish within %s", t.Timeout)
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return Answer{Code: 0, Body: out.Bytes(), Text: "exit 0"}, nil
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		return Answer{Code: exit.ExitCode(), Body: out.Bytes(), Text: fmt.Sprintf("exit %d", exit.ExitCode())}, nil
	case errors.As(err, &exit):
		return Answer{Code: -1, Body: out.Bytes(), Text: "killed by " + exit.String()}, nil
	}
	return Answer{}, failure.Usagef("usage", "cannot run the command: %v", err)
}

// Accepts says exit status 0 is acceptance.
func (t *CommandTarget) Accepts(a, _ Answer) bool { return a.Code == 0 }

// Success says exit status 0 is acceptance.
func (t *CommandTarget) Success(a Answer) bool { return a.Code == 0 }

// capped keeps at most max bytes written to it and drops the rest.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); room > 0 {
		if len(p) < room {
			room = len(p)
		}
		c.Buffer.Write(p[:room])
	}
	return len(p), nil
}

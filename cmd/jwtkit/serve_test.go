package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// servedProcess is a `jwtkit serve` that a script started with startserve.
type servedProcess struct {
	cmd     *exec.Cmd
	done    chan error    // receives the result of Wait once
	stopped chan struct{} // closed once stop has collected the result
	err     error
}

// forwardedEnv lists what startserve passes from the script's environment to serve; besides
// these, every variable an argument names as env:NAME is passed.
var forwardedEnv = []string{"HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "NO_COLOR", "TMPDIR",
	"JWTKIT_NOW", "JWTKIT_KEY", "JWTKIT_PASSPHRASE"}

var envRef = regexp.MustCompile(`env:([A-Za-z_][A-Za-z0-9_]*)`)

// cmdStartServe runs `jwtkit serve [--port 0] ARGS…` in the background:
//
//	startserve NAME ARGS…
//
// It waits (up to 20s) for the issuer URL serve prints on stdout, sets $NAME to it, and sends
// serve's stderr to $WORK/NAME.log. --port 0 is added unless ARGS give --port or --addr. The
// script's stopserve NAME (or its end) stops serve with SIGINT. With !, serve must fail before
// it is ready; its stderr then becomes the command's stderr for `stderr` checks.
func cmdStartServe(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: startserve NAME [serve flags…]")
	}
	name, flags := args[0], args[1:]
	if !slices.ContainsFunc(flags, func(a string) bool { return strings.HasPrefix(a, "--port") || strings.HasPrefix(a, "--addr") }) {
		flags = append([]string{"--port", "0"}, flags...)
	}
	bin := lookPath(ts, "jwtkit")
	logPath := ts.MkAbs(name + ".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	ts.Check(err)
	defer logFile.Close()
	stdout, stdoutW, err := os.Pipe()
	ts.Check(err)

	cmd := exec.Command(bin, append([]string{"serve"}, flags...)...)
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = []string{"PATH=" + ts.Getenv("PATH")}
	vars := slices.Clone(forwardedEnv)
	for _, a := range flags {
		for _, m := range envRef.FindAllStringSubmatch(a, -1) {
			vars = append(vars, m[1])
		}
	}
	for _, v := range vars {
		if val := ts.Getenv(v); val != "" || v == "NO_COLOR" || v == "JWTKIT_NOW" {
			cmd.Env = append(cmd.Env, v+"="+val)
		}
	}
	cmd.Stdout, cmd.Stderr = stdoutW, logFile
	ts.Check(cmd.Start())
	stdoutW.Close()
	p := &servedProcess{cmd: cmd, done: make(chan error, 1), stopped: make(chan struct{})}
	go func() { p.done <- cmd.Wait() }()

	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		_, _ = r.WriteTo(discard{})
		stdout.Close()
	}()
	select {
	case line := <-lines:
		if strings.TrimSpace(line) == "" {
			// serve exited without printing: it failed.
			err := <-p.done
			p.err = err
			close(p.stopped)
			if neg {
				ts.Stderr().Write([]byte(ts.ReadFile(logPath)))
				return
			}
			ts.Fatalf("serve exited before it was ready (%v):\n%s", err, ts.ReadFile(logPath))
		}
		if neg {
			stop(ts, p)
			ts.Fatalf("serve started, but ! startserve expected it to fail")
		}
		ts.Setenv(name, strings.TrimSpace(line))
		// NAME_ADDR is the listener's HOST:PORT, for a script that restarts serve on it.
		ts.Setenv(name+"_ADDR", strings.TrimPrefix(strings.TrimSpace(line), "http://"))
		key := serverKey{ts, name}
		if _, dup := running.LoadOrStore(key, p); dup {
			stop(ts, p)
			ts.Fatalf("a serve named %s is already running", name)
		}
		ts.Defer(func() {
			running.Delete(key)
			select {
			case <-p.stopped:
			default:
				stop(ts, p)
			}
		})
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		ts.Fatalf("serve did not print its issuer URL within 20s:\n%s", ts.ReadFile(logPath))
	}
}

// cmdStopServe stops a serve started by startserve with SIGINT and waits for it; it fails
// unless serve exits 0 within 10s.
//
//	stopserve NAME
func cmdStopServe(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: stopserve NAME")
	}
	v, ok := running.Load(serverKey{ts, args[0]})
	if !ok {
		ts.Fatalf("no serve named %s", args[0])
	}
	p := v.(*servedProcess)
	if err := stop(ts, p); err != nil {
		ts.Fatalf("serve %s exited with %v", args[0], err)
	}
}

// stop interrupts p and waits for it; stopping a stopped serve returns its first result.
func stop(ts *testscript.TestScript, p *servedProcess) error {
	select {
	case <-p.stopped:
		return p.err
	default:
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case p.err = <-p.done:
		close(p.stopped)
		return p.err
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		p.err = <-p.done
		close(p.stopped)
		ts.Fatalf("serve did not stop within 10s of SIGINT")
		return p.err
	}
}

// serverKey names a running serve: the script and the name it gave.
type serverKey struct {
	ts   *testscript.TestScript
	name string
}

// running holds the serves the scripts have started and not yet cleaned up. Scripts run in
// parallel, hence the sync.Map.
var running sync.Map

func lookPath(ts *testscript.TestScript, prog string) string {
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		p := filepath.Join(dir, prog)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	ts.Fatalf("%s is not on the script's PATH", prog)
	return ""
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

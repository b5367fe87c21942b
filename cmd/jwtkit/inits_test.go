package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestJwtkitPackagesNeedNoInitialisation fails when one of jwtkit's own packages has
// package-initialisation work: a package-level map literal, errors.New, a function call, a
// sync.OnceValue. Go runs every linked package's initialisation at every start, whatever the
// command, and on a small VM each such package costs a page fault of its init code (about
// 30 µs) before `jwtkit decode` does anything; CI scripts run the single-token commands in
// loops (issue 17). Use constants, switches, failure.Sentinel for sentinel errors and a
// sync.Once inside a function for what must be computed. The check is the runtime's own
// account: GODEBUG=inittrace=1 prints a line for each package whose initialisation ran.
func TestJwtkitPackagesNeedNoInitialisation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jwtkit")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is not on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "jwtkit")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("jwtkit version: %v\n%s", err, out)
	}
	traced := 0
	for _, line := range strings.Split(string(out), "\n") {
		// "init github.com/jwtkit/jwtkit/internal/x @0.5 ms, 0.01 ms clock, 288 bytes, 8 allocs"
		fields := strings.Fields(line)
		if len(fields) < 2 || fields[0] != "init" {
			continue
		}
		traced++
		if strings.HasPrefix(fields[1], "github.com/jwtkit/jwtkit/") {
			t.Errorf("package %s has initialisation work: %s", strings.TrimPrefix(fields[1], "github.com/jwtkit/jwtkit/"), line)
		}
	}
	// The standard library's packages always trace (runtime, os, …): none means the runtime
	// printed nothing and the check above proved nothing.
	if traced == 0 {
		t.Fatalf("GODEBUG=inittrace=1 traced no package initialisation:\n%s", out)
	}
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestNoHTMLTemplate fails if jwtkit links html/template again. Go runs the initialisation of
// every linked package at every start, and html/template's compiles two case-insensitive regular
// expressions and builds maps: measured with callgrind and perf (issue 17), a jwtkit with it ran
// about 144k more instructions and 17 more page faults (about 30 µs each on the CI machine)
// before main, on every decode, mint and verify that CI scripts run in loops, although only
// serve shows HTML. serve's pages are written with internal/htmlpage instead; tests may still
// import html/template (internal/issuer compares its pages with it).
func TestNoHTMLTemplate(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		// A test binary built with -trimpath knows no GOROOT; the go on PATH is the next best.
		if goTool, err = exec.LookPath("go"); err != nil {
			t.Skipf("no go command to list the dependencies with: %v", err)
		}
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 || !slices.Contains(deps, "github.com/jwtkit/jwtkit/internal/issuer") {
		t.Fatalf("go list -deps listed %d packages without internal/issuer: the check would prove nothing\n%s", len(deps), out)
	}
	if slices.Contains(deps, "html/template") {
		t.Error("jwtkit links html/template: its package init runs at every start of every command (issue 17); write HTML with internal/htmlpage")
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// offPathPackages are what a single-token command (decode, mint, verify with a local key) must
// not run: the network, TLS and template code that only serve, fetch and the remote key sources
// need. One binary links them all, so Go runs their package initialisation at every start
// whatever the command (GODEBUG=inittrace=1 lists net/http for `jwtkit decode`); what the test
// holds the single-token commands to is running nothing of them beyond that initialisation.
var offPathPackages = []string{"net/http", "crypto/tls", "text/template"}

// TestSingleTokenPathRunsNoNetworkCode builds jwtkit with coverage counters in offPathPackages
// (go build -cover -covermode=count -coverpkg), once as it is and once exiting as main starts
// (-X main.exitAtMain=1, as bench/run.sh builds it), and runs the single-token commands: a
// counter of those packages that a command's run leaves above the package-initialisation run's
// names code the command ran. A run of `verify --jwks` against a closed port must show such code
// (net/http's client), or the check would prove nothing.
func TestSingleTokenPathRunsNoNetworkCode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jwtkit twice with coverage counters in the standard library (about a minute the first time)")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is not on PATH: %v", err)
	}
	dir := t.TempDir()
	full, exit := filepath.Join(dir, "jwtkit"), filepath.Join(dir, "jwtkit-exit")
	coverpkg := "github.com/jwtkit/jwtkit/cmd/jwtkit," + strings.Join(offPathPackages, ",")
	for _, b := range []struct{ out, ldflags string }{{full, ""}, {exit, "-X main.exitAtMain=1"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cmd := exec.CommandContext(ctx, goTool, "build", "-cover", "-covermode=count", "-coverpkg="+coverpkg,
			"-ldflags="+b.ldflags, "-o", b.out, ".")
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("go build -cover: %v\n%s", err, out)
		}
	}

	// The keys and tokens are made by the same binary, outside the measured runs.
	run := func(bin, covdir string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOCOVERDIR="+covdir, "NO_COLOR=1", "XDG_CACHE_HOME="+dir+"/cache", "XDG_CONFIG_HOME="+dir+"/config")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil && !strings.Contains(strings.Join(args, " "), "--jwks") {
			t.Fatalf("jwtkit %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
		}
		return strings.TrimSpace(stdout.String())
	}
	scratch := t.TempDir()
	run(full, scratch, "keygen", "-q", "--alg", "HS256", "-o", "hs")
	run(full, scratch, "keygen", "-q", "--alg", "ES256", "-o", "es")
	hs := run(full, scratch, "mint", "--secret", "@hs.key", "--sub", "alice", "--aud", "api")
	es := run(full, scratch, "mint", "--key", "es.key", "--sub", "alice", "--aud", "api")

	counts := func(bin string, args ...string) map[string]int {
		t.Helper()
		covdir := t.TempDir()
		run(bin, covdir, args...)
		return blockCounts(t, goTool, covdir)
	}
	initOnly := counts(exit)
	if len(initOnly) == 0 {
		t.Fatal("the exit-at-main build wrote no coverage counters for " + strings.Join(offPathPackages, ", "))
	}
	ranBeyondInit := func(c map[string]int) []string {
		var extra []string
		for block, n := range c {
			if n > initOnly[block] {
				extra = append(extra, fmt.Sprintf("%s (%d runs, %d at init)", block, n, initOnly[block]))
			}
		}
		return extra
	}

	for _, args := range [][]string{
		{"decode", hs},
		{"mint", "--secret", "@hs.key", "--sub", "bob"},
		{"mint", "--key", "es.key", "--sub", "bob"},
		{"verify", "--secret", "@hs.key", "--aud", "api", hs},
		{"verify", "--key", "es.pub", "--aud", "api", es},
	} {
		if extra := ranBeyondInit(counts(full, args...)); len(extra) > 0 {
			if len(extra) > 10 {
				extra = append(extra[:10], fmt.Sprintf("and %d more", len(extra)-10))
			}
			t.Errorf("jwtkit %s ran code of %s beyond package initialisation:\n  %s", args[0], strings.Join(offPathPackages, ", "), strings.Join(extra, "\n  "))
		}
	}
	if extra := ranBeyondInit(counts(full, "verify", "--jwks", "http://127.0.0.1:1/jwks.json", hs)); len(extra) == 0 {
		t.Error("verify --jwks against a closed port ran no net/http code beyond package initialisation: the check cannot see a use")
	}
}

// blockCounts reads the coverage counters in covdir (go tool covdata textfmt) as a count per
// block of offPathPackages ("net/http/client.go:123.4,125.6").
func blockCounts(t *testing.T, goTool, covdir string) map[string]int {
	t.Helper()
	text := filepath.Join(t.TempDir(), "cover.txt")
	if out, err := exec.Command(goTool, "tool", "covdata", "textfmt", "-i="+covdir, "-o="+text).CombinedOutput(); err != nil {
		t.Fatalf("go tool covdata textfmt: %v\n%s", err, out)
	}
	f, err := os.Open(text)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	counts := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// mode: count, then "file:start,end statements count" per block.
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 || !offPath(fields[0]) {
			continue
		}
		n, err := strconv.Atoi(fields[2])
		if err != nil {
			t.Fatalf("reading %s: %q: %v", text, sc.Text(), err)
		}
		counts[fields[0]] += n
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return counts
}

// offPath reports whether a coverage block ("net/http/client.go:1.2,3.4") is in offPathPackages
// itself (not a package below it, such as net/http/httptrace).
func offPath(block string) bool {
	file, _, _ := strings.Cut(block, ":")
	pkg := filepath.Dir(file)
	for _, p := range offPathPackages {
		if pkg == p {
			return true
		}
	}
	return false
}

package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// command is one line of a spec file: a display name and the argv to run.
type command struct {
	Name string
	Argv []string
}

// parseSpec reads a spec: one command per line as "NAME<TAB>PROGRAM ARG…", the arguments split
// on spaces (so none may contain one); blank lines and lines starting with # are skipped.
func parseSpec(r io.Reader) ([]command, error) {
	var out []command
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, cmdline, ok := strings.Cut(line, "\t")
		argv := strings.Fields(cmdline)
		if !ok || strings.TrimSpace(name) == "" || len(argv) == 0 {
			return nil, fmt.Errorf("spec line %d: want NAME<TAB>PROGRAM ARGS…", n)
		}
		if seen[name] {
			return nil, fmt.Errorf("spec line %d: duplicate name %q", n, name)
		}
		seen[name] = true
		out = append(out, command{Name: name, Argv: argv})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("the spec names no command")
	}
	return out, nil
}

// result is one command's timings in hyperfine's JSON form (the members proctime reads).
type result struct {
	Command string    `json:"command"`
	Median  float64   `json:"median"`
	User    float64   `json:"user"`
	System  float64   `json:"system"`
	Times   []float64 `json:"times"`
}

// resultFile is hyperfine's --export-json document.
type resultFile struct {
	Results []result `json:"results"`
}

// sample is one run of one command.
type sample struct {
	wall, user, sys time.Duration
	maxRSS          int64 // KiB
}

// runOnce runs argv with stdin from in (nil: /dev/null) and output discarded, and fails when
// the command exits non-zero.
func runOnce(argv []string, in string) (sample, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	if in != "" {
		f, err := os.Open(in)
		if err != nil {
			return sample{}, err
		}
		defer f.Close()
		cmd.Stdin = f
	}
	var stderr strings.Builder
	cmd.Stderr = &limitedWriter{w: &stderr, n: 2000}
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, strings.TrimSpace(stderr.String()))
	}
	s := sample{wall: wall, user: cmd.ProcessState.UserTime(), sys: cmd.ProcessState.SystemTime()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.maxRSS = ru.Maxrss
	}
	return s, nil
}

// limitedWriter keeps the first n bytes written to it and drops the rest.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.n -= k
		if _, err := l.w.Write(p[:k]); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// cmdTime is the timing harness used when hyperfine is not installed. Unlike hyperfine, which
// runs one command's runs back to back, it interleaves the commands run by run, so a change in
// the machine's load between commands cannot skew their ratios.
func cmdTime(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("time", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := fs.String("spec", "", "spec `FILE`: NAME<TAB>PROGRAM ARGS… per line")
	runs := fs.Int("runs", 100, "timed runs of each command")
	warmup := fs.Int("warmup", 3, "untimed runs of each command first")
	out := fs.String("json", "", "write the results here, as hyperfine's --export-json does")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *spec == "" || *out == "" || *runs < 1 || *warmup < 0 {
		return errors.New("need -spec FILE, -json FILE and -runs ≥ 1")
	}
	f, err := os.Open(*spec)
	if err != nil {
		return err
	}
	cmds, err := parseSpec(f)
	f.Close()
	if err != nil {
		return err
	}
	samples := make([][]sample, len(cmds))
	for i := -*warmup; i < *runs; i++ {
		for c, cmd := range cmds {
			s, err := runOnce(cmd.Argv, "")
			if err != nil {
				return fmt.Errorf("%s: %w", cmd.Name, err)
			}
			if i >= 0 {
				samples[c] = append(samples[c], s)
			}
		}
	}
	doc := resultFile{}
	for c, cmd := range cmds {
		r := result{Command: cmd.Name}
		for _, s := range samples[c] {
			r.Times = append(r.Times, s.wall.Seconds())
			r.User += s.user.Seconds() / float64(len(samples[c]))
			r.System += s.sys.Seconds() / float64(len(samples[c]))
		}
		r.Median = median(r.Times)
		doc.Results = append(doc.Results, r)
		fmt.Fprintf(stdout, "%-28s median %7.2f ms over %d runs\n", cmd.Name, r.Median*1e3, len(r.Times))
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(*out, append(data, '\n'), 0o644)
}

// median returns the middle value of xs (the mean of the two middle ones for an even count);
// 0 for none. xs is not modified.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// cmdRun runs one command once, stdin from -in, and prints its wall time and peak resident
// memory: "seconds=1.234 maxrss_kib=5678".
func cmdRun(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "stdin `FILE` (default /dev/null)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("need -- COMMAND ARGS…")
	}
	s, err := runOnce(fs.Args(), *in)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seconds=%.4f maxrss_kib=%d user=%.4f sys=%.4f\n", s.wall.Seconds(), s.maxRSS, s.user.Seconds(), s.sys.Seconds())
	return nil
}

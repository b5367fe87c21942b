package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// gateError says a measured figure crossed a gate: the run is a failure, not a misuse.
type gateError struct{ msg string }

func (g gateError) Error() string { return g.msg }

// pooled is one command's runs gathered from every result file.
type pooled struct {
	name             string
	times            []float64
	userSum, sysSum  float64 // per-run means times their run counts, to weight files by runs
	medianS, cpuMean float64
}

// pool merges result files by command name, keeping the order in which names first appear.
func pool(files []resultFile) []*pooled {
	var out []*pooled
	byName := map[string]*pooled{}
	for _, f := range files {
		for _, r := range f.Results {
			p := byName[r.Command]
			if p == nil {
				p = &pooled{name: r.Command}
				byName[r.Command] = p
				out = append(out, p)
			}
			p.times = append(p.times, r.Times...)
			p.userSum += r.User * float64(len(r.Times))
			p.sysSum += r.System * float64(len(r.Times))
		}
	}
	for _, p := range out {
		p.medianS = median(p.times)
		if n := len(p.times); n > 0 {
			p.cpuMean = (p.userSum + p.sysSum) / float64(n)
		}
	}
	return out
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// reportOptions are the flags of proctime report.
type reportOptions struct {
	floor, hello string
	targets      map[string]float64 // command → largest ratio to the floor
	faster       [][2]string        // A must be faster than B
	within       []withinRule       // A at most ms slower than B
	gate         float64            // fail when a targeted ratio exceeds this (0: never)
}

// withinRule is a target "A takes at most ms more than B".
type withinRule struct {
	a, b string
	ms   float64
}

func parseReportFlags(args []string, stderr io.Writer) (reportOptions, []string, error) {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := reportOptions{targets: map[string]float64{}}
	fs.StringVar(&o.floor, "floor", "floor: deps", "`NAME` of the dependency floor, the reference of the ratios")
	fs.StringVar(&o.hello, "hello", "floor: hello-world", "`NAME` of the hello-world floor")
	var targets, faster, within listFlag
	fs.Var(&targets, "target", "`NAME=RATIO`: NAME's median must be at most RATIO times the floor's")
	fs.Var(&faster, "faster", "`A|B`: A's median must be below B's")
	fs.Var(&within, "within", "`A|B|MS`: A's median must be at most MS milliseconds over B's")
	fs.Float64Var(&o.gate, "gate", 0, "fail when a targeted command's ratio to the floor exceeds `RATIO` (0: report only)")
	if err := fs.Parse(args); err != nil {
		return o, nil, err
	}
	for _, t := range targets {
		i := strings.LastIndex(t, "=")
		if i <= 0 {
			return o, nil, fmt.Errorf("-target %q: want NAME=RATIO", t)
		}
		r, err := strconv.ParseFloat(t[i+1:], 64)
		if err != nil || r <= 0 {
			return o, nil, fmt.Errorf("-target %q: the ratio must be a positive number", t)
		}
		o.targets[t[:i]] = r
	}
	for _, f := range faster {
		a, b, ok := strings.Cut(f, "|")
		if !ok || a == "" || b == "" {
			return o, nil, fmt.Errorf("-faster %q: want A|B", f)
		}
		o.faster = append(o.faster, [2]string{a, b})
	}
	for _, w := range within {
		parts := strings.Split(w, "|")
		if len(parts) != 3 {
			return o, nil, fmt.Errorf("-within %q: want A|B|MS", w)
		}
		ms, err := strconv.ParseFloat(parts[2], 64)
		if err != nil || ms < 0 {
			return o, nil, fmt.Errorf("-within %q: MS must be a number of milliseconds", w)
		}
		o.within = append(o.within, withinRule{a: parts[0], b: parts[1], ms: ms})
	}
	if fs.NArg() == 0 {
		return o, nil, errors.New("name at least one result JSON file")
	}
	return o, fs.Args(), nil
}

// cmdReport prints the Markdown table of pooled medians with ratios to the floors and the
// targets, then the pairwise targets, and returns a gateError when -gate is crossed.
func cmdReport(args []string, stdout, stderr io.Writer) error {
	o, paths, err := parseReportFlags(args, stderr)
	if err != nil {
		return err
	}
	var files []resultFile
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var f resultFile
		if err := json.Unmarshal(data, &f); err != nil {
			return fmt.Errorf("%s: %v", p, err)
		}
		files = append(files, f)
	}
	text, failures, err := report(pool(files), o)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(stdout, text); err != nil {
		return err
	}
	if len(failures) > 0 {
		return gateError{msg: strings.Join(failures, "; ")}
	}
	return nil
}

// report renders the table and the pairwise lines, and lists the gate failures.
func report(ps []*pooled, o reportOptions) (string, []string, error) {
	byName := map[string]*pooled{}
	for _, p := range ps {
		byName[p.name] = p
	}
	floor := byName[o.floor]
	if floor == nil || floor.medianS <= 0 {
		return "", nil, fmt.Errorf("no timings for the floor %q", o.floor)
	}
	for name := range o.targets {
		if byName[name] == nil {
			return "", nil, fmt.Errorf("-target names %q, which was not measured", name)
		}
	}
	hello := byName[o.hello]
	var b strings.Builder
	var failures []string
	fmt.Fprintf(&b, "| command | median ms | × deps floor | × hello-world | CPU ms (user+sys) | runs | target |\n")
	fmt.Fprintf(&b, "|---|---:|---:|---:|---:|---:|---|\n")
	for _, p := range ps {
		ratio := p.medianS / floor.medianS
		helloCol := "–"
		if hello != nil && hello.medianS > 0 {
			helloCol = fmt.Sprintf("%.2f", p.medianS/hello.medianS)
		}
		target := ""
		if max, ok := o.targets[p.name]; ok {
			verdict := "met"
			if ratio > max {
				verdict = "**missed**"
			}
			target = fmt.Sprintf("≤ %.2f× floor: %s", max, verdict)
			if o.gate > 0 && ratio > o.gate {
				failures = append(failures, fmt.Sprintf("%s takes %.2f× the dependency floor (gate %.2f×)", p.name, ratio, o.gate))
			}
		}
		fmt.Fprintf(&b, "| %s | %.2f | %.2f | %s | %.2f | %d | %s |\n", p.name, p.medianS*1e3, ratio, helloCol, p.cpuMean*1e3, len(p.times), target)
	}
	var lines []string
	for _, f := range o.faster {
		a, c := byName[f[0]], byName[f[1]]
		if a == nil || c == nil {
			continue // the peer is not installed here
		}
		verdict := "met"
		if a.medianS >= c.medianS {
			verdict = "**missed**"
		}
		lines = append(lines, fmt.Sprintf("- %s: %.2f ms, %.2f× %s (%.2f ms); target faster: %s", a.name, a.medianS*1e3, a.medianS/c.medianS, c.name, c.medianS*1e3, verdict))
	}
	for _, w := range o.within {
		a, c := byName[w.a], byName[w.b]
		if a == nil || c == nil {
			continue
		}
		diff := (a.medianS - c.medianS) * 1e3
		verdict := "met"
		if diff > w.ms {
			verdict = "**missed**"
		}
		lines = append(lines, fmt.Sprintf("- %s: %+.2f ms over %s; target ≤ %+.2f ms: %s", a.name, diff, c.name, w.ms, verdict))
	}
	if len(lines) > 0 {
		b.WriteString("\n" + strings.Join(lines, "\n") + "\n")
	}
	return b.String(), failures, nil
}

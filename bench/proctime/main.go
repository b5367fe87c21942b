// Command proctime is the measuring side of bench/run.sh: it times whole processes, reads the
// timings back as a table with ratios to the floors, measures peak memory, and tells what takes
// the room in a binary. It exists so the benchmark needs nothing but Go; hyperfine, when
// installed, does the timing instead and proctime only reads its JSON.
//
//	proctime time -spec FILE -runs N -json OUT      time commands, interleaved (hyperfine's JSON)
//	proctime report [flags] RESULT.json...          medians, ratios, targets; exit 1 on a gate
//	proctime run [-in FILE] -- COMMAND ARGS...      one run: wall time and peak RSS
//	proctime size [-top N] BINARY                   where a binary's bytes come from
//	proctime serve -jwks FILE                       a cacheable JWKS and discovery on loopback
//	proctime pagecost [-pages N] FILE               µs per first touch of a page, anonymous and file
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: proctime time|report|run|size|serve|pagecost [flags] [args]; proctime CMD -h for flags`

// run dispatches a subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "time":
		err = cmdTime(args[1:], stdout, stderr)
	case "report":
		err = cmdReport(args[1:], stdout, stderr)
	case "run":
		err = cmdRun(args[1:], stdout, stderr)
	case "size":
		err = cmdSize(args[1:], stdout, stderr)
	case "serve":
		err = cmdServe(args[1:], stdout, stderr)
	case "pagecost":
		err = cmdPageCost(args[1:], stdout, stderr)
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "proctime %s: %v\n", args[0], err)
		if _, gate := err.(gateError); gate {
			return 1
		}
		return 2
	}
	return 0
}

// Command gendocs regenerates jwtkit's completion scripts and, when asked, its man pages. It
// runs from cmd/jwtkit through `go generate ./...`:
//
//	gendocs -completions DIR [-man DIR]
//
// Man pages carry the date in SOURCE_DATE_EPOCH (Unix seconds) when it is set, for
// reproducible release builds, and today's date otherwise.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/jwtkit/jwtkit/internal/gendocs"
)

func main() {
	completions := flag.String("completions", "", "write the shell completion scripts into `DIR`")
	man := flag.String("man", "", "write the man pages into `DIR`")
	flag.Parse()
	if *completions == "" && *man == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gendocs -completions DIR [-man DIR]")
		os.Exit(2)
	}
	if err := run(*completions, *man); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(completions, man string) error {
	if completions != "" {
		if err := gendocs.WriteCompletions(gendocs.Root(), completions); err != nil {
			return err
		}
	}
	if man != "" {
		date := time.Now()
		if epoch := os.Getenv("SOURCE_DATE_EPOCH"); epoch != "" {
			secs, err := strconv.ParseInt(epoch, 10, 64)
			if err != nil {
				return fmt.Errorf("SOURCE_DATE_EPOCH %q is not Unix seconds", epoch)
			}
			date = time.Unix(secs, 0)
		}
		// A tree of its own: man page generation rewrites the help texts as Markdown.
		if err := gendocs.WriteManPages(gendocs.Root(), man, date); err != nil {
			return err
		}
	}
	return nil
}

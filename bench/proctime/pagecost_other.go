//go:build !linux

package main

import (
	"errors"
	"io"
)

// cmdPageCost needs Linux's mmap semantics; elsewhere it says so.
func cmdPageCost(args []string, stdout, stderr io.Writer) error {
	return errors.New("pagecost runs on Linux only")
}

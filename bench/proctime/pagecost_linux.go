package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// pageCost is what a process pays here for the first touch of a page: the mean over n pages of
// anonymous memory written (how the heap, stacks and written data grow) and of a cached file
// mapping read, one page per fault-around window (how code and read-only data come in).
type pageCost struct {
	AnonMicros, FileMicros float64
	AnonPages, FilePages   int
}

// measurePageCost maps n anonymous pages and writes one byte to each, then maps file and reads
// one byte in every 17th page (the kernel maps up to 16 pages around a file fault), timing both.
func measurePageCost(n int, file string) (pageCost, error) {
	const page = 4096
	anon, err := syscall.Mmap(-1, 0, n*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return pageCost{}, fmt.Errorf("mapping %d anonymous pages: %w", n, err)
	}
	defer syscall.Munmap(anon)
	start := time.Now()
	for i := 0; i < n; i++ {
		anon[i*page] = 1
	}
	c := pageCost{AnonPages: n, AnonMicros: float64(time.Since(start).Nanoseconds()) / 1e3 / float64(n)}

	data, err := os.ReadFile(file) // into the page cache, so the mapping's faults are minor ones
	if err != nil {
		return pageCost{}, err
	}
	if len(data) < 17*page {
		return pageCost{}, fmt.Errorf("%s: %d bytes; a file of at least %d is needed", file, len(data), 17*page)
	}
	f, err := os.Open(file)
	if err != nil {
		return pageCost{}, err
	}
	defer f.Close()
	m, err := syscall.Mmap(int(f.Fd()), 0, len(data), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return pageCost{}, fmt.Errorf("mapping %s: %w", file, err)
	}
	defer syscall.Munmap(m)
	sum := 0
	start = time.Now()
	for i := 0; i+page <= len(m); i += 17 * page {
		sum += int(m[i])
		c.FilePages++
	}
	c.FileMicros = float64(time.Since(start).Nanoseconds()) / 1e3 / float64(c.FilePages)
	if sum < 0 { // keeps the reads
		return pageCost{}, fmt.Errorf("impossible sum %d", sum)
	}
	return c, nil
}

// cmdPageCost prints what a first touch of a page costs on this machine, so that page-fault
// counts read as time: `anon_us=12.3 file_us=35.1`.
func cmdPageCost(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pagecost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("pages", 2000, "anonymous pages to touch")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *n < 1 {
		return fmt.Errorf("usage: proctime pagecost [-pages N] FILE (a file of at least 68 KiB, such as a binary)")
	}
	c, err := measurePageCost(*n, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "anon_us=%.1f file_us=%.1f anon_pages=%d file_faults=%d\n", c.AnonMicros, c.FileMicros, c.AnonPages, c.FilePages)
	return nil
}

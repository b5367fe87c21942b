package main

import (
	"cmp"
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// symbolPackage names the package a Go symbol belongs to, or a bucket for the linker's own
// symbols: "github.com/a/b.(*T).M" → "github.com/a/b", "type:*x.T" → "(type descriptors)".
func symbolPackage(name string) string {
	switch {
	case strings.HasPrefix(name, "type:"):
		return "(type descriptors)"
	case strings.HasPrefix(name, "go:"):
		return "(" + strings.TrimSuffix(strings.SplitN(name, ".", 2)[0], "*") + ")"
	}
	head := name
	if i := strings.IndexAny(head, "[("); i >= 0 {
		head = head[:i] // a generic's type arguments or a method's receiver may hold slashes
	}
	slash := strings.LastIndex(head, "/")
	dot := strings.Index(head[slash+1:], ".")
	if dot < 0 {
		return "(other)"
	}
	return head[:slash+1+dot]
}

// modulePath groups a package by its module: the standard library (vendored packages
// included), or the first three path elements of a module path.
func modulePath(pkg string) string {
	if strings.HasPrefix(pkg, "(") {
		return pkg
	}
	first, _, _ := strings.Cut(pkg, "/")
	if !strings.Contains(first, ".") {
		return "(standard library)"
	}
	parts := strings.Split(pkg, "/")
	return strings.Join(parts[:min(3, len(parts))], "/")
}

// sizeTable sums symbol sizes by key, largest first.
type sizeRow struct {
	key   string
	bytes uint64
}

func sumBy(syms []elf.Symbol, sections []*elf.Section, key func(string) string) ([]sizeRow, uint64) {
	sums := map[string]uint64{}
	var total uint64
	for _, s := range syms {
		if int(s.Section) >= len(sections) || s.Section == elf.SHN_UNDEF || s.Size == 0 {
			continue
		}
		if sections[s.Section].Type == elf.SHT_NOBITS {
			continue // .bss and .noptrbss take no room in the file
		}
		sums[key(s.Name)] += s.Size
		total += s.Size
	}
	rows := make([]sizeRow, 0, len(sums))
	for k, v := range sums {
		rows = append(rows, sizeRow{k, v})
	}
	slices.SortFunc(rows, func(a, b sizeRow) int {
		return cmp.Or(cmp.Compare(b.bytes, a.bytes), strings.Compare(a.key, b.key))
	})
	return rows, total
}

// cmdSize prints, for an unstripped binary, the bytes of its symbols by module and by package.
func cmdSize(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("size", flag.ContinueOnError)
	fs.SetOutput(stderr)
	top := fs.Int("top", 15, "rows per table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("name one unstripped binary")
	}
	f, err := elf.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return fmt.Errorf("%s: %v (proctime size needs a binary built without -s)", fs.Arg(0), err)
	}
	fmt.Fprintf(stdout, "| section | KiB |\n|---|---:|\n")
	for _, sec := range f.Sections {
		if sec.Type == elf.SHT_NOBITS || sec.Size == 0 || strings.HasPrefix(sec.Name, ".debug") || sec.Name == ".symtab" || sec.Name == ".strtab" {
			continue // not loaded, or gone once stripped (-s -w)
		}
		fmt.Fprintf(stdout, "| %s | %d |\n", sec.Name, sec.Size>>10)
	}
	fmt.Fprintln(stdout)
	for _, t := range []struct {
		title string
		key   func(string) string
	}{
		{"module", func(n string) string { return modulePath(symbolPackage(n)) }},
		{"package", symbolPackage},
	} {
		rows, total := sumBy(syms, f.Sections, t.key)
		fmt.Fprintf(stdout, "| %s | KiB | share |\n|---|---:|---:|\n", t.title)
		for _, r := range rows[:min(*top, len(rows))] {
			fmt.Fprintf(stdout, "| %s | %d | %.1f%% |\n", r.key, r.bytes>>10, 100*float64(r.bytes)/float64(total))
		}
		fmt.Fprintf(stdout, "| all symbols | %d | 100%% |\n\n", total>>10)
	}
	return nil
}

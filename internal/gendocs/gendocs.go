// Package gendocs writes jwtkit's generated files: the shell completion scripts committed under
// completions/ and the man pages made at release time under manpages/. Both come from the same
// command tree the binary runs (cli.NewRoot), so they follow every command and flag as it is.
package gendocs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"

	"github.com/jwtkit/jwtkit/internal/cli"
)

// Root builds jwtkit's command tree exactly as the binary does, with the system's dependencies
// but an empty environment, so that nothing of the machine that generates leaks into the files.
func Root() *cobra.Command {
	deps := cli.SystemDeps(cli.BuildInfo{})
	deps.Getenv = func(string) string { return "" }
	return cli.NewRoot(deps)
}

// Completions returns every completion script by file name ("jwtkit.bash", …), with
// descriptions.
func Completions(root *cobra.Command) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, shell := range cli.CompletionShells() {
		var b bytes.Buffer
		if err := cli.WriteCompletion(root, shell, &b, true); err != nil {
			return nil, fmt.Errorf("%s completion: %w", shell, err)
		}
		out[cli.CompletionFileName(shell)] = b.Bytes()
	}
	return out, nil
}

// WriteCompletions writes the completion scripts into dir, creating it when missing, and
// removes scripts there that jwtkit no longer makes.
func WriteCompletions(root *cobra.Command, dir string) error {
	files, err := Completions(root)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	old, err := filepath.Glob(filepath.Join(dir, "jwtkit.*"))
	if err != nil {
		return err
	}
	for _, path := range old {
		if _, ok := files[filepath.Base(path)]; !ok {
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	return nil
}

// StaleCompletions compares the scripts in dir with freshly generated ones and returns the
// names of those that are missing, different or no longer made, sorted.
func StaleCompletions(root *cobra.Command, dir string) ([]string, error) {
	files, err := Completions(root)
	if err != nil {
		return nil, err
	}
	var stale []string
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			stale = append(stale, name)
		}
	}
	old, err := filepath.Glob(filepath.Join(dir, "jwtkit.*"))
	if err != nil {
		return nil, err
	}
	for _, path := range old {
		if _, ok := files[filepath.Base(path)]; !ok {
			stale = append(stale, filepath.Base(path))
		}
	}
	slices.Sort(stale)
	return stale, nil
}

// WriteManPages writes one man page (section 1) per command into dir, named like
// jwtkit-jwks-pem.1, dated date, after removing the pages already there.
func WriteManPages(root *cobra.Command, dir string, date time.Time) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.1"))
	if err != nil {
		return err
	}
	for _, path := range old {
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	prepareForMarkdown(root)
	date = date.UTC()
	header := &doc.GenManHeader{Section: "1", Date: &date, Source: "jwtkit", Manual: "jwtkit manual"}
	return doc.GenManTree(root, header, dir)
}

// prepareForMarkdown rewrites the tree's help texts for cobra/doc, which reads them as
// Markdown: indented lines (tables of flags, JSON) become literal blocks and other text is
// escaped, so that "RS*" or "client_id" stay as written. It changes this tree only; the
// generator builds its own.
func prepareForMarkdown(root *cobra.Command) {
	visit(root, func(c *cobra.Command) {
		c.Long = markdownText(c.Long)
		c.Short = escapeMarkdown(c.Short)
		c.LocalFlags().VisitAll(func(f *pflag.Flag) { f.Usage = escapeFlagUsage(f.Usage) })
	})
}

func visit(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		visit(sub, fn)
	}
}

// markdownText turns plain help text into Markdown that renders as the same text: runs of
// indented lines go into fenced blocks, everything else is escaped.
func markdownText(s string) string {
	var b strings.Builder
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); {
		if strings.HasPrefix(lines[i], " ") || strings.HasPrefix(lines[i], "\t") {
			b.WriteString("\n```\n")
			for ; i < len(lines) && (strings.HasPrefix(lines[i], " ") || strings.HasPrefix(lines[i], "\t")); i++ {
				b.WriteString(lines[i] + "\n")
			}
			b.WriteString("```\n\n")
			continue
		}
		b.WriteString(escapeMarkdown(lines[i]) + "\n")
		i++
	}
	return strings.TrimRight(b.String(), "\n")
}

var markdownSpecial = regexp.MustCompile("[\\\\`*_{}\\[\\]<>#|~!]")

// escapeMarkdown backslash-escapes the characters Markdown would read as markup.
func escapeMarkdown(s string) string {
	s = markdownSpecial.ReplaceAllString(s, `\$0`)
	// A line starting with "1. ", "- " or "+ " would become a list item.
	if t := strings.TrimLeft(s, "0123456789"); len(t) < len(s) && strings.HasPrefix(t, ". ") {
		s = s[:len(s)-len(t)] + `\` + t
	}
	if strings.HasPrefix(s, "- ") || strings.HasPrefix(s, "+ ") {
		s = `\` + s
	}
	return s
}

// escapeFlagUsage escapes a flag's usage text but keeps pflag's `NAME` placeholder quotes, which
// cobra/doc shows as code.
func escapeFlagUsage(s string) string {
	parts := strings.Split(s, "`")
	var b strings.Builder
	for i, p := range parts {
		switch {
		case i%2 == 0:
			b.WriteString(escapeMarkdown(p))
		case i < len(parts)-1: // between a pair of quotes
			b.WriteString("`" + p + "`")
		default: // a quote without its pair
			b.WriteString("\\`" + escapeMarkdown(p))
		}
	}
	return b.String()
}

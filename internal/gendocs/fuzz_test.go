package gendocs

import (
	"strings"
	"testing"
)

// unescapeMarkdown undoes escapeMarkdown: a backslash before a character Markdown reads as
// markup (or before the ".", "-" or "+" of a would-be list item) is dropped.
func unescapeMarkdown(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\`*_{}[]<>#|~!.-+", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// FuzzMarkdownText: any help text goes through the Markdown step without a panic, a plain line
// comes back unchanged once unescaped, and an indented line lands in a literal block verbatim.
func FuzzMarkdownText(f *testing.F) {
	for _, s := range []string{
		"", "plain", "RS* and PS*", "client_id and jwks_uri", "1. step", "- item", "+ item",
		"a `code` [link](x) <tag> #h |t| ~s~ !b {c}", `back\slash \* already`,
		"Keys:\n  --key FILE   a key\n\tindented\nafter", "  only indented", "\n\n", "10. ten",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := markdownText(s)
		if strings.Contains(s, "\n") || strings.HasPrefix(s, " ") || strings.HasPrefix(s, "\t") {
			for _, line := range strings.Split(s, "\n") {
				if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && !strings.Contains(out, line+"\n") {
					t.Fatalf("indented line %q is not verbatim in %q", line, out)
				}
			}
			return
		}
		if got := unescapeMarkdown(out); got != s {
			t.Fatalf("markdownText(%q) = %q, which unescapes to %q", s, out, got)
		}
		usage := escapeFlagUsage(s)
		if strings.Count(s, "`") == 0 && unescapeMarkdown(usage) != s {
			t.Fatalf("escapeFlagUsage(%q) = %q", s, usage)
		}
	})
}

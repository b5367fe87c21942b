package gendocs

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// TestCompletionsAreFresh fails when the committed completion scripts differ from what the
// command tree makes now, which happens whenever a command or flag changes.
func TestCompletionsAreFresh(t *testing.T) {
	stale, err := StaleCompletions(Root(), filepath.Join("..", "..", "completions"))
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Fatalf("completions/ is stale (%s): run `go generate ./...` and commit completions/", strings.Join(stale, ", "))
	}
}

func TestStaleCompletionsNoticesChanges(t *testing.T) {
	root := Root()
	dir := t.TempDir()
	if err := WriteCompletions(root, dir); err != nil {
		t.Fatal(err)
	}
	if stale, err := StaleCompletions(root, dir); err != nil || len(stale) != 0 {
		t.Fatalf("fresh scripts reported stale: %v %v", stale, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "jwtkit.zsh"), []byte("#compdef jwtkit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "jwtkit.fish")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "jwtkit.tcsh"), []byte("complete jwtkit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stale, err := StaleCompletions(root, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(stale, " "); got != "jwtkit.fish jwtkit.tcsh jwtkit.zsh" {
		t.Fatalf("stale = %q", got)
	}
	if err := WriteCompletions(root, dir); err != nil {
		t.Fatal(err)
	}
	if stale, _ := StaleCompletions(root, dir); len(stale) != 0 {
		t.Fatalf("after rewriting, still stale: %v", stale)
	}
}

// TestCompletionScripts checks that each script is the shell's kind and asks the binary for
// candidates, which is what makes --kid and --profile completion follow the files of the moment.
func TestCompletionScripts(t *testing.T) {
	files, err := Completions(Root())
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{
		"jwtkit.bash": {"__start_jwtkit", "__complete", "complete -o default -F __start_jwtkit jwtkit"},
		"jwtkit.zsh":  {"#compdef jwtkit", "__complete"},
		"jwtkit.fish": {"complete -c jwtkit", "__complete"},
		"jwtkit.ps1":  {"Register-ArgumentCompleter", "__complete"},
	} {
		script := string(files[name])
		for _, w := range want {
			if !strings.Contains(script, w) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
	}
	if len(files) != 4 {
		t.Errorf("got %d scripts, want 4", len(files))
	}
}

// TestManPages makes one page per command and checks that help text survives the Markdown
// step: literal blocks stay, markup characters are not eaten.
func TestManPages(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "jwtkit-gone.1"), []byte(".TH GONE 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	date := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := WriteManPages(Root(), dir, date); err != nil {
		t.Fatal(err)
	}
	var want []string
	visit(Root(), func(c *cobra.Command) {
		if c.IsAvailableCommand() || !c.HasParent() {
			want = append(want, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1")
		}
	})
	got, err := filepath.Glob(filepath.Join(dir, "*.1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("%d man pages, want %d (one per command): %v", len(got), len(want), got)
	}
	for _, name := range want {
		page, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("no man page %s", name)
			continue
		}
		text := string(page)
		for _, w := range []string{`.TH "`, `"Jan 2026"`, ".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS"} {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
	}
	// Every example line of every command is in its page (help content itself is checked in
	// internal/cli and cmd/jwtkit).
	visit(Root(), func(c *cobra.Command) {
		if c.Example == "" || !c.IsAvailableCommand() && c.HasParent() {
			return
		}
		page, err := os.ReadFile(filepath.Join(dir, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1"))
		if err != nil {
			return
		}
		if !strings.Contains(string(page), ".SH EXAMPLE") {
			t.Errorf("the man page of %s has no EXAMPLE section", c.CommandPath())
		}
	})
	verify, err := os.ReadFile(filepath.Join(dir, "jwtkit-verify.1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"RS*", "jwks_uri", `{"line":n`} {
		if !strings.Contains(string(verify), w) {
			t.Errorf("jwtkit-verify.1 lost %q in the Markdown step", w)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "jwtkit-gone.1")); !os.IsNotExist(err) {
		t.Errorf("an old page was left behind: %v", err)
	}
}

func TestMarkdownText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain words", "plain words"},
		{"RS* and client_id", `RS\* and client\_id`},
		{"[a] <b> `c` #d |e| ~f! {g}", "\\[a\\] \\<b\\> \\`c\\` \\#d \\|e\\| \\~f\\! \\{g\\}"},
		{"1. not a list", `1\. not a list`},
		{"- not a list", `\- not a list`},
		{"Keys:\n  --key FILE   a key\n  --jwks URL   a set\nAfter.", "Keys:\n\n```\n  --key FILE   a key\n  --jwks URL   a set\n```\n\nAfter."},
		{`back\slash`, `back\\slash`},
	} {
		if got := markdownText(tc.in); got != tc.want {
			t.Errorf("markdownText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEscapeFlagUsage(t *testing.T) {
	got := escapeFlagUsage("key `FILE` (PEM_or *JWK*)")
	if want := "key `FILE` (PEM\\_or \\*JWK\\*)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := escapeFlagUsage("a lone ` quote_x"); got != "a lone \\` quote\\_x" {
		t.Errorf("unbalanced quote: %q", got)
	}
}

// TestReleaseConfigNamesEveryFile keeps .goreleaser.yaml in step with the generated files: the
// Homebrew cask lists one man page per command (casks take no globs), and the completion scripts
// the cask and the packages install exist.
func TestReleaseConfigNamesEveryFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var conf struct {
		Casks []struct {
			Manpages    []string          `yaml:"manpages"`
			Completions map[string]string `yaml:"completions"`
		} `yaml:"homebrew_casks"`
		NFPMs []struct {
			Contents []struct {
				Src string `yaml:"src"`
			} `yaml:"contents"`
		} `yaml:"nfpms"`
	}
	if err := yaml.Unmarshal(data, &conf); err != nil {
		t.Fatal(err)
	}
	if len(conf.Casks) != 1 || len(conf.NFPMs) != 1 {
		t.Fatalf("want one cask and one nfpm section, got %d and %d", len(conf.Casks), len(conf.NFPMs))
	}
	dir := t.TempDir()
	if err := WriteManPages(Root(), dir, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	pages, err := filepath.Glob(filepath.Join(dir, "*.1"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range pages {
		want = append(want, "manpages/"+filepath.Base(p))
	}
	got := slices.Sorted(slices.Values(conf.Casks[0].Manpages))
	if !slices.Equal(got, want) {
		t.Errorf(".goreleaser.yaml homebrew_casks manpages differ from the pages gendocs makes:\n got  %v\n want %v", got, want)
	}
	files, err := Completions(Root())
	if err != nil {
		t.Fatal(err)
	}
	var srcs []string
	for _, src := range conf.Casks[0].Completions {
		srcs = append(srcs, src)
	}
	for _, c := range conf.NFPMs[0].Contents {
		if strings.HasPrefix(c.Src, "completions/") {
			srcs = append(srcs, c.Src)
		}
	}
	if len(srcs) < 6 {
		t.Errorf("the cask and packages install %d completion scripts, want bash, zsh and fish in each", len(srcs))
	}
	for _, src := range srcs {
		if _, ok := files[strings.TrimPrefix(src, "completions/")]; !ok {
			t.Errorf(".goreleaser.yaml installs %s, which gendocs does not make", src)
		}
	}
}

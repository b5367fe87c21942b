package cli

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jwtkit/jwtkit/internal/iostreams"
	"github.com/jwtkit/jwtkit/internal/suggest"
	"github.com/jwtkit/jwtkit/internal/termsafe"
)

func TestSuggestions(t *testing.T) {
	root := NewRoot(newHarness(t).deps)
	mint, _, err := root.Find([]string{"mint"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ typed, want string }{
		{"mnit", "mint"}, {"MINT", "mint"}, {"sgin", "sign"}, {"verfy", "verify"}, {"keyge", "keygen"},
		{"ve", "verify"}, {"tokne", "token"}, {"frobnicate", ""}, {"tcsh", ""}, {"", ""}, {"x", ""},
	} {
		if got := suggestCommand(root, tc.typed); got != tc.want {
			t.Errorf("suggestCommand(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
	for _, tc := range []struct{ typed, want string }{
		{"secert", "secret"}, {"sceret", "secret"}, {"jsn", "json"}, {"scop", "scope"}, {"exp", "exp"},
		{"subb", "sub"}, {"zzzzzz", ""}, {"ky", "key"},
	} {
		if got := suggestFlag(mint, tc.typed); got != tc.want {
			t.Errorf("suggestFlag(mint, %q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
}

func TestFlagError(t *testing.T) {
	root := NewRoot(newHarness(t).deps)
	decode, _, err := root.Find([]string{"decode"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		{"unknown flag: --pretyy", "unknown flag: --pretyy; did you mean --pretty?"},
		{"unknown flag: --pretyy=1", "unknown flag: --pretyy=1; did you mean --pretty?"},
		{"unknown flag: --issuer", "unknown flag: --issuer; --issuer belongs to jwtkit audit, jwtkit fetch (and header and exec, which take fetch's flags), jwtkit serve and jwtkit verify"},
		{"unknown flag: --nothing-like-it", "unknown flag: --nothing-like-it; see 'jwtkit decode --help'"},
		{"unknown shorthand flag: 'z' in -z", "unknown shorthand flag: 'z' in -z; see 'jwtkit decode --help'"},
		{"invalid argument \"x\" for \"--max-size\" flag", "invalid argument \"x\" for \"--max-size\" flag; see 'jwtkit decode --help'"},
	} {
		if got := flagError(decode, errors.New(tc.in)).Error(); got != tc.want {
			t.Errorf("flagError(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// TestOwnersText: every owner is named up to six, fetch stands for header and exec when they
// have its flag, and beyond six the rest are counted.
func TestOwnersText(t *testing.T) {
	for _, tc := range []struct {
		owners []string
		want   string
	}{
		{[]string{"jwtkit mint"}, "jwtkit mint"},
		{[]string{"jwtkit mint", "jwtkit verify"}, "jwtkit mint and jwtkit verify"},
		{[]string{"jwtkit exec", "jwtkit fetch", "jwtkit header"}, "jwtkit fetch (and header and exec, which take fetch's flags)"},
		{[]string{"jwtkit fetch", "jwtkit header"}, "jwtkit fetch (and header, which take fetch's flags)"},
		{[]string{"jwtkit exec", "jwtkit header"}, "jwtkit exec and jwtkit header"},
		{[]string{"jwtkit a", "jwtkit b", "jwtkit c", "jwtkit d", "jwtkit e", "jwtkit f"}, "jwtkit a, jwtkit b, jwtkit c, jwtkit d, jwtkit e and jwtkit f"},
		{[]string{"jwtkit a", "jwtkit b", "jwtkit c", "jwtkit d", "jwtkit e", "jwtkit f", "jwtkit g", "jwtkit h"}, "jwtkit a, jwtkit b, jwtkit c, jwtkit d, jwtkit e and 3 more commands"},
	} {
		if got := ownersText(tc.owners); got != tc.want {
			t.Errorf("ownersText(%q)\n got %q\nwant %q", tc.owners, got, tc.want)
		}
	}
	// The real tree: --passphrase has many owners, all named or counted, never cut silently.
	root := NewRoot(newHarness(t).deps)
	owners := flagOwners(root, "passphrase")
	if len(owners) < 2 || !strings.Contains(ownersText(owners), "jwtkit fetch (and header and exec") {
		t.Errorf("--passphrase owners %q: %s", owners, ownersText(owners))
	}
}

// FuzzSuggest feeds arbitrary names to the suggestion code, as a user's typing would: no panic,
// a distance that is a metric's (symmetric, zero only for equal names, bounded by the longer
// name), suggestions that exist, and --alg candidates that keep what was typed before the comma.
func FuzzSuggest(f *testing.F) {
	for _, s := range []string{"", "mnit", "sgin", "--secert", "RS256,E", "a,b,,c", "\x00\xff", "ü", strings.Repeat("z", 80)} {
		f.Add(s, "verify")
	}
	io, _, _, _ := iostreams.Test()
	root := NewRoot(&Deps{IO: io, Getenv: func(string) string { return "" }})
	verify, _, err := root.Find([]string{"verify"})
	if err != nil {
		f.Fatal(err)
	}
	complete := algCompleter(false, true)
	f.Fuzz(func(t *testing.T, typed, other string) {
		d := suggest.Distance(typed, other)
		if d != suggest.Distance(other, typed) {
			t.Fatalf("distance not symmetric for %q, %q", typed, other)
		}
		if (d == 0) != (typed == other) && len(typed) <= 64 && len(other) <= 64 {
			t.Fatalf("distance %d for %q, %q", d, typed, other)
		}
		if d > max(len(typed), len(other)) && d != 64 {
			t.Fatalf("distance %d exceeds the longer of %q, %q", d, typed, other)
		}
		if s := suggestCommand(root, typed); s != "" {
			if c, _, err := root.Find([]string{s}); err != nil || c == root {
				t.Fatalf("suggested %q for %q, which is not a command", s, typed)
			}
		}
		if s := suggestFlag(verify, typed); s != "" && verify.Flags().Lookup(s) == nil {
			t.Fatalf("suggested --%s for %q, which is not a flag", s, typed)
		}
		msg := flagError(verify, errors.New("unknown flag: --"+typed)).Error()
		if termsafe.NeedsEscape(msg) {
			t.Fatalf("flagError's message holds a control character, a bidi override or invalid UTF-8: %q", msg)
		}
		if !strings.HasPrefix(msg, "unknown flag: --"+typed) && !strings.HasPrefix(msg, "unknown flag: "+strconv.Quote("--"+typed)) {
			t.Fatalf("flagError lost the message: %q", msg)
		}
		if !utf8.ValidString(typed) {
			return
		}
		comps, _ := complete(verify, nil, typed)
		prefix := typed[:strings.LastIndex(typed, ",")+1]
		for _, c := range comps {
			if !strings.HasPrefix(string(c), prefix) {
				t.Fatalf("--alg %q completed to %q", typed, c)
			}
		}
	})
}

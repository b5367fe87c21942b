package htmlpage

import (
	"bytes"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// inContexts is a template with a value in each context Text and URL are for; the escaping of
// html/template there is the reference.
var inContexts = template.Must(template.New("contexts").Parse(
	`<p>{{.}}</p><input value="{{.}}"><textarea>{{.}}</textarea><title>{{.}}</title><a href="{{.}}">`))

// render writes s in each context of inContexts with a Page.
func render(s string) []byte {
	var p Page
	p.Markup(`<p>`)
	p.Text(s)
	p.Markup(`</p><input value="`)
	p.Text(s)
	p.Markup(`"><textarea>`)
	p.Text(s)
	p.Markup(`</textarea><title>`)
	p.Text(s)
	p.Markup(`</title><a href="`)
	p.URL(s)
	p.Markup(`">`)
	return p.Bytes()
}

// templateOnlyScheme reports whether html/template accepts u as a URL and URL does not: mailto:,
// and a scheme that is https only under strings.EqualFold's Unicode folding (ſ, U+017F, is s).
func templateOnlyScheme(u string) bool {
	protocol, _, ok := strings.Cut(u, ":")
	return ok && !strings.Contains(protocol, "/") &&
		(strings.EqualFold(protocol, "mailto") || strings.ContainsRune(protocol, 'ſ') && strings.EqualFold(protocol, "https"))
}

// sameAsTemplate fails t unless render(s) is what html/template renders for s.
func sameAsTemplate(t *testing.T, s string) {
	t.Helper()
	if templateOnlyScheme(s) {
		return
	}
	var want bytes.Buffer
	if err := inContexts.Execute(&want, s); err != nil {
		t.Fatal(err)
	}
	if got := render(s); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("for %q\n got %q\nwant %q", s, got, want.Bytes())
	}
}

func TestEscapingIsHTMLTemplates(t *testing.T) {
	for _, s := range []string{
		"", "plain text", "/authorize", "/tenant-a/device",
		`"><script>alert(1)</script>`, `' onmouseover=alert(1) '`, `</textarea><b>`, `&amp;&#34;&`,
		"a+b", "nul\x00", "\xff\xfe\xc3", "\ufdd0\uffff\ufffd", "日本 é 😀",
		"javascript:alert(1)", " JAVASCRIPT:x", "data:text/html,x", "vbscript:x", "http://x/?a=b&c=d#f",
		"HTTPS://x", "/a:b", "a/b:c", ":x", "%", "%4", "%41", "%zz", "%%41", "/a b'c(d)e\"f<g>h\\i^j`k{l|m}",
		strings.Repeat(`<&"'>+`, 1000),
	} {
		sameAsTemplate(t, s)
	}
	for c := 0; c < 256; c++ {
		sameAsTemplate(t, string(rune(c)))
		sameAsTemplate(t, string([]byte{byte(c)}))
		sameAsTemplate(t, "/p"+string([]byte{byte(c)})+"q")
	}
}

func TestURLRefusals(t *testing.T) {
	for u, want := range map[string]string{
		"javascript:alert(1)":     "#ZgotmplZ",
		"mailto:a@example.com":    "#ZgotmplZ", // html/template lets it through; no page links to mail
		"httpſ://example.com":     "#ZgotmplZ",
		"data:,x":                 "#ZgotmplZ",
		"/device":                 "/device",
		"https://example.com/a b": "https://example.com/a%20b",
		"/a&b+c":                  "/a&amp;b&#43;c",
	} {
		var p Page
		p.URL(u)
		if got := string(p.Bytes()); got != want {
			t.Errorf("URL(%q) = %q, want %q", u, got, want)
		}
	}
}

// FuzzEscaping compares Text and URL with html/template on any string, and checks that the
// value added no < > " ' to the page: the only ones are those of the markup constants.
func FuzzEscaping(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		sameAsTemplate(t, s)
		got, ref := render(s), render("x")
		for _, c := range []string{"<", ">", `"`, "'"} {
			if n, want := bytes.Count(got, []byte(c)), bytes.Count(ref, []byte(c)); n != want {
				t.Fatalf("%d %q in %q, %d in the markup", n, c, got, want)
			}
		}
	})
}

// TestMarkupTakesConstantsOnly type-checks code that uses this package from another package:
// markup from a constant compiles, markup from a variable (or a conversion to the unexported
// type) does not. This is the guarantee the package comment promises; it fails if Markup ever
// takes a plain string.
func TestMarkupTakesConstantsOnly(t *testing.T) {
	fset := token.NewFileSet()
	var files []*ast.File
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	std := importer.ForCompiler(fset, "source", nil)
	conf := types.Config{Importer: std}
	pkg, err := conf.Check("example.test/htmlpage", fset, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	user := importerFunc(func(path string) (*types.Package, error) {
		if path == "example.test/htmlpage" {
			return pkg, nil
		}
		return std.Import(path)
	})
	check := func(body string) error {
		src := "package user\nimport \"example.test/htmlpage\"\nconst title = \"<title>\"\nfunc f(v string) {\n var p htmlpage.Page\n _ = v\n" + body + "\n}\n"
		file, err := parser.ParseFile(fset, "user.go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = (&types.Config{Importer: user}).Check("user", fset, []*ast.File{file}, nil)
		return err
	}
	for _, ok := range []string{
		`p.Markup("<p>")`,
		`p.Markup(title)`,
		`p.Markup(title + "</title>")`,
		`p.Text(v)`,
		`p.URL(v)`,
	} {
		if err := check(ok); err != nil {
			t.Errorf("%s does not compile: %v", ok, err)
		}
	}
	for _, bad := range []string{
		`p.Markup(v)`,
		`p.Markup(title + v)`,
		`p.Markup(htmlpage.constant(v))`,
		`const typed string = "<b>"; p.Markup(typed)`,
	} {
		err := check(bad)
		t.Logf("%s: %v", bad, err)
		if err == nil {
			t.Errorf("%s compiles: markup could come from a variable", bad)
		}
	}
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

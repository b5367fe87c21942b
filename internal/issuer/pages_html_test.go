package issuer

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
)

// The pages as they were written with html/template until issue 17 took it out of the binary
// (its package init ran on every jwtkit run). They stay here, in a test, as the reference the
// htmlpage renderings must match byte for byte.
var (
	oldErrorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorization error</title></head>
<body><h1>Authorization error</h1><p><code>{{.Code}}</code>: {{.Description}}</p>
<p>No redirect was made.</p></body></html>
`))
	oldSignedOutPage = template.Must(template.New("signed-out").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head>
<body><h1>Signed out</h1><p>You are signed out of {{.}}.</p></body></html>
`))
	oldDevicePage = template.Must(template.New("device").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Device login</title></head>
<body><h1>Device login</h1>
{{if .Message}}<p role="status">{{.Message}}</p>{{end}}
{{if .Form}}<form method="post" action="{{.Action}}">
<p><label>Code shown on your device <input name="user_code" value="{{.UserCode}}" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus></label></p>
<p><label>User (empty for {{.DefaultUser}}) <input name="login_hint" autocomplete="username"></label></p>
<p><button name="action" value="approve">Approve</button> <button name="action" value="deny">Deny</button></p>
</form>{{end}}
</body></html>
`))
	oldLoginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Log in</title></head>
<body><h1>Log in to {{.Client}}</h1>
{{if .Message}}<p role="alert">{{.Message}}</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="login_token" value="{{.Token}}">
<p><label>User <select name="user" id="user">{{range .Users}}<option value="{{.}}"{{if eq . $.Selected}} selected{{end}}>{{.}}</option>{{end}}</select></label></p>
<p><label>Or another subject <input name="sub" id="sub" value="{{.Sub}}" autocomplete="off" spellcheck="false"></label></p>
<p><label>Extra claims of the ID tokens and userinfo (a JSON object) <textarea name="claims" id="claims" rows="4" cols="60" maxlength="2048" spellcheck="false">{{.Claims}}</textarea></label></p>
<p>Scope: <code>{{.Scope}}</code></p>
<p><button name="action" value="login" id="login">Log in</button> <button name="action" value="cancel" id="cancel">Cancel</button></p>
</form>
</body></html>
`))
)

// execOld renders an old template; the templates above cannot fail on these data.
func execOld(t testing.TB, tmpl *template.Template, data any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		t.Fatalf("%s: %v", tmpl.Name(), err)
	}
	return b.Bytes()
}

// pageValues are the values every page is rendered with: ordinary ones, and hostile ones for
// each context (text, double-quoted attribute, textarea, URL).
var pageValues = []string{
	"",
	"alice",
	"https://issuer.example/tenant-a",
	"openid profile email",
	"client_id is missing",
	`{"groups":["admin","dev"],"email":"a+b@example.com"}`,
	`"><script>alert(1)</script>`,
	`' onmouseover=alert(1) x='`,
	`" onmouseover="alert(1)`,
	`</textarea><script>alert(1)</script>`,
	`</code></p><img src=x onerror=alert(1)>`,
	`&amp; &lt; &#34; &#x27; &`,
	"nul\x00byte",
	"invalid \xff\xfe utf-8 \xc3",
	"nonchar \ufdd0 \uffff \ufffd",
	"é ü 日本 😀",
	"<!-- comment --> <![CDATA[x]]> <!doctype html>",
	"a+b=c; d/e?f#g",
	"javascript:alert(1)",
	"tab\tnew\nline\rcr",
	strings.Repeat(`<"'&>+`, 700),
	strings.Repeat("x", 5000),
}

// actionValues are the form actions the pages are rendered with. In the server they are
// always s.basePath (the escaped path of the issuer URL, "" or starting with "/") and an
// endpoint path; the odd ones check that the URL escaping still is html/template's.
var actionValues = []string{
	"/authorize",
	"/device",
	"/tenant-a/authorize",
	"/some%20path/authorize",
	"/a'b(c)d/authorize",
	"/a:b/x;y=z/authorize",
	`/"><script>alert(1)</script>`,
	"/ü/日本/\xff/authorize",
	"/%zz/%4/%41/%",
	"javascript:alert(1)",
	"JavaScript:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"https://issuer.example/authorize",
	"HTTP://issuer.example/authorize",
	"//other.example/authorize",
}

// TestPagesMatchHTMLTemplate renders every page with htmlpage and with the html/template it
// replaced, for ordinary and hostile values in every field, and wants the same bytes. The
// comparison is byte for byte, not of the parsed DOM: htmlpage escapes as html/template does
// (&#34; for ", &#39; for ', &#43; for +, U+FFFD for NUL, invalid UTF-8 kept), so nothing weaker
// is needed, and a difference of any byte is a change of the pages to look at.
func TestPagesMatchHTMLTemplate(t *testing.T) {
	check := func(t *testing.T, name string, got, want []byte) {
		t.Helper()
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from html/template's:\n got %q\nwant %q", name, got, want)
		}
	}
	for i, v := range pageValues {
		// w is another value, so that each field also meets a neighbour unlike itself.
		w := pageValues[(i+7)%len(pageValues)]
		check(t, "error page", errorPage(v, w),
			execOld(t, oldErrorPage, struct{ Code, Description string }{v, w}))
		check(t, "signed-out page", signedOutPage(v), execOld(t, oldSignedOutPage, v))
		for _, action := range actionValues {
			for _, form := range []bool{false, true} {
				d := devicePageData{Message: v, Form: form, UserCode: w, Action: action, DefaultUser: v}
				check(t, "device page", devicePage(d), execOld(t, oldDevicePage, d))
			}
			for _, users := range [][]string{nil, {"alice"}, {"alice", v, "bob"}, {v, w}} {
				for _, selected := range []string{"", "alice", v} {
					d := loginPageData{Client: v, Message: w, Action: action, Token: w, Scope: v,
						Selected: selected, Sub: w, Claims: v, Users: users}
					check(t, "login page", loginPage(d), execOld(t, oldLoginPage, d))
				}
			}
		}
	}
}

// TestPagesOrdinary pins a few pages as a person sees them, so that a change of both the old
// template and the new page (or of html/template itself) is still noticed.
func TestPagesOrdinary(t *testing.T) {
	got := string(errorPage("invalid_request", `client_id is missing; "x" & <y>`))
	want := `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorization error</title></head>
<body><h1>Authorization error</h1><p><code>invalid_request</code>: client_id is missing; &#34;x&#34; &amp; &lt;y&gt;</p>
<p>No redirect was made.</p></body></html>
`
	if got != want {
		t.Errorf("error page\n got %q\nwant %q", got, want)
	}
	got = string(loginPage(loginPageData{Client: "web", Action: "/authorize", Token: "tok", Scope: "openid",
		Selected: "bob", Users: []string{"alice", "bob"}, Claims: "</textarea>"}))
	for _, part := range []string{
		`<h1>Log in to web</h1>` + "\n\n" + `<form method="post" action="/authorize">`,
		`<input type="hidden" name="login_token" value="tok">`,
		`<option value="alice">alice</option><option value="bob" selected>bob</option></select>`,
		`spellcheck="false">&lt;/textarea&gt;</textarea>`,
	} {
		if !strings.Contains(got, part) {
			t.Errorf("login page lacks %q:\n%s", part, got)
		}
	}
	if got := string(devicePage(devicePageData{Action: "javascript:alert(1)", Form: true})); !strings.Contains(got, `action="#ZgotmplZ"`) {
		t.Errorf("device page with a javascript: action:\n%s", got)
	}
}

// templateOnlyScheme reports whether html/template accepts u as a URL and htmlpage refuses it:
// html/template also allows mailto:, and compares schemes with strings.EqualFold, which folds
// ſ (U+017F) to s; htmlpage allows http and https in ASCII letters only.
func templateOnlyScheme(u string) bool {
	protocol, _, ok := strings.Cut(u, ":")
	return ok && !strings.Contains(protocol, "/") &&
		(strings.EqualFold(protocol, "mailto") || strings.ContainsRune(protocol, 'ſ') && strings.EqualFold(protocol, "https"))
}

// placeholder stands for a fuzzed value in the reference rendering: "x" keeps whether the value
// was empty (which decides whether the message paragraph is shown) and adds no markup.
func placeholder(s string) string {
	if s == "" {
		return ""
	}
	return "x"
}

// FuzzLoginPage renders the login page with fuzzed values in every field and checks that
//   - it is byte for byte what html/template rendered, and
//   - no value opened or closed a tag or ended an attribute value: the page holds exactly as
//     many < > " ' as the page with placeholders ("x") for the same values, so every one of
//     them is the constant structure's.
//
// The device and error pages use the same Page.Text and Page.URL and are compared with
// html/template in TestPagesMatchHTMLTemplate.
func FuzzLoginPage(f *testing.F) {
	f.Fuzz(func(t *testing.T, client, message, action, token, scope, sub, claims, user1, user2 string, selectFirst bool) {
		users := []string{user1, user2}
		selected := user2
		if selectFirst {
			selected = user1
		}
		d := loginPageData{Client: client, Message: message, Action: action, Token: token, Scope: scope,
			Selected: selected, Sub: sub, Claims: claims, Users: users}
		got := loginPage(d)
		if templateOnlyScheme(action) {
			// A URL html/template lets through and htmlpage does not (see templateOnlyScheme):
			// the rest of the page is still compared, with an ordinary action.
			d.Action = "/authorize"
			got = loginPage(d)
		}
		if want := execOld(t, oldLoginPage, d); !bytes.Equal(got, want) {
			t.Fatalf("login page differs from html/template's:\n got %q\nwant %q", got, want)
		}
		d.Action = action
		got = loginPage(d)
		ref := loginPage(loginPageData{Client: placeholder(client), Message: placeholder(message),
			Action: placeholder(action), Token: placeholder(token), Scope: placeholder(scope),
			Selected: placeholder(selected), Sub: placeholder(sub), Claims: placeholder(claims),
			Users: []string{placeholder(user1), placeholder(user2)}})
		for _, c := range []string{"<", ">", `"`, "'"} {
			if n, want := bytes.Count(got, []byte(c)), bytes.Count(ref, []byte(c)); n != want {
				t.Fatalf("%d %q in the page, %d in its structure: a value escaped its context:\n%s", n, c, want, got)
			}
		}
	})
}

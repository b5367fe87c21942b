package issuer

import (
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/keys"
)

func mustObject(t testing.TB, js string) *claims.Object {
	t.Helper()
	o, err := claims.ParseObject([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestClaimTemplatesRender(t *testing.T) {
	data := TemplateData{ClientID: "ci", Scope: "read write", Subject: "alice", GrantType: GrantClientCredentials}
	for _, tc := range []struct {
		name, claims, want string
	}{
		{"fields", `{"tenant":"t-{{.client_id}}","who":"{{.sub}} via {{.grant_type}}","s":"{{.scope}}"}`,
			`{"tenant":"t-ci","who":"alice via client_credentials","s":"read write"}`},
		{"time helpers are numbers", `{"t":"{{now}}","later":"{{add_time \"1h\"}}","earlier":"{{add_time \"-90s\"}}"}`,
			`{"t":1795600800,"later":1795604400,"earlier":1795600710}`},
		{"a time helper inside text is a string", `{"note":"at {{now}}"}`, `{"note":"at 1795600800"}`},
		{"if and eq", `{"admin":"{{if eq .sub \"alice\"}}yes{{else}}no{{end}}"}`, `{"admin":"yes"}`},
		{"nested and arrays", `{"a":{"b":["{{.client_id}}",1,true,null]}}`, `{"a":{"b":["ci",1,true,null]}}`},
		{"plain values untouched", `{"n":5,"s":"no template","braces":"{ not one }"}`, `{"n":5,"s":"no template","braces":"{ not one }"}`},
		{"html is not escaped", `{"x":"<{{.sub}}>&"}`, `{"x":"<alice>&"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, err := CompileClaimTemplates(mustObject(t, tc.claims))
			if err != nil {
				t.Fatal(err)
			}
			out, err := ct.Render(data, testNow)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := out.MarshalJSON()
			if string(got) != tc.want {
				t.Errorf("rendered %s, want %s", got, tc.want)
			}
		})
	}
}

func TestClaimTemplatesRefused(t *testing.T) {
	for _, tc := range []struct {
		name, claims, want string
	}{
		{"syntax", `{"a":"{{.sub"}`, "claims.a:"},
		{"unknown field", `{"a":{"b":["{{.password}}"]}}`, "claims.a.b[0]: field .password is not known"},
		{"printf", `{"a":"{{printf \"%099999999d\" 1}}"}`, "function printf is not allowed"},
		{"call", `{"a":"{{call .sub}}"}`, "not allowed"},
		{"range", `{"a":"{{range 1000000000}}x{{end}}"}`, "not allowed in a claim template"},
		{"with", `{"a":"{{with .sub}}x{{end}}"}`, "not allowed in a claim template"},
		{"define", `{"a":"{{define \"x\"}}{{template \"x\"}}{{end}}"}`, "not allowed"},
		{"template", `{"a":"{{template \"claim\"}}"}`, "not allowed in a claim template"},
		{"bad offset", `{"a":"{{add_time \"soon\"}}"}`, `add_time "soon"`},
		{"nested field", `{"a":"{{.sub.x}}"}`, "field .sub.x is not known"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CompileClaimTemplates(mustObject(t, tc.claims))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
	// An offset computed at render time still fails cleanly, naming the claim.
	ct, err := CompileClaimTemplates(mustObject(t, `{"a":"{{add_time .scope}}"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ct.Render(TemplateData{Scope: "nope"}, testNow); err == nil || !strings.Contains(err.Error(), "claims.a") {
		t.Errorf("render error %v", err)
	}
	// Output is bounded.
	long := strings.Repeat("{{.scope}}", 400)
	ct, err = CompileClaimTemplates(mustObject(t, `{"a":"`+long+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ct.Render(TemplateData{Scope: strings.Repeat("s", 100)}, testNow); err == nil || !strings.Contains(err.Error(), "4 KiB") {
		t.Errorf("unbounded output: %v", err)
	}
}

// TestClaimTemplatesInTokens: a client's claims reach its access tokens and a user's the ID
// token and userinfo, rendered per request; the server's own claims cannot be configured.
func TestClaimTemplatesInTokens(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Clients[0].Claims = mustObject(t, `{"tenant":"{{.client_id}}-tenant","grant":"{{.grant_type}}","session_end":"{{add_time \"8h\"}}"}`)
	})
	w := f.postForm(formValues("grant_type", "client_credentials", "scope", "read:users"), basicAuth("ci", basicSecret))
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	_, c := f.verifyToken(t, decodeJSON(t, w.Body.Bytes())["access_token"].(string))
	if c["tenant"] != "ci-tenant" || c["grant"] != "client_credentials" || mustJSON(c["session_end"]) != "1795629600" || c["sub"] != "ci" {
		t.Errorf("claims %v", c)
	}

	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"client sets sub", func(c *Config) { c.Clients[0].Claims = mustObject(t, `{"sub":"root"}`) }, `client "ci": claim "sub" is set by the server`},
		{"client template", func(c *Config) { c.Clients[0].Claims = mustObject(t, `{"x":"{{.nope}}"}`) }, `client "ci": claims.x: field .nope`},
		{"user template", func(c *Config) {
			c.Users = []User{{Subject: "alice", Claims: mustObject(t, `{"name":"{{printf \"x\"}}"}`)}}
		}, `user "alice": claims.name: function printf`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Issuer: testIssuer, Keys: []keys.Key{genKey(t, "ES256")}, Now: func() time.Time { return testNow },
				Rand: strings.NewReader(""), Clients: []Client{{ID: "ci", Secret: []byte("s")}}}
			tc.mod(&cfg)
			if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseConfigClaimTemplates(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"client", `{"clients":[{"id":"ci","secret":"s","claims":{"a":{"b":"{{.sub"}}}]}`, "serve.json: client \"ci\": claims.a.b:"},
		{"user", `{"users":[{"sub":"alice","claims":{"role":"{{range .sub}}{{end}}"}}]}`, "serve.json: user \"alice\": claims.role:"},
		{"reserved", `{"clients":[{"id":"ci","secret":"s","claims":{"exp":1}}]}`, "serve.json: client \"ci\": claim \"exp\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.file), "serve.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseConfig = %v, want %q", err, tc.want)
			}
		})
	}
	cfg, err := ParseConfig([]byte(`{"clients":[{"id":"ci","secret":"s","claims":{"t":"{{.client_id}}"}}]}`), "serve.json")
	if err != nil || cfg.Clients[0].Claims == nil {
		t.Fatalf("ParseConfig = %+v, %v", cfg, err)
	}
}

func FuzzClaimTemplate(f *testing.F) {
	for _, s := range []string{`{{.client_id}}`, `{{add_time "1h"}}`, `{{if eq .sub "a"}}x{{else}}y{{end}}`, `{{now}}`,
		`{{range 9}}{{end}}`, `{{printf "%d" 1}}`, `{{$x := .sub}}{{$x}}{{$x}}`, `{{add_time .scope}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		obj := claims.NewObject()
		obj.Set("c", src)
		ct, err := CompileClaimTemplates(obj)
		if err != nil {
			return
		}
		data := TemplateData{ClientID: "ci", Scope: strings.Repeat("s ", 50), Subject: "alice", GrantType: "g"}
		out, err := ct.Render(data, testNow)
		if err != nil {
			return
		}
		v, _ := out.Get("c")
		s, isString := v.(string)
		switch {
		case !strings.Contains(src, "{{"):
			// A literal is the config's own value, passed on as written; the cap is on what
			// templates render.
			if !isString || s != src {
				t.Fatalf("the literal %q came out as %#v", src, v)
			}
		case isString && len(s) > MaxTemplateOutput:
			t.Fatalf("rendered %d bytes", len(s))
		}
	})
}

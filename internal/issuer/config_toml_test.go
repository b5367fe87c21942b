package issuer

import (
	"strings"
	"testing"
)

const goodTOML = `# serve config
default_user = "alice"

[[client]]
id = "ci"
secret = "env:CI_SECRET"
scopes = ["read:users", "write:users"]

[[client]]
id = "web"
redirect_uris = [
  "http://127.0.0.1/callback",
  "not a url",
]

[[client]]
id = "spa"
redirect_uris = ["http://127.0.0.1/cb"]
refresh_tokens = true
[client.claims]
tenant = "{{.client_id}}"

[[user]]
sub = "alice"
[user.claims]
name = "Alice"

[[trusted_issuer]]
issuer = "https://idp.example"
jwks = "idp.jwks.json"

[issuer.tenant-a]
default_user = "bob"
[[issuer.tenant-a.client]]
id = "a-ci"
secret = "env:A"
sekret = "typo"
[[issuer.tenant-a.client]]
id = "a-ok"
secret = "env:A"
[[issuer.tenant-a.user]]
sub = "bob"
`

func TestParseTOMLConfig(t *testing.T) {
	cfg, warns, err := ParseTOMLConfig([]byte(goodTOML), "serve.toml")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cfg.Clients {
		ids = append(ids, c.ID)
	}
	if got := strings.Join(ids, ","); got != "ci,spa" {
		t.Errorf("clients %s, want ci,spa (web skipped)", got)
	}
	if cfg.DefaultUser != "alice" || len(cfg.Users) != 1 || len(cfg.TrustedIssuers) != 1 {
		t.Errorf("users %v default %q trusted %v", cfg.Users, cfg.DefaultUser, cfg.TrustedIssuers)
	}
	if cfg.Clients[1].Claims == nil || !cfg.Clients[1].RefreshTokens {
		t.Errorf("spa lost its claims or refresh_tokens: %+v", cfg.Clients[1])
	}
	if len(cfg.Issuers) != 1 || cfg.Issuers[0].ID != "tenant-a" || !cfg.Issuers[0].HasClients || len(cfg.Issuers[0].Clients) != 1 ||
		cfg.Issuers[0].Clients[0].ID != "a-ok" || cfg.Issuers[0].DefaultUser != "bob" || cfg.Issuers[0].Line != 32 {
		t.Errorf("issuer sections %+v", cfg.Issuers)
	}
	want := []string{
		`serve.toml:13: client "web": redirect_uris[1]: `,
		`serve.toml:37: client "a-ci": unknown field "sekret"`,
	}
	if len(warns) != len(want) {
		t.Fatalf("warnings %v, want %d", warns, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(warns[i].Text, w) {
			t.Errorf("warning %d = %q, want prefix %q", i, warns[i].Text, w)
		}
	}
}

func TestParseTOMLConfigEntryErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"bad id", "[[client]]\nid = \"a b\"\nsecret = \"x\"\n", `cfg.toml:2: client 1: id: `},
		{"missing id", "[[client]]\nsecret = \"x\"\n", `cfg.toml:1: client 1: id: a client id is empty`},
		{"scope", "[[client]]\nid = \"c\"\nsecret = \"x\"\nscopes = [\"ok\", \"b\\\"ad\"]\n", `cfg.toml:4: client "c": scopes[1]: `},
		{"secret type", "[[client]]\nid = \"c\"\nsecret = 5\n", `cfg.toml:3: client "c": secret must be a string`},
		{"bool type", "[[client]]\nid = \"c\"\nsecret = \"x\"\ndevice = \"yes\"\n", `cfg.toml:4: client "c": device must be true or false`},
		{"no credentials", "\n[[client]]\nid = \"c\"\n", `cfg.toml:2: client "c" has neither secret nor jwks`},
		{"reserved claim", "[[client]]\nid = \"c\"\nsecret = \"x\"\n[client.claims]\niss = \"me\"\n", `cfg.toml:4: client "c": claims: `},
		{"bad template", "[[client]]\nid = \"c\"\nsecret = \"x\"\nclaims = { t = \"{{.nope\" }\n", `cfg.toml:4: client "c": claims: `},
		{"user field", "[[user]]\nsub = \"u\"\nmail = \"x\"\n", `cfg.toml:3: user "u": unknown field "mail"`},
		{"user claim", "[[user]]\nsub = \"u\"\nclaims = { sub = \"x\" }\n", `cfg.toml:3: user "u": claims: `},
		{"trusted", "[[trusted_issuer]]\nissuer = \"https://x\"\n", `cfg.toml:1: trusted issuer 1 needs both issuer and jwks`},
		{"redirect", "[[client]]\nid = \"c\"\npost_logout_redirect_uris = [\"/rel\"]\nredirect_uris = [\"http://127.0.0.1/\"]\n", `cfg.toml:3: client "c": post_logout_redirect_uris[0]: `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, warns, err := ParseTOMLConfig([]byte(tt.in), "cfg.toml")
			if err != nil {
				t.Fatal(err)
			}
			if len(warns) != 1 || !strings.HasPrefix(warns[0].Text, tt.want) {
				t.Fatalf("warnings %v, want one starting %q", warns, tt.want)
			}
			if len(cfg.Clients)+len(cfg.Users)+len(cfg.TrustedIssuers) != 0 {
				t.Errorf("the broken entry was kept: %+v", cfg)
			}
		})
	}
}

func TestParseTOMLConfigFatal(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"not toml", "[[client]\nid = 1\n", "cfg.toml:1: not valid TOML"},
		{"duplicate key", "[[client]]\nid = \"a\"\nid = \"b\"\n", "cfg.toml:3: not valid TOML"},
		{"secret value", "[[client]]\nid = \"a\"\nsecret = 1.5eS3cr3t\n", "cfg.toml:3: not valid TOML, in the value of secret (not shown)"},
		{"unknown top", "clients = []\n", `cfg.toml:1: unknown key "clients"`},
		{"dup client", "[[client]]\nid = \"a\"\nsecret = \"x\"\n[[client]]\nid = \"a\"\nsecret = \"y\"\n", `cfg.toml:4: client "a" is registered twice (first at line 1)`},
		{"dup user", "[[user]]\nsub = \"a\"\n[[user]]\nsub = \"a\"\n", `cfg.toml:3: user "a" is listed twice`},
		{"default user", "default_user = \"zed\"\n[[user]]\nsub = \"a\"\n", `cfg.toml:1: default_user "zed" is not a configured user`},
		{"client table", "[client]\nid = \"a\"\n", `cfg.toml:1: client must be an array of tables`},
		{"issuer id", "[issuer.token]\n", `cfg.toml:1: issuer id "token"`},
		{"issuer key", "[issuer.a]\nclients = 1\n", `cfg.toml:2: issuer a: unknown key "clients"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseTOMLConfig([]byte(tt.in), "cfg.toml")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestLoadConfigJSONDeprecated(t *testing.T) {
	for _, name := range []string{"serve.json", "serve.conf"} {
		cfg, warns, err := LoadConfig([]byte(` {"clients":[{"id":"ci","secret":"s"}]}`), name)
		if err != nil {
			t.Fatal(err)
		}
		if len(cfg.Clients) != 1 || len(warns) != 1 || !strings.Contains(warns[0].Text, "JSON serve config is deprecated") {
			t.Errorf("%s: clients %v warnings %v", name, cfg.Clients, warns)
		}
	}
	_, warns, err := LoadConfig([]byte("[[client]]\nid = \"ci\"\nsecret = \"s\"\n"), "serve.toml")
	if err != nil || len(warns) != 0 {
		t.Errorf("TOML: %v %v", warns, err)
	}
}

// FuzzServeConfig: no input panics, and every entry the parser keeps, at the top level or in an
// [issuer.ID] section, passes the checks New applies to it (a skipped entry never leaves a
// half-valid one behind).
func FuzzServeConfig(f *testing.F) {
	f.Add([]byte(goodTOML))
	f.Add([]byte("[[client]]\nid = \"a\"\nsecret = \"x\"\n[[client]]\nid = \"a\"\n"))
	f.Add([]byte("[issuer.a]\n[[issuer.a.client]]\nid = \"c\"\ndevice = true\n"))
	f.Add([]byte(`{"clients":[{"id":"ci","secret":"s"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, warns, err := LoadConfig(data, "f.toml")
		if err != nil {
			if len(cfg.Clients) != 0 {
				t.Fatal("an error with clients")
			}
			return
		}
		for _, w := range warns {
			if !strings.HasPrefix(w.Text, "f.toml") {
				t.Fatalf("warning without the file name: %q", w.Text)
			}
		}
		clients, users, trusted := cfg.Clients, [][]User{cfg.Users}, cfg.TrustedIssuers
		for _, sec := range cfg.Issuers {
			if !ValidIssuerID(sec.ID) {
				t.Fatalf("kept issuer section %q", sec.ID)
			}
			clients = append(append([]ClientSpec(nil), clients...), sec.Clients...)
			users = append(users, sec.Users)
			trusted = append(append([]TrustedIssuerSpec(nil), trusted...), sec.TrustedIssuers...)
		}
		for _, c := range clients {
			if err := checkClientID(c.ID); err != nil {
				t.Fatalf("kept client with bad id %q", c.ID)
			}
			for _, u := range c.RedirectURIs {
				if checkRedirectURI(u) != nil {
					t.Fatalf("kept bad redirect URI %q", u)
				}
			}
		}
		for _, list := range users {
			if _, err := checkUsers(list); err != nil {
				t.Fatalf("kept users that fail checkUsers: %v", err)
			}
		}
		for _, ti := range trusted {
			if ti.Issuer == "" || ti.JWKS == "" {
				t.Fatalf("kept a trusted issuer without issuer or jwks: %+v", ti)
			}
		}
	})
}

func TestParseTOMLConfigSectionTrusted(t *testing.T) {
	in := `[[trusted_issuer]]
issuer = "https://idp.example"
jwks = "idp.jwks"

[issuer.inherits]
default_user = "x"

[issuer.none]
trusted_issuer = []

[issuer.own]
[[issuer.own.trusted_issuer]]
issuer = "https://other.example"
jwks = "other.jwks"
[[issuer.own.trusted_issuer]]
issuer = "https://broken.example"
`
	cfg, warns, err := ParseTOMLConfig([]byte(in), "cfg.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || !strings.HasPrefix(warns[0].Text, "cfg.toml:15: trusted issuer 2 needs both") {
		t.Errorf("warnings %v", warns)
	}
	got := map[string]IssuerSection{}
	for _, s := range cfg.Issuers {
		got[s.ID] = s
	}
	if s := got["inherits"]; s.HasTrusted || len(s.TrustedIssuers) != 0 {
		t.Errorf("inherits: %+v", s)
	}
	if s := got["none"]; !s.HasTrusted || len(s.TrustedIssuers) != 0 {
		t.Errorf("none: %+v", s)
	}
	if s := got["own"]; !s.HasTrusted || len(s.TrustedIssuers) != 1 || s.TrustedIssuers[0].Issuer != "https://other.example" {
		t.Errorf("own: %+v", s)
	}
	if len(cfg.TrustedIssuers) != 1 {
		t.Errorf("top level: %+v", cfg.TrustedIssuers)
	}
}

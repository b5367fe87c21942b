package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
)

const fullFile = `# jwtkit profiles
default-profile = "staging"

[profile.staging]
issuer        = "https://staging.idp.example"
client-id     = "ci-pipeline"
client-secret = "env:STAGING_CLIENT_SECRET"
scope         = ["read:users", "write:users"]
audience      = "https://api.example.com"
resource      = "https://api.example.com/orders"
param         = { organization = "org_123", claims = ["a", "b"] }
retries       = 4
timeout       = "30s"

[profile.local]
token-url     = "http://127.0.0.1:8080/token"
client-id     = "svc"
auth-method   = "private_key_jwt"
assertion-key = "keys/svc.key"
assertion-kid = "svc-1"
assertion-alg = "ES256"
assertion-aud = "issuer"
passphrase    = "@pass.txt"
scope         = "read:users write:users"
insecure      = true
retries       = 0

[profile."okta.prod"]
token-url     = "https://example.okta.com/oauth2/default/v1/token"
client-id     = "0oa1"
client-secret = "literally-the-secret"
`

func TestParseFullFile(t *testing.T) {
	f, err := Parse([]byte(fullFile), "config.toml", "/home/u/.config/jwtkit", Options{Home: "/home/u"})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Names(); !reflect.DeepEqual(got, []string{"staging", "local", "okta.prod"}) {
		t.Errorf("names %v, want the file's order", got)
	}
	if f.DefaultProfile != "staging" {
		t.Errorf("default profile %q", f.DefaultProfile)
	}
	four, zero, yes := 4, 0, true
	want := map[string]*Profile{
		"staging": {Name: "staging", Issuer: "https://staging.idp.example", ClientID: "ci-pipeline",
			ClientSecret: "env:STAGING_CLIENT_SECRET", Scopes: []string{"read:users", "write:users"},
			Audience: "https://api.example.com", Resources: []string{"https://api.example.com/orders"},
			Params:  map[string][]string{"organization": {"org_123"}, "claims": {"a", "b"}},
			Retries: &four, Timeout: 30 * time.Second},
		"local": {Name: "local", TokenURL: "http://127.0.0.1:8080/token", ClientID: "svc", AuthMethod: "private_key_jwt",
			AssertionKey: "/home/u/.config/jwtkit/keys/svc.key", AssertionKid: "svc-1", AssertionAlg: "ES256",
			AssertionAud: "issuer", Passphrase: "@/home/u/.config/jwtkit/pass.txt",
			Scopes: []string{"read:users write:users"}, Insecure: &yes, Retries: &zero},
		"okta.prod": {Name: "okta.prod", TokenURL: "https://example.okta.com/oauth2/default/v1/token", ClientID: "0oa1",
			ClientSecret: "literally-the-secret", LiteralSecrets: []string{"client-secret"}},
	}
	for name, w := range want {
		p, err := f.Profile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p, w) {
			t.Errorf("profile %s:\n got %+v\nwant %+v", name, p, w)
		}
	}
}

func TestParsePaths(t *testing.T) {
	tests := []struct {
		key, value string
		want       string
		literal    bool
	}{
		{"client-secret", "@secret.txt", "@/cfg/secret.txt", false},
		{"client-secret", "@/abs/secret.txt", "@/abs/secret.txt", false},
		{"client-secret", "@~/secret.txt", "@/home/u/secret.txt", false},
		{"client-secret", "env:SECRET", "env:SECRET", false},
		{"client-secret", "-", "-", false},
		{"client-secret", "b64:c2VjcmV0", "b64:c2VjcmV0", true},
		{"client-secret", "plain", "plain", true},
		{"client-secret", "~/not-a-path", "~/not-a-path", true},
		{"assertion-key", "svc.key", "/cfg/svc.key", false},
		{"assertion-key", "~/keys/svc.key", "/home/u/keys/svc.key", false},
		{"assertion-key", "@svc.jwk", "@/cfg/svc.jwk", false},
		{"assertion-key", "/etc/svc.key", "/etc/svc.key", false},
		{"assertion-key", "env:SVC_KEY", "env:SVC_KEY", false},
		{"assertion-key", "b64:LS0tLS1CRUdJTg", "b64:LS0tLS1CRUdJTg", true},
		{"assertion-key", "hex:00", "hex:00", true},
		{"passphrase", "@pass", "@/cfg/pass", false},
		{"passphrase", "hunter2", "hunter2", true},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			data := "[profile.p]\n" + tt.key + " = " + tomlString(tt.value) + "\n"
			f, err := Parse([]byte(data), "c.toml", "/cfg", Options{Home: "/home/u"})
			if err != nil {
				t.Fatal(err)
			}
			p := f.Profiles[0]
			got := map[string]string{"client-secret": p.ClientSecret, "assertion-key": p.AssertionKey, "passphrase": p.Passphrase}[tt.key]
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if literal := len(p.LiteralSecrets) > 0; literal != tt.literal {
				t.Errorf("literal secrets %v, want literal=%v", p.LiteralSecrets, tt.literal)
			}
		})
	}
}

func tomlString(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"syntax", "[profile.a\n", "c.toml: invalid TOML at line 1, column 11: expected ']' to close table name"},
		{"duplicate key", "[profile.a]\nclient-id = \"x\"\nclient-id = \"y\"\n", "invalid TOML at line 3"},
		{"duplicate profile", "[profile.a]\n[profile.a]\n", "invalid TOML at line 2"},
		{"unknown top-level", "profiles = {}\n", `unknown key "profiles"; did you mean profile?`},
		{"unknown top-level no hint", "colour = true\n", `unknown key "colour"; the file has default-profile and [profile.NAME] tables`},
		{"underscore key", "[profile.a]\nclient_secret = \"env:X\"\n", `profile "a": unknown key "client_secret"; did you mean client-secret?`},
		{"typo key", "[profile.a]\nclient-idd = \"x\"\n", `did you mean client-id?`},
		{"plural key", "[profile.a]\nscopes = \"x\"\n", `did you mean scope?`},
		{"unrelated key", "[profile.a]\ncolour = \"x\"\n", `profile "a": unknown key "colour"`},
		{"profile not a table", "profile = \"a\"\n", "profile must be a table of profiles"},
		{"profile body not a table", "[profile]\na = 1\n", `profile "a" must be a table`},
		{"bad name", "[profile.\"a b\"]\n", `profile name "a b": use 1 to 64 letters`},
		{"empty name", "[profile.\"\"]\n", `profile name "": use 1 to 64`},
		{"default unknown", "default-profile = \"x\"\n[profile.a]\n", `default-profile names "x", but there is no [profile.x]`},
		{"default not string", "default-profile = 1\n", "default-profile must be a string"},
		{"string wrong type", "[profile.a]\nclient-id = 1\n", "client-id must be a string"},
		{"empty string", "[profile.a]\nissuer = \"\"\n", "issuer is empty; remove the key"},
		{"control char", "[profile.a]\nissuer = \"https://x\\u0007\"\n", "issuer contains a control character"},
		{"auth method", "[profile.a]\nauth-method = \"client_secret_jws\"\n", `auth-method "client_secret_jws": use client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, tls_client_auth, self_signed_tls_client_auth, none`},
		{"grant", "[profile.a]\ngrant = \"device\"\n", `grant "device": use client_credentials, authorization_code, device_code, refresh_token`},
		{"keep-refresh", "[profile.a]\nkeep-refresh = \"yes\"\n", "keep-refresh must be true or false"},
		{"min-ttl", "[profile.a]\nmin-ttl = \"-5m\"\n", "min-ttl"},
		{"auth-param", "[profile.a]\nauth-param = \"prompt=login\"\n", "auth-param must be a table"},
		{"assertion aud", "[profile.a]\nassertion-aud = \"issuers\"\n", "assertion-aud \"issuers\": use token-endpoint, issuer or a URL"},
		{"scope number", "[profile.a]\nscope = 3\n", "scope must be a string or an array of strings"},
		{"scope mixed array", "[profile.a]\nscope = [\"a\", 1]\n", "scope must be a string or an array of strings"},
		{"scope empty item", "[profile.a]\nscope = [\"a\", \"\"]\n", "scope is empty"},
		{"param not table", "[profile.a]\nparam = \"a=b\"\n", "param must be a table"},
		{"param number", "[profile.a]\nparam = { a = 1 }\n", "param a must be a string or an array of strings"},
		{"param empty list", "[profile.a]\nparam = { a = [] }\n", "param a is empty"},
		{"param bad name", "[profile.a]\nparam = { \"a b\" = \"c\" }\n", `param name "a b"`},
		{"retries negative", "[profile.a]\nretries = -1\n", "retries must be a whole number from 0 to 10"},
		{"retries too many", "[profile.a]\nretries = 11\n", "retries must be a whole number from 0 to 10"},
		{"retries string", "[profile.a]\nretries = \"2\"\n", "retries must be a whole number"},
		{"timeout bad", "[profile.a]\ntimeout = \"soon\"\n", "timeout: "},
		{"timeout zero", "[profile.a]\ntimeout = \"0s\"\n", "timeout must be longer than 0s"},
		{"timeout number", "[profile.a]\ntimeout = 10\n", "timeout must be a string"},
		{"insecure string", "[profile.a]\ninsecure = \"yes\"\n", "insecure must be true or false"},
		{"secret number", "[profile.a]\nclient-secret = 12345\n", "client-secret must be a string (env:NAME, @FILE or the value)"},
		{"secret empty", "[profile.a]\nclient-secret = \"\"\n", "client-secret is empty"},
		{"not utf8", "[profile.a]\nissuer = \"\xff\"\n", "is not UTF-8 text"},
		{"too large", strings.Repeat("#", MaxSize+1), "larger than"},
		{"too many scopes", "[profile.a]\nscope = [" + strings.Repeat(`"s",`, maxListLen+1) + "]\n", "scope has 101 values; the limit is 100"},
		{"long value", "[profile.a]\nissuer = \"" + strings.Repeat("x", maxValueLen+1) + "\"\n", "issuer is longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.data), "c.toml", "/cfg", Options{})
			if err == nil {
				// A broken profile does not fail the file; asking for it gives its error.
				if len(f.Broken) == 0 {
					t.Fatal("no error")
				}
				_, err = f.Profile(f.Broken[0].Name)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
			if failure.KindOf(err) != failure.KindUsage || failure.CodeOf(err) != Code {
				t.Errorf("kind %v code %q", failure.KindOf(err), failure.CodeOf(err))
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

// A secret never shows in an error, even when the TOML around it is broken.
func TestParseErrorsHideSecrets(t *testing.T) {
	const secret = "Sup3rS3cretValue"
	for _, data := range []string{
		"[profile.a]\nclient-secret = \"" + secret + "\n",
		"[profile.a]\nclient-secret = " + secret + "\n",
		"[profile.a]\nclient-secret = '" + secret + "\n",
		"[profile.a]\npassphrase = " + secret + "\n",
		"[profile.a]\nassertion-key = " + secret + " x\n",
		"[profile.a]\nclient-secret = [\"" + secret + "\"]\n",
		"[profile.a]\nclient-secret = { v = \"" + secret + "\" }\n",
		"[profile.a]\n\"client-secret\" = " + secret + "\n",
		"[profile.a]\nclient-secret = \"\"\"\n" + secret + "\n",
		"[profile.a]\nclient-secret = 1.5e" + secret + "\n",
		"[profile.a]\nclient-secret = 1979-05-27T07:32:00Z" + secret + "\n",
	} {
		f, err := Parse([]byte(data), "c.toml", "", Options{})
		if err == nil && len(f.Broken) > 0 {
			_, err = f.Profile(f.Broken[0].Name)
		}
		if err == nil {
			t.Errorf("%q: no error", data)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[:8]) {
			t.Errorf("error shows the secret: %q", err)
		}
	}
}

func TestProfileLookup(t *testing.T) {
	f, err := Parse([]byte("[profile.a]\n[profile.b]\n"), "c.toml", "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Profile("c"); err == nil || err.Error() != `no profile "c" in c.toml; profiles: a, b` {
		t.Errorf("error %v", err)
	}
	empty, err := Parse(nil, "c.toml", "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := empty.Profile("x\x1b"); err == nil || !strings.Contains(err.Error(), `no profile "x?": c.toml has no profiles; add a [profile.x?] table`) {
		t.Errorf("error %v", err)
	}
	if len(empty.Names()) != 0 || empty.DefaultProfile != "" {
		t.Errorf("empty file: %+v", empty)
	}
}

func writeConfig(t *testing.T, data string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("permission bits")
	}
	literal := "[profile.prod]\nclient-id = \"x\"\nclient-secret = \"literal-value\"\npassphrase = \"env:P\"\n"
	refs := "[profile.prod]\nclient-id = \"x\"\nclient-secret = \"env:SECRET\"\nassertion-key = \"svc.key\"\n"
	tests := []struct {
		name     string
		data     string
		mode     os.FileMode
		warnings []string
		err      string
	}{
		{"private literal", literal, 0o600, nil, ""},
		{"readable literal", literal, 0o644, []string{
			`profile "prod" holds a literal client-secret, and %s is readable by other users (mode 0644); use env:NAME or @FILE for it, or chmod 600 %s`}, ""},
		{"group readable literal", literal, 0o640, []string{`holds a literal client-secret`}, ""},
		{"readable references", refs, 0o644, nil, ""},
		{"world writable", refs, 0o666, nil, "not reading config file %s: it is writable by other users (mode 0666), who could point a profile's secrets at their own server; run chmod go-w %s"},
		{"group writable", refs, 0o620, nil, "writable by other users (mode 0620)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeConfig(t, tt.data, tt.mode)
			f, warnings, err := Load(p, Options{})
			if tt.err != "" {
				want := tt.err
				if strings.Contains(want, "%s") {
					want = strings.ReplaceAll(want, "%s", p)
				}
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("error %v\nwant %q", err, want)
				}
				if failure.CodeOf(err) != Code {
					t.Errorf("code %q", failure.CodeOf(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Path != p || len(f.Profiles) != 1 {
				t.Errorf("file %+v", f)
			}
			if len(warnings) != len(tt.warnings) {
				t.Fatalf("warnings %q, want %d", warnings, len(tt.warnings))
			}
			for i, w := range tt.warnings {
				w = strings.ReplaceAll(w, "%s", p)
				if !strings.Contains(warnings[i], w) {
					t.Errorf("warning %q\nwant %q", warnings[i], w)
				}
				if strings.Contains(warnings[i], "literal-value") {
					t.Error("warning shows the secret")
				}
			}
			if strings.Contains(tt.data, "svc.key") && f.Profiles[0].AssertionKey != filepath.Join(filepath.Dir(p), "svc.key") {
				t.Errorf("assertion key %q not relative to the file", f.Profiles[0].AssertionKey)
			}
		})
	}
}

func TestLoadFileProblems(t *testing.T) {
	dir := t.TempDir()
	_, _, err := Load(filepath.Join(dir, "missing.toml"), Options{})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.toml does not exist") {
		t.Errorf("missing file: %v", err)
	}
	if failure.CodeOf(err) != Code {
		t.Errorf("code %q", failure.CodeOf(err))
	}
	if _, _, err := Load(dir, Options{}); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
	big := writeConfig(t, strings.Repeat("# filler\n", MaxSize/9+1), 0o600)
	if _, _, err := Load(big, Options{}); err == nil || !strings.Contains(err.Error(), "the limit is") {
		t.Errorf("big file: %v", err)
	}
	// A symlink to a private file is fine: dotfile managers link config files.
	target := writeConfig(t, "[profile.a]\n", 0o600)
	link := filepath.Join(dir, "link.toml")
	if err := os.Symlink(target, link); err != nil {
		t.Skip(err)
	}
	if f, _, err := Load(link, Options{}); err != nil || len(f.Profiles) != 1 {
		t.Errorf("symlink: %v", err)
	}
	if runtime.GOOS != "windows" && os.Geteuid() != 0 {
		unreadable := writeConfig(t, "[profile.a]\n", 0o000)
		if _, _, err := Load(unreadable, Options{}); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("unreadable: %v", err)
		}
	}
}

func TestPathAndKeys(t *testing.T) {
	if got := Path("/home/u/.config/jwtkit"); got != "/home/u/.config/jwtkit/config.toml" {
		t.Errorf("Path = %q", got)
	}
	keys := Keys()
	keys[0] = "changed"
	if Keys()[0] != "token-url" {
		t.Error("Keys returns the package's own slice")
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct{ key, want string }{
		{"client_id", "client-id"},
		{"Client-ID", "client-id"},
		{"scopes", "scope"},
		{"resources", "resource"},
		{"params", "param"},
		{"isuer", "issuer"},
		{"tokenurl", "token-url"},
		{"zzz", ""},
		{strings.Repeat("a", 100), ""},
	}
	for _, tt := range tests {
		got := keyHint(tt.key, profileKeys)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("keyHint(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

// TestBrokenProfileTakesNoOtherDown: a profile with a typo is set aside with its error, the
// others parse, and asking for the broken one gives its error.
func TestBrokenProfileTakesNoOtherDown(t *testing.T) {
	f, err := Parse([]byte("default-profile = \"bad\"\n[profile.ok]\nclient-id = \"a\"\n[profile.bad]\ntoken-urll = \"x\"\n[profile.notable]\n"), "cfg.toml", t.TempDir(), Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := f.Names(); len(got) != 2 || got[0] != "ok" || got[1] != "notable" {
		t.Errorf("Names() = %v, want [ok notable]", got)
	}
	if len(f.Broken) != 1 || f.Broken[0].Name != "bad" {
		t.Fatalf("Broken = %+v", f.Broken)
	}
	if f.DefaultProfile != "bad" {
		t.Errorf("DefaultProfile = %q, want the broken one it names", f.DefaultProfile)
	}
	if _, err := f.Profile("bad"); err == nil || !strings.Contains(err.Error(), "token-urll") || !strings.Contains(err.Error(), "cfg.toml") {
		t.Errorf("Profile(bad) = %v, want the error naming the file and the key", err)
	}
	if p, err := f.Profile("ok"); err != nil || p.ClientID != "a" {
		t.Errorf("Profile(ok) = %+v, %v", p, err)
	}
}

// Profiles keep the file's order however they are written: headers, dotted keys at the top
// level or under [profile], and inline tables.
func TestProfileOrderForms(t *testing.T) {
	for _, tt := range []struct {
		data string
		want []string
	}{
		{"[profile]\nmid.issuer = \"https://m\"\ninl = { issuer = \"https://i\" }\n" +
			"[profile.alpha]\nissuer = \"https://a\"\n[profile.\"quoted\"]\nissuer = \"https://q\"\n",
			[]string{"mid", "inl", "alpha", "quoted"}},
		{"profile.zed.issuer = \"https://z\"\nprofile.abc.issuer = \"https://a\"\n", []string{"zed", "abc"}},
		{"profile = { zed = { issuer = \"https://z\" }, abc = { issuer = \"https://a\" } }\n", []string{"zed", "abc"}},
	} {
		f, err := Parse([]byte(tt.data), "c.toml", "", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Names(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: names %v, want %v", tt.data, got, tt.want)
		}
	}
}

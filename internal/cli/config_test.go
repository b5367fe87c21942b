package cli

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// writeFetchConfig writes config.toml into the harness's config directory with mode.
func writeFetchConfig(t *testing.T, h *harness, content string, mode os.FileMode) string {
	t.Helper()
	dir, _ := h.deps.ConfigDir()
	p := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFetchProfiles(t *testing.T) {
	srv := newFetchServer(t, fetchOKReply(3600))
	other := newFetchServer(t, fetchOKReply(3600))
	h := fetchHarness(t)
	secretFile := fetchTempFile(t, "staging.secret", "from-the-file\n")
	writeFetchConfig(t, h, `
default-profile = "staging"

[profile.staging]
token-url     = "`+srv.srv.URL+`/token"
client-id     = "staging-client"
client-secret = "@`+secretFile+`"
scope         = ["read:users", "write:users"]
audience      = "https://api.staging"
param         = { organization = "org_1", tenant = "t1" }
retries       = 0

[profile.post]
issuer        = "`+srv.srv.URL+`"
client-id     = "post-client"
client-secret = "env:POST_SECRET"
auth-method   = "client_secret_post"
resource      = ["https://r1", "https://r2"]
`, 0o600)
	h.env["POST_SECRET"] = "post-secret-value"

	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		server *fetchServer
		check  func(t *testing.T, req fetchTokenRequest)
	}{
		{"default profile", nil, nil, srv, func(t *testing.T, req fetchTokenRequest) {
			if req.user != "staging-client" || req.pass != "from-the-file" {
				t.Errorf("credentials %q:%q", req.user, req.pass)
			}
			if req.form.Get("scope") != "read:users write:users" || req.form.Get("audience") != "https://api.staging" ||
				req.form.Get("organization") != "org_1" || req.form.Get("tenant") != "t1" {
				t.Errorf("form %v", req.form)
			}
		}},
		{"--profile", nil, []string{"--profile", "post"}, srv, func(t *testing.T, req fetchTokenRequest) {
			if req.basic || req.form.Get("client_id") != "post-client" || req.form.Get("client_secret") != "post-secret-value" ||
				strings.Join(req.form["resource"], " ") != "https://r1 https://r2" {
				t.Errorf("request %+v", req)
			}
		}},
		{"JWTKIT_PROFILE", map[string]string{"JWTKIT_PROFILE": "post"}, nil, srv, func(t *testing.T, req fetchTokenRequest) {
			if req.form.Get("client_id") != "post-client" {
				t.Errorf("request %+v", req)
			}
		}},
		{"flags win", map[string]string{"JWTKIT_PROFILE": "post"}, []string{"--profile", "staging", "--scope", "admin",
			"--param", "tenant=t2", "--client-id", "cli-client", "--client-secret", "cli-secret"}, srv,
			func(t *testing.T, req fetchTokenRequest) {
				if req.user != "cli-client" || req.pass != "cli-secret" || req.form.Get("scope") != "admin" ||
					req.form.Get("tenant") != "t2" || req.form.Get("organization") != "org_1" {
					t.Errorf("request %+v", req)
				}
			}},
		{"an endpoint flag replaces the profile's", nil, []string{"--token-url", other.srv.URL + "/token"}, other, func(t *testing.T, req fetchTokenRequest) {
			if req.user != "staging-client" {
				t.Errorf("request %+v", req)
			}
		}},
		{"profile secret before JWTKIT_CLIENT_SECRET", map[string]string{"JWTKIT_CLIENT_SECRET": "env-secret"}, nil, srv, func(t *testing.T, req fetchTokenRequest) {
			if req.pass != "from-the-file" {
				t.Errorf("secret %q", req.pass)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				h.env[k] = v
			}
			defer func() {
				for k := range tt.env {
					delete(h.env, k)
				}
				h.env["JWTKIT_CLIENT_SECRET"] = fetchSecret
			}()
			before := tt.server.tokenCount()
			if code := h.run(append([]string{"fetch", "--no-cache"}, tt.args...)...); code != 0 {
				t.Fatalf("exit %d: %s", code, h.stderr)
			}
			if tt.server.tokenCount() != before+1 {
				t.Fatal("no request to the expected server")
			}
			tt.check(t, tt.server.last(t))
		})
	}
}

func TestFetchProfileErrors(t *testing.T) {
	tests := []struct {
		name    string
		config  string
		mode    os.FileMode
		env     map[string]string
		args    []string
		code    int
		stderr  string
		noLeaks []string
	}{
		{"no config file", "", 0, nil, []string{"--profile", "staging"}, 2,
			`--profile "staging": config file %DIR%/config.toml does not exist; create it with the profile (see 'jwtkit config --help')`, nil},
		{"no config file via JWTKIT_PROFILE", "", 0, map[string]string{"JWTKIT_PROFILE": "ci"}, nil, 2, `JWTKIT_PROFILE "ci": config file`, nil},
		{"unknown profile", "[profile.a]\n[profile.b]\n", 0o600, nil, []string{"--profile", "c"}, 2,
			`no profile "c" in %DIR%/config.toml; profiles: a, b`, nil},
		{"bad file", "[profile.a]\nclient_secret = \"env:X\"\n", 0o600, nil, []string{"--profile", "a"}, 2,
			`profile "a": unknown key "client_secret"; did you mean client-secret?`, nil},
		{"bad file without --profile", "oops", 0o600, nil, []string{"--token-url", "https://idp.example/token", "--client-id", "c"}, 2,
			"invalid TOML", nil},
		{"writable by others", "[profile.a]\n", 0o666, nil, []string{"--profile", "a"}, 2, "writable by other users (mode 0666)", nil},
		{"literal secret readable by others", "[profile.a]\ntoken-url = \"http://127.0.0.1:1/token\"\nclient-id = \"c\"\nclient-secret = \"hunter2-literal\"\n",
			0o644, nil, []string{"--profile", "a", "--retries", "0"}, 3,
			`warning: profile "a" holds a literal client-secret, and %DIR%/config.toml is readable by other users (mode 0644)`,
			[]string{"hunter2-literal"}},
		{"profile without endpoint", "[profile.a]\nclient-id = \"c\"\n", 0o600, nil, []string{"--profile", "a"}, 2,
			"no token endpoint: pass --token-url or --issuer, or a --profile that has one", nil},
		{"profile secret variable unset", "[profile.a]\ntoken-url = \"https://idp.example/token\"\nclient-id = \"c\"\nclient-secret = \"env:NOT_SET\"\n",
			0o600, nil, []string{"--profile", "a"}, 2, `client-secret of profile "a": `, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fetchHarness(t)
			dir, _ := h.deps.ConfigDir()
			if tt.config != "" {
				writeFetchConfig(t, h, tt.config, tt.mode)
			}
			for k, v := range tt.env {
				h.env[k] = v
			}
			if code := h.run(append([]string{"fetch"}, tt.args...)...); code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, h.stderr)
			}
			want := strings.ReplaceAll(tt.stderr, "%DIR%", dir)
			if !strings.Contains(h.stderr.String(), want) {
				t.Errorf("stderr %q\nwant %q", h.stderr, want)
			}
			for _, s := range tt.noLeaks {
				if strings.Contains(h.stderr.String(), s) {
					t.Errorf("stderr shows %q", s)
				}
			}
		})
	}
}

// A profile's relative paths are relative to the config file, wherever jwtkit runs.
func TestFetchProfileRelativeKeyPath(t *testing.T) {
	srv := newFetchServer(t, fetchOKReply(60))
	h := fetchHarness(t)
	_, key := writeClientKey(t, "EC", 0, "P-256")
	dir, _ := h.deps.ConfigDir()
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys", "svc.key"), []byte(fetchPEM(t, key)), 0o600); err != nil {
		t.Fatal(err)
	}
	writeFetchConfig(t, h, "[profile.svc]\ntoken-url = \""+srv.srv.URL+"/token\"\nclient-id = \"svc\"\nassertion-key = \"keys/svc.key\"\nassertion-kid = \"svc-1\"\n", 0o600)
	if code := h.run("fetch", "--profile", "svc"); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	req := srv.last(t)
	if req.form.Get("client_assertion") == "" || req.basic {
		t.Errorf("request %+v", req)
	}
}

func TestConfigCommand(t *testing.T) {
	h := fetchHarness(t)
	dir, _ := h.deps.ConfigDir()
	want := filepath.Join(dir, "config.toml")

	if code := h.run("config", "path"); code != 0 || h.stdout.String() != want+"\n" {
		t.Fatalf("config path: exit %d %q %s", code, h.stdout, h.stderr)
	}
	h.env["JWTKIT_CONFIG"] = "/elsewhere/jwtkit.toml"
	if code := h.run("config", "path", "--json"); code != 0 || !strings.Contains(h.stdout.String(), `"path": "/elsewhere/jwtkit.toml"`) {
		t.Fatalf("config path with JWTKIT_CONFIG: exit %d %q", code, h.stdout)
	}
	if code := h.run("config", "path", "--config", "mine.toml"); code != 0 || h.stdout.String() != "mine.toml\n" {
		t.Fatalf("config path --config: exit %d %q", code, h.stdout)
	}
	delete(h.env, "JWTKIT_CONFIG")

	// No file: no profiles, and a note.
	if code := h.run("config", "profiles"); code != 0 || h.stdout.Len() != 0 || !strings.Contains(h.stderr.String(), "no config file at "+want) {
		t.Fatalf("config profiles without a file: exit %d %q %q", code, h.stdout, h.stderr)
	}
	if code := h.run("config", "show", "x"); code != 2 || !strings.Contains(h.stderr.String(), "does not exist") {
		t.Fatalf("config show without a file: exit %d %q", code, h.stderr)
	}

	writeFetchConfig(t, h, `default-profile = "b"
[profile.a]
client-secret = "literal-secret-value"
assertion-key = "keys/a.key"
[profile.b]
issuer = "https://idp.example"
client-id = "ci"
client-secret = "env:CI_SECRET"
scope = ["read:users"]
param = { tenant = "t1" }
retries = 3
timeout = "30s"
insecure = false
`, 0o600)
	if code := h.run("config", "profiles"); code != 0 || h.stdout.String() != "a\nb\n" {
		t.Fatalf("config profiles: exit %d %q %s", code, h.stdout, h.stderr)
	}
	h.deps.IO.SetTTY(false, true, false)
	if code := h.run("config", "profiles"); code != 0 || h.stdout.String() != "a\nb (default)\n" {
		t.Fatalf("config profiles on a terminal: exit %d %q", code, h.stdout)
	}
	h.deps.IO.SetTTY(false, false, false)
	if code := h.run("config", "profiles", "--json"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	var list struct {
		Path           string   `json:"path"`
		DefaultProfile string   `json:"default_profile"`
		Profiles       []string `json:"profiles"`
	}
	if err := json.Unmarshal(h.stdout.Bytes(), &list); err != nil || list.Path != want || list.DefaultProfile != "b" || strings.Join(list.Profiles, ",") != "a,b" {
		t.Errorf("config profiles --json: %v %+v", err, list)
	}

	if code := h.run("config", "show"); code != 0 {
		t.Fatalf("config show: exit %d %s", code, h.stderr)
	}
	wantShow := `{
  "profile": "b",
  "file": "` + want + `",
  "default": true,
  "issuer": "https://idp.example",
  "client-id": "ci",
  "client-secret": "env:CI_SECRET",
  "scope": [
    "read:users"
  ],
  "param": {
    "tenant": [
      "t1"
    ]
  },
  "retries": 3,
  "timeout": "30s",
  "insecure": false
}
`
	if h.stdout.String() != wantShow {
		t.Errorf("config show:\n%s\nwant\n%s", h.stdout, wantShow)
	}
	if code := h.run("config", "show", "a"); code != 0 {
		t.Fatalf("config show a: exit %d %s", code, h.stderr)
	}
	if out := h.stdout.String(); strings.Contains(out, "literal-secret-value") || !strings.Contains(out, `"client-secret": "(literal value, not shown)"`) ||
		!strings.Contains(out, `"assertion-key": "`+filepath.Join(dir, "keys", "a.key")+`"`) {
		t.Errorf("config show a:\n%s", out)
	}
	h.env["JWTKIT_PROFILE"] = "zz"
	if code := h.run("config", "show"); code != 2 || !strings.Contains(h.stderr.String(), `JWTKIT_PROFILE: no profile "zz"`) {
		t.Errorf("config show with a bad JWTKIT_PROFILE: exit %d %q", code, h.stderr)
	}
	delete(h.env, "JWTKIT_PROFILE")

	writeFetchConfig(t, h, "[profile.a]\n[profile.b]\n", 0o600)
	if code := h.run("config", "show"); code != 2 || !strings.Contains(h.stderr.String(), "no profile named: pass NAME, set JWTKIT_PROFILE, or set default-profile in") {
		t.Errorf("config show without a default: exit %d %q", code, h.stderr)
	}
	// A file with one profile needs no default-profile.
	writeFetchConfig(t, h, "[profile.a]\nclient-id = \"only\"\n", 0o600)
	if code := h.run("config", "show"); code != 0 || !strings.Contains(h.stdout.String(), `"client-id": "only"`) {
		t.Errorf("config show with a single profile: exit %d %q %q", code, h.stdout, h.stderr)
	}
	// A typo in one profile is reported, and the other profiles still work.
	writeFetchConfig(t, h, "[profile.good]\nclient-id = \"g\"\n[profile.typo]\nclient-idd = \"t\"\n", 0o600)
	if code := h.run("config", "profiles"); code != 0 || strings.TrimSpace(h.stdout.String()) != "good" ||
		!strings.Contains(h.stderr.String(), `ignoring profile "typo"`) || !strings.Contains(h.stderr.String(), "client-idd") {
		t.Errorf("config profiles with a broken profile: exit %d %q %q", code, h.stdout, h.stderr)
	}
	if code := h.run("config", "show", "good"); code != 0 || !strings.Contains(h.stdout.String(), `"client-id": "g"`) {
		t.Errorf("config show of the good profile: exit %d %q", code, h.stderr)
	}
	if code := h.run("config", "show", "typo"); code != 2 || !strings.Contains(h.stderr.String(), "client-idd") {
		t.Errorf("config show of the broken profile: exit %d %q", code, h.stderr)
	}
	if code := h.run("config"); code != 0 || !strings.Contains(h.stdout.String(), "[profile.staging]") {
		t.Errorf("config alone should print its help: exit %d", code)
	}
}

func TestRedactor(t *testing.T) {
	var r redactor
	r.add("s3cret value", true)
	r.add("abc", true) // too short to search for
	r.addBasic("Y2k6czNjcmV0")
	got := r.redact("a s3cret value, s3cret+value, czNjcmV0IHZhbHVl, Y2k6czNjcmV0 and abc")
	if got != "a [redacted], [redacted], [redacted], [redacted] and abc" {
		t.Errorf("redact = %q", got)
	}
	base := failure.Remotef("token_error", "server said s3cret value")
	err := r.error(base)
	if err.Error() != "server said [redacted]" || failure.ExitCode(err) != 3 || !errors.Is(err, base) {
		t.Errorf("error %v (exit %d)", err, failure.ExitCode(err))
	}
	if clean := failure.Usagef("usage", "nothing here"); r.error(clean) != clean {
		t.Error("an error without secrets was rewrapped")
	}
	if r.error(nil) != nil {
		t.Error("nil error")
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/cli"
)

// The help examples and the README are documentation people copy into a terminal, so the tests
// below run them as written, with bash, in a directory holding the files they name (made by
// jwtkit itself: keys, key sets, tokens) and with $JWT_SECRET, $TOKEN and $CI_SECRET set.
// A fake xclip on $PATH stands in for the clipboard. Lines that start `jwtkit serve` run in the
// background until they print their URL, and the examples that call that URL run against them.

// exampleSkips are the help example lines that cannot run here, and why. An entry that no longer
// matches an example fails the test, so the list stays short and true. Besides these, a line
// that names a host under a domain reserved for documentation (RFC 2606: idp.example,
// api.example.com) stands for the user's own provider or API and is not run.
var exampleSkips = map[string]string{
	`curl -H "Authorization: Bearer $(jwtkit mint --secret env:JWT_SECRET --sub ci)" http://localhost:8080/api`: "needs your own API on localhost:8080",
	`pbpaste | jwtkit decode --pretty`: "pbpaste is macOS's",
}

// placeholderHost matches a URL whose host is under the reserved .example domain.
var placeholderHost = regexp.MustCompile(`https?://([^/\s"']*\.)?(example|example\.com|example\.org|example\.net)([:/\s"']|$)`)

// exampleWant holds what some examples must print on stdout, beyond exiting 0.
var exampleWant = map[string]string{
	`if jwtkit verify -q --key signing.pub --leeway 30s "$TOKEN"; then echo ok; fi`:                               "^ok\n$",
	`curl -s -u "ci:$CI_SECRET" -d grant_type=client_credentials -d scope=read:users http://127.0.0.1:8080/token`: `"access_token":"eyJ`,
	`curl -s -H 'Content-Type: application/json' -d '{"sub":"alice","admin":true}' http://127.0.0.1:8080/mint`:    `^eyJ`,
}

// example is one documented command line or script, and where it comes from.
type example struct {
	from   string // "jwtkit verify" or "README.md:120"
	script string
}

func helpExamples(t *testing.T) []example {
	t.Helper()
	root := cli.NewRoot(cli.SystemDeps(cli.BuildInfo{}))
	var out []example
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, line := range strings.Split(c.Example, "\n") {
			if cmd, ok := strings.CutPrefix(strings.TrimSpace(line), "$ "); ok {
				out = append(out, example{from: c.CommandPath(), script: cmd})
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

// TestHelpExamples runs every `$ jwtkit …` line of every command's Example.
func TestHelpExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the help examples; slow")
	}
	requireTools(t, "bash", "jq", "curl")
	examples := helpExamples(t)
	used := map[string]bool{}
	fx := newFixtures(t)
	var servers, clients, plain []example
	for _, ex := range examples {
		if reason, ok := exampleSkips[ex.script]; ok {
			used[ex.script] = true
			t.Logf("not run: %s: %s (%s)", ex.from, ex.script, reason)
			continue
		}
		if placeholderHost.MatchString(ex.script) {
			t.Logf("not run: %s: %s (a placeholder .example host)", ex.from, ex.script)
			continue
		}
		switch {
		case strings.HasPrefix(ex.script, "jwtkit serve "):
			servers = append(servers, ex)
		case strings.Contains(ex.script, "http://127.0.0.1:") || strings.Contains(ex.script, "http://localhost:"):
			clients = append(clients, ex)
		default:
			plain = append(plain, ex)
		}
	}
	for skip := range exampleSkips {
		if !used[skip] {
			t.Errorf("exampleSkips lists %q, which is no longer an example; remove it", skip)
		}
	}
	for want := range exampleWant {
		if !slices.ContainsFunc(examples, func(ex example) bool { return ex.script == want }) {
			t.Errorf("exampleWant lists %q, which is no longer an example; update it", want)
		}
	}
	for _, ex := range plain {
		t.Run(ex.from+": "+ex.script, func(t *testing.T) {
			out := fx.run(t, ex.script)
			checkWant(t, ex.script, out)
		})
	}
	ran := map[string]bool{}
	for _, srv := range servers {
		t.Run(srv.from+": "+srv.script, func(t *testing.T) {
			url, stop := fx.startServer(t, srv.script)
			defer stop()
			hostPort := strings.TrimPrefix(url, "http://")
			for _, cl := range clients {
				if ran[cl.script] || !strings.Contains(cl.script, "http://"+hostPort+"/") {
					continue
				}
				ran[cl.script] = true
				t.Run(cl.script, func(t *testing.T) {
					checkWant(t, cl.script, fx.run(t, cl.script))
				})
			}
		})
	}
	for _, cl := range clients {
		if !ran[cl.script] {
			t.Errorf("%s: %s: no serve example listens where it calls; add one or list it in exampleSkips", cl.from, cl.script)
		}
	}
}

func checkWant(t *testing.T, script, stdout string) {
	t.Helper()
	if want, ok := exampleWant[script]; ok && !regexp.MustCompile(want).MatchString(stdout) {
		t.Errorf("stdout does not match %q:\n%s", want, stdout)
	}
}

// readmeWant are lines the README's blocks must print on stdout, in this order: what the
// README says they print.
var readmeWant = []string{
	`(?m)^alice$`,                 // verify … | jq -r .sub in the quick start
	`(?m)^exit code 1$`,           // the wrong-audience verify
	`(?m)^valid$`,                 // verify -q in an if
	`(?m)^valid against the set$`, // the JWK Set file
	`(?m)^\{"line":3,"valid":true,"sub":"cid"\}$`,
	`(?m)^> grant_type=client_credentials`, // fetch --verbose, through grep
	`(?m)^/jwks.json$|/jwks.json$`,         // the discovery document's jwks_uri
	`(?m)^authorization_pending$`,          // the device flow's poll before the approval
	`(?m)^approved$`,
	`(?m)^hello alice, on tv$`, // the user's templated claim in the device flow's ID token
	`(?m)^\{"tenant":"svc-eu","via":"urn:ietf:params:oauth:grant-type:jwt-bearer","session_end":\d+\}$`,
	`(?m)^invalid_grant$`, // the replayed jwt-bearer assertion
	`(?m)^1: true $`,      // the CI recipe's stream
}

// TestReadmeExamples runs the README as a reader would: every ```sh block, in order, in one
// bash shell (set -eE -o pipefail, so a failing command stops it and says on which README line
// it failed), in an empty directory, with a private HOME, NO_COLOR, and nothing prepared but
// jwtkit on PATH. A block right after a line `<!-- not run: REASON -->` is left out.
func TestReadmeExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the README's examples; slow")
	}
	requireTools(t, "bash", "jq", "curl")
	blocks, err := readmeBlocks(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	script, lineOf := readmeScript(blocks)
	if len(lineOf) == 0 {
		t.Fatal("README.md has no ```sh blocks to run")
	}
	dir := t.TempDir()
	home := filepath.Join(t.TempDir(), "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"NO_COLOR=1",
		"LANG=C.UTF-8",
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // a server a block left running
	}
	if err != nil {
		where := "README.md"
		if m := regexp.MustCompile(`readme-failed-at-line (\d+)`).FindStringSubmatch(stderr.String()); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n > 0 && n <= len(lineOf) && lineOf[n-1] > 0 {
				where = fmt.Sprintf("README.md:%d", lineOf[n-1])
			}
		}
		t.Fatalf("%s: the README's blocks, run in order in one shell, fail: %v\nstdout:\n%s\nstderr:\n%s", where, err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	rest := out
	for _, want := range readmeWant {
		loc := regexp.MustCompile(want).FindStringIndex(rest)
		if loc == nil {
			t.Errorf("stdout lacks %q after the earlier expected lines:\n%s", want, out)
			continue
		}
		rest = rest[loc[1]:]
	}
	if strings.Contains(stderr.String(), "panic:") {
		t.Errorf("a command panicked:\n%s", stderr.String())
	}
}

// readmeScript joins the blocks to run into one bash script and returns, for each of its lines,
// the README line it comes from (0 for the lines the script adds).
func readmeScript(blocks []readmeBlock) (script string, lineOf []int) {
	var b strings.Builder
	add := func(line string, from int) {
		b.WriteString(line)
		b.WriteByte('\n')
		lineOf = append(lineOf, from)
	}
	add(`set -eE -o pipefail`, 0)
	add(`trap 'echo "readme-failed-at-line $LINENO" >&2' ERR`, 0)
	for _, blk := range blocks {
		if blk.skip != "" {
			continue
		}
		for i, line := range strings.Split(blk.script, "\n") {
			add(line, blk.line+1+i)
		}
	}
	return b.String(), lineOf
}

type readmeBlock struct {
	example
	line int // the README line of the opening ```sh
	skip string
}

var notRun = regexp.MustCompile(`^<!--\s*not run:\s*(.+?)\s*-->$`)

// readmeBlocks returns the ```sh blocks of a Markdown file, with the reason to skip each, if any.
func readmeBlocks(path string) ([]readmeBlock, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []readmeBlock
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```sh" {
			continue
		}
		b := readmeBlock{example: example{from: fmt.Sprintf("README.md:%d", i+1)}, line: i + 1}
		if i > 0 {
			if m := notRun.FindStringSubmatch(strings.TrimSpace(lines[i-1])); m != nil {
				b.skip = m[1]
			}
		}
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, lines[i])
		}
		if i == len(lines) {
			return nil, fmt.Errorf("%s: unterminated code block", b.from)
		}
		b.script = strings.Join(body, "\n")
		out = append(out, b)
	}
	return out, nil
}

func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed to run the documented examples", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	if _, err := exec.LookPath("jwtkit"); err != nil {
		t.Fatalf("jwtkit is not on PATH: %v", err)
	}
}

// fixtures is a directory of files the examples name, made once per test.
type fixtures struct {
	dir   string
	bin   string // holds the fake xclip
	env   map[string]string
	files []string
	// config is the user's config.toml, with a "staging" profile once the fixture issuer runs.
	config string
}

const fakeXclip = `#!/bin/sh
# A stand-in for xclip: the clipboard is the file $JWTKIT_TEST_CLIPBOARD.
case " $* " in
*" -o "* | *" -out "*) cat "$JWTKIT_TEST_CLIPBOARD" ;;
*) cat > "$JWTKIT_TEST_CLIPBOARD" ;;
esac
`

func newFixtures(t *testing.T) *fixtures {
	t.Helper()
	fx := &fixtures{dir: t.TempDir(), bin: t.TempDir(), env: map[string]string{
		"JWT_SECRET": "an-example-secret-of-more-than-32-bytes",
		"CI_SECRET":  "ci-client-secret-for-the-examples",
		// What fetch's first example exports.
		"JWTKIT_CLIENT_SECRET": "ci-client-secret-for-the-examples",
		// What the encryption examples use for PBES2.
		"JWE_PASSWORD": "an-example-password-for-pbes2",
	}}
	if err := os.WriteFile(filepath.Join(fx.bin, "xclip"), []byte(fakeXclip), 0o755); err != nil {
		t.Fatal(err)
	}
	// The files, made the way a user would, in the order they depend on each other.
	setup := `set -e
jwtkit keygen -q -o signing
jwtkit keygen -q --type ec --format jwk > ec.jwk
jwtkit keygen -q --type ed25519 --format jwk > key.jwk
jwtkit keygen -q --type ec -o old && rm old.key
jwtkit keygen -q --type ed25519 -o new && rm new.pub
jwtkit keygen -q --type ec --format jwk > rotated.jwk
jwtkit keygen -q --type ec -o a && rm a.pub
jwtkit keygen -q --type ed25519 -o b && rm b.pub
jwtkit keygen -q --type ec -o svc --jwk && rm svc.pub svc.jwk
jwtkit keygen -q --use enc -o enc
jwtkit jwks signing.pub > jwks.json
cp jwks.json keys.json
printf '%s' "$CI_SECRET" > ci.secret
head -c 24 /dev/urandom | base64 > secret.txt
for sub in alice bob carol; do
  jwtkit mint --key signing.key --sub "$sub" --aud api://orders
done > tokens.txt
`
	fx.runIn(t, fx.dir, setup)
	rs := fx.runIn(t, fx.dir, `jwtkit mint --key signing.key --sub alice --aud api://orders --scope read:orders -c 'roles=["admin"]' -c org.id=42`)
	hs := fx.runIn(t, fx.dir, `jwtkit mint --secret env:JWT_SECRET --sub alice --scope read:users`)
	fx.env["TOKEN"] = strings.TrimSpace(rs)
	fx.env["HS_TOKEN"] = strings.TrimSpace(hs)
	// $JWE is $TOKEN's kind of token, nested in a JWE encrypted to enc.pub.
	fx.env["JWE"] = strings.TrimSpace(fx.runIn(t, fx.dir, `jwtkit mint --key signing.key --sub alice --aud api://orders --encrypt-to enc.pub`))
	// A local issuer stands in for the provider of the "staging" profile the examples use.
	url, stop := fx.startServer(t, `jwtkit serve -q --port 0 --client ci:env:CI_SECRET`)
	t.Cleanup(stop)
	fx.config = fmt.Sprintf("default-profile = \"staging\"\n\n[profile.staging]\nissuer = %q\nclient-id = \"ci\"\nclient-secret = \"env:CI_SECRET\"\n", url)
	entries, err := os.ReadDir(fx.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		fx.files = append(fx.files, e.Name())
	}
	return fx
}

// shellComment matches a comment at the end of a line (after a space, outside of words).
var shellComment = regexp.MustCompile(`(?m)(^|\s)#.*$`)

// workDir makes a fresh directory with the fixture files the script names, so that an example
// writing `-o signing` does not meet a signing.key made for another one.
func (fx *fixtures) workDir(t *testing.T, script string) string {
	t.Helper()
	dir := t.TempDir()
	code := shellComment.ReplaceAllString(script, "")
	for _, name := range fx.files {
		if !regexp.MustCompile(`(^|[\s=@:'"/(])` + regexp.QuoteMeta(name) + `($|[\s'")|;&>])`).MatchString(code) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(fx.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(filepath.Join(fx.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// environ is the examples' environment: the test's PATH (where testscript put jwtkit) after the
// fake xclip, a private HOME, no JWTKIT_* or display variables from outside, and the fixtures'.
func (fx *fixtures) environ(dir, script string) []string {
	env := []string{
		"PATH=" + fx.bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + filepath.Join(dir, ".home"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, ".home", ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(dir, ".home", ".cache"),
		"NO_COLOR=1",
		"LANG=C.UTF-8",
		"JWTKIT_TEST_CLIPBOARD=" + filepath.Join(dir, ".clipboard"),
	}
	for k, v := range fx.env {
		env = append(env, k+"="+v)
	}
	// $TOKEN is signed with signing.key; an example that verifies with the secret gets one
	// signed with $JWT_SECRET instead.
	if strings.Contains(script, "--secret") && strings.Contains(script, "verify") {
		env = append(env, "TOKEN="+fx.env["HS_TOKEN"])
	}
	return env
}

// makeHome makes the private HOME of a run in dir, with the config file when there is one.
func (fx *fixtures) makeHome(t *testing.T, dir string) {
	t.Helper()
	conf := filepath.Join(dir, ".home", ".config", "jwtkit")
	if err := os.MkdirAll(conf, 0o700); err != nil {
		t.Fatal(err)
	}
	if fx.config != "" {
		if err := os.WriteFile(filepath.Join(conf, "config.toml"), []byte(fx.config), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// run runs script in a fresh directory and returns its stdout; it fails the test unless the
// script exits 0.
func (fx *fixtures) run(t *testing.T, script string) string {
	t.Helper()
	return fx.runIn(t, fx.workDir(t, script), script)
}

func (fx *fixtures) runIn(t *testing.T, dir, script string) string {
	t.Helper()
	fx.makeHome(t, dir)
	// The clipboard holds $TOKEN, for the examples that paste.
	if err := os.WriteFile(filepath.Join(dir, ".clipboard"), []byte(fx.env["TOKEN"]), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = fx.environ(dir, script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// A script may leave a background job (a server it started) holding the output open.
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if err != nil {
		t.Fatalf("%v\nscript:\n%s\nstdout:\n%s\nstderr:\n%s", err, script, stdout.String(), stderr.String())
	}
	return stdout.String()
}

var issuerURL = regexp.MustCompile(`http://[^\s/]+`)

// startServer runs a `jwtkit serve …` example in the background (without its trailing "&" and
// comment) and waits for the issuer URL it prints, on stdout or in the file stdout is sent to.
// stop ends it with SIGTERM and checks that it shut down cleanly.
func (fx *fixtures) startServer(t *testing.T, script string) (url string, stop func()) {
	t.Helper()
	line := script
	if i := strings.Index(line, " #"); i >= 0 {
		line = line[:i]
	}
	line = strings.TrimSuffix(strings.TrimSpace(line), "&")
	dir := fx.workDir(t, script)
	fx.makeHome(t, dir)
	cmd := exec.Command("bash", "-c", "exec "+line)
	cmd.Dir = dir
	cmd.Env = fx.environ(dir, script)
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(30 * time.Second)
	for url == "" {
		select {
		case err := <-exited:
			if strings.Contains(stderr.String(), "address already in use") {
				t.Skipf("the example's port is taken on this machine: %s", stderr.String())
			}
			t.Fatalf("serve exited before it was ready (%v):\n%s", err, stderr.String())
		case <-deadline:
			_ = cmd.Process.Kill()
			t.Fatalf("serve printed no URL within 30s:\n%s", stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		text := stdout.String()
		if b, err := os.ReadFile(filepath.Join(dir, "issuer.url")); err == nil {
			text += string(b)
		}
		if first, _, ok := strings.Cut(text, "\n"); ok {
			url = issuerURL.FindString(first)
			if url == "" {
				_ = cmd.Process.Kill()
				t.Fatalf("serve's first line is not its URL: %q", first)
			}
		}
	}
	return url, func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("serve did not stop cleanly on SIGTERM: %v\n%s", err, stderr.String())
			}
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("serve did not stop within 20s of SIGTERM")
		}
	}
}

// syncBuffer is a bytes.Buffer that a process writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

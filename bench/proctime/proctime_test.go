package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		name, in string
		want     []command
		err      string
	}{
		{"two commands", "# comment\nfloor: hello\t/bin/true\n\nverify ES256\tjwtkit verify --key k.pub TOKEN\n",
			[]command{{"floor: hello", []string{"/bin/true"}}, {"verify ES256", []string{"jwtkit", "verify", "--key", "k.pub", "TOKEN"}}}, ""},
		{"crlf", "a\tx y\r\n", []command{{"a", []string{"x", "y"}}}, ""},
		{"no tab", "a x y\n", nil, "line 1"},
		{"no program", "a\t  \n", nil, "line 1"},
		{"duplicate", "a\tx\na\ty\n", nil, "duplicate"},
		{"empty", "# nothing\n", nil, "no command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSpec(strings.NewReader(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d commands, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i].Name != tt.want[i].Name || strings.Join(got[i].Argv, "|") != strings.Join(tt.want[i].Argv, "|") {
					t.Errorf("command %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		in := append([]float64(nil), tt.in...)
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
		for i := range in {
			if in[i] != tt.in[i] {
				t.Errorf("median reordered its input: %v", tt.in)
			}
		}
	}
}

// results builds a result file with the given run times in milliseconds.
func results(cmds map[string][]float64, order ...string) resultFile {
	var f resultFile
	for _, name := range order {
		r := result{Command: name, User: 0.001, System: 0.0005}
		for _, ms := range cmds[name] {
			r.Times = append(r.Times, ms/1e3)
		}
		f.Results = append(f.Results, r)
	}
	return f
}

func TestPoolMergesRoundsByName(t *testing.T) {
	a := results(map[string][]float64{"floor: deps": {1, 1}, "decode": {2}}, "floor: deps", "decode")
	b := results(map[string][]float64{"decode": {1, 1}, "floor: deps": {3}}, "decode", "floor: deps")
	ps := pool([]resultFile{a, b})
	if len(ps) != 2 || ps[0].name != "floor: deps" || ps[1].name != "decode" {
		t.Fatalf("pool order = %v, want first appearance", ps)
	}
	if got := ps[0].medianS; got != 0.001 {
		t.Errorf("floor median = %v, want 0.001 (runs 1, 1, 3 ms)", got)
	}
	if got := len(ps[1].times); got != 3 {
		t.Errorf("decode has %d runs, want 3", got)
	}
	if got := ps[1].cpuMean; got < 0.00149 || got > 0.00151 {
		t.Errorf("decode CPU = %v, want 1.5 ms", got)
	}
}

func TestReportTargetsAndGate(t *testing.T) {
	ms := map[string][]float64{
		"floor: hello-world": {1},
		"floor: deps":        {2},
		"decode":             {2.2},
		"mint HS256":         {5},
		"verify ES256":       {3},
		"jose verify ES256":  {4},
		"verify jwks cache":  {4.5},
	}
	ps := pool([]resultFile{results(ms, "floor: hello-world", "floor: deps", "decode", "mint HS256", "verify ES256", "jose verify ES256", "verify jwks cache")})
	o := reportOptions{floor: "floor: deps", hello: "floor: hello-world",
		targets: map[string]float64{"decode": 1.15, "mint HS256": 1.15},
		faster:  [][2]string{{"verify ES256", "jose verify ES256"}, {"verify ES256", "not installed"}},
		within:  []withinRule{{"verify jwks cache", "verify ES256", 1}},
		gate:    2}
	text, failures, err := report(ps, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| decode | 2.20 | 1.10 | 2.20 | 1.50 | 1 | ≤ 1.15× floor: met |",
		"| mint HS256 | 5.00 | 2.50 | 5.00 | 1.50 | 1 | ≤ 1.15× floor: **missed** |",
		"- verify ES256: 3.00 ms, 0.75× jose verify ES256 (4.00 ms); target faster: met",
		"- verify jwks cache: +1.50 ms over verify ES256; target ≤ +1.00 ms: **missed**",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "not installed") {
		t.Errorf("a comparison with an unmeasured command was printed:\n%s", text)
	}
	if len(failures) != 1 || !strings.Contains(failures[0], "mint HS256 takes 2.50×") {
		t.Errorf("failures = %q, want mint HS256 over the 2× gate", failures)
	}

	o.gate = 0
	if _, failures, _ := report(ps, o); len(failures) != 0 {
		t.Errorf("without a gate, failures = %q", failures)
	}
	o.floor = "missing"
	if _, _, err := report(ps, o); err == nil {
		t.Error("a missing floor was accepted")
	}
}

func TestReportCommandExitCodes(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "r.json")
	data, _ := json.Marshal(results(map[string][]float64{"floor: deps": {1}, "decode": {3}}, "floor: deps", "decode"))
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"report", "-target", "decode=1.15", file}, 0},
		{[]string{"report", "-target", "decode=1.15", "-gate", "2", file}, 1},
		{[]string{"report", "-target", "decode=1.15", "-gate", "4", file}, 0},
		{[]string{"report", "-target", "nothing=1.15", file}, 2},
		{[]string{"report", "-target", "decode", file}, 2},
		{[]string{"report", "-within", "a|b", file}, 2},
		{[]string{"report"}, 2},
		{[]string{"bogus"}, 2},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if code := run(tt.args, &out, &errOut); code != tt.code {
			t.Errorf("proctime %q: exit %d, want %d (stderr %s)", tt.args, code, tt.code, errOut.String())
		}
	}
}

func TestTimeAndRun(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec")
	if err := os.WriteFile(spec, []byte("ok\t"+os.Args[0]+" -test.run=^$\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.json")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"time", "-spec", spec, "-runs", "3", "-warmup", "1", "-json", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("time: exit %d: %s", code, stderr.String())
	}
	var f resultFile
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Results) != 1 || len(f.Results[0].Times) != 3 || f.Results[0].Median <= 0 {
		t.Fatalf("results = %+v, want 3 timed runs of ok", f.Results)
	}

	stdout.Reset()
	if code := run([]string{"run", "--", os.Args[0], "-test.run=^$"}, &stdout, &stderr); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "seconds=") || !strings.Contains(stdout.String(), "maxrss_kib=") {
		t.Errorf("run printed %q", stdout.String())
	}
	stderr.Reset()
	if code := run([]string{"run", "--", os.Args[0], "-test.run=^$", "-test.bogusflag"}, &stdout, &stderr); code == 0 {
		t.Error("a failing command was reported as a success")
	}
}

func TestSymbolPackage(t *testing.T) {
	tests := []struct{ sym, pkg, module string }{
		{"github.com/go-jose/go-jose/v4.(*JSONWebKey).UnmarshalJSON", "github.com/go-jose/go-jose/v4", "github.com/go-jose/go-jose"},
		{"crypto/tls.(*Conn).Read", "crypto/tls", "(standard library)"},
		{"runtime.mallocgc", "runtime", "(standard library)"},
		{"vendor/golang.org/x/net/idna.idnaValues", "vendor/golang.org/x/net/idna", "(standard library)"},
		{"sync.(*HashTrieMap[go.shape.interface {},github.com/a/b.T]).Load", "sync", "(standard library)"},
		{"slices.Sort[go.shape.[]github.com/x/y.T]", "slices", "(standard library)"},
		{"type:*github.com/x/y.T", "(type descriptors)", "(type descriptors)"},
		{"go:func.*", "(go:func)", "(go:func)"},
		{"main.main", "main", "(standard library)"},
		{"_rt0_amd64", "(other)", "(other)"},
	}
	for _, tt := range tests {
		pkg := symbolPackage(tt.sym)
		if pkg != tt.pkg {
			t.Errorf("symbolPackage(%q) = %q, want %q", tt.sym, pkg, tt.pkg)
		}
		if m := modulePath(pkg); m != tt.module {
			t.Errorf("modulePath(%q) = %q, want %q", pkg, m, tt.module)
		}
	}
}

func TestSizeOfABinary(t *testing.T) {
	// Test binaries are stripped, so build an unstripped one.
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "hello")
	build := exec.Command("go", "build", "-o", bin, src)
	build.Env = append(os.Environ(), "GO111MODULE=off", "CGO_ENABLED=0")
	if msg, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, msg)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"size", "-top", "3", bin}, &out, &errOut); code != 0 {
		t.Fatalf("size: exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"| .text |", "| (standard library) |", "| runtime |", "| all symbols |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("size output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestMetadataHandler(t *testing.T) {
	h := metadataHandler("http://127.0.0.1:1", []byte(`{"keys":[]}`))
	tests := []struct {
		path, want string
		code       int
	}{
		{"/jwks.json", `{"keys":[]}`, 200},
		{"/.well-known/openid-configuration", `{"issuer":"http://127.0.0.1:1","jwks_uri":"http://127.0.0.1:1/jwks.json"}`, 200},
		{"/token", "", 404},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		if rec.Code != tt.code {
			t.Errorf("GET %s: %d, want %d", tt.path, rec.Code, tt.code)
			continue
		}
		if tt.code == 200 {
			if got := rec.Body.String(); got != tt.want {
				t.Errorf("GET %s = %s, want %s", tt.path, got, tt.want)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "max-age=3600" {
				t.Errorf("GET %s: Cache-Control %q, want max-age=3600", tt.path, cc)
			}
		}
	}
}

// TestPageCost measures on the test binary itself: both costs are positive, and the file side
// read the pages it says (one per 17 of the file's).
func TestPageCost(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("pagecost runs on Linux only")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"pagecost", "-pages", "64", exe}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var anon, file float64
	var anonPages, filePages int
	if _, err := fmt.Sscanf(out.String(), "anon_us=%g file_us=%g anon_pages=%d file_faults=%d", &anon, &file, &anonPages, &filePages); err != nil {
		t.Fatalf("%q: %v", out.String(), err)
	}
	st, err := os.Stat(exe)
	if err != nil {
		t.Fatal(err)
	}
	if anon <= 0 || file <= 0 || anonPages != 64 || filePages != int((st.Size()+17*4096-4096)/(17*4096)) {
		t.Errorf("pagecost = %q for a %d-byte file", out.String(), st.Size())
	}
	if code := run([]string{"pagecost", "-pages", "1", "/dev/null"}, &out, &errOut); code != 2 {
		t.Errorf("pagecost of an empty file: exit %d, want 2", code)
	}
}

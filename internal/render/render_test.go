package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/iostreams"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func sampleReport() Report {
	return Report{
		Header:  []byte(`{"alg":"ES256","typ":"JWT","kid":"k1"}`),
		Payload: []byte(`{"sub":"alice","aud":["api","web"],"scopes":{"users":{"actions":["read","create"]}},"iat":1795600800,"exp":1795604400,"admin":true,"org":null,"n":1.5e3,"empty":{},"list":[],"html":"<b>&</b>"}`),
		PayloadNotes: map[string]string{
			"iat": "2026-11-25T10:00:00Z (just now)",
			"exp": "2026-11-25T11:00:00Z (in 1h)",
		},
		Scopes:      []string{"read:users", "create:users"},
		ScopeShapes: []string{"structured"},
		Signature:   "ES256, 64 bytes (not verified)",
		Findings: []Finding{
			{Severity: "danger", Message: "expired 3h ago"},
			{Severity: "warning", Message: "no exp claim: the token never expires"},
			{Severity: "info", Message: "decode does not check the signature; use jwtkit verify"},
		},
	}
}

func TestDecodeReportGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		color bool
	}{{"report_plain.golden", false}, {"report_color.golden", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := DecodeReport(&buf, iostreams.PaletteFor(tc.color), sampleReport()); err != nil {
				t.Fatal(err)
			}
			if tc.color != bytes.Contains(buf.Bytes(), []byte("\x1b[")) {
				t.Errorf("colour=%v but escape codes present=%v", tc.color, !tc.color)
			}
			golden(t, tc.name, buf.Bytes())
		})
	}
}

func TestDecodeReportEncrypted(t *testing.T) {
	var buf bytes.Buffer
	r := Report{Encrypted: true, Header: []byte(`{"alg":"RSA-OAEP","enc":"A256GCM"}`),
		Findings: []Finding{{Severity: "info", Message: "encrypted"}}}
	if err := DecodeReport(&buf, iostreams.PaletteFor(false), r); err != nil {
		t.Fatal(err)
	}
	golden(t, "report_jwe.golden", buf.Bytes())
}

func TestJSONKeepsOrderAndValues(t *testing.T) {
	in := `{"z":1,"a":{"y":[1,"two",false,null,{"k":"v"}],"b":{}},"m":"\u00e9\"\n"}`
	var buf bytes.Buffer
	if err := JSON(&buf, []byte(in), iostreams.PaletteFor(false), map[string]string{"z": "note"}); err != nil {
		t.Fatal(err)
	}
	want := `{
  "z": 1,  // note
  "a": {
    "y": [
      1,
      "two",
      false,
      null,
      {
        "k": "v"
      }
    ],
    "b": {}
  },
  "m": "é\"\n"
}
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestJSONNoteOnLastMember(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, []byte(`{"a":1,"exp":2}`), iostreams.PaletteFor(false), map[string]string{"exp": "soon"}); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"a\": 1,\n  \"exp\": 2  // soon\n}\n"
	if buf.String() != want {
		t.Errorf("got %q want %q", buf.String(), want)
	}
}

func TestJSONRejectsBrokenInput(t *testing.T) {
	for _, in := range []string{`{"a":`, `{"a" 1}`, `[1,`, ``} {
		var buf bytes.Buffer
		if err := JSON(&buf, []byte(in), iostreams.PaletteFor(false), nil); err == nil {
			t.Errorf("JSON(%q) succeeded; want an error", in)
		}
	}
}

func TestJSONEscapesWhatATerminalActsOn(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"DEL in a member name", "{\"e\x7f\":1}", `"e\u007f": 1`},
		{"C1 CSI in a value", "{\"a\":\"x\u009b31m\"}", `"x\u009b31m"`},
		{"bidi override", "{\"a\":\"\u202eevil\"}", `"\u202eevil"`},
		{"bidi isolate", "{\"a\":\"\u2066x\u2069\"}", `"\u2066x\u2069"`},
		{"C0 control", "{\"a\":\"\\u001b[2J\"}", `"\u001b[2J"`},
		{"plain text stays", `{"a":"héllo <b>"}`, `"héllo <b>"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := JSON(&b, []byte(tc.in), iostreams.PaletteFor(false), nil); err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b.Bytes(), []byte(tc.want)) {
				t.Errorf("got %q, want it to hold %q", b.String(), tc.want)
			}
		})
	}
}

func TestDecodeReportEscapesTokenTextOutsideJSON(t *testing.T) {
	r := sampleReport()
	r.Title = "token 2 \x1b[2J"
	r.Scopes = []string{"read\u202e:users"}
	r.Signature = "bad \x7f"
	r.Findings = []Finding{{Severity: "warning", Message: "header has crit [\"a\x7fb\u009b\"] \xff"}}
	var buf bytes.Buffer
	if err := DecodeReport(&buf, iostreams.PaletteFor(false), r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"\x1b", "\u202e", "\x7f", "\u009b", "\xff"} {
		if strings.Contains(out, bad) {
			t.Errorf("the report holds %q:\n%s", bad, out)
		}
	}
	for _, want := range []string{`token 2 \u001b[2J`, `read\u202e:users`, `bad \u007f`, `["a\u007fb\u009b"] \xff`} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}

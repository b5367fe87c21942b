package hardening

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/jwtkit/jwtkit/internal/token"
)

// addCorpusTokens adds the token of every attack case (testdata/attacks) to a fuzz corpus.
func addCorpusTokens(f *testing.F, add func(tok string)) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "attacks", "*.txtar"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range txtar.Parse(data).Files {
			var spec struct{ Token string }
			if file.Name == "case.json" && json.Unmarshal(file.Data, &spec) == nil {
				add(spec.Token)
			}
		}
	}
}

// FuzzDecodeCommand runs `jwtkit decode` on arbitrary input, in its JSON form and as the
// --pretty report. It must not panic; it exits 0 with one JSON object whose header and payload
// are the token's, or 2 with one short error line and nothing on stdout; the report must agree
// on the exit code and hold no control character the token put there.
func FuzzDecodeCommand(f *testing.F) {
	addCorpusTokens(f, func(tok string) { f.Add(tok) })
	f.Add(goodToken())
	for _, raw := range []string{"123", "null", "-"} {
		// Unencoded (RFC 7797) payloads that JSON would read as a number or null, and one it refuses.
		f.Add(b64([]byte(`{"alg":"HS256","b64":false,"crit":["b64"]}`)) + "." + raw + "." + b64([]byte("sig")))
	}
	w := &world{env: map[string]string{}, dir: f.TempDir(), fast: true}
	f.Fuzz(func(t *testing.T, tok string) {
		w.t = t
		r := w.run(nil, "decode", "--", tok)
		switch r.code {
		case 0:
			var doc struct {
				Header   json.RawMessage `json:"header"`
				Payload  json.RawMessage `json:"payload"`
				Findings []struct{ Code string }
			}
			dec := json.NewDecoder(strings.NewReader(r.stdout))
			if err := dec.Decode(&doc); err != nil || dec.More() || len(doc.Header) == 0 {
				t.Fatalf("exit 0 but stdout is not one decode object: %.300q", r.stdout)
			}
			p, err := token.Parse(token.Clean(tok), 0)
			if err != nil {
				t.Fatalf("decode accepted what token.Parse refuses: %v", err)
			}
			if p.Unencoded {
				// RFC 7797's raw payload is shown as a JSON string, with the b64_false finding.
				var raw string
				if json.Unmarshal(doc.Payload, &raw) != nil || raw != string(p.PayloadJSON) {
					t.Fatalf("decode shows the unencoded payload %q as %.300s", p.PayloadJSON, doc.Payload)
				}
				if !slices.ContainsFunc(doc.Findings, func(f struct{ Code string }) bool { return f.Code == "b64_false" }) {
					t.Fatalf("decode shows an unencoded payload without the b64_false finding")
				}
			}
			if !sameJSON(doc.Header, p.HeaderJSON) || !p.Encrypted && !p.Unencoded && !sameJSON(doc.Payload, p.PayloadJSON) {
				t.Fatalf("decode shows a header or payload that is not the token's")
			}
		case 1, 2:
			// 2: not a JWT at all; 1: a JWT that must not be trusted (repeated members, unsafe
			// JSON, an odd alg), which decode refuses to show as if it were one token.
			if r.stdout != "" || !oneLine(r.stderr) || controlIn(r.stderr) != "" || len(r.stderr) > 2048 {
				t.Fatalf("exit %d with stdout %.100q, stderr %.300q; want one short error line", r.code, r.stdout, r.stderr)
			}
		default:
			t.Fatalf("exit %d: %.300q", r.code, r.stderr)
		}
		pretty := w.run(nil, "decode", "--pretty", "--", tok)
		if pretty.code != r.code {
			t.Fatalf("--pretty exits %d, the JSON form %d", pretty.code, r.code)
		}
		if msg := controlIn(pretty.stdout + pretty.stderr); msg != "" {
			t.Fatalf("the report %s: %.300q", msg, pretty.stdout)
		}
	})
}

// controlIn says which control character s holds besides newline and tab, or "".
func controlIn(s string) string {
	for _, r := range s {
		if r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0) {
			return fmt.Sprintf("holds the control character U+%04X", r)
		}
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	return ""
}

// sameJSON reports whether two JSON texts are equal once compacted.
func sameJSON(a, b []byte) bool {
	var x, y bytes.Buffer
	if json.Compact(&x, a) != nil || json.Compact(&y, b) != nil {
		return false
	}
	if bytes.Equal(x.Bytes(), y.Bytes()) {
		return true
	}
	// jwtkit writes DEL, C1 and bidi characters as \uXXXX escapes: the same JSON value.
	decode := func(data []byte) (any, bool) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		return v, dec.Decode(&v) == nil
	}
	va, okA := decode(a)
	vb, okB := decode(b)
	return okA && okB && reflect.DeepEqual(va, vb)
}

// genuinePayloads returns the payloads of the lines of input that are correctly MACed HS256
// tokens under testSecret, by the test's own check.
func genuinePayloads(input string) [][]byte {
	var out [][]byte
	for _, line := range strings.Split(input, "\n") {
		parts := strings.Split(token.Clean(line), ".")
		if len(parts) != 3 {
			continue
		}
		sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		if err != nil {
			continue
		}
		m := hmac.New(sha256.New, []byte(testSecret))
		m.Write([]byte(parts[0] + "." + parts[1]))
		if !hmac.Equal(m.Sum(nil), sig) {
			continue
		}
		if payload, err := base64.RawURLEncoding.DecodeString(parts[1]); err == nil {
			out = append(out, payload)
		}
	}
	return out
}

// FuzzVerifyCommand runs `jwtkit verify --secret` on arbitrary stdin (one token, or a stream of
// lines verified in parallel). It must not panic and exits 0, 1 or 2; every result it calls
// valid must carry the claims of a line that really is MACed with the secret (checked here with
// crypto/hmac), and stream results come one per line, in input order.
func FuzzVerifyCommand(f *testing.F) {
	good := goodToken()
	addCorpusTokens(f, func(tok string) {
		if !strings.ContainsAny(tok, "\r\n") {
			f.Add(tok + "\n" + good + "\n")
		}
	})
	f.Add(good)
	f.Add(good + "\n\n  Bearer " + good + "\r\n" + strings.Replace(good, "alice", "admin", 1) + "\n")
	f.Add(hs256(testSecret, `{"alg":"HS256","crit":["b64"],"b64":true}`, `{"sub":"x","exp":1795604400}`))
	w := &world{env: map[string]string{}, dir: f.TempDir(), fast: true}
	f.Fuzz(func(t *testing.T, input string) {
		w.t = t
		r := w.run(strings.NewReader(input), "verify", "--secret", testSecret, "-")
		if r.code < 0 || r.code > 2 {
			t.Fatalf("exit %d: %.300q", r.code, r.stderr)
		}
		genuine := genuinePayloads(input)
		isGenuine := func(claims []byte) bool {
			for _, g := range genuine {
				if sameJSON(claims, g) {
					return true
				}
			}
			return false
		}
		if r.stdout == "" {
			return
		}
		if !strings.HasPrefix(r.stdout, `{"line":`) {
			// One token: the claims, pretty-printed, only when valid.
			if r.code != 0 || !isGenuine([]byte(r.stdout)) {
				t.Fatalf("exit %d with claims %.300q, which no genuinely signed line carries", r.code, r.stdout)
			}
			return
		}
		last := 0
		for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
			var res struct {
				Line   int             `json:"line"`
				Valid  bool            `json:"valid"`
				Claims json.RawMessage `json:"claims"`
			}
			if err := json.Unmarshal([]byte(line), &res); err != nil {
				t.Fatalf("stream line %.200q is not JSON", line)
			}
			if res.Line <= last {
				t.Fatalf("stream results out of order: line %d after %d", res.Line, last)
			}
			last = res.Line
			if res.Valid && !isGenuine(res.Claims) {
				t.Fatalf("line %d is valid with claims %.300q, which no genuinely signed line carries", res.Line, res.Claims)
			}
		}
	})
}

// FuzzMintVerify mints tokens from arbitrary --sub, --claim and --scope values in every scope
// shape, and verifies them with the same secret, --sub and --require-scope: jwtkit must never
// mint a token it then refuses (unless the --claim overrides a claim verify checks), never
// fail a mint except as one usage error line, never mint from a value that is not valid UTF-8,
// and decode must read what mint wrote.
func FuzzMintVerify(f *testing.F) {
	for _, c := range []struct{ sub, claim, scope string }{
		{"alice", "role=admin", "read:users write:users"},
		{"", "org.id=42", "read:users,create:users"},
		{"bob", `tags+=x`, "admin"},
		{"é", `x="quoted"`, "a:b:c"},
		{"a b", `n=1e400`, ""},
		{"x", `exp="soon"`, "s"},
		{"adm\xffin", "x=\xfe", "read:\xff"},
		{"a\nb", "x\n=1", "a\x1b[2J:b"},
	} {
		for shape := range 3 {
			f.Add(c.sub, c.claim, c.scope, byte(shape))
		}
	}
	w := &world{env: map[string]string{}, dir: f.TempDir(), fast: true}
	f.Fuzz(func(t *testing.T, sub, claim, scope string, shape byte) {
		w.t = t
		format := []string{"space", "array", "structured"}[int(shape)%3]
		mint := []string{"mint", "--secret", testSecret, "--scope-format", format}
		if sub != "" {
			mint = append(mint, "--sub", sub)
		}
		if claim != "" {
			mint = append(mint, "--claim", claim)
		}
		if scope != "" {
			mint = append(mint, "--scope", scope)
		}
		m := w.run(nil, mint...)
		if m.code != 0 {
			if m.code != 2 || !oneLine(m.stderr) || controlIn(m.stderr) != "" || m.stdout != "" {
				t.Fatalf("mint: exit %d, stdout %.100q, stderr %.300q; want a token or one usage error line", m.code, m.stdout, m.stderr)
			}
			return
		}
		if !utf8.ValidString(sub) || !utf8.ValidString(claim) || !utf8.ValidString(scope) {
			// JSON cannot carry it: the token would hold U+FFFD instead of what was asked.
			t.Fatalf("mint accepted invalid UTF-8 in %q and wrote a token", mint[5:])
		}
		tok := strings.TrimSpace(m.stdout)
		if d := w.run(nil, "decode", tok); d.code != 0 {
			t.Fatalf("decode refuses a minted token: %s", d.stderr)
		}
		verify := []string{"verify", "--secret", testSecret}
		root := strings.TrimLeft(claim, " ")
		if i := strings.IndexAny(root, ".=+\\"); i >= 0 {
			root = root[:i]
		}
		overridden := map[string]bool{"exp": true, "nbf": true, "iat": true, "sub": true, "scope": true, "scopes": true, "scp": true}[root]
		if sub != "" && !overridden {
			verify = append(verify, "--sub", sub)
		}
		if scope != "" && !overridden {
			verify = append(verify, "--require-scope", scope)
		}
		v := w.run(nil, append(verify, tok)...)
		if v.code != 0 && !overridden {
			t.Fatalf("jwtkit refuses the token it minted with %q: exit %d: %s", mint[3:], v.code, v.stderr)
		}
	})
}

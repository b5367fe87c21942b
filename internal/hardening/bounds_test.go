package hardening

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Bounds every hostile input must stay within, in-process, on a loaded 2-core machine.
const (
	maxElapsed = 5 * time.Second
	maxAlloc   = 64 << 20
)

// TestTokenSizeCap checks the 256 KiB cap: applied before parsing by decode and verify, with a
// message that names --max-size, and liftable with --max-size.
func TestTokenSizeCap(t *testing.T) {
	w := newWorld(t)
	pad := strings.Repeat("a", 300<<10)
	big := hs256(testSecret, `{"alg":"HS256"}`, `{"sub":"alice","pad":"`+pad+`","exp":1795604400}`)
	atCap := hs256(testSecret, `{"alg":"HS256"}`, `{"sub":"alice","pad":"`+pad[:190<<10]+`","exp":1795604400}`)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"decode over the cap", []string{"decode", big}, 2, "the limit is 256 KiB (--max-size)"},
		{"verify over the cap", []string{"verify", "--secret", testSecret, big}, 2, "the limit is 256 KiB (--max-size)"},
		{"decode under the cap", []string{"decode", atCap}, 0, ""},
		{"verify under the cap", []string{"verify", "--secret", testSecret, atCap}, 0, ""},
		{"decode with --max-size raised", []string{"decode", "--max-size", "1048576", big}, 0, ""},
		{"verify with --max-size raised", []string{"verify", "--max-size", "1048576", "--secret", testSecret, big}, 0, ""},
		{"verify with --max-size lowered", []string{"verify", "--max-size", "100", "--secret", testSecret, goodToken()}, 2, "the limit is 100 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.run(nil, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, tc.code, tc.want)
			}
			if r.code != 0 && (!oneLine(r.stderr) || r.stdout != "") {
				t.Fatalf("not a clean one-line error: stdout %q, stderr %q", r.stdout, r.stderr)
			}
			t.Logf("%s: exit %d in %v, %s allocated", tc.name, r.code, r.elapsed.Round(time.Millisecond), mib(r.allocated))
		})
	}
}

// TestHostileTokens feeds tokens built to be expensive (just under the size cap) to decode and
// verify: each gets its verdict in bounded time and memory.
func TestHostileTokens(t *testing.T) {
	const room = 250 << 10 // under the 256 KiB cap once encoded? payloads are sized below
	hdr := `{"alg":"HS256"}`
	tok := func(payload string) string { return hs256(testSecret, hdr, payload) }
	claimsMany := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"exp":1795604400`)
		for i := range n {
			fmt.Fprintf(&b, `,"c%d":%d`, i, i)
		}
		b.WriteString("}")
		return b.String()
	}
	for _, tc := range []struct {
		name       string
		tok        string
		extra      []string // verify flags
		decodeCode int
		verifyCode int
		want       string // in the usage error, when there is one
	}{
		{"200,000 dots", strings.Repeat(".", 200000), nil, 2, 2, "segments"},
		{"one 250 KiB segment", strings.Repeat("A", room), nil, 2, 2, "1 segment"},
		{"arrays nested 90,000 deep", tok(`{"a":` + strings.Repeat("[", 90000) + strings.Repeat("]", 90000) + `}`), nil, 1, 1, "deeper than 64"},
		{"unclosed nesting", tok(strings.Repeat(`{"a":`, 36000)), nil, 1, 1, "deeper than 64"},
		{"exp of 180,000 digits", tok(`{"exp":` + strings.Repeat("9", 180000) + `}`), nil, 0, 1, ""},
		{"exp with a 180,000-digit fraction", tok(`{"exp":1795604400.` + strings.Repeat("9", 180000) + `}`), nil, 0, 0, ""},
		{"exp with a 180,000-digit exponent", tok(`{"exp":1e` + strings.Repeat("9", 180000) + `}`), nil, 0, 1, ""},
		{"a number of 180,000 digits in a claim", tok(`{"n":` + strings.Repeat("7", 180000) + `,"exp":1795604400}`), nil, 0, 0, ""},
		{"9,000 claims", tok(claimsMany(9000)), nil, 0, 0, ""},
		{"an array of 90,000 numbers", tok(`{"a":[` + strings.Repeat("1,", 90000) + `1],"exp":1795604400}`), nil, 0, 0, ""},
		{"90,000 scopes", tok(`{"scope":"` + strings.Repeat("s ", 90000) + `t","exp":1795604400}`), []string{"--require-scope", "t", "--any-scope", "u,t"}, 0, 0, ""},
		{"4,000 duplicate structured scopes", tok(`{"scopes":{` + structuredScopes(4000) + `},"exp":1795604400}`), nil, 1, 1, "twice"},
		{"6,000 structured scopes", tok(`{"scopes":{` + distinctScopes(6000) + `},"exp":1795604400}`), []string{"--require-scope", "read:r5999"}, 0, 0, ""},
		{"a string of 30,000 escapes", tok(`{"s":"` + strings.Repeat(`\u00e9`, 30000) + `","exp":1795604400}`), nil, 0, 0, ""},
		{"a header of 180,000 bytes", hs256(testSecret, `{"alg":"HS256","x":"`+strings.Repeat("h", 180000)+`"}`, `{"exp":1795604400}`), nil, 0, 0, ""},
		{"a signature of 135,000 bytes", strings.Join(strings.Split(goodToken(), ".")[:2], ".") + "." + strings.Repeat("A", 180000), nil, 0, 1, ""},
		{"a required claim path 1,000 deep", goodToken(), []string{"--require-claim", strings.Repeat("a.", 1000) + "b"}, 0, 2, "more than 64 parts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.tok) > 256<<10 {
				t.Fatalf("the case is %d bytes, over the cap it means to stay under", len(tc.tok))
			}
			w := newWorld(t)
			for _, run := range []struct {
				args []string
				code int
			}{
				{[]string{"decode", tc.tok}, tc.decodeCode},
				{append(append([]string{"verify", "--secret", testSecret}, tc.extra...), tc.tok), tc.verifyCode},
			} {
				r := w.run(nil, run.args...)
				t.Logf("%s: exit %d in %v, %s allocated: %.160s", run.args[0], r.code, r.elapsed.Round(time.Millisecond), mib(r.allocated), strings.TrimSpace(r.stderr))
				if r.code != run.code {
					t.Errorf("%s: exit %d, want %d (%.200s)", run.args[0], r.code, run.code, r.stderr)
				}
				if r.code != 0 && (!oneLine(r.stderr) || len(r.stderr) > 2048 || r.code != 0 && tc.want != "" && !strings.Contains(r.stderr, tc.want)) {
					t.Errorf("%s: error %.300q, want one short line (with %q for a usage error)", run.args[0], r.stderr, tc.want)
				}
				if r.elapsed > maxElapsed || r.allocated > maxAlloc {
					t.Errorf("%s took %v and %s; the bounds are %v and %s", run.args[0], r.elapsed, mib(r.allocated), maxElapsed, mib(maxAlloc))
				}
			}
		})
	}
}

// distinctScopes returns n members of a structured scopes object, resources r0 to r(n-1).
func distinctScopes(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"r%d":{"actions":["read"]}`, i)
	}
	return b.String()
}

// structuredScopes returns n members of a structured scopes object, all with the same name.
func structuredScopes(n int) string {
	return strings.TrimSuffix(strings.Repeat(`"users":{"actions":["read","write"]},`, n), ",")
}

// endlessLine is a reader of n bytes of 'a' with no newline, then rest.
type endlessLine struct {
	n    int64
	rest *strings.Reader
}

func (r *endlessLine) Read(p []byte) (int, error) {
	if r.n > 0 {
		k := int64(len(p))
		if k > r.n {
			k = r.n
		}
		for i := range p[:k] {
			p[i] = 'a'
		}
		r.n -= k
		return int(k), nil
	}
	return r.rest.Read(p)
}

// TestLongStdinLine sends a 10 MB line followed by a good token on stdin, as a stream: the long
// line is refused on its own with a clear error, the next token is still processed, and memory
// stays far below the line's size because the reader never holds the line.
func TestLongStdinLine(t *testing.T) {
	const lineSize = 10 << 20
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"decode", []string{"decode"}},
		{"verify", []string{"verify", "--secret", testSecret}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			in := &endlessLine{n: lineSize, rest: strings.NewReader("\n" + goodToken() + "\n")}
			r := w.run(in, tc.args...)
			t.Logf("%s: exit %d in %v, %s allocated for a %s line", tc.name, r.code, r.elapsed.Round(time.Millisecond), mib(r.allocated), mib(lineSize))
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if r.code == 0 || len(lines) != 1 && tc.name == "decode" || !strings.Contains(r.stdout, `"alice"`) {
				t.Errorf("exit %d, stdout %.300q: want the second token's result and a failing exit code", r.code, r.stdout)
			}
			if !strings.Contains(r.stdout+r.stderr, "line 1") || !strings.Contains(r.stdout+r.stderr, "limit") {
				t.Errorf("the long line is not reported as line 1 over the limit: stdout %.300q stderr %.300q", r.stdout, r.stderr)
			}
			if r.allocated > 4<<20 || r.elapsed > maxElapsed {
				t.Errorf("a %s line cost %s and %v; the reader must not hold it", mib(lineSize), mib(r.allocated), r.elapsed)
			}
		})
	}
}

// keysOf makes a JWK Set body of n entries, each the given JSON.
func keysOf(n int, entry string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"keys":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(entry)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// ecEntry is a valid public P-256 JWK (the RFC 7517 A.1 example key).
const ecEntry = `{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}`

// TestManyKeys gives verify JWK Sets of 100,000 keys, from a file and over HTTP: small entries
// that fit the size cap hit the key-count cap, real keys hit the size cap; each is a clear error
// in bounded time and memory (exit 2 for a file, 3 for a remote set).
func TestManyKeys(t *testing.T) {
	tiny := keysOf(100000, `{}`)
	real := keysOf(100000, ecEntry)
	var served atomic.Pointer[[]byte]
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.Write(*served.Load())
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name string
		body []byte
		file bool
		code int
		want string
	}{
		{"file of 100,000 empty keys", tiny, true, 2, "at most 1000"},
		{"file of 100,000 P-256 keys", real, true, 2, "more than 1048576 bytes"},
		{"file of 349,000 empty keys (1 MiB)", keysOf(349000, `{}`), true, 2, "at most 1000"},
		{"URL serving 349,000 empty keys (1 MiB)", keysOf(349000, `{}`), false, 3, "at most 1000"},
		{"URL serving 100,000 empty keys", tiny, false, 3, "at most 1000"},
		{"URL serving 100,000 P-256 keys", real, false, 3, "1 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			src := srv.URL + "/jwks.json"
			if tc.file {
				src = w.write("big.jwks", tc.body, 0o644)
			} else {
				served.Store(&tc.body)
			}
			r := w.run(nil, "verify", "--no-cache", "--jwks", src, goodToken())
			t.Logf("%s (%s): exit %d in %v, %s allocated: %s", tc.name, mib(uint64(len(tc.body))), r.code, r.elapsed.Round(time.Millisecond), mib(r.allocated), strings.TrimSpace(r.stderr))
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || !oneLine(r.stderr) || r.stdout != "" {
				t.Errorf("exit %d, stdout %.100q, stderr %.300q; want exit %d and one line with %q", r.code, r.stdout, r.stderr, tc.code, tc.want)
			}
			if r.elapsed > maxElapsed || r.allocated > maxAlloc {
				t.Errorf("took %v and %s; the bounds are %v and %s", r.elapsed, mib(r.allocated), maxElapsed, mib(maxAlloc))
			}
		})
	}
}

// TestEndlessAndSlowBodies points verify --jwks, verify --issuer and fetch at servers whose
// answer never ends, or drips one byte at a time: each stops at the size cap or the --timeout
// with a clear remote error (exit 3), in bounded time and memory.
func TestEndlessAndSlowBodies(t *testing.T) {
	endless := func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.Write([]byte(`{"keys":[`))
		chunk := bytes.Repeat([]byte(ecEntry+","), 64)
		for r.Context().Err() == nil {
			if _, err := rw.Write(chunk); err != nil {
				return
			}
		}
	}
	drip := func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusOK)
		for r.Context().Err() == nil {
			if _, err := rw.Write([]byte(" ")); err != nil {
				return
			}
			rw.(http.Flusher).Flush()
			select {
			case <-time.After(50 * time.Millisecond):
			case <-r.Context().Done():
			}
		}
	}
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		args    func(url string) []string
		want    string
		within  time.Duration
	}{
		{"jwks endless", endless, func(u string) []string {
			return []string{"verify", "--no-cache", "--jwks", u + "/jwks.json", goodToken()}
		}, "1 MiB", maxElapsed},
		{"jwks drip", drip, func(u string) []string {
			return []string{"verify", "--no-cache", "--timeout", "1s", "--jwks", u + "/jwks.json", goodToken()}
		}, "timed out", 3 * time.Second},
		{"discovery endless", endless, func(u string) []string { return []string{"verify", "--no-cache", "--issuer", u, goodToken()} }, "1 MiB", maxElapsed},
		{"token endpoint endless", endless, func(u string) []string {
			return []string{"fetch", "--no-cache", "--retries", "0", "--token-url", u + "/token", "--client-id", "c", "--client-secret", testSecret}
		}, "1 MiB", maxElapsed},
		{"token endpoint drip", drip, func(u string) []string {
			return []string{"fetch", "--no-cache", "--retries", "0", "--timeout", "1s", "--token-url", u + "/token", "--client-id", "c", "--client-secret", testSecret}
		}, "timed out", 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			w := newWorld(t)
			r := w.run(nil, tc.args(srv.URL)...)
			t.Logf("%s: exit %d in %v, %s allocated: %s", tc.name, r.code, r.elapsed.Round(time.Millisecond), mib(r.allocated), strings.TrimSpace(r.stderr))
			if r.code != 3 || !strings.Contains(r.stderr, tc.want) || !oneLine(r.stderr) || r.stdout != "" {
				t.Errorf("exit %d, stdout %.100q, stderr %.300q; want exit 3 and one line with %q", r.code, r.stdout, r.stderr, tc.want)
			}
			if r.elapsed > tc.within || r.allocated > maxAlloc {
				t.Errorf("took %v and %s; the bounds are %v and %s", r.elapsed, mib(r.allocated), tc.within, mib(maxAlloc))
			}
		})
	}
}

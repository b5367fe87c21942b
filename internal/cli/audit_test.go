package cli

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/issuer"
	"github.com/jwtkit/jwtkit/internal/keys"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// noneAccepter is an endpoint that accepts the genuine token and any token whose alg is some
// casing of none, as a verifier with the classic flaw does.
func noneAccepter(genuine string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
		var h struct{ Alg string }
		_ = json.Unmarshal(hdr, &h)
		if tok == genuine || strings.EqualFold(h.Alg, "none") {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
	})
}

// TestAuditTableGolden checks the terminal report against a verifier that accepts alg none:
// every none variant is ACCEPTED, the claim probes run under them, and the exit code is 1.
func TestAuditTableGolden(t *testing.T) {
	h := newHarness(t)
	tok := h.mint(t, "--sub", "alice", "--aud", "api", "--iss", "https://issuer.test")
	srv := httptest.NewServer(noneAccepter(tok))
	defer srv.Close()
	code := h.run("audit", "--url", srv.URL, "--rate", "0", tok)
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, h.stderr)
	}
	golden := filepath.Join("testdata", "audit_table.golden")
	got := strings.ReplaceAll(h.stdout.String(), srv.URL, "URL")
	if *updateGolden {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("report differs from %s (go test ./internal/cli -run TestAuditTableGolden -update):\n%s", golden, got)
	}
}

// TestAuditJSON checks the --json document: one object, the failing results marked.
func TestAuditJSON(t *testing.T) {
	h := newHarness(t)
	tok := h.mint(t, "--sub", "alice")
	srv := httptest.NewServer(noneAccepter(tok))
	defer srv.Close()
	if code := h.run("audit", "--json", "--url", srv.URL, "--rate", "0", "--only", "alg-none-*,signature-stripped", tok); code != 1 {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
	var doc struct {
		Target, Genuine, Invalid string
		Failed                   int
		Results                  []struct {
			Name, Verdict string
			Counts        bool
		}
	}
	if err := json.Unmarshal(h.stdout.Bytes(), &doc); err != nil {
		t.Fatalf("%v: %s", err, h.stdout)
	}
	if doc.Failed != 5 || doc.Genuine != "HTTP 200" || doc.Invalid != "HTTP 401" || len(doc.Results) != 6 {
		t.Fatalf("%+v", doc)
	}
	for _, r := range doc.Results {
		if (r.Name == "signature-stripped") == r.Counts {
			t.Errorf("%s: counts %v, verdict %s", r.Name, r.Counts, r.Verdict)
		}
	}
	if strings.Contains(h.stderr.String(), tok) || strings.Contains(h.stdout.String(), tok) {
		t.Error("the genuine token was printed")
	}
}

// TestAuditExitCodes checks 0 for a verifier that refuses everything forged, 2 for usage and
// for meaningless audits, 3 for an unreachable service.
func TestAuditExitCodes(t *testing.T) {
	h := newHarness(t)
	tok := h.mint(t, "--sub", "alice")
	strict := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+tok {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer strict.Close()
	open := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer open.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()
	for _, tc := range []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"strict verifier", []string{"--url", strict.URL}, 0, "refused every forged token"},
		{"strict, with the secret for the probes", []string{"--url", strict.URL, "--secret", testSecret}, 0, ""},
		{"accepts anything", []string{"--url", open.URL}, 2, "no JWT at all"},
		{"genuine refused", []string{"--url", strict.URL, "--accept-status", "204"}, 2, "refused the genuine token"},
		{"unreachable", []string{"--url", goneURL, "--timeout", "2s"}, 3, ""},
		{"no target", nil, 2, "--url URL"},
		{"two targets", []string{"--url", strict.URL, "--command", "true {token}"}, 2, "one target"},
		{"header without token", []string{"--url", strict.URL, "--header", "X-A: 1"}, 2, "would never be sent"},
		{"bad regex", []string{"--url", strict.URL, "--accept-body", "("}, 2, "--accept-body"},
		{"nothing selected", []string{"--url", strict.URL, "--only", "no-such-attack"}, 2, "--list"},
		{"plain http elsewhere", []string{"--url", "http://example.com/"}, 2, "plain http"},
		{"command without token", []string{"--command", "true"}, 2, "never reach"},
		{"command accepts genuine only", []string{"--command", `test {token} = "$WANT"`}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("WANT", tok)
			args := append(append([]string{"audit", "--rate", "0"}, tc.args...), tok)
			if code := h.run(args...); code != tc.code || !strings.Contains(h.stderr.String(), tc.err) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tc.code, h.stderr, tc.err)
			}
		})
	}
}

func TestAuditSecret(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	list := filepath.Join(dir, "words.txt")
	if err := os.WriteFile(list, []byte("alpha\nbeta\n\x01\x02binary\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, secret string
		args         []string
		code         int
		out          string
	}{
		{"built-in default", "changeme", nil, 1, "changeme\n"},
		{"from the word list", "beta", []string{"--wordlist", list}, 1, "beta\n"},
		{"binary secret as b64url", "b64url:AQJiaW5hcnk", []string{"--wordlist", list}, 1, "b64url:AQJiaW5hcnk\n"},
		{"not found", testSecret, []string{"--wordlist", list}, 0, ""},
		{"missing word list", "x", []string{"--wordlist", filepath.Join(dir, "nope")}, 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := h.mint(t, "--secret", tc.secret, "--allow-weak")
			args := append(append([]string{"audit", "secret"}, tc.args...), tok)
			if code := h.run(args...); code != tc.code || h.stdout.String() != tc.out {
				t.Errorf("exit %d (want %d), stdout %q (want %q), stderr %s", code, tc.code, h.stdout, tc.out, h.stderr)
			}
		})
	}
	if code := h.run("audit", "secret", "eyJhbGciOiJSUzI1NiJ9.e30.AAAA"); code != 2 || !strings.Contains(h.stderr.String(), "no shared secret") {
		t.Errorf("RS256: exit %d, %s", code, h.stderr)
	}
}

func TestSecretSpec(t *testing.T) {
	for in, want := range map[string]string{
		"changeme":     "changeme",
		"keyboard cat": "keyboard cat",
		"":             "b64url:",
		" lead":        "b64url:IGxlYWQ",
		"@file":        "b64url:QGZpbGU",
		"env:X":        "b64url:ZW52Olg",
		"-":            "b64url:LQ",
		"\xff":         "b64url:_w",
		"tab\there":    "b64url:dGFiCWhlcmU",
	} {
		if got := secretSpec([]byte(in)); got != want {
			t.Errorf("secretSpec(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAuditKeyConfusionFromIssuer checks --issuer and --jwks URL: the keys come from the
// issuer's discovery document (or the key set URL), and a verifier that lets the header pick
// HS256 and keys it with the RSA public key PEM is caught by confusion-hs256-pem.
func TestAuditKeyConfusionFromIssuer(t *testing.T) {
	h := newHarness(t)
	key, err := keys.Generate(rand.Reader, "RSA", 2048, "", "RS256")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	issuerURL := "http://" + ts.Listener.Addr().String()
	idp, err := issuer.New(issuer.Config{Issuer: issuerURL, Keys: []keys.Key{key}, AllowMint: true, Now: h.deps.Now, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = idp
	ts.Start()
	defer ts.Close()
	resp, err := http.Post(issuerURL+"/mint", "application/json", strings.NewReader(`{"sub":"alice"}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tok := strings.TrimSpace(string(raw))
	pub := &key.JWK.Key.(*rsa.PrivateKey).PublicKey
	der, _ := x509.MarshalPKIXPublicKey(pub)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	weak := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		p := strings.Split(t, ".")
		if t == tok {
			return
		}
		if len(p) == 3 {
			hdr, _ := base64.RawURLEncoding.DecodeString(p[0])
			var head struct{ Alg string }
			_ = json.Unmarshal(hdr, &head)
			m := hmac.New(sha256.New, pemKey)
			m.Write([]byte(p[0] + "." + p[1]))
			if head.Alg == "HS256" && base64.RawURLEncoding.EncodeToString(m.Sum(nil)) == p[2] {
				return
			}
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer weak.Close()
	for _, src := range [][]string{{"--issuer", issuerURL}, {"--jwks", issuerURL + "/jwks.json"}} {
		args := append([]string{"audit", "--json", "--rate", "0", "--url", weak.URL, "--only", "confusion-*"}, src...)
		if code := h.run(append(args, tok)...); code != 1 {
			t.Fatalf("%v: exit %d: %s", src, code, h.stderr)
		}
		var doc struct {
			Results []struct{ Name, Verdict string }
		}
		if err := json.Unmarshal(h.stdout.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		verdicts := map[string]string{}
		for _, r := range doc.Results {
			verdicts[r.Name] = r.Verdict
		}
		if verdicts["confusion-hs256-pem"] != "ACCEPTED" || verdicts["confusion-hs256-der"] != "refused" || verdicts["confusion-hs256-jwks"] != "refused" {
			t.Errorf("%v: %v", src, verdicts)
		}
	}
}

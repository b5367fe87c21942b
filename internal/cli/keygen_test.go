package cli

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/safefile"
	"github.com/jwtkit/jwtkit/internal/spinner"
)

// privateMembers are the JWK members that carry private key material (RFC 7518 §6).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// ok runs jwtkit in the harness and fails the test on a non-zero exit.
func (h *harness) ok(t *testing.T, args ...string) string {
	t.Helper()
	if code := h.run(args...); code != 0 {
		t.Fatalf("jwtkit %s: exit %d: %s", strings.Join(args, " "), code, h.stderr)
	}
	return h.stdout.String()
}

// parseKeys parses a key file with the keys package, failing the test on error.
func parseKeys(t *testing.T, path string) []keys.Key {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	list, err := keys.Parse(data, keys.ParseOptions{Source: filepath.Base(path)})
	if err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	return list
}

// verifyWithJose checks tok with go-jose, independently of jwtkit's own verifier, and returns
// the protected header.
func verifyWithJose(t *testing.T, tok, alg string, key any) map[string]any {
	t.Helper()
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		t.Fatalf("go-jose cannot parse the token: %v", err)
	}
	if _, err := jws.Verify(key); err != nil {
		t.Fatalf("go-jose rejects the %s token: %v", alg, err)
	}
	var header map[string]any
	raw, err := base64.RawURLEncoding.DecodeString(strings.SplitN(tok, ".", 2)[0])
	if err != nil || json.Unmarshal(raw, &header) != nil {
		t.Fatalf("bad header in %q", tok)
	}
	return header
}

// checkMode checks a file's permissions: exactly want for private files; for public files want
// less whatever the umask removed, still readable by the owner.
func checkMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	got := st.Mode().Perm()
	if want == 0o600 && got != 0o600 {
		t.Errorf("%s has mode %04o, want 0600", filepath.Base(path), got)
	}
	if got&^want != 0 || got&0o600 != 0o600 {
		t.Errorf("%s has mode %04o, want %04o (less the umask)", filepath.Base(path), got, want)
	}
	if !st.Mode().IsRegular() {
		t.Errorf("%s is not a regular file", path)
	}
}

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestKeygenEveryTypeWritesFilesThatSignAndVerify(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		kty     string
		crv     string
		bits    int    // RSA modulus or secret size
		alg     string // the algorithm the key is for
		jwkAlg  string // the alg recorded in the JWK
		summary string
	}{
		{"default is RSA 2048", nil, "RSA", "", 2048, "RS256", "", "RSA 2048-bit private key"},
		{"RSA 3072", []string{"--type", "rsa", "--bits", "3072"}, "RSA", "", 3072, "RS256", "", "RSA 3072-bit private key"},
		{"RSA 4096", []string{"--type", "RSA", "--bits", "4096"}, "RSA", "", 4096, "RS256", "", "RSA 4096-bit private key"},
		{"PS384 from alg", []string{"--alg", "PS384"}, "RSA", "", 2048, "PS384", "PS384", "RSA 2048-bit private key"},
		{"RS512 from alg, 3072 bits", []string{"--alg", "rs512", "--bits", "3072"}, "RSA", "", 3072, "RS512", "RS512", "RSA 3072-bit private key"},
		{"EC default P-256", []string{"--type", "ec"}, "EC", "P-256", 0, "ES256", "", "EC P-256 private key"},
		{"ES384 from alg", []string{"--alg", "ES384"}, "EC", "P-384", 0, "ES384", "ES384", "EC P-384 private key"},
		{"P-521 from curve", []string{"--curve", "P-521"}, "EC", "P-521", 0, "ES512", "", "EC P-521 private key"},
		{"EC by bits", []string{"--type", "ec", "--bits", "384"}, "EC", "P-384", 0, "ES384", "", "EC P-384 private key"},
		{"Ed25519", []string{"--type", "ed25519"}, "OKP", "Ed25519", 0, "EdDSA", "", "Ed25519 private key"},
		{"EdDSA from alg", []string{"--alg", "EdDSA"}, "OKP", "Ed25519", 0, "EdDSA", "EdDSA", "Ed25519 private key"},
		{"secret default 256", []string{"--type", "oct"}, "oct", "", 256, "HS256", "", "256-bit secret"},
		{"HS384 from alg", []string{"--alg", "HS384"}, "oct", "", 384, "HS384", "HS384", "384-bit secret"},
		{"HS512 longer secret", []string{"--alg", "HS512", "--bits", "1024"}, "oct", "", 1024, "HS512", "HS512", "1024-bit secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.deps.Rand = randomReader{}
			dir := t.TempDir()
			base := filepath.Join(dir, "k")
			args := append([]string{"keygen", "-o", base, "--jwk"}, tt.args...)
			if out := h.ok(t, args...); out != "" {
				t.Errorf("stdout should be empty with -o, got %q", out)
			}
			secret := tt.kty == "oct"

			// The files, their modes, and nothing else in the directory.
			want := []string{"k.jwk", "k.jwks.json", "k.key", "k.pub"}
			if secret {
				want = []string{"k.jwk", "k.key"}
			}
			if got := dirNames(t, dir); !slices.Equal(got, want) {
				t.Errorf("files = %v, want %v (no temporary files)", got, want)
			}
			checkMode(t, base+".key", 0o600)
			checkMode(t, base+".jwk", 0o600)
			if !secret {
				checkMode(t, base+".pub", 0o644)
				checkMode(t, base+".jwks.json", 0o644)
			}

			// The summary on stderr.
			stderr := h.stderr.String()
			for _, s := range []string{"wrote " + base + ".key (" + tt.summary + ", 0600)", base + ".jwk (0600)", "; kid "} {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q: %q", s, stderr)
				}
			}

			// The private JWK: kid is the thumbprint, alg as asked, use sig.
			jwk := parseKeys(t, base+".jwk")
			if len(jwk) != 1 {
				t.Fatalf("k.jwk holds %d keys", len(jwk))
			}
			k := jwk[0]
			tp, err := k.Thumbprint()
			if err != nil {
				t.Fatal(err)
			}
			if k.JWK.KeyID != tp || k.JWK.Algorithm != tt.jwkAlg || k.JWK.Use != "sig" {
				t.Errorf("JWK kid/alg/use = %q/%q/%q, want %q/%q/sig", k.JWK.KeyID, k.JWK.Algorithm, k.JWK.Use, tp, tt.jwkAlg)
			}
			if !strings.Contains(stderr, "kid "+tp) {
				t.Errorf("stderr does not show kid %s: %q", tp, stderr)
			}
			if k.Family() != tt.kty || k.Curve() != tt.crv {
				t.Errorf("key is %s %s, want %s %s", k.Family(), k.Curve(), tt.kty, tt.crv)
			}
			if got := strings.TrimSuffix(strings.TrimPrefix(k.Describe(), "RSA "), "-bit private key"); tt.kty == "RSA" && got != strconv.Itoa(tt.bits) {
				t.Errorf("RSA key is %s", k.Describe())
			}

			if secret {
				raw, err := os.ReadFile(base + ".key")
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(raw, k.JWK.Key.([]byte)) || len(raw)*8 != tt.bits {
					t.Fatalf("k.key holds %d bytes that are not the JWK's %d-bit secret", len(raw), tt.bits)
				}
				// The file is the secret for --secret @file, and the JWK works as --key.
				for _, signWith := range [][]string{{"--secret", "@" + base + ".key"}, {"--key", base + ".jwk"}} {
					tok := strings.TrimSpace(h.ok(t, append([]string{"mint", "--sub", "alice", "--alg", tt.alg}, signWith...)...))
					verifyWithJose(t, tok, tt.alg, raw)
				}
				return
			}

			// The private PEM, the public PEM and the public set all hold the same key.
			priv := parseKeys(t, base+".key")
			pub := parseKeys(t, base+".pub")
			set := parseKeys(t, base+".jwks.json")
			if len(priv) != 1 || len(pub) != 1 || len(set) != 1 {
				t.Fatalf("key files hold %d, %d, %d keys", len(priv), len(pub), len(set))
			}
			if !priv[0].IsPrivate() || pub[0].IsPrivate() || set[0].IsPrivate() {
				t.Errorf("private/public halves in the wrong files")
			}
			for _, other := range []keys.Key{priv[0], pub[0], set[0]} {
				if got, _ := other.Thumbprint(); got != tp {
					t.Errorf("%s has thumbprint %s, want %s", other.Source, got, tp)
				}
			}
			if set[0].JWK.KeyID != tp || set[0].JWK.Algorithm != tt.jwkAlg {
				t.Errorf("k.jwks.json kid/alg = %q/%q", set[0].JWK.KeyID, set[0].JWK.Algorithm)
			}
			assertNoPrivateMembers(t, base+".jwks.json")
			pemData, _ := os.ReadFile(base + ".key")
			if !bytes.HasPrefix(pemData, []byte("-----BEGIN PRIVATE KEY-----\n")) {
				t.Errorf("k.key is not PKCS#8 PEM: %.40q", pemData)
			}
			pubData, _ := os.ReadFile(base + ".pub")
			if !bytes.HasPrefix(pubData, []byte("-----BEGIN PUBLIC KEY-----\n")) {
				t.Errorf("k.pub is not PKIX PEM: %.40q", pubData)
			}

			// Both private files sign; go-jose verifies with both public files.
			for _, keyFile := range []string{base + ".key", base + ".jwk"} {
				tok := strings.TrimSpace(h.ok(t, "mint", "--key", keyFile, "--sub", "alice", "--alg", tt.alg))
				for _, verifier := range []keys.Key{pub[0], set[0]} {
					header := verifyWithJose(t, tok, tt.alg, verifier.JWK.Key)
					if header["kid"] != tp || header["alg"] != tt.alg {
						t.Errorf("token header %v, want kid %s alg %s", header, tp, tt.alg)
					}
				}
			}
		})
	}
}

// randomReader is crypto-quality randomness for tests that need distinct keys.
type randomReader struct{}

func (randomReader) Read(p []byte) (int, error) { return rand.Read(p) }

// assertNoPrivateMembers fails when any key of the JWK Set file has a private member.
func assertNoPrivateMembers(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	assertPublicSet(t, data)
}

// assertPublicSet fails when the JWK Set JSON has a key with a private member or without kid.
func assertPublicSet(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		t.Fatalf("not a JWK Set: %v\n%s", err, data)
	}
	for i, k := range set.Keys {
		for _, m := range privateMembers {
			if _, ok := k[m]; ok {
				t.Errorf("key %d of the public set has private member %q", i, m)
			}
		}
		if kid, _ := k["kid"].(string); kid == "" {
			t.Errorf("key %d has no kid", i)
		}
	}
	// The set passes the rules jwtkit applies to untrusted remote sets.
	if _, _, err := keys.ParseJWKS(data, "the set"); err != nil {
		t.Errorf("the public set does not load as a remote JWKS: %v", err)
	}
	return set.Keys
}

func TestKeygenRefusesToOverwrite(t *testing.T) {
	for _, existing := range []string{"k.key", "k.pub", "k.jwk", "k.jwks.json"} {
		t.Run(existing, func(t *testing.T) {
			h := newHarness(t)
			dir := t.TempDir()
			base := filepath.Join(dir, "k")
			if err := os.WriteFile(filepath.Join(dir, existing), []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			code := h.run("keygen", "--type", "ec", "-o", base, "--jwk")
			if code != 2 {
				t.Fatalf("exit %d, want 2", code)
			}
			want := filepath.Join(dir, existing) + " exists; use --force to overwrite"
			if !strings.Contains(h.stderr.String(), want) {
				t.Errorf("stderr = %q, want %q", h.stderr, want)
			}
			// Nothing was written: the check comes before any file.
			if got := dirNames(t, dir); !slices.Equal(got, []string{existing}) {
				t.Errorf("files = %v, want only %s", got, existing)
			}
			if data, _ := os.ReadFile(filepath.Join(dir, existing)); string(data) != "old" {
				t.Errorf("%s was changed", existing)
			}

			// --force replaces it, with the right mode, and writes the rest.
			h.ok(t, "keygen", "--type", "ec", "-o", base, "--jwk", "--force")
			if got := dirNames(t, dir); !slices.Equal(got, []string{"k.jwk", "k.jwks.json", "k.key", "k.pub"}) {
				t.Errorf("files after --force = %v", got)
			}
			checkMode(t, base+".key", 0o600)
			checkMode(t, base+".jwk", 0o600)
			parseKeys(t, filepath.Join(dir, existing))
		})
	}
}

func TestKeygenNeverWritesThroughSymlinks(t *testing.T) {
	for _, force := range []bool{false, true} {
		h := newHarness(t)
		dir := t.TempDir()
		victim := filepath.Join(dir, "victim")
		if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(victim, filepath.Join(dir, "k.pub")); err != nil {
			t.Fatal(err)
		}
		args := []string{"keygen", "--type", "ed25519", "-o", filepath.Join(dir, "k")}
		if force {
			args = append(args, "--force")
		}
		if code := h.run(args...); code != 2 {
			t.Fatalf("force=%v: exit %d, want 2", force, code)
		}
		if !strings.Contains(h.stderr.String(), "k.pub is a symbolic link; refusing to write through it") {
			t.Errorf("force=%v: stderr = %q", force, h.stderr)
		}
		if data, _ := os.ReadFile(victim); string(data) != "precious" {
			t.Errorf("force=%v: the link's target was written", force)
		}
		if got := dirNames(t, dir); !slices.Equal(got, []string{"k.pub", "victim"}) {
			t.Errorf("force=%v: files = %v", force, got)
		}
	}
}

// failingWrite returns a writeFunc that writes with safefile until the failAt-th call (from 1),
// which fails.
func failingWrite(failAt int, calls *int) writeFunc {
	return func(path string, data []byte, opts safefile.Options) error {
		*calls++
		if *calls == failAt {
			return failure.Usagef("write_failed", "cannot write %s: no space left on device", path)
		}
		return safefile.Write(path, data, opts)
	}
}

func newTestGlobal(h *harness) *Global { return &Global{deps: h.deps} }

func TestKeygenWritesAllOrNone(t *testing.T) {
	for failAt := 1; failAt <= 4; failAt++ {
		t.Run("new files, write "+strconv.Itoa(failAt)+" fails", func(t *testing.T) {
			h := newHarness(t)
			dir := t.TempDir()
			calls := 0
			opts := &KeygenOptions{Type: "ec", Use: "sig", Out: filepath.Join(dir, "k"), JWK: true, writeFile: failingWrite(failAt, &calls), newTicker: noTicks}
			err := runKeygen(newTestGlobal(h), opts)
			if err == nil || !strings.Contains(err.Error(), "no space left on device") {
				t.Fatalf("err = %v", err)
			}
			if failure.ExitCode(err) != 2 {
				t.Errorf("exit code %d, want 2", failure.ExitCode(err))
			}
			if got := dirNames(t, dir); len(got) != 0 {
				t.Errorf("a failed keygen left %v", got)
			}
		})
		t.Run("forced over old files, staging "+strconv.Itoa(failAt)+" fails", func(t *testing.T) {
			h := newHarness(t)
			dir := t.TempDir()
			old := map[string]string{}
			for _, name := range []string{"k.key", "k.pub", "k.jwk", "k.jwks.json"} {
				old[name] = "old " + name
				if err := os.WriteFile(filepath.Join(dir, name), []byte(old[name]), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			calls := 0
			opts := &KeygenOptions{Type: "ec", Use: "sig", Out: filepath.Join(dir, "k"), JWK: true, Force: true, writeFile: failingWrite(failAt, &calls), newTicker: noTicks}
			err := runKeygen(newTestGlobal(h), opts)
			if err == nil || !strings.Contains(err.Error(), "nothing was replaced") {
				t.Fatalf("err = %v", err)
			}
			if got := dirNames(t, dir); len(got) != 4 {
				t.Errorf("files = %v, want the 4 old ones and no staged file", got)
			}
			for name, content := range old {
				if data, _ := os.ReadFile(filepath.Join(dir, name)); string(data) != content {
					t.Errorf("%s was replaced although keygen failed", name)
				}
			}
		})
	}
}

func TestKeygenForceStopsAtALinkSwappedInLate(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	base := filepath.Join(dir, "k")
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	calls := 0
	// After the checks and while staging, someone swaps a link in for k.pub.
	write := func(path string, data []byte, opts safefile.Options) error {
		calls++
		if calls == 2 {
			if err := os.Symlink(victim, base+".pub"); err != nil {
				return err
			}
		}
		return safefile.Write(path, data, opts)
	}
	opts := &KeygenOptions{Type: "ed25519", Use: "sig", Out: base, Force: true, writeFile: write, newTicker: noTicks}
	err := runKeygen(newTestGlobal(h), opts)
	if err == nil || !strings.Contains(err.Error(), "k.pub is a symbolic link") || !strings.Contains(err.Error(), "k.key were already replaced") {
		t.Fatalf("err = %v", err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "precious" {
		t.Error("the link's target was written")
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"k.key", "k.pub", "victim"}) {
		t.Errorf("files = %v (staged files must be removed)", got)
	}
}

func TestKeygenOutputChecks(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing directory", []string{"-o", filepath.Join(dir, "nope", "k")}, "directory " + filepath.Join(dir, "nope") + " does not exist"},
		{"directory as name", []string{"-o", dir + "/"}, "is a directory; give a file name"},
		{"-o json is ambiguous", []string{"-o", "json"}, "for JSON output use --json"},
		{"--format with -o", []string{"-o", filepath.Join(dir, "k"), "--format", "jwk"}, "with -o the files have fixed formats"},
		{"--print-public with -o", []string{"-o", filepath.Join(dir, "k"), "--print-public"}, "--print-public prints to stderr without -o"},
		{"--jwk without -o", []string{"--jwk"}, "--jwk adds JWK files next to -o NAME"},
		{"--force without -o", []string{"--force"}, "without -o keygen writes to stdout"},
		{"bad format", []string{"--format", "der"}, `invalid --format "der"`},
		{"secret as PEM", []string{"--type", "oct", "--format", "pem"}, "an HMAC secret has no PEM form"},
		{"secret has no public part", []string{"--type", "oct", "--print-public"}, "an HMAC secret has no public part"},
		{"--json with PEM", []string{"--json", "--format", "pem"}, "--json prints the key as a JWK"},
		{"arguments", []string{"extra"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if code := h.run(append([]string{"keygen"}, tt.args...)...); code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", code, h.stderr)
			}
			if !strings.Contains(h.stderr.String(), tt.want) {
				t.Errorf("stderr = %q, want %q", h.stderr, tt.want)
			}
			if h.stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", h.stdout)
			}
		})
	}
	if got := dirNames(t, dir); len(got) != 0 {
		t.Errorf("refused runs wrote %v", got)
	}
}

func TestKeygenFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--bits", "1024"}, "RSA keys of 1024 bits are too weak; use 2048, 3072 or 4096 (RFC 7518 §3.3)"},
		{[]string{"--type", "rsa", "--bits", "2500"}, "RSA keys come in 2048, 3072 or 4096 bits, not 2500"},
		{[]string{"--alg", "RS256", "--bits", "1024"}, "RSA keys of 1024 bits are too weak"},
		{[]string{"--type", "dsa"}, `unknown --type "dsa": use rsa, ec, ed25519 or oct`},
		{[]string{"--alg", "none"}, `alg "none" signs nothing and needs no key`},
		{[]string{"--alg", "HS1"}, `unknown --alg "HS1"`},
		{[]string{"--alg", "ES256", "--curve", "P-384"}, "--alg ES256 needs curve P-256, not P-384"},
		{[]string{"--alg", "ES256", "--bits", "384"}, "--alg ES256 needs curve P-256, which is not 384 bits"},
		{[]string{"--alg", "RS256", "--type", "ec"}, "--alg RS256 makes an RSA key, but --type is ec"},
		{[]string{"--type", "rsa", "--curve", "P-256"}, "--type rsa makes an RSA key, which has no --curve P-256"},
		{[]string{"--type", "ec", "--curve", "Ed25519"}, "--type ec makes an EC key, which has no --curve Ed25519"},
		{[]string{"--curve", "secp256k1"}, `unknown --curve "secp256k1"`},
		{[]string{"--type", "ec", "--bits", "255"}, "EC keys come in 256, 384 and 521 bits"},
		{[]string{"--type", "ed25519", "--bits", "256"}, "Ed25519 keys have a fixed size; drop --bits"},
		{[]string{"--type", "oct", "--bits", "64"}, "a secret of 64 bits is not offered"},
		{[]string{"--type", "oct", "--bits", "260"}, "a secret of 260 bits is not offered"},
		{[]string{"--type", "oct", "--bits", "1000000000"}, "a secret of 1000000000 bits is not offered"},
		{[]string{"--alg", "HS384", "--bits", "256"}, "HS384 needs a secret of at least 384 bits (RFC 7518 §3.2), not 256"},
		{[]string{"--use", "wrap"}, `invalid --use "wrap"`},
		{[]string{"--use", "enc", "--alg", "ES256"}, "--use enc does not fit ES256"},
		{[]string{"--kid", "a\nb"}, "--kid contains a control character"},
		{[]string{"--kid", strings.Repeat("k", 300)}, "--kid is 300 bytes long"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			h := newHarness(t)
			if code := h.run(append([]string{"keygen"}, tt.args...)...); code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", code, h.stderr)
			}
			if !strings.Contains(h.stderr.String(), tt.want) {
				t.Errorf("stderr = %q, want %q", h.stderr, tt.want)
			}
		})
	}
}

func TestKeygenToStdout(t *testing.T) {
	t.Run("PEM by default", func(t *testing.T) {
		h := newHarness(t)
		out := h.ok(t, "keygen", "--type", "ec")
		list, err := keys.Parse([]byte(out), keys.ParseOptions{})
		if err != nil || len(list) != 1 || !list[0].IsPrivate() || !strings.HasPrefix(out, "-----BEGIN PRIVATE KEY-----\n") {
			t.Fatalf("stdout is not one PKCS#8 private key (%v): %q", err, out)
		}
		tp, _ := list[0].Thumbprint()
		if want := "EC P-256 private key; kid " + tp + "; alg ES256 by default\n"; h.stderr.String() != want {
			t.Errorf("stderr = %q, want %q", h.stderr, want)
		}
	})
	t.Run("JWK with a kid of our choosing", func(t *testing.T) {
		h := newHarness(t)
		out := h.ok(t, "keygen", "--alg", "ES512", "--format", "jwk", "--kid", "2026-11", "--use", "")
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatal(err)
		}
		if m["kid"] != "2026-11" || m["alg"] != "ES512" || m["crv"] != "P-521" || m["d"] == nil {
			t.Errorf("JWK = %v", m)
		}
		if _, ok := m["use"]; ok {
			t.Errorf(`--use "" should leave use out: %v`, m)
		}
	})
	t.Run("--print-public puts the public key on stderr", func(t *testing.T) {
		for _, format := range []string{"pem", "jwk"} {
			h := newHarness(t)
			out := h.ok(t, "keygen", "--type", "ed25519", "--format", format, "--print-public")
			priv, err := keys.Parse([]byte(out), keys.ParseOptions{})
			if err != nil || !priv[0].IsPrivate() {
				t.Fatalf("%s: stdout is not a private key: %v", format, err)
			}
			stderr := h.stderr.String()
			summary := strings.LastIndex(stderr, "Ed25519 private key; kid")
			if summary < 0 {
				t.Fatalf("%s: no summary in %q", format, stderr)
			}
			pub, err := keys.Parse([]byte(stderr[:summary]), keys.ParseOptions{})
			if err != nil || len(pub) != 1 || pub[0].IsPrivate() {
				t.Fatalf("%s: stderr does not start with the public key (%v): %q", format, err, stderr)
			}
			if a, b := mustThumbprint(t, priv[0]), mustThumbprint(t, pub[0]); a != b {
				t.Errorf("%s: public key on stderr is another key", format)
			}
		}
	})
	t.Run("--json prints the JWK", func(t *testing.T) {
		h := newHarness(t)
		out := h.ok(t, "keygen", "--type", "rsa", "--json")
		list, err := keys.Parse([]byte(out), keys.ParseOptions{})
		if err != nil || !strings.HasPrefix(out, "{") || !list[0].IsPrivate() {
			t.Fatalf("--json stdout is not a private JWK (%v): %q", err, out)
		}
		if h.stderr.Len() != 0 {
			t.Errorf("--json should not add a summary: %q", h.stderr)
		}
	})
	t.Run("-q silences stderr", func(t *testing.T) {
		h := newHarness(t)
		h.ok(t, "keygen", "--type", "ec", "-q", "--print-public")
		if !strings.HasPrefix(h.stderr.String(), "-----BEGIN PUBLIC KEY-----") || strings.Contains(h.stderr.String(), "kid") {
			t.Errorf("with -q stderr should hold only the asked-for public key: %q", h.stderr)
		}
	})
}

func mustThumbprint(t *testing.T, k keys.Key) string {
	t.Helper()
	tp, err := k.Thumbprint()
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func TestKeygenSecretToStdout(t *testing.T) {
	// The harness's randomness is a run of 7s: the secret is known.
	want := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	t.Run("pipe", func(t *testing.T) {
		h := newHarness(t)
		if out := h.ok(t, "keygen", "--type", "oct"); out != want+"\n" {
			t.Errorf("stdout = %q, want %q", out, want)
		}
		// stdout may be a file or a CI log's secret variable: stderr must not repeat the secret.
		if s := h.stderr.String(); strings.Contains(s, want) || !strings.Contains(s, "--secret b64url:VALUE") {
			t.Errorf("stderr = %q", s)
		}
	})
	t.Run("terminal", func(t *testing.T) {
		h := newHarness(t)
		h.deps.IO.SetTTY(false, true, true)
		h.ok(t, "keygen", "--type", "oct")
		if s := h.stderr.String(); !strings.Contains(s, "use it as --secret b64url:"+want) {
			t.Errorf("stderr = %q, want the --secret form", s)
		}
		// The printed form works as --secret.
		tok := strings.TrimSpace(h.ok(t, "mint", "--secret", "b64url:"+want, "--sub", "x"))
		verifyWithJose(t, tok, "HS256", bytes.Repeat([]byte{7}, 32))
	})
	t.Run("JWK", func(t *testing.T) {
		h := newHarness(t)
		out := h.ok(t, "keygen", "--alg", "HS256", "--format", "jwk")
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil || m["k"] != want || m["kty"] != "oct" || m["alg"] != "HS256" {
			t.Errorf("JWK = %v (%v)", m, err)
		}
	})
}

// chunkReader returns its chunks in turn, one per Read, then fails.
type chunkReader struct{ chunks [][]byte }

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, errors.New("no more randomness")
	}
	n := copy(p, r.chunks[0])
	r.chunks[0] = r.chunks[0][n:]
	if len(r.chunks[0]) == 0 {
		r.chunks = r.chunks[1:]
	}
	return n, nil
}

func TestKeygenSecretNeverEndsInNewline(t *testing.T) {
	endsInLF := append(bytes.Repeat([]byte{'a'}, 31), '\n')
	endsInCRLF := append(bytes.Repeat([]byte{'c'}, 30), '\r', '\n')
	good := bytes.Repeat([]byte{'b'}, 32)
	h := newHarness(t)
	h.deps.Rand = &chunkReader{chunks: [][]byte{endsInLF, endsInCRLF, good}}
	dir := t.TempDir()
	h.ok(t, "keygen", "--type", "oct", "-o", filepath.Join(dir, "s"))
	data, err := os.ReadFile(filepath.Join(dir, "s.key"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, good) {
		t.Errorf("s.key = %q, want the first draw without a trailing newline", data)
	}
	// And it reads back whole through the secret grammar.
	secret, err := resolver(newTestGlobal(h), false).Secret("@" + filepath.Join(dir, "s.key"))
	if err != nil || !bytes.Equal(secret, good) {
		t.Errorf("--secret @s.key reads %q (%v)", secret, err)
	}

	h.deps.Rand = bytes.NewReader(bytes.Repeat([]byte{'\n'}, 1<<16))
	if code := h.run("keygen", "--type", "oct"); code != 2 || !strings.Contains(h.stderr.String(), "random source") {
		t.Errorf("a broken random source: exit %d, stderr %q", code, h.stderr)
	}
}

func TestKeygenSecretFileRoundTrip(t *testing.T) {
	h := newHarness(t)
	h.deps.Rand = randomReader{}
	dir := t.TempDir()
	s := filepath.Join(dir, "s")
	h.ok(t, "keygen", "--type", "oct", "-o", s)
	if !strings.Contains(h.stderr.String(), "use it as --secret @"+s+".key") {
		t.Errorf("stderr = %q", h.stderr)
	}
	secret, err := os.ReadFile(s + ".key")
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(h.ok(t, "mint", "--secret", "@"+s+".key", "--sub", "alice"))
	verifyWithJose(t, tok, "HS256", secret)
}

func TestKeygenJSONSummary(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	base := filepath.Join(dir, "sig")
	out := h.ok(t, "keygen", "--alg", "ES256", "-o", base, "--jwk", "--json", "--kid", "k1")
	var got keygenJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := keygenJSON{Kid: "k1", Alg: "ES256", Kty: "EC", Crv: "P-256", Use: "sig",
		Files: []string{base + ".key", base + ".pub", base + ".jwk", base + ".jwks.json"}}
	if !jsonEqual(got, want) {
		t.Errorf("summary = %+v, want %+v", got, want)
	}
	if h.stderr.Len() != 0 {
		t.Errorf("stderr = %q, want nothing under --json", h.stderr)
	}

	h.ok(t, "keygen", "--type", "rsa", "-o", filepath.Join(dir, "r"), "--json")
	var rsaSum keygenJSON
	if err := json.Unmarshal(h.stdout.Bytes(), &rsaSum); err != nil || rsaSum.Bits != 2048 || rsaSum.Alg != "RS256" || rsaSum.Kty != "RSA" {
		t.Errorf("RSA summary = %+v (%v)", rsaSum, err)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// noTicks is a ticker that never ticks.
func noTicks() spinner.Ticker { return &chanTicker{c: make(chan time.Time)} }

type chanTicker struct{ c chan time.Time }

func (c *chanTicker) Ticks() <-chan time.Time { return c.c }
func (c *chanTicker) Stop()                   {}

// tickingReader sends two ticks before serving randomness: the second send returns only once
// the spinner has drawn its first frame and come back for more. Key generation reads the
// randomness while the spinner runs, so this places the ticks inside that window.
type tickingReader struct {
	ticks chan time.Time
	r     io.Reader
}

func (t *tickingReader) Read(p []byte) (int, error) {
	if t.ticks != nil {
		// Without a spinner nobody receives; give up after a while and let the test fail.
		for range 2 {
			select {
			case t.ticks <- time.Time{}:
			case <-time.After(5 * time.Second):
			}
		}
		t.ticks = nil
	}
	return t.r.Read(p)
}

func TestKeygenSpinnerOnlyOnTerminal(t *testing.T) {
	tests := []struct {
		name      string
		stderrTTY bool
		quiet     bool
		want      bool
	}{
		{"terminal", true, false, true},
		{"pipe", false, false, false},
		{"terminal with -q", true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.deps.IO.SetTTY(false, false, tt.stderrTTY)
			ticks := make(chan time.Time)
			reader := &tickingReader{r: bytes.NewReader(bytes.Repeat([]byte{9}, 64))}
			if tt.want {
				// Only a running spinner receives the ticks; otherwise the reader must not block.
				reader.ticks = ticks
			}
			h.deps.Rand = reader
			g := newTestGlobal(h)
			g.Quiet = tt.quiet
			opts := &KeygenOptions{Type: "oct", Use: "sig", newTicker: func() spinner.Ticker { return &chanTicker{c: ticks} }}
			if err := runKeygen(g, opts); err != nil {
				t.Fatal(err)
			}
			stderr := h.stderr.String()
			drawn := strings.Contains(stderr, "\r⠋ generating a 256-bit secret…")
			if drawn != tt.want {
				t.Errorf("spinner drawn = %v, want %v; stderr %q", drawn, tt.want, stderr)
			}
			if tt.want && !strings.Contains(stderr, "\r\x1b[K") {
				t.Errorf("the spinner's line was not erased: %q", stderr)
			}
			if strings.Contains(h.stdout.String(), "\r") {
				t.Errorf("the spinner reached stdout")
			}
		})
	}
}

// FuzzKeygenPlan feeds any combination of --type, --curve, --alg, --bits, --use and --kid to
// keygen's planning: it must never panic, and a plan it accepts must describe a key that
// keys.Generate makes and that fits the asked-for algorithm.
func FuzzKeygenPlan(f *testing.F) {
	f.Add("", "", "", 0, "sig", "")
	f.Add("rsa", "", "PS512", 3072, "sig", "k1")
	f.Add("ec", "secp384r1", "ES384", 384, "", "")
	f.Add("", "Ed25519", "", 0, "enc", "")
	f.Add("oct", "", "HS384", 384, "sig", "2026")
	f.Add("HMAC", "", "hs512", 520, "sig", "")
	f.Add("ec", "P-521", "", 521, "sig", "\x00")
	f.Fuzz(func(t *testing.T, typ, curve, alg string, bits int, use, kid string) {
		opts := &KeygenOptions{Type: typ, Curve: curve, Alg: alg, Bits: bits, Use: use, Kid: kid}
		p, err := planKey(opts)
		if err != nil {
			if failure.ExitCode(err) != 2 {
				t.Fatalf("refusal with exit code %d: %v", failure.ExitCode(err), err)
			}
			return
		}
		switch p.kind {
		case "RSA":
			if p.size != 2048 && p.size != 3072 && p.size != 4096 {
				t.Fatalf("RSA plan of %d bits", p.size)
			}
			return // too slow to generate under fuzzing; Generate's sizes are checked above
		case "EC":
			if !slices.Contains([]string{"P-256", "P-384", "P-521"}, p.curve) {
				t.Fatalf("EC plan on %q", p.curve)
			}
		case "OKP":
		case "oct":
			if p.size < 128 || p.size > maxSecretBits || p.size%8 != 0 || p.size < hmacBits(p.alg) {
				t.Fatalf("secret plan of %d bits for %q", p.size, p.alg)
			}
		default:
			t.Fatalf("plan of kind %q", p.kind)
		}
		k, err := keys.Generate(bytes.NewReader(bytes.Repeat([]byte{1}, 1024)), p.kind, p.size, p.curve, p.alg)
		if err != nil {
			t.Fatalf("accepted plan %+v does not generate: %v", p, err)
		}
		if p.alg != "" {
			if err := keys.CheckAlg(k, p.alg, false); err != nil {
				t.Fatalf("plan %+v makes a key unfit for its alg: %v", p, err)
			}
		}
	})
}

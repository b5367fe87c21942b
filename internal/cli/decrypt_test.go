package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// encFixture writes an RSA encryption key pair and an EC signing key pair into a temporary
// directory with keygen, and returns the directory.
func encFixture(t *testing.T, h *harness) string {
	t.Helper()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"keygen", "-q", "--use", "enc", "-o", filepath.Join(dir, "enc")},
		{"keygen", "-q", "--type", "ec", "-o", filepath.Join(dir, "sign")},
	} {
		if code := h.run(args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, h.stderr)
		}
	}
	return dir
}

func TestDecryptOutputModes(t *testing.T) {
	h := newHarness(t)
	dir := encFixture(t, h)
	enc, encKey := filepath.Join(dir, "enc.pub"), filepath.Join(dir, "enc.key")
	if code := h.run("mint", "--no-sign", "--sub", "alice", "--encrypt-to", enc); code != 0 {
		t.Fatalf("mint: exit %d: %s", code, h.stderr)
	}
	claimsJWE := strings.TrimSpace(h.stdout.String())

	// In a pipe: the plaintext byte for byte.
	if code := h.run("decrypt", "--key", encKey, claimsJWE); code != 0 {
		t.Fatalf("decrypt: exit %d: %s", code, h.stderr)
	}
	if got := h.stdout.String(); !strings.HasPrefix(got, `{"sub":"alice",`) || strings.HasSuffix(got, "\n") {
		t.Fatalf("piped plaintext %q, want the claims as they are", got)
	}
	// --json: header, alg, enc and the plaintext as a JSON value.
	if code := h.run("decrypt", "--json", "--key", encKey, claimsJWE); code != 0 {
		t.Fatalf("decrypt --json: exit %d: %s", code, h.stderr)
	}
	var doc struct {
		Header    map[string]any `json:"header"`
		Alg, Enc  string
		Plaintext map[string]any `json:"plaintext"`
	}
	if err := json.Unmarshal(h.stdout.Bytes(), &doc); err != nil || doc.Alg != "RSA-OAEP-256" || doc.Enc != "A256GCM" || doc.Plaintext["sub"] != "alice" || doc.Header["typ"] != "JWT" {
		t.Fatalf("decrypt --json: %v: %s", err, h.stdout)
	}
	// On a terminal: indented JSON.
	h.deps.IO.SetTTY(false, true, true)
	if code := h.run("decrypt", "--key", encKey, claimsJWE); code != 0 || !strings.Contains(h.stdout.String(), "\n  \"sub\": \"alice\"") {
		t.Fatalf("terminal: exit %d: %q %s", code, h.stdout, h.stderr)
	}
}

func TestMintEncryptJSONAndNesting(t *testing.T) {
	h := newHarness(t)
	dir := encFixture(t, h)
	if code := h.run("mint", "--json", "--key", filepath.Join(dir, "sign.key"), "--sub", "bob", "--encrypt-to", filepath.Join(dir, "enc.pub")); code != 0 {
		t.Fatalf("mint: exit %d: %s", code, h.stderr)
	}
	var doc struct {
		Token     string
		Header    map[string]any
		Encrypted bool
	}
	if err := json.Unmarshal(h.stdout.Bytes(), &doc); err != nil || !doc.Encrypted || doc.Header["alg"] != "ES256" || strings.Count(doc.Token, ".") != 4 {
		t.Fatalf("mint --json: %v: %s", err, h.stdout)
	}
	// decrypt writes the nested token alone on its line; it verifies.
	if code := h.run("decrypt", "--key", filepath.Join(dir, "enc.key"), doc.Token); code != 0 {
		t.Fatalf("decrypt: exit %d: %s", code, h.stderr)
	}
	inner := h.stdout.String()
	if strings.Count(inner, ".") != 2 || !strings.HasSuffix(inner, "\n") {
		t.Fatalf("inner token %q", inner)
	}
	if code := h.run("verify", "-q", "--key", filepath.Join(dir, "sign.pub"), strings.TrimSpace(inner)); code != 0 {
		t.Fatalf("verify inner: exit %d: %s", code, h.stderr)
	}
	// A stream of nested tokens through verify --decrypt-key: one JSON line each.
	h.stdin.Reset()
	h.stdin.WriteString(doc.Token + "\n" + doc.Token + "\n")
	if code := h.run("verify", "--decrypt-key", filepath.Join(dir, "enc.key"), "--key", filepath.Join(dir, "sign.pub"), "--unchecked", "aud,iss"); code != 0 {
		t.Fatalf("verify stream: exit %d: %s", code, h.stderr)
	}
	if lines := strings.Split(strings.TrimSpace(h.stdout.String()), "\n"); len(lines) != 2 || !strings.Contains(lines[1], `"valid":true`) {
		t.Fatalf("stream: %s", h.stdout)
	}
}

func TestDecryptRefusals(t *testing.T) {
	h := newHarness(t)
	dir := encFixture(t, h)
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("a password"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no key", []string{"decrypt", "x"}, 2, "no decryption key: pass --key or --password"},
		{"a JWS", []string{"decrypt", "--key", filepath.Join(dir, "enc.key"), "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"}, 2, "not an encrypted JWE"},
		{"not a token", []string{"decrypt", "--key", filepath.Join(dir, "enc.key"), "a.b"}, 2, "token has 2 segments"},
		{"password for a key token", []string{"decrypt", "--password", "@" + pw, "eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIn0.AA.AA.AA.AA"}, 2, "a password opens only PBES2 tokens"},
		{"key-alg without a recipient", []string{"mint", "--secret", testSecret, "--key-alg", "dir"}, 2, "--key-alg needs --encrypt-to or --encrypt-password"},
		{"ed25519 recipient", []string{"mint", "--secret", testSecret, "--encrypt-to", filepath.Join(dir, "ed.pub")}, 2, "is an Ed25519 key, which signs but cannot encrypt"},
	}
	if code := h.run("keygen", "-q", "--type", "ed25519", "--use", "enc", "-o", filepath.Join(dir, "ed")); code != 0 {
		t.Fatalf("keygen: %s", h.stderr)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := h.run(tt.args...)
			if code != tt.code || !strings.Contains(h.stderr.String(), tt.want) || strings.Count(h.stderr.String(), "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q on one line", code, h.stderr, tt.code, tt.want)
			}
			if h.stdout.Len() != 0 {
				t.Fatalf("stdout %q", h.stdout)
			}
		})
	}
}

func TestEncryptStdin(t *testing.T) {
	h := newHarness(t)
	dir := encFixture(t, h)
	h.stdin.WriteString(`{"card":"4111"}`)
	if code := h.run("encrypt", "--to", filepath.Join(dir, "enc.pub"), "--key-alg", "RSA-OAEP", "--enc", "A128CBC-HS256"); code != 0 {
		t.Fatalf("encrypt: exit %d: %s", code, h.stderr)
	}
	tok := strings.TrimSpace(h.stdout.String())
	if code := h.run("decrypt", "--key", filepath.Join(dir, "enc.key"), tok); code != 0 || h.stdout.String() != `{"card":"4111"}` {
		t.Fatalf("decrypt: exit %d: %q %s", code, h.stdout, h.stderr)
	}
	// The password cannot come from stdin, which holds the plaintext.
	h.stdin.Reset()
	h.stdin.WriteString("x")
	if code := h.run("encrypt", "--password", "-"); code != 2 || !strings.Contains(h.stderr.String(), "--password: stdin is already used by the plaintext") {
		t.Fatalf("exit %d: %s", code, h.stderr)
	}
}

// TestJWEPasswordsNeverShown: the PBES2 password appears in no output of mint, encrypt or
// decrypt, whether they succeed or fail, in text or JSON.
func TestJWEPasswordsNeverShown(t *testing.T) {
	h := newHarness(t)
	const pw = "canary-jwe-password-Zx81Qw"
	h.env["PW"] = pw
	h.env["WRONG"] = "canary-wrong-jwe-Kp27"
	if code := h.run("mint", "--no-sign", "--sub", "a", "--encrypt-password", "env:PW", "--p2c", "1000"); code != 0 {
		t.Fatalf("mint: %s", h.stderr)
	}
	tok := strings.TrimSpace(h.stdout.String())
	for _, args := range [][]string{
		{"decrypt", "--password", "env:PW", "--verbose", tok},
		{"decrypt", "--json", "--password", "env:PW", tok},
		{"decrypt", "--password", "env:WRONG", tok},
		{"decrypt", "--json", "--password", "env:WRONG", tok},
		{"decrypt", "--password", pw, tok[:len(tok)-2] + "AA"},
		{"mint", "--no-sign", "--sub", "a", "--encrypt-password", pw, "--p2c", "7"},
		{"verify", "--decrypt-password", "env:WRONG", "--secret", testSecret, tok},
	} {
		h.run(args...)
		for _, secret := range []string{pw, h.env["WRONG"]} {
			if out := h.stdout.String() + h.stderr.String(); strings.Contains(out, secret) {
				t.Errorf("%v shows a password: %s", args, out)
			}
		}
	}
}

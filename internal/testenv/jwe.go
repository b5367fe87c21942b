package testenv

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The JWE side of the peers. Keys are JWK files (public or oct to encrypt, private or oct to
// decrypt); for PBES2-* the key file holds the raw password bytes.

// isPBES2 tells whether alg takes a password.
func isPBES2(alg string) bool { return strings.HasPrefix(alg, "PBES2-") }

// Encrypt has node's jose encrypt plaintext to the key in keyFile with alg and enc (protected
// header {alg, enc}) and returns the compact JWE. It fails t when node refuses.
func (n *Node) Encrypt(t testing.TB, alg, enc, keyFile string, plaintext []byte) string {
	t.Helper()
	res := n.script(t, plaintext, "encrypt.mjs", alg, enc, keyFile)
	if res.Code != 0 {
		t.Fatalf("node jose encrypt %s %s with %s: exit %d: %s", alg, enc, keyFile, res.Code, bytes.TrimSpace(res.Stderr))
	}
	return compactJWE(t, "node jose encrypt", res.Stdout)
}

// Decrypt has node's jose decrypt token, allowing only alg and enc and PBES2 counts up to
// 1,000,000, and returns the plaintext. A token that does not decrypt is an *ExitError with
// Code 1.
func (n *Node) Decrypt(t testing.TB, alg, enc, keyFile, token string) ([]byte, error) {
	t.Helper()
	res := n.script(t, []byte(token), "decrypt.mjs", alg, enc, keyFile)
	if res.Code != 0 {
		return nil, &ExitError{Cmd: "node decrypt.mjs " + alg + " " + enc + " " + keyFile, Code: res.Code, Stderr: string(res.Stderr)}
	}
	return res.Stdout, nil
}

// SupportsJWE tells whether Debian's jose encrypts and decrypts with alg. Measured on jose 11
// (Debian 12): `jose alg` lists no RSA-OAEP nor RSA-OAEP-256, and `jose jwe enc` fails with
// either (exit 1, no output); RSA1_5, which jwtkit refuses to encrypt with, is its only RSA
// key management. Every other alg and enc of RFC 7518 works.
func (d *DebianTool) SupportsJWE(alg string) bool {
	return alg != "RSA-OAEP" && alg != "RSA-OAEP-256"
}

// Encrypt has Debian's jose encrypt plaintext with alg and enc to the JWK in keyFile (for
// PBES2, the raw password in keyFile, which the tool takes as a JSON string) and returns the
// compact JWE. It fails t when the tool refuses.
func (d *DebianTool) Encrypt(t testing.TB, alg, enc, keyFile string, plaintext []byte) string {
	t.Helper()
	template, err := json.Marshal(map[string]any{"protected": map[string]string{"alg": alg, "enc": enc}})
	if err != nil {
		t.Fatalf("debian jose encrypt: encoding the template: %v", err)
	}
	res := Run(t, "", plaintext, d.jose, "jwe", "enc", "-i", string(template), "-I", "-", "-k", d.keyFile(t, alg, keyFile), "-c", "-o", "-")
	if res.Code != 0 {
		t.Fatalf("debian jose encrypt %s %s with %s: exit %d: %s", alg, enc, keyFile, res.Code, bytes.TrimSpace(res.Stderr))
	}
	return compactJWE(t, "debian jose encrypt", res.Stdout)
}

// Decrypt has Debian's jose decrypt token with the key in keyFile and returns the plaintext.
// The tool has no allow-list, so Decrypt first refuses a token whose header alg or enc is not
// the expected one. A refusal is an *ExitError with Code 1.
func (d *DebianTool) Decrypt(t testing.TB, alg, enc, keyFile, token string) ([]byte, error) {
	t.Helper()
	token = strings.TrimSpace(token)
	cmd := "jose jwe dec -k " + keyFile
	var h struct{ Alg, Enc string }
	if err := decodeHeader(token, &h); err != nil || h.Alg != alg || h.Enc != enc {
		return nil, &ExitError{Cmd: cmd, Code: 1, Stderr: fmt.Sprintf("token header alg %q enc %q (%v) is not the expected %s %s", h.Alg, h.Enc, err, alg, enc)}
	}
	res := Run(t, "", []byte(token), d.jose, "jwe", "dec", "-i", "-", "-k", d.keyFile(t, alg, keyFile), "-O", "-")
	if res.Code != 0 {
		return nil, &ExitError{Cmd: cmd, Code: res.Code, Stderr: string(res.Stderr)}
	}
	return res.Stdout, nil
}

// keyFile returns the file to give the tool as -k: keyFile itself, or for PBES2 a copy of the
// password as the JSON string the tool reads passwords as.
func (d *DebianTool) keyFile(t testing.TB, alg, keyFile string) string {
	t.Helper()
	if !isPBES2(alg) {
		return keyFile
	}
	quoted, err := json.Marshal(string(readSmall(t, keyFile)))
	if err != nil {
		t.Fatalf("debian jose: quoting the password: %v", err)
	}
	path := filepath.Join(t.TempDir(), "password.json")
	if err := os.WriteFile(path, quoted, 0o600); err != nil {
		t.Fatalf("debian jose: %v", err)
	}
	return path
}

// compactJWE trims out and fails t unless it is a compact JWE (five segments).
func compactJWE(t testing.TB, what string, out []byte) string {
	t.Helper()
	token := strings.TrimSpace(string(out))
	if strings.Count(token, ".") != 4 {
		t.Fatalf("%s: output is not a compact JWE: %q", what, token)
	}
	return token
}

// decodeHeader decodes the protected header of a compact token into v.
func decodeHeader(token string, v any) error {
	first, _, ok := strings.Cut(token, ".")
	if !ok {
		return fmt.Errorf("not a compact token")
	}
	raw, err := base64.RawURLEncoding.DecodeString(first)
	if err != nil {
		return fmt.Errorf("header is not base64url: %w", err)
	}
	return json.Unmarshal(raw, v)
}

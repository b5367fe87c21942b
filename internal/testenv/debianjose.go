package testenv

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// DebianTool runs Debian's jose command (latchset/jose, package "jose"; 11-2+deb12u1 on Debian
// 12). What it does, as measured on that version:
//
//   - Algorithms: `jose alg` lists HS256/384/512, RS256/384/512, PS256/384/512 and
//     ES256/384/512 for JWS. EdDSA is missing: `jose jwk gen -i '{"kty":"OKP","crv":"Ed25519"}'`
//     prints "JWK generation failed!", and `jose jws sig` or `jose jws ver` with an Ed25519 JWK
//     made elsewhere fails with "JOSE_CFG_ERR_ALG_NOTSUP:Signing algorithm (EdDSA) is not
//     supported".
//   - Keys are JWK or JWK Sets only, never PEM. `jose jwk gen -i '{"alg":"RS256"}'` makes a
//     2048-bit RSA key; HS keys are 32/48/64 bytes; generated JWKs carry alg and key_ops
//     (["sign","verify"], and ["verify"] after `jose jwk pub`) but no kid.
//   - `jose jwk pub` strips k from an oct key, so an HS token verifies only with the secret JWK
//     itself ("JOSE_CFG_ERR_JWK_DENIED:JWK cannot be used to verify" otherwise).
//   - It honours a JWK's alg: a PS256 token does not verify with a JWK saying RS256
//     ("Signing algorithm mismatch (PS256 != RS256)"), but with a JWK without alg any algorithm
//     of the key's type is accepted, so Verify pins the header's alg itself.
//   - `jose jws ver` exits 1 for every failure, refuses a compact token followed by a newline,
//     prints the payload with -O even when the signature fails, and checks no claims (exp, nbf).
type DebianTool struct {
	jose string // path of the jose executable
}

// DebianJose locates Debian's jose command. It skips the test when it is missing, but fails it
// when CI=true: a missing peer under CI is a failure, not a skip.
func DebianJose(t testing.TB) *DebianTool {
	t.Helper()
	jose, err := exec.LookPath("jose")
	if err != nil {
		missing(t, "debian's jose peer: the jose command is not on PATH")
		return nil
	}
	if res := Run(t, "", nil, jose, "alg"); res.Code != 0 || !bytes.Contains(res.Stdout, []byte("ES256")) {
		missing(t, "debian's jose peer: %s is not latchset's jose (jose alg: exit %d)", jose, res.Code)
		return nil
	}
	return &DebianTool{jose: jose}
}

// Supports tells whether Debian's jose signs and verifies alg; it does not do EdDSA.
func (d *DebianTool) Supports(alg string) bool {
	switch alg {
	case "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512":
		return true
	}
	return false
}

// Sign signs payload (JSON) with alg and the JWK in keyFile and returns the compact token. The
// protected header is {alg, typ: "JWT"} plus the JWK's kid when it has one. It fails t when the
// tool refuses.
func (d *DebianTool) Sign(t testing.TB, alg, keyFile string, payload []byte) string {
	t.Helper()
	header := map[string]string{"alg": alg, "typ": "JWT"}
	if kid := jwkKid(t, keyFile); kid != "" {
		header["kid"] = kid
	}
	template, err := json.Marshal(map[string]any{"protected": header})
	if err != nil {
		t.Fatalf("debian jose sign: encoding the header template: %v", err)
	}
	res := Run(t, "", payload, d.jose, "jws", "sig", "-I", "-", "-k", keyFile, "-s", string(template), "-c", "-o", "-")
	if res.Code != 0 {
		t.Fatalf("debian jose sign %s with %s: exit %d: %s", alg, keyFile, res.Code, bytes.TrimSpace(res.Stderr))
	}
	token := strings.TrimSpace(string(res.Stdout))
	if strings.Count(token, ".") != 2 {
		t.Fatalf("debian jose sign %s with %s: output is not a compact JWS: %q", alg, keyFile, token)
	}
	return token
}

// Verify verifies the compact token with the JWK or JWK Set in keyFile and returns its payload.
// The tool has no list of allowed algorithms, so Verify first refuses a token whose header alg is
// not alg. A refusal, by Verify or the tool, is an *ExitError with Code 1. Claims are not checked.
func (d *DebianTool) Verify(t testing.TB, alg, keyFile, token string) ([]byte, error) {
	t.Helper()
	token = strings.TrimSpace(token)
	cmd := "jose jws ver -k " + keyFile
	if got, err := headerAlg(token); err != nil || got != alg {
		return nil, &ExitError{Cmd: cmd, Code: 1, Stderr: fmt.Sprintf("token header alg %q (%v) is not the expected %q", got, err, alg)}
	}
	res := Run(t, "", []byte(token), d.jose, "jws", "ver", "-i", "-", "-k", keyFile, "-O", "-")
	if res.Code != 0 {
		return nil, &ExitError{Cmd: cmd, Code: res.Code, Stderr: string(res.Stderr)}
	}
	return bytes.TrimSpace(res.Stdout), nil
}

// Keygen has the tool generate a JWK for alg into dir (created 0700) and returns the paths: the
// private JWK and, from `jose jwk pub`, the public JWK and a public JWK Set; for HS the oct JWK
// (as both PrivateJWK and PublicJWK) and its secret decoded into a raw file. No PEM is written.
func (d *DebianTool) Keygen(t testing.TB, alg, dir string) Keys {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatalf("debian jose keygen %s: %v", alg, err)
	}
	k := Keys{Alg: alg, PrivateJWK: filepath.Join(dir, "private.jwk.json")}
	d.run(t, "keygen "+alg, "jwk", "gen", "-i", fmt.Sprintf(`{"alg":%q}`, alg), "-o", k.PrivateJWK)
	if err := os.Chmod(k.PrivateJWK, 0o600); err != nil {
		t.Fatalf("debian jose keygen %s: %v", alg, err)
	}
	if strings.HasPrefix(alg, "HS") {
		k.PublicJWK = k.PrivateJWK
		k.Secret = filepath.Join(dir, "secret.bin")
		var oct struct{ K string }
		if err := json.Unmarshal(readSmall(t, k.PrivateJWK), &oct); err != nil {
			t.Fatalf("debian jose keygen %s: reading the oct JWK: %v", alg, err)
		}
		secret, err := base64.RawURLEncoding.DecodeString(oct.K)
		if err != nil || len(secret) == 0 {
			t.Fatalf("debian jose keygen %s: the oct JWK's k is not base64url: %v", alg, err)
		}
		if err := os.WriteFile(k.Secret, secret, 0o600); err != nil {
			t.Fatalf("debian jose keygen %s: %v", alg, err)
		}
	} else {
		k.PublicJWK = filepath.Join(dir, "public.jwk.json")
		k.PublicJWKS = filepath.Join(dir, "public.jwks.json")
		d.run(t, "pub "+alg, "jwk", "pub", "-i", k.PrivateJWK, "-o", k.PublicJWK)
		d.run(t, "pub -s "+alg, "jwk", "pub", "-s", "-i", k.PrivateJWK, "-o", k.PublicJWKS)
	}
	mustExist(t, k)
	return k
}

// run runs the tool and fails t on a non-zero exit.
func (d *DebianTool) run(t testing.TB, what string, args ...string) {
	t.Helper()
	if res := Run(t, "", nil, d.jose, args...); res.Code != 0 {
		t.Fatalf("debian jose %s: exit %d: %s", what, res.Code, bytes.TrimSpace(res.Stderr))
	}
}

// headerAlg decodes the alg of a compact token's protected header.
func headerAlg(token string) (string, error) {
	first, _, ok := strings.Cut(token, ".")
	if !ok {
		return "", fmt.Errorf("not a compact JWS")
	}
	raw, err := base64.RawURLEncoding.DecodeString(first)
	if err != nil {
		return "", fmt.Errorf("header is not base64url: %w", err)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return "", fmt.Errorf("header is not JSON: %w", err)
	}
	return h.Alg, nil
}

// jwkKid returns the kid of the JWK in path, or "" when it has none or is a set.
func jwkKid(t testing.TB, path string) string {
	t.Helper()
	var jwk struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(readSmall(t, path), &jwk); err != nil {
		t.Fatalf("reading JWK %s: %v", path, err)
	}
	return jwk.Kid
}

// readSmall reads a key file of at most MaxOutput bytes, failing t otherwise.
func readSmall(t testing.TB, path string) []byte {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	if fi.Size() > MaxOutput {
		t.Fatalf("reading %s: larger than %d bytes", path, MaxOutput)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return b
}

package interop_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/testenv"
)

// TestKeygenTypesInPeers covers what the TestJwtkit matrix does not: keys that `jwtkit keygen`
// makes from --type, --bits and --curve rather than --alg (so their JWK names no alg), RSA keys
// larger than 2048 bits, and public JWK Sets that `jwtkit jwks` builds from several key files.
// For each key, jwtkit mints a token, and it verifies in jwtkit, in node's jose with the PEM
// public key and with the multi-key set (node picks the key by the token's kid), and in Debian's
// jose with the set where it supports the algorithm. A secret is checked through its raw file
// and its JWK instead.
func TestKeygenTypesInPeers(t *testing.T) {
	bin := testenv.BuildJwtkit(t)
	run := func(t *testing.T, args ...string) []byte {
		t.Helper()
		res := testenv.Run(t, "", nil, bin, args...)
		if res.Code != 0 {
			t.Fatalf("jwtkit %s: exit %d: %s", strings.Join(args, " "), res.Code, bytes.TrimSpace(res.Stderr))
		}
		return bytes.TrimSpace(res.Stdout)
	}
	tests := []struct {
		name string
		args []string
		alg  string
	}{
		{"rsa-3072", []string{"--type", "rsa", "--bits", "3072"}, "PS384"},
		{"rsa-4096", []string{"--bits", "4096"}, "RS512"},
		{"ec-p256", []string{"--type", "ec"}, "ES256"},
		{"ec-p384", []string{"--type", "ec", "--bits", "384"}, "ES384"},
		{"ec-p521", []string{"--curve", "P-521"}, "ES512"},
		{"ed25519", []string{"--type", "ed25519"}, "EdDSA"},
		{"secret-384", []string{"--type", "oct", "--bits", "384"}, "HS384"},
		{"secret-512", []string{"--type", "oct", "--bits", "512"}, "HS512"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.alg, func(t *testing.T) {
			t.Parallel()
			node := testenv.NodeJose(t)
			dir := t.TempDir()
			base := filepath.Join(dir, "k")
			run(t, append([]string{"keygen", "-q", "-o", base, "--jwk"}, tt.args...)...)

			secret := strings.HasPrefix(tt.alg, "HS")
			signWith := []string{"--key", base + ".key"}
			verifyWith := []string{"--key", base + ".pub"}
			nodeKeys := []string{base + ".pub"}
			debianKey := ""
			if secret {
				signWith = []string{"--secret", "@" + base + ".key"}
				verifyWith = signWith
				nodeKeys = []string{base + ".key", base + ".jwk"}
				debianKey = base + ".jwk"
			} else {
				// A set of the new key and a decoy, as a JWKS endpoint would serve it.
				run(t, "keygen", "-q", "--type", "ec", "-o", filepath.Join(dir, "decoy"))
				set := run(t, "jwks", filepath.Join(dir, "decoy.pub"), base+".key")
				setFile := filepath.Join(dir, "set.jwks.json")
				if err := os.WriteFile(setFile, set, 0o644); err != nil {
					t.Fatal(err)
				}
				nodeKeys = append(nodeKeys, setFile)
				debianKey = setFile
			}

			token := string(run(t, append([]string{"mint", "--alg", tt.alg, "--sub", "keygen-" + tt.name, "--exp", "10m"}, signWith...)...))
			if claims := run(t, append(append([]string{"verify", "--alg", tt.alg}, verifyWith...), token)...); !bytes.Contains(claims, []byte(`"keygen-`+tt.name+`"`)) {
				t.Errorf("jwtkit verify: claims %s", claims)
			}
			for _, keyFile := range nodeKeys {
				payload, err := node.Verify(t, tt.alg, keyFile, token)
				if err != nil {
					t.Errorf("node jose with %s: %v", filepath.Base(keyFile), err)
				} else if !bytes.Contains(payload, []byte(`"keygen-`+tt.name+`"`)) {
					t.Errorf("node jose with %s: payload %s", filepath.Base(keyFile), payload)
				}
			}
			// Looked up last: where it is missing it skips only its own check.
			debian := testenv.DebianJose(t)
			if !debian.Supports(tt.alg) {
				return
			}
			payload, err := debian.Verify(t, tt.alg, debianKey, token)
			if err != nil {
				t.Errorf("debian jose with %s: %v", filepath.Base(debianKey), err)
			} else if !bytes.Contains(payload, []byte(`"keygen-`+tt.name+`"`)) {
				t.Errorf("debian jose with %s: payload %s", filepath.Base(debianKey), payload)
			}
		})
	}
}

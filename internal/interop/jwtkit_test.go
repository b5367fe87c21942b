package interop_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/jwtkit/jwtkit/internal/testenv"
)

// TestJwtkit is the interoperability matrix of jwtkit against each peer, for every algorithm
// the peer has, with subtests named PEER/ALG/KEYS/SIGNER-mints/VERIFIER-verifies/sign-F/verify-F:
//
//   - jwtkit-keys: keys made by `jwtkit keygen` (see jwtkitKeys). jwtkit mints and the peer
//     verifies with the public half; the peer signs with jwtkit's private key and jwtkit
//     verifies — so jwtkit's key files load in the peer.
//   - PEER-keys: keys the peer generated. jwtkit mints with the peer's private key (PEM and JWK)
//     and the peer verifies; the peer signs and jwtkit verifies with the peer's public key as
//     PEM, JWK and JWK Set — so the peer's key files load in jwtkit.
//
// Each direction also checks that a token with one flipped signature bit is rejected with exit
// code 1 by the verifying side.
func TestJwtkit(t *testing.T) {
	j := jwtkitSide{bin: testenv.BuildJwtkit(t)}
	for _, ps := range peerSides() {
		for _, alg := range allAlgs() {
			t.Run(ps.name+"/"+alg, func(t *testing.T) {
				t.Parallel()
				p := ps.get(t)
				if !p.supports(alg) {
					t.Skipf("%s is not supported by %s", alg, p.name())
				}
				jk := jwtkitKeys(t, j, alg, t.TempDir())
				pk := p.p.Keygen(t, alg, t.TempDir())
				for _, c := range []struct {
					keys             string
					k                testenv.Keys
					signer, verifier side
				}{
					{"jwtkit-keys", jk, j, p},
					{"jwtkit-keys", jk, p, j},
					{p.name() + "-keys", pk, j, p},
					{p.name() + "-keys", pk, p, j},
				} {
					name := c.keys + "/" + c.signer.name() + "-mints/" + c.verifier.name() + "-verifies"
					t.Run(name, func(t *testing.T) { roundTrip(t, alg, c.k, c.signer, c.verifier) })
				}
			})
		}
	}
}

// jwtkitKeys has `jwtkit keygen --alg ALG -o DIR/jwtkit --jwk` make a key for alg and returns
// its files: jwtkit.key (PKCS#8 PEM, or the raw HS secret), jwtkit.pub (SPKI PEM), jwtkit.jwk
// (the private or oct JWK) and jwtkit.jwks.json (the public JWK Set), plus jwtkit.pub.jwk, the
// set's one key copied out so that peers can take a single public JWK.
func jwtkitKeys(t testing.TB, j jwtkitSide, alg, dir string) testenv.Keys {
	t.Helper()
	base := filepath.Join(dir, "jwtkit")
	res := testenv.Run(t, "", nil, j.bin, "keygen", "--alg", alg, "-o", base, "--jwk")
	if res.Code != 0 {
		t.Fatalf("jwtkit keygen --alg %s: exit %d: %s", alg, res.Code, bytes.TrimSpace(res.Stderr))
	}
	if isHMAC(alg) {
		return testenv.Keys{Alg: alg, Secret: base + ".key", PrivateJWK: base + ".jwk", PublicJWK: base + ".jwk"}
	}
	k := testenv.Keys{
		Alg:        alg,
		PrivatePEM: base + ".key",
		PublicPEM:  base + ".pub",
		PrivateJWK: base + ".jwk",
		PublicJWK:  base + ".pub.jwk",
		PublicJWKS: base + ".jwks.json",
	}
	data, err := os.ReadFile(k.PublicJWKS)
	if err != nil {
		t.Fatalf("jwtkit keygen --alg %s: %v", alg, err)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("jwtkit keygen --alg %s: %s is not a JWK Set of one key (%v): %s", alg, k.PublicJWKS, err, data)
	}
	if err := os.WriteFile(k.PublicJWK, set.Keys[0], 0o644); err != nil {
		t.Fatalf("jwtkit keygen --alg %s: %v", alg, err)
	}
	return k
}

// jwtkitSide runs the jwtkit binary's mint and verify commands.
type jwtkitSide struct {
	bin string
}

func (jwtkitSide) name() string         { return "jwtkit" }
func (jwtkitSide) supports(string) bool { return true }

// reads: HS secrets go through --secret (the raw bytes as b64url:…); other keys through --key
// as PEM or JWK, and a JWK Set through --jwks for verification.
func (jwtkitSide) reads(alg string, f format, sign bool) bool {
	if isHMAC(alg) {
		return f == fmtSecret
	}
	switch f {
	case fmtPEM, fmtJWK:
		return true
	case fmtJWKS:
		return !sign
	}
	return false
}

func isHMAC(alg string) bool { return len(alg) > 2 && alg[:2] == "HS" }

// keyArgs returns the flags that hand k in form f to jwtkit.
func (jwtkitSide) keyArgs(t testing.TB, k testenv.Keys, f format, sign bool) []string {
	t.Helper()
	switch f {
	case fmtSecret:
		secret, err := os.ReadFile(k.Secret)
		if err != nil {
			t.Fatalf("reading secret: %v", err)
		}
		return []string{"--secret", "b64url:" + base64.RawURLEncoding.EncodeToString(secret)}
	case fmtJWKS:
		return []string{"--jwks", k.PublicJWKS}
	}
	if sign {
		return []string{"--key", privateFile(k, f)}
	}
	return []string{"--key", publicFile(k, f)}
}

func (j jwtkitSide) sign(t testing.TB, alg string, k testenv.Keys, f format, sub string) string {
	t.Helper()
	args := append([]string{"mint", "--alg", alg, "--sub", sub, "--exp", "10m"}, j.keyArgs(t, k, f, true)...)
	res := testenv.Run(t, "", nil, j.bin, args...)
	if res.Code != 0 {
		t.Fatalf("jwtkit %v: exit %d: %s", args, res.Code, bytes.TrimSpace(res.Stderr))
	}
	token := string(bytes.TrimSpace(res.Stdout))
	if bytes.Count(res.Stdout, []byte(".")) != 2 || bytes.Count(res.Stdout, []byte("\n")) > 1 {
		t.Fatalf("jwtkit mint: stdout is not one compact token: %q", res.Stdout)
	}
	return token
}

func (j jwtkitSide) verify(t testing.TB, alg string, k testenv.Keys, f format, token string) ([]byte, error) {
	t.Helper()
	args := append([]string{"verify", "--alg", alg}, j.keyArgs(t, k, f, false)...)
	args = append(args, token)
	res := testenv.Run(t, "", nil, j.bin, args...)
	if res.Code != 0 {
		return nil, &testenv.ExitError{Cmd: "jwtkit verify --alg " + alg + " " + string(f), Code: res.Code, Stderr: string(res.Stderr)}
	}
	return bytes.TrimSpace(res.Stdout), nil
}

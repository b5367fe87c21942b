package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Keys names the files of one generated key. A field is empty when the peer does not write that
// form: Debian's jose tool writes no PEM, and HS keys have no public half.
type Keys struct {
	Alg string
	// PrivatePEM is the private key as PKCS#8 PEM; PublicPEM its public key as SPKI PEM.
	PrivatePEM, PublicPEM string
	// PrivateJWK and PublicJWK are the two halves as JWK. For HS both name the oct JWK, since
	// the secret is what verifies.
	PrivateJWK, PublicJWK string
	// PublicJWKS is a JWK Set holding PublicJWK; empty for HS.
	PublicJWKS string
	// Secret is a file of the raw HS secret bytes; empty for the other algorithms.
	Secret string
}

// Node runs node's jose through the scripts of testdata/interop (sign.mjs, verify.mjs,
// keygen.mjs). It covers HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512 and EdDSA
// (Ed25519), reads PEM (PKCS#8, SPKI, X.509), JWK, JWKS and raw secrets, and writes PKCS#8/SPKI
// PEM and JWK. Its verify also checks exp and nbf against the current time.
type Node struct {
	node string // path of the node executable
	dir  string // testdata/interop
}

// NodeJose locates node and testdata/interop/node_modules. It skips the test when either is
// missing, but fails it when CI=true: a missing peer under CI is a failure, not a skip.
func NodeJose(t testing.TB) *Node {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node's jose peer: node is not on PATH")
		return nil
	}
	dir := filepath.Join(RepoRoot(t), "testdata", "interop")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "jose", "package.json")); err != nil {
		missing(t, "node's jose peer: testdata/interop/node_modules has no jose")
		return nil
	}
	return &Node{node: node, dir: dir}
}

// Supports tells whether the node peer covers alg.
func (n *Node) Supports(alg string) bool {
	switch alg {
	case "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512", "EdDSA":
		return true
	}
	return false
}

func (n *Node) script(t testing.TB, stdin []byte, name string, args ...string) Result {
	t.Helper()
	return Run(t, n.dir, stdin, n.node, append([]string{filepath.Join(n.dir, name)}, args...)...)
}

// Sign signs payload, a JSON object, as a JWT with alg and the key in keyFile (PEM PKCS#8, JWK,
// JWKS, or for HS a raw secret or oct JWK) and returns the compact token. The header is
// {alg, typ: "JWT"} plus the JWK's kid when it has one. It fails t when node refuses.
func (n *Node) Sign(t testing.TB, alg, keyFile string, payload []byte) string {
	t.Helper()
	res := n.script(t, payload, "sign.mjs", alg, keyFile)
	if res.Code != 0 {
		t.Fatalf("node jose sign %s with %s: exit %d: %s", alg, keyFile, res.Code, bytes.TrimSpace(res.Stderr))
	}
	token := strings.TrimSpace(string(res.Stdout))
	if strings.Count(token, ".") != 2 {
		t.Fatalf("node jose sign %s with %s: output is not a compact JWS: %q", alg, keyFile, token)
	}
	return token
}

// Verify verifies token allowing only alg, with the key in keyFile (PEM SPKI or certificate,
// JWK, JWKS, or for HS a raw secret or oct JWK), and returns its payload JSON. A token node
// judges invalid, or a key it cannot use, gives an *ExitError with Code 1 or 2.
func (n *Node) Verify(t testing.TB, alg, keyFile, token string) ([]byte, error) {
	t.Helper()
	res := n.script(t, []byte(token), "verify.mjs", alg, keyFile, "-")
	if res.Code != 0 {
		return nil, &ExitError{Cmd: "node verify.mjs " + alg + " " + keyFile, Code: res.Code, Stderr: string(res.Stderr)}
	}
	return bytes.TrimSpace(res.Stdout), nil
}

// Keygen has node's jose generate a key for alg into dir and returns the paths it wrote: for HS
// a raw secret and an oct JWK; otherwise PKCS#8 and SPKI PEM, private and public JWK and a
// public JWKS. Every JWK carries alg, use "sig" and its RFC 7638 thumbprint as kid.
func (n *Node) Keygen(t testing.TB, alg, dir string) Keys {
	t.Helper()
	res := n.script(t, nil, "keygen.mjs", alg, dir)
	if res.Code != 0 {
		t.Fatalf("node jose keygen %s: exit %d: %s", alg, res.Code, bytes.TrimSpace(res.Stderr))
	}
	k := Keys{Alg: alg}
	if strings.HasPrefix(alg, "HS") {
		k.Secret = filepath.Join(dir, "secret.bin")
		k.PrivateJWK = filepath.Join(dir, "secret.jwk.json")
		k.PublicJWK = k.PrivateJWK
	} else {
		k.PrivatePEM = filepath.Join(dir, "private.pem")
		k.PublicPEM = filepath.Join(dir, "public.pem")
		k.PrivateJWK = filepath.Join(dir, "private.jwk.json")
		k.PublicJWK = filepath.Join(dir, "public.jwk.json")
		k.PublicJWKS = filepath.Join(dir, "public.jwks.json")
	}
	mustExist(t, k)
	return k
}

// mustExist fails t when a file named in k is absent.
func mustExist(t testing.TB, k Keys) {
	t.Helper()
	for _, p := range []string{k.PrivatePEM, k.PublicPEM, k.PrivateJWK, k.PublicJWK, k.PublicJWKS, k.Secret} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("keygen %s: expected file missing: %v", k.Alg, err)
		}
	}
}

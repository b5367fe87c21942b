package interop_test

import (
	"os/exec"
	"testing"

	"github.com/jwtkit/jwtkit/internal/testenv"
)

// TestPeers checks the peers against themselves and each other, without jwtkit: node signs and
// node verifies, Debian signs and Debian verifies, and each verifies what the other signed with
// keys the signer generated. It proves the harness and shows the peers agree, so that a failure
// in TestJwtkit points at jwtkit.
func TestPeers(t *testing.T) {
	for _, signer := range peerSides() {
		for _, verifier := range peerSides() {
			for _, alg := range allAlgs() {
				t.Run(signer.name+"-signs/"+verifier.name+"-verifies/"+alg, func(t *testing.T) {
					t.Parallel()
					s, v := signer.get(t), verifier.get(t)
					if !s.supports(alg) || !v.supports(alg) {
						t.Skipf("%s is not supported by both %s and %s", alg, s.name(), v.name())
					}
					k := s.p.Keygen(t, alg, t.TempDir())
					roundTrip(t, alg, k, s, v)
				})
			}
		}
	}
}

// TestDebianJoseUnsupported pins what DebianTool.Supports leaves out: each such algorithm must
// really fail in Debian's jose (today only EdDSA). When a newer jose learns one, this fails and
// Supports should grow.
func TestDebianJoseUnsupported(t *testing.T) {
	d := testenv.DebianJose(t)
	jose, err := exec.LookPath("jose")
	if err != nil {
		t.Fatalf("jose: %v", err)
	}
	for _, alg := range allAlgs() {
		if d.Supports(alg) {
			continue
		}
		t.Run(alg, func(t *testing.T) {
			res := testenv.Run(t, "", nil, jose, "jwk", "gen", "-i", `{"alg":"`+alg+`"}`)
			if res.Code == 0 {
				t.Fatalf("jose jwk gen made a %s key: %s; add %s to DebianTool.Supports", alg, res.Stdout, alg)
			}
		})
	}
	if !d.Supports("ES256") || d.Supports("none") {
		t.Fatalf("DebianTool.Supports: ES256 %v, none %v; want true, false", d.Supports("ES256"), d.Supports("none"))
	}
}

// TestDebianJoseRejectsEd25519 checks that Debian's jose refuses to verify an EdDSA token signed
// by node with an Ed25519 key, the reason the EdDSA cells of the Debian matrix are skipped.
func TestDebianJoseRejectsEd25519(t *testing.T) {
	n, d := testenv.NodeJose(t), testenv.DebianJose(t)
	k := n.Keygen(t, "EdDSA", t.TempDir())
	token := n.Sign(t, "EdDSA", k.PrivateJWK, claims("ed25519"))
	if _, err := n.Verify(t, "EdDSA", k.PublicJWK, token); err != nil {
		t.Fatalf("node does not verify its own EdDSA token: %v", err)
	}
	if payload, err := d.Verify(t, "EdDSA", k.PublicJWK, token); err == nil {
		t.Fatalf("debian jose verified an EdDSA token (%s); add EdDSA to DebianTool.Supports", payload)
	}
}

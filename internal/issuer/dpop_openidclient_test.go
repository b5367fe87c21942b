package issuer

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/testenv"
)

// liveDPoPServer serves, on loopback, an issuer with the clients testdata/openid-client/dpop.mjs
// expects: "ci" (secret ci-secret, scopes openid and read:users) and the public "app"
// (redirect http://127.0.0.1/cb, any port), and the user alice. nonce makes it ask for DPoP
// nonces at the token endpoint (RFC 9449 §8).
func liveDPoPServer(t *testing.T, nonce bool) string {
	t.Helper()
	_, issuerURL := serveLive(t, Config{
		Keys: []keys.Key{genKey(t, "ES256")},
		Clients: []Client{
			{ID: "ci", Secret: []byte("ci-secret"), Scopes: []string{"openid", "read:users"}},
			{ID: "app", RedirectURIs: []string{"http://127.0.0.1/cb"}},
		},
		Users:         []User{{Subject: "alice"}},
		RestrictHosts: true,
		DPoPNonce:     nonce,
	})
	return issuerURL
}

// TestOpenIDClientDPoP lets panva/openid-client's DPoP support (getDPoPHandle,
// randomDPoPKeyPair; pinned in testdata/openid-client) get DPoP-bound tokens from the server
// by client credentials and by the authorization code grant of a public client, with and
// without server nonces, and use them at /userinfo through fetchProtectedResource and
// fetchUserInfo. The bound token sent as Bearer, or with a proof by another key, is refused
// with a DPoP challenge that openid-client parses (RFC 9449 §7.1), and the public client's
// refresh token works only with its own key (§5).
func TestOpenIDClientDPoP(t *testing.T) {
	testenv.NewOpenIDClient(t) // skips (or fails under JWTKIT_REQUIRE_PEERS) without the peer
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(testenv.RepoRoot(t), "testdata", "openid-client")
	algs := `"ES256 ES384 ES512 RS256 PS256 EdDSA Ed25519"`
	want := map[string]string{
		"algs":               `["ES256","ES384","ES512","RS256","PS256","EdDSA","Ed25519"]`,
		"client_credentials": `{"jkt_matches":true,"token_type":"dpop"}`,
		"userinfo_cc":        `{"status":200,"sub":"ci"}`,
		"as_bearer":          `{"algs":` + algs + `,"error":"invalid_token","scheme":"dpop","status":401}`,
		"other_key":          `{"algs":` + algs + `,"error":"invalid_dpop_proof","scheme":"dpop","status":401}`,
		"code":               `{"jkt_matches":true,"refresh":true,"sub":"alice","token_type":"dpop"}`,
		"userinfo_code":      `{"sub":"alice"}`,
		"refresh_other_key":  `"invalid_dpop_proof"`,
		"refresh":            `{"jkt_matches":true,"token_type":"dpop"}`,
	}
	for _, nonce := range []bool{false, true} {
		name := "without nonces"
		if nonce {
			name = "with nonces"
		}
		t.Run(name, func(t *testing.T) {
			iss := liveDPoPServer(t, nonce)
			res := testenv.Run(t, dir, nil, node, filepath.Join(dir, "dpop.mjs"), iss)
			if res.Code != 0 {
				t.Fatalf("openid-client DPoP against %s: exit %d: %s", iss, res.Code, bytes.TrimSpace(res.Stderr))
			}
			var got map[string]any
			if err := json.Unmarshal(bytes.TrimSpace(res.Stdout), &got); err != nil {
				t.Fatalf("dpop.mjs printed %s: %v", res.Stdout, err)
			}
			for k, w := range want {
				if g := mustJSON(got[k]); g != w {
					t.Errorf("%s = %s, want %s", k, g, w)
				}
			}
		})
	}
}

package issuer

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/testenv"
)

// liveServer serves an issuer on a loopback port, with the real clock (node's jose checks exp
// against its own), and returns it with its URL.
func liveServer(t *testing.T, alg string) (*Server, string) {
	t.Helper()
	return serveLive(t, Config{
		Keys:      []keys.Key{genKey(t, alg)},
		Clients:   []Client{{ID: "ci", Secret: []byte("ci-secret"), Scopes: []string{"read:users"}}},
		AllowMint: true,
	})
}

// nodeVerify verifies tok the way a node service does with jose's createRemoteJWKSet after
// discovering the issuer; it returns the decoded header and payload, or the exit code.
func nodeVerify(t *testing.T, issuerURL, audience, typ, tok string) (map[string]any, int) {
	t.Helper()
	dir := filepath.Join(testenv.RepoRoot(t), "testdata", "interop")
	res := testenv.Run(t, dir, []byte(tok), "node", filepath.Join(dir, "remote-jwks.mjs"), issuerURL, audience, typ)
	if res.Code != 0 {
		t.Logf("node: %s", bytes.TrimSpace(res.Stderr))
		return nil, res.Code
	}
	var out map[string]any
	if err := json.Unmarshal(res.Stdout, &out); err != nil {
		t.Fatalf("node output: %v: %s", err, res.Stdout)
	}
	return out, 0
}

// TestNodeJoseRemoteJWKSet checks that node's jose, an implementation independent of ours,
// accepts the issuer's discovery document, JWK Set and access tokens for each signing algorithm
// family, and, for ES256, /mint tokens, a key rotation, and refuses a wrong audience and a key
// the issuer does not publish.
func TestNodeJoseRemoteJWKSet(t *testing.T) {
	if testenv.NodeJose(t) == nil {
		return
	}
	for _, alg := range []string{"ES256", "RS256", "PS256", "EdDSA", "ES384"} {
		t.Run(alg, func(t *testing.T) {
			srv, issuerURL := liveServer(t, alg)
			// An access token from /token: typ at+jwt, aud from the resource parameter.
			form := url.Values{"grant_type": {"client_credentials"}, "resource": {"https://api.test"}}
			req, _ := http.NewRequest(http.MethodPost, issuerURL+"/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("ci", "ci-secret")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			at, _ := body["access_token"].(string)
			if at == "" {
				t.Fatalf("no token: %v", body)
			}
			out, code := nodeVerify(t, issuerURL, "https://api.test", "at+jwt", at)
			if code != 0 {
				t.Fatalf("node's jose refuses the access token (exit %d)", code)
			}
			payload := out["payload"].(map[string]any)
			if payload["client_id"] != "ci" || payload["scope"] != "read:users" || out["header"].(map[string]any)["alg"] != alg {
				t.Errorf("node saw %v", out)
			}
			if alg != "ES256" {
				return // the rest does not depend on the algorithm; node is slow to start
			}
			if _, code := nodeVerify(t, issuerURL, "https://other.test", "at+jwt", at); code != 1 {
				t.Errorf("node accepted the wrong audience (exit %d)", code)
			}

			// A /mint token.
			exp := time.Now().Add(10 * time.Minute).Unix()
			claims := `{"iss":"` + issuerURL + `","aud":"api","sub":"alice","exp":` + itoa(exp) + `}`
			mresp, err := http.Post(issuerURL+"/mint", "application/json", strings.NewReader(claims))
			if err != nil {
				t.Fatal(err)
			}
			var minted bytes.Buffer
			_, _ = minted.ReadFrom(mresp.Body)
			mresp.Body.Close()
			if out, code := nodeVerify(t, issuerURL, "api", "JWT", minted.String()); code != 0 || out["payload"].(map[string]any)["sub"] != "alice" {
				t.Fatalf("node refuses the /mint token (exit %d): %v", code, out)
			}

			// After a rotation the new signing key verifies, and so does the old token.
			if _, err := srv.Rotate(); err != nil {
				t.Fatal(err)
			}
			mresp, _ = http.Post(issuerURL+"/mint", "application/json", strings.NewReader(claims))
			var rotated bytes.Buffer
			_, _ = rotated.ReadFrom(mresp.Body)
			mresp.Body.Close()
			if _, code := nodeVerify(t, issuerURL, "api", "JWT", rotated.String()); code != 0 {
				t.Errorf("node refuses a token from the rotated key (exit %d)", code)
			}
			if _, code := nodeVerify(t, issuerURL, "api", "JWT", minted.String()); code != 0 {
				t.Errorf("node refuses a token from the previous key after one rotation (exit %d)", code)
			}

			// A token signed by a key the issuer does not publish is refused.
			forged := assertion(t, "x", genKey(t, "ES256"), map[string]any{"iss": issuerURL, "aud": "api", "exp": exp}, map[string]any{"typ": "JWT"})
			if _, code := nodeVerify(t, issuerURL, "api", "JWT", forged); code != 1 {
				t.Errorf("node accepted a token from an unpublished key (exit %d)", code)
			}
		})
	}
}

package issuer

import (
	"encoding/json"
	"testing"

	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/testenv"
)

// TestOpenIDClient lets panva/openid-client, a relying party written elsewhere and pinned in
// testdata/openid-client, run every flow against the server: discovery, authorization code
// with PKCE following the redirect (confidential and public clients), refresh with rotation and
// reuse detection, userinfo, introspection, revocation, client credentials and RFC 8693 token
// exchange (a foreign subject token refused) and the RFC 8628 device flow (polling until the
// approval, a reused and a denied device code refused) and the RFC 7523 jwt-bearer grant with
// assertions signed by jose (a client's own, a trusted issuer's, a replay refused).
func TestOpenIDClient(t *testing.T) {
	rp := testenv.NewOpenIDClient(t)
	_, iss := liveCodeServer(t)
	input := []byte("{")
	for i, name := range []string{"svc", "idp"} {
		jwk, err := keys.MarshalJWK(rpBearerKeys()[i], true)
		if err != nil {
			t.Fatal(err)
		}
		input = append(append(append(input, `"`+name+`":`...), jwk...), ',')
	}
	input[len(input)-1] = '}'
	out := rp.RunFlowsInput(t, iss, input)
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("rp.mjs printed %s: %v", out, err)
	}
	want := map[string]string{
		"discovery":              `{"iss_parameter":true,"issuer":"` + iss + `"}`,
		"code":                   `{"aud":"web","email":"alice@example.test","refresh":true,"sub":"alice"}`,
		"userinfo":               `{"email":"alice@example.test","email_verified":true,"name":"Alice","sub":"alice"}`,
		"refresh":                `{"id_token":true,"rotated":true}`,
		"introspect_live":        `true`,
		"reuse":                  `"invalid_grant"`,
		"introspect_after_reuse": `false`,
		"introspect_revoked":     `false`,
		"refresh_revoked":        `"invalid_grant"`,
		"public":                 `{"refreshed":true,"sub":"alice"}`,
		"client_credentials":     `{"scope":"read:users","token_type":"bearer"}`,
		"token_exchange":         `{"issued_token_type":"urn:ietf:params:oauth:token-type:access_token","scope":"email"}`,
		"token_exchange_foreign": `"invalid_request"`,
		"device":                 `{"scope":"openid email","sub":"alice","user_code":true,"verification_uri":true}`,
		"device_reuse":           `"invalid_grant"`,
		"device_denied":          `"access_denied"`,
		"jwt_bearer":             `{"client_id":"svc","scope":"read:users","sub":"carol"}`,
		"jwt_bearer_trusted":     `{"client_id":"web","sub":"dave"}`,
		"jwt_bearer_replay":      `"invalid_grant"`,
	}
	for name, w := range want {
		if g := mustJSON(got[name]); g != w {
			t.Errorf("%s = %s, want %s", name, g, w)
		}
	}
}

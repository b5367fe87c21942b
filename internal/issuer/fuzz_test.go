package issuer

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/claims"
)

// FuzzTokenEndpoint posts arbitrary bodies and Authorization headers to /token: the server
// must never panic, must always answer a JSON object, and may issue a token only to a request
// that carries a registered client's real credentials.
func FuzzTokenEndpoint(f *testing.F) {
	fx := newFixture(f, nil)
	a := assertion(f, "jwt-es", fx.clientKey["jwt-es"], nil, nil)
	f.Add("grant_type=client_credentials", "Basic Y2k6eA==")
	f.Add("grant_type=client_credentials&client_id=any&client_secret=any-secret", "")
	f.Add("grant_type=client_credentials&scope=read%3Ausers+x&resource=https%3A%2F%2Fa&resource=b", "Basic YW55OmFueS1zZWNyZXQ=")
	f.Add("grant_type=client_credentials&client_assertion_type="+AssertionType+"&client_assertion="+a, "")
	f.Add("grant_type=client_credentials&client_assertion_type="+AssertionType+"&client_assertion=e30.e30.", "")
	f.Add("grant_type="+GrantJWTBearer+"&assertion="+a, "")
	f.Add("grant_type="+GrantJWTBearer+"&assertion=e30.e30.&client_id=any&client_secret=x", "")
	f.Add("grant_type="+GrantDeviceCode+"&device_code=abc&client_id=any&client_secret=any-secret", "")
	f.Add("grant_type="+GrantDeviceCode+"&client_id=ci", "Basic Y2k6eA==")
	f.Add("%zz;&&==", "Basic %%%")
	f.Fuzz(func(t *testing.T, body, authz string) {
		r := httptest.NewRequest(http.MethodPost, "https://issuer.test/token", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if authz != "" {
			r.Header["Authorization"] = []string{authz}
		}
		w := fx.do(r)
		var resp map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatalf("status %d, body is not JSON: %q", w.Code, w.Body)
		}
		if w.Code == http.StatusOK {
			legit := strings.Contains(authz, "YW55OmFueS1zZWNyZXQ") || strings.Contains(body, "client_secret=any-secret") ||
				strings.Contains(body, a[:40])
			if !legit {
				t.Fatalf("a token was issued for body %q, Authorization %q", body, authz)
			}
			if resp["token_type"] != "Bearer" {
				t.Fatalf("response %v", resp)
			}
			return
		}
		code, _ := resp["error"].(string)
		desc, _ := resp["error_description"].(string)
		if code == "" || !printable(desc) {
			t.Fatalf("status %d with error %q description %q", w.Code, code, desc)
		}
	})
}

// FuzzMint posts arbitrary bodies to /mint: no panic, and whatever is signed is the posted JSON
// object, members in the posted order.
func FuzzMint(f *testing.F) {
	fx := newFixture(f, nil)
	for _, s := range []string{`{"sub":"x"}`, `{"a":{"b":[1,2,{"c":null}]}}`, `{"a":1,"a":2}`, `[]`, `{"x":"\ud800"}`, "{\"\xff\":1}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "https://issuer.test/mint?raw=1", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "application/json")
		w := fx.do(r)
		if w.Code != http.StatusOK {
			var resp map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || resp["error"] == nil {
				t.Fatalf("status %d, body %q", w.Code, w.Body)
			}
			return
		}
		parts := strings.Split(w.Body.String(), ".")
		if len(parts) != 3 {
			t.Fatalf("not a JWS: %q", w.Body)
		}
		payload, err := decodeSegment(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		posted, err1 := claims.ParseObject(body)
		signed, err2 := claims.ParseObject([]byte(payload))
		if err1 != nil || err2 != nil || !posted.Equal(signed) || !slices.Equal(posted.Keys(), signed.Keys()) {
			t.Fatalf("signed payload %q, posted %q", payload, body)
		}
	})
}

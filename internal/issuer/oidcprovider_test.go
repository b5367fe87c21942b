package issuer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/discovery"
	"github.com/jwtkit/jwtkit/internal/safehttp"
	"github.com/jwtkit/jwtkit/internal/testenv"
)

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case bool:
		return "boolean"
	case float64, json.Number:
		return "number"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func fetchJSON(t *testing.T, url string) map[string]any {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%s: %v: %s", url, err, body)
	}
	return m
}

// TestDiscoveryLikeOIDCProvider compares serve's discovery document with the one of a real
// server, npm's oidc-provider: every member both publish has the same JSON type, what serve
// announces for the token endpoint is a subset of what a full server supports, and the members
// RFC 8414 §2 and OpenID Connect Discovery §3 require are present.
func TestDiscoveryLikeOIDCProvider(t *testing.T) {
	op := testenv.OIDCProvider(t)
	if op == nil {
		return
	}
	theirs := fetchJSON(t, op.Issuer+"/.well-known/openid-configuration")
	_, issuerURL := liveServer(t, "ES256")
	ours := fetchJSON(t, issuerURL+"/.well-known/openid-configuration")

	shared := 0
	for name, v := range ours {
		w, ok := theirs[name]
		if !ok {
			continue
		}
		shared++
		if jsonKind(v) != jsonKind(w) {
			t.Errorf("%s is a %s here and a %s in oidc-provider", name, jsonKind(v), jsonKind(w))
		}
	}
	if shared < 8 {
		t.Errorf("only %d members in common with oidc-provider's document", shared)
	}
	for _, name := range []string{"token_endpoint_auth_methods_supported", "grant_types_supported", "subject_types_supported"} {
		for _, v := range ours[name].([]any) {
			// The RFC 8693 and RFC 8628 grants are registered URNs the test provider does not
			// turn on; the vocabulary check is for the names both could use.
			if s, _ := v.(string); strings.HasPrefix(s, "urn:ietf:params:oauth:grant-type:") {
				continue
			}
			if !slices.Contains(theirs[name].([]any), v) {
				t.Errorf("%s: %v is not something oidc-provider knows (%v)", name, v, theirs[name])
			}
		}
	}
	// RFC 8414 §2 (authorization_endpoint is required only with grants that use it) and OpenID
	// Connect Discovery §3 (whose authorization_endpoint serve cannot have).
	for _, name := range []string{"issuer", "token_endpoint", "jwks_uri", "response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported"} {
		if _, ok := ours[name]; !ok {
			t.Errorf("required member %s is missing", name)
		}
	}
	oauth := fetchJSON(t, issuerURL+"/.well-known/oauth-authorization-server")
	for _, name := range []string{"issuer", "token_endpoint", "jwks_uri", "response_types_supported"} {
		if _, ok := oauth[name]; !ok {
			t.Errorf("RFC 8414 member %s is missing", name)
		}
	}
}

// TestJwtkitDiscoveryAcceptsServe checks serve against jwtkit's own client side: the discovery
// package (used by verify --issuer and fetch) accepts its document as it accepts oidc-provider's.
func TestJwtkitDiscoveryAcceptsServe(t *testing.T) {
	_, issuerURL := liveServer(t, "ES256")
	doc, err := discovery.Fetch(context.Background(), safehttp.New(safehttp.Options{}), issuerURL)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Issuer != issuerURL || doc.JWKSURI != issuerURL+"/jwks.json" || doc.TokenEndpoint != issuerURL+"/token" ||
		!slices.Equal(doc.GrantTypesSupported, []string{"authorization_code", "refresh_token", "client_credentials", GrantTokenExchange, GrantDeviceCode, GrantJWTBearer}) ||
		!slices.Contains(doc.TokenEndpointAuthMethodsSupported, "private_key_jwt") {
		t.Errorf("issuer %s, jwks_uri %s, token_endpoint %s, grant types %v, auth methods %v",
			doc.Issuer, doc.JWKSURI, doc.TokenEndpoint, doc.GrantTypesSupported, doc.TokenEndpointAuthMethodsSupported)
	}
}

package oauth

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// cnfToken is an unsigned-looking JWT whose payload is payload.
func cnfToken(payload string) string {
	return "eyJhbGciOiJFUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
}

func TestConfirmedThumbprint(t *testing.T) {
	thumb := CertThumbprint([]byte("certificate"))
	for _, tc := range []struct {
		name, token, want string
		ok, err           bool
	}{
		{"bound", cnfToken(`{"cnf":{"x5t#S256":"` + thumb + `"}}`), thumb, true, false},
		{"DPoP-bound, no x5t#S256", cnfToken(`{"cnf":{"jkt":"abc"}}`), "", false, false},
		{"no cnf", cnfToken(`{"sub":"a"}`), "", false, false},
		{"opaque", "2YotnFZFEjr1zCsicMWpAA", "", false, false},
		{"payload not JSON", "a.bm90IGpzb24.c", "", false, false},
		{"too long", cnfToken(`{"cnf":{"x5t#S256":"` + thumb + `"},"pad":"` + strings.Repeat("a", maxConfirmationToken) + `"}`), "", false, false},
		{"not a string", cnfToken(`{"cnf":{"x5t#S256":42}}`), "", false, true},
		{"not base64url", cnfToken(`{"cnf":{"x5t#S256":"+/+/"}}`), "", false, true},
		{"SHA-1 size", cnfToken(`{"cnf":{"x5t#S256":"` + base64.RawURLEncoding.EncodeToString(make([]byte, 20)) + `"}}`), "", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := ConfirmedThumbprint(tc.token)
			if got != tc.want || ok != tc.ok || (err != nil) != tc.err {
				t.Errorf("= %q, %v, %v; want %q, %v, error %v", got, ok, err, tc.want, tc.ok, tc.err)
			}
		})
	}
}

func TestMTLSTokenEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
		err             bool
	}{
		{"alias", `{"mtls_endpoint_aliases":{"token_endpoint":"https://mtls.idp.example/token"}}`, "https://mtls.idp.example/token", false},
		{"alias with port", `{"mtls_endpoint_aliases":{"token_endpoint":"https://127.0.0.1:8443/token"}}`, "https://127.0.0.1:8443/token", false},
		{"no aliases", `{"token_endpoint":"https://idp.example/token"}`, "", false},
		{"aliases without token_endpoint", `{"mtls_endpoint_aliases":{"revocation_endpoint":"https://m/rev"}}`, "", false},
		{"not a document", `[1,2]`, "", false},
		{"plain http", `{"mtls_endpoint_aliases":{"token_endpoint":"http://mtls.idp.example/token"}}`, "", true},
		{"no host", `{"mtls_endpoint_aliases":{"token_endpoint":"https:///token"}}`, "", true},
		{"port only", `{"mtls_endpoint_aliases":{"token_endpoint":"https://:443/token"}}`, "", true},
		{"user info", `{"mtls_endpoint_aliases":{"token_endpoint":"https://u:p@idp.example/token"}}`, "", true},
		{"fragment", `{"mtls_endpoint_aliases":{"token_endpoint":"https://idp.example/token#x"}}`, "", true},
		{"space", `{"mtls_endpoint_aliases":{"token_endpoint":"https://idp.example/to ken"}}`, "", true},
		{"not a string", `{"mtls_endpoint_aliases":{"token_endpoint":{}}}`, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MTLSTokenEndpoint(json.RawMessage(tc.doc))
			if got != tc.want || (err != nil) != tc.err {
				t.Errorf("= %q, %v; want %q, error %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestMTLSEndpointOthers(t *testing.T) {
	doc := json.RawMessage(`{"mtls_endpoint_aliases":{"token_endpoint":"https://m/token","revocation_endpoint":"https://m/revoke","introspection_endpoint":"http://m/i"}}`)
	if got, err := MTLSEndpoint(doc, "revocation_endpoint"); got != "https://m/revoke" || err != nil {
		t.Errorf("revocation_endpoint = %q, %v", got, err)
	}
	if got, err := MTLSEndpoint(doc, "userinfo_endpoint"); got != "" || err != nil {
		t.Errorf("userinfo_endpoint = %q, %v; want none", got, err)
	}
	if _, err := MTLSEndpoint(doc, "introspection_endpoint"); err == nil || !strings.Contains(err.Error(), "mtls_endpoint_aliases.introspection_endpoint") {
		t.Errorf("plain http alias: %v, want an error naming the member", err)
	}
}

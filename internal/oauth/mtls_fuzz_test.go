package oauth

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// FuzzConfirmedThumbprint: whatever the access token, the reader never panics; a thumbprint it
// returns is a base64url SHA-256, an error is one clean line, and a token built around a
// returned thumbprint gives it back.
func FuzzConfirmedThumbprint(f *testing.F) {
	thumb := CertThumbprint([]byte("certificate"))
	f.Add(cnfToken(`{"cnf":{"x5t#S256":"` + thumb + `"}}`))
	f.Add(cnfToken(`{"cnf":{"jkt":"abc","x5t#S256":null}}`))
	f.Add(cnfToken(`{"cnf":{"x5t#S256":"` + thumb + `=="}}`))
	f.Add("a.b.c")
	f.Add("opaque-token")
	f.Fuzz(func(t *testing.T, token string) {
		got, ok, err := ConfirmedThumbprint(token)
		if err != nil {
			if msg := err.Error(); ok || got != "" || strings.ContainsAny(msg, "\n\r\x1b") || len(msg) > 300 {
				t.Fatalf("error %q with %q, %v", msg, got, ok)
			}
			return
		}
		if !ok {
			if got != "" {
				t.Fatalf("%q without ok", got)
			}
			return
		}
		if b, err := base64.RawURLEncoding.DecodeString(got); err != nil || len(b) != 32 {
			t.Fatalf("thumbprint %q is not a base64url SHA-256", got)
		}
		again, ok, err := ConfirmedThumbprint(cnfToken(`{"cnf":{"x5t#S256":"` + got + `"}}`))
		if again != got || !ok || err != nil {
			t.Fatalf("round trip of %q: %q, %v, %v", got, again, ok, err)
		}
	})
}

// FuzzMTLSTokenEndpoint: whatever the metadata document, an alias the reader returns is an
// absolute https URL with a host, printable ASCII of at most 2 KiB; an error is one clean line.
func FuzzMTLSTokenEndpoint(f *testing.F) {
	f.Add([]byte(`{"mtls_endpoint_aliases":{"token_endpoint":"https://mtls.idp.example/token"}}`))
	f.Add([]byte(`{"mtls_endpoint_aliases":{"token_endpoint":"https://127.0.0.1:8443/token?x=1"}}`))
	f.Add([]byte(`{"mtls_endpoint_aliases":{"token_endpoint":"https://u@h/#f"}}`))
	f.Add([]byte(`{"mtls_endpoint_aliases":null}`))
	f.Add([]byte(`{"token_endpoint":"https://idp.example/token"}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		got, err := MTLSTokenEndpoint(json.RawMessage(doc))
		if err != nil {
			if msg := err.Error(); got != "" || strings.ContainsAny(msg, "\n\r\x1b") || len(msg) > 400 {
				t.Fatalf("error %q with %q", msg, got)
			}
			return
		}
		if got == "" {
			return
		}
		u, perr := url.Parse(got)
		if perr != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil || u.Fragment != "" || len(got) > 2048 || !isTokenText(got) {
			t.Fatalf("alias %q accepted", got)
		}
	})
}

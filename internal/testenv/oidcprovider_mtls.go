package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// OIDCProviderMTLS starts the oidc-provider server (as OIDCProvider does) with mutual TLS
// (RFC 8705): besides its plain-HTTP issuer, server.mjs listens on 127.0.0.1 with TLS,
// asking for client certificates, and its discovery document names that listener's token and
// revocation endpoints in mtls_endpoint_aliases (oidc-provider 8.8.1 does not publish the member itself).
// Access tokens of the mutual TLS clients are bound to the certificate (cnf.x5t#S256).
//
// dir holds what the test generated: ca.pem (the CA that tls_client_auth trusts and that
// signed the server's certificate), server.pem and server.key (the TLS listener's
// certificate, for 127.0.0.1, and its key), and clients.json, a JSON array of client
// metadata, each with client_id and token_endpoint_auth_method and either
// tls_client_auth_subject_dn (tls_client_auth; server.mjs compares it with the subject as
// Node prints it, so use a single CN) or jwks whose key holds the certificate in x5c
// (self_signed_tls_client_auth).
func OIDCProviderMTLS(t testing.TB, dir string) *OIDCServer {
	t.Helper()
	for _, name := range []string{"ca.pem", "server.pem", "server.key", "clients.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Fatalf("oidc-provider mutual TLS: %v", err)
		}
	}
	return startOIDCProvider(t, "--mtls", dir)
}

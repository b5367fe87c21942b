package oauth

import (
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
)

func TestChooseAuthMethod(t *testing.T) {
	all := []string{"none", "client_secret_basic", "client_secret_post", "private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth"}
	tests := []struct {
		name      string
		supported []string
		c         Credentials
		want      string // the method, or a part of the error
		fails     bool
	}{
		{"secret, server lists basic first", all, Credentials{Secret: true}, "client_secret_basic", false},
		{"secret, server only post", []string{"private_key_jwt", "client_secret_post"}, Credentials{Secret: true}, "client_secret_post", false},
		{"key", all, Credentials{Key: true}, "private_key_jwt", false},
		{"cert, server lists self-signed first", []string{"self_signed_tls_client_auth", "tls_client_auth"}, Credentials{Cert: true}, "self_signed_tls_client_auth", false},
		{"cert, only tls_client_auth", []string{"client_secret_basic", "tls_client_auth"}, Credentials{Cert: true}, "tls_client_auth", false},
		{"public client", all, Credentials{Public: true}, "none", false},
		{"secret and cert: the cert decides", []string{"client_secret_basic", "tls_client_auth"}, Credentials{Secret: true, Cert: true}, "tls_client_auth", false},
		{"secret and key: the key decides", []string{"client_secret_basic", "private_key_jwt"}, Credentials{Secret: true, Key: true}, "private_key_jwt", false},
		{"key and cert: the server's first", []string{"client_secret_basic", "tls_client_auth", "private_key_jwt"}, Credentials{Key: true, Cert: true}, "tls_client_auth", false},
		{"secret and cert, server without TLS methods", []string{"client_secret_basic"}, Credentials{Secret: true, Cert: true}, "fits tls_client_auth, self_signed_tls_client_auth, but the server supports only client_secret_basic", true},
		{"a secret is not none", []string{"none"}, Credentials{Secret: true, Public: true}, "fits client_secret_basic, client_secret_post, but the server supports only none", true},
		{"nothing fits", []string{"private_key_jwt"}, Credentials{Cert: true}, "but the server supports only private_key_jwt", true},
		{"no credentials, confidential grant", []string{"client_secret_basic"}, Credentials{}, "no client credentials: the server supports client_secret_basic", true},
		{"unknown server methods only", []string{"spiffe_jwt"}, Credentials{Secret: true}, "supports only spiffe_jwt", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ChooseAuthMethod(tt.supported, tt.c)
			if tt.fails {
				if err == nil || !strings.Contains(err.Error(), tt.want) || failure.ExitCode(err) != 2 {
					t.Fatalf("got %q, %v; want exit 2 with %q", got, err, tt.want)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

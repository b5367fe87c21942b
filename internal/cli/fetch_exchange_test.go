package cli

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/issuer"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// startIssuer runs jwtkit serve's issuer in-process on a loopback port, with the harness clock.
func startIssuer(t *testing.T, h *harness, clients ...issuer.Client) string {
	t.Helper()
	key, err := keys.Generate(rand.Reader, "EC", 0, "P-256", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	url := "http://" + ts.Listener.Addr().String()
	idp, err := issuer.New(issuer.Config{Issuer: url, Keys: []keys.Key{key}, Clients: clients, Now: h.deps.Now, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = idp
	ts.Start()
	t.Cleanup(ts.Close)
	return url
}

// claimsOf returns the payload of a JWT without verifying it.
func claimsOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFetchTokenExchangeServe exchanges tokens at jwtkit serve (RFC 8693): the new token is for
// the subject token's subject, with the asked audience and the actor in act; verify --issuer
// accepts it; refused cases are the server's error with exit 3 or the user's with exit 2.
func TestFetchTokenExchangeServe(t *testing.T) {
	h := fetchHarness(t)
	iss := startIssuer(t, h,
		issuer.Client{ID: "alice-app", Secret: []byte("alice-secret-0123456789"), Scopes: []string{"read", "write"}},
		issuer.Client{ID: "gateway", Secret: []byte("gateway-secret-0123456789"), Scopes: []string{"read", "write"}})
	get := func(client, secret string) string {
		t.Helper()
		h.env["JWTKIT_CLIENT_SECRET"] = secret
		if code := h.run("fetch", "--issuer", iss, "--client-id", client, "--no-cache"); code != 0 {
			t.Fatalf("fetch %s: exit %d: %s", client, code, h.stderr)
		}
		return strings.TrimSpace(h.stdout.String())
	}
	subject := get("alice-app", "alice-secret-0123456789")
	actor := get("gateway", "gateway-secret-0123456789")
	h.env["SUBJECT"] = subject
	h.env["ACTOR"] = actor
	h.env["JWTKIT_CLIENT_SECRET"] = "gateway-secret-0123456789"

	for _, grant := range []string{"token-exchange", "urn:ietf:params:oauth:grant-type:token-exchange"} {
		code := h.run("fetch", "--issuer", iss, "--client-id", "gateway", "--grant", grant, "--verbose",
			"--subject-token", "env:SUBJECT", "--actor-token", "env:ACTOR", "--audience", "https://orders.example", "--scope", "read")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", grant, code, h.stderr)
		}
		tok := strings.TrimSpace(h.stdout.String())
		c := claimsOf(t, tok)
		if c["sub"] != "alice-app" || c["aud"] != "https://orders.example" || c["scope"] != "read" {
			t.Errorf("exchanged token claims: %v", c)
		}
		if act, _ := c["act"].(map[string]any); act["sub"] != "gateway" {
			t.Errorf("act = %v, want the actor gateway", c["act"])
		}
		stderr := h.stderr.String()
		if !strings.Contains(stderr, "* issued token type urn:ietf:params:oauth:token-type:access_token") {
			t.Errorf("--verbose does not name the issued token type:\n%s", stderr)
		}
		for _, secret := range []string{subject, actor, tok, "gateway-secret-0123456789"} {
			if strings.Contains(stderr, secret) {
				t.Fatalf("stderr shows a token or secret:\n%s", stderr)
			}
		}
		h.stdin.Reset()
		h.stdin.WriteString(tok)
		if code := h.run("verify", "--issuer", iss, "--aud", "https://orders.example", "--no-cache"); code != 0 {
			t.Fatalf("verify --issuer: exit %d: %s", code, h.stderr)
		}
	}

	// The subject token from stdin works too.
	h.stdin.Reset()
	h.stdin.WriteString(subject + "\n")
	if code := h.run("fetch", "--issuer", iss, "--client-id", "gateway", "--grant", "token-exchange", "--subject-token", "-"); code != 0 {
		t.Fatalf("stdin subject token: exit %d: %s", code, h.stderr)
	}

	// A literal token in argv works, with a warning.
	if code := h.run("fetch", "--issuer", iss, "--client-id", "gateway", "--grant", "token-exchange", "--subject-token", subject); code != 0 ||
		!strings.Contains(h.stderr.String(), "--subject-token is given as a literal value") || strings.Contains(h.stderr.String(), subject) {
		t.Fatalf("literal subject token: exit %d: %s", code, h.stderr)
	}

	// A foreign subject token (not issued by this server): the server's invalid_request, exit 3.
	foreign := startIssuer(t, h, issuer.Client{ID: "alice-app", Secret: []byte("alice-secret-0123456789")})
	h.env["JWTKIT_CLIENT_SECRET"] = "alice-secret-0123456789"
	if code := h.run("fetch", "--issuer", foreign, "--client-id", "alice-app", "--no-cache"); code != 0 {
		t.Fatalf("foreign token: exit %d: %s", code, h.stderr)
	}
	h.env["FOREIGN"] = strings.TrimSpace(h.stdout.String())
	h.env["JWTKIT_CLIENT_SECRET"] = "gateway-secret-0123456789"
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"foreign subject token", []string{"--subject-token", "env:FOREIGN"}, 3, "invalid_request: subject_token is not acceptable"},
		{"wrong subject token type", []string{"--subject-token", "env:SUBJECT", "--subject-token-type", "id_token"}, 3, "invalid_request"},
		{"unsupported requested type", []string{"--subject-token", "env:SUBJECT", "--requested-token-type", "saml2"}, 3, "requested_token_type urn:ietf:params:oauth:token-type:saml2 is not supported"},
		{"no subject token", nil, 2, "--grant token-exchange needs --subject-token"},
		{"bad token type", []string{"--subject-token", "env:SUBJECT", "--subject-token-type", "bogus"}, 2, `--subject-token-type "bogus" is not a token type`},
		{"actor type alone", []string{"--subject-token", "env:SUBJECT", "--actor-token-type", "jwt"}, 2, "--actor-token-type needs --actor-token"},
		{"both on stdin", []string{"--subject-token", "-", "--actor-token", "-"}, 2, "cannot both be read from stdin"},
		{"unset variable", []string{"--subject-token", "env:NOPE"}, 2, "environment variable NOPE is not set"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code := h.run(append([]string{"fetch", "--issuer", iss, "--client-id", "gateway", "--grant", "token-exchange", "--retries", "0"}, tt.args...)...)
			if code != tt.code || !strings.Contains(h.stderr.String(), tt.want) {
				t.Fatalf("exit %d, want %d with %q: %s", code, tt.code, tt.want, h.stderr)
			}
			if msg := h.stderr.String(); strings.Count(msg, "\n") != 1 || strings.Contains(msg, subject) || strings.Contains(msg, h.env["FOREIGN"]) {
				t.Errorf("error is not one line free of tokens: %q", msg)
			}
		})
	}

	// Token exchange flags with another grant are a usage error.
	if code := h.run("fetch", "--issuer", iss, "--client-id", "gateway", "--subject-token", "env:SUBJECT"); code != 2 ||
		!strings.Contains(h.stderr.String(), "--subject-token is for --grant token-exchange, not client_credentials") {
		t.Fatalf("subject token with client_credentials: exit %d: %s", code, h.stderr)
	}
}

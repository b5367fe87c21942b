package cli

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/dpop"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/oauth"
)

// TestHeaderLines: a Bearer token gives one Authorization line; a DPoP token the DPoP pair,
// whose proof is for the method and URL asked, with ath the token's hash (RFC 9449 §4.2, §7.1);
// a DPoP token without its key or without --url is a usage error.
func TestHeaderLines(t *testing.T) {
	got, err := headerLines(nil, &oauth.Token{AccessToken: "tok.en.x", TokenType: "Bearer"}, "GET", "")
	if err != nil || got != "Authorization: Bearer tok.en.x\n" {
		t.Fatalf("bearer: %q, %v", got, err)
	}

	k, err := keys.Generate(rand.Reader, "EC", 0, "P-256", "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)
	signer, err := dpop.NewSigner(k, "", func() time.Time { return now }, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tok := &oauth.Token{AccessToken: "dpop-bound-token", TokenType: "DPoP"}
	got, err = headerLines(signer, tok, "post", "https://api.example/users?page=2")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 2 || lines[0] != "Authorization: DPoP dpop-bound-token" || !strings.HasPrefix(lines[1], "DPoP: ey") {
		t.Fatalf("dpop lines: %q", got)
	}
	parts := strings.Split(strings.TrimPrefix(lines[1], "DPoP: "), ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct{ HTM, HTU, Ath string }
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(tok.AccessToken))
	if claims.HTM != "POST" || claims.HTU != "https://api.example/users" || claims.Ath != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Fatalf("claims %+v", claims)
	}

	for name, call := range map[string]func() (string, error){
		"no key": func() (string, error) { return headerLines(nil, tok, "GET", "https://api.example/") },
		"no url": func() (string, error) { return headerLines(signer, tok, "GET", "") },
	} {
		if _, err := call(); failure.KindOf(err) != failure.KindUsage {
			t.Errorf("%s: %v", name, err)
		}
	}
}

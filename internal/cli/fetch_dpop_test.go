package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/dpop"
)

// TestFetchDPoPRefusals: a server that keeps asking for a new nonce, one that ignores the proof
// and returns a Bearer token, and keys that cannot sign proofs each end in one clear line.
func TestFetchDPoPRefusals(t *testing.T) {
	keyFile, _ := writeClientKey(t, "EC", 0, "P-256")
	var proofs []string
	n := 0
	loop := func(w http.ResponseWriter, r *http.Request) {
		proofs = append(proofs, r.Header.Get("DPoP"))
		n++
		w.Header().Set("DPoP-Nonce", "nonce-"+strings.Repeat("x", n))
		fetchJSONReply(400, `{"error":"use_dpop_nonce","error_description":"again"}`)(w, r)
	}
	cases := []struct {
		name  string
		reply func(http.ResponseWriter, *http.Request)
		args  []string
		code  int
		want  string
	}{
		{"nonce loop", loop, []string{"--dpop-key", keyFile}, 3, "keeps asking for a new DPoP nonce"},
		{"bearer answer", fetchOKReply(60), []string{"--dpop-key", keyFile}, 3, "where a DPoP-bound token was asked for"},
		{"HMAC key", fetchOKReply(60), []string{"--dpop-key", "b64:" + strings.Repeat("QUJD", 12)}, 2, ""},
		{"public key", fetchOKReply(60), []string{"--dpop-key", fetchTempFile(t, "pub.jwk", `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`)}, 2, "needs the private key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newFetchServer(t, c.reply)
			h := fetchHarness(t)
			code := h.fetch(t, srv, append(c.args, "--no-cache")...)
			stderr := h.stderr.String()
			if code != c.code || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("exit %d, want %d with %q:\n%s", code, c.code, c.want, stderr)
			}
		})
	}
	// The loop: the first proof has no nonce, the second the server's, and then jwtkit stops.
	if len(proofs) != 2 {
		t.Fatalf("%d token requests in the nonce loop, want 2", len(proofs))
	}
	for i, want := range []any{nil, "nonce-x"} {
		h, c, err := dpop.Decode(proofs[i])
		if err != nil || h.Typ != "dpop+jwt" || c["htm"] != "POST" || !strings.HasSuffix(c["htu"].(string), "/token") || c["nonce"] != want {
			t.Errorf("proof %d: %v %+v %v", i, err, h, c)
		}
	}
}

// TestFetchDPoPKeyPassphrase: an encrypted DPoP key opens with its own passphrase
// (--dpop-key-passphrase, the profile's dpop-key-passphrase or $JWTKIT_DPOP_KEY_PASSPHRASE),
// never with --passphrase, which is the assertion key's.
func TestFetchDPoPKeyPassphrase(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	//nolint:staticcheck // legacy encrypted PEM is what the passphrases open
	block, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", der, []byte("dpop-pass-0123"), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := fetchTempFile(t, "dpop.key", string(pem.EncodeToMemory(block)))
	cfg := fetchTempFile(t, "config.toml", "[profile.p]\ndpop-key-passphrase = \"env:DP\"\n")
	cases := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		// The key opens and signs the proof; the fake server's Bearer answer is then refused.
		{"flag", []string{"--dpop-key-passphrase", "env:DP"}, nil, 3, "where a DPoP-bound token was asked for"},
		{"environment", nil, map[string]string{"JWTKIT_DPOP_KEY_PASSPHRASE": "dpop-pass-0123"}, 3, "where a DPoP-bound token was asked for"},
		{"profile", []string{"--config", cfg, "--profile", "p"}, nil, 3, "where a DPoP-bound token was asked for"},
		{"the assertion key's passphrase", []string{"--passphrase", "env:DP"}, nil, 2, "pass the DPoP key's with --dpop-key-passphrase"},
		{"JWTKIT_PASSPHRASE", nil, map[string]string{"JWTKIT_PASSPHRASE": "dpop-pass-0123"}, 2, "pass the DPoP key's with --dpop-key-passphrase"},
		{"none", nil, nil, 2, "the key is encrypted"},
		{"wrong", []string{"--dpop-key-passphrase", "env:WRONG"}, nil, 2, "--dpop-key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newFetchServer(t, fetchOKReply(60))
			h := fetchHarness(t)
			h.env["DP"], h.env["WRONG"] = "dpop-pass-0123", "not-the-passphrase"
			for k, v := range c.env {
				h.env[k] = v
			}
			code := h.fetch(t, srv, append([]string{"--dpop-key", keyFile, "--no-cache"}, c.args...)...)
			stderr := h.stderr.String()
			if code != c.code || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("exit %d, want %d with %q:\n%s", code, c.code, c.want, stderr)
			}
			if strings.Contains(stderr, "dpop-pass-0123") {
				t.Errorf("the passphrase appears: %s", stderr)
			}
		})
	}
	h := fetchHarness(t)
	if code := h.run("fetch", "--token-url", "http://127.0.0.1:1/token", "--client-id", "c", "--dpop-key-passphrase", "env:DP"); code != 2 ||
		!strings.Contains(h.stderr.String(), "there is none") {
		t.Errorf("--dpop-key-passphrase without --dpop-key: exit %d: %s", code, h.stderr)
	}
}

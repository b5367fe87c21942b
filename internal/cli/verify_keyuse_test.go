package cli

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/keys"
)

// TestVerifyPassesOverKeysNotForVerifying: a key whose JWK "use" is not "sig", or whose
// "key_ops" lack "verify", is left out of key selection in every key source (RFC 7517
// §4.2–4.3), even when the token names its kid: verify exits 1 and says which key was passed
// over and why. The same key marked for signatures verifies, and in a set that holds both
// halves of a kid (one "enc", one "sig") the signing key is chosen.
func TestVerifyPassesOverKeysNotForVerifying(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	k, err := keys.Generate(rand.Reader, "ec", 0, "P-256", "")
	if err != nil {
		t.Fatal(err)
	}
	k.JWK.KeyID = "k1"
	priv, _ := writeKey(t, dir, "signer", k)

	// jwk returns the public JWK of k as a map with the given members set (nil deletes).
	jwk := func(members map[string]any) map[string]any {
		raw, err := keys.MarshalJWK(k.Public(), false)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "use")
		for name, v := range members {
			if v == nil {
				delete(m, name)
			} else {
				m[name] = v
			}
		}
		return m
	}
	type variant struct {
		name  string
		keys  []map[string]any
		ok    bool
		wants string // in the error when !ok
	}
	variants := []variant{
		{"use enc", []map[string]any{jwk(map[string]any{"use": "enc"})}, false, `has that kid but was passed over: its "use" is "enc", not "sig" (RFC 7517 §4.2)`},
		{"use ENC", []map[string]any{jwk(map[string]any{"use": "ENC"})}, false, `its "use" is "ENC", not "sig"`},
		{"use Sig", []map[string]any{jwk(map[string]any{"use": "Sig"})}, false, `its "use" is "Sig", not "sig"`},
		{"use other", []map[string]any{jwk(map[string]any{"use": "tls"})}, false, `its "use" is "tls"`},
		{"key_ops encrypt", []map[string]any{jwk(map[string]any{"key_ops": []string{"encrypt"}})}, false, `its "key_ops" ["encrypt"] do not include "verify" (RFC 7517 §4.3)`},
		{"key_ops sign on a public key", []map[string]any{jwk(map[string]any{"key_ops": []string{"sign"}})}, false, `its "key_ops" ["sign"] do not include "verify"`},
		{"key_ops empty", []map[string]any{jwk(map[string]any{"key_ops": []string{}})}, false, `its "key_ops" [] do not include "verify"`},
		{"use sig", []map[string]any{jwk(map[string]any{"use": "sig"})}, true, ""},
		{"no use", []map[string]any{jwk(nil)}, true, ""},
		{"key_ops verify", []map[string]any{jwk(map[string]any{"key_ops": []string{"verify"}})}, true, ""},
		{"enc then sig, same kid", []map[string]any{jwk(map[string]any{"use": "enc"}), jwk(map[string]any{"use": "sig"})}, true, ""},
		{"sig then enc, same kid", []map[string]any{jwk(map[string]any{"use": "sig"}), jwk(map[string]any{"use": "enc"})}, true, ""},
	}

	// serve answers /jwks.json with the variant's set and /.well-known/openid-configuration
	// with a discovery document naming it.
	var current []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/jwks.json":
			_, _ = w.Write(current)
		case "/.well-known/openid-configuration":
			iss := "http://" + r.Host
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "jwks_uri": iss + "/jwks.json"})
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	code := h.run("mint", "--key", priv, "--kid", "k1", "--iss", srv.URL, "--sub", "alice", "--exp", "1h")
	if code != 0 {
		t.Fatalf("mint: exit %d: %s", code, h.stderr)
	}
	tok := strings.TrimSpace(h.stdout.String())

	for i, v := range variants {
		set, err := json.Marshal(map[string]any{"keys": v.keys})
		if err != nil {
			t.Fatal(err)
		}
		current = set
		setFile := filepath.Join(dir, "set"+string(rune('a'+i))+".json")
		if err := os.WriteFile(setFile, set, 0o644); err != nil {
			t.Fatal(err)
		}
		sources := map[string][]string{
			"--jwks file": {"--jwks", setFile},
			"--key set":   {"--key", setFile},
			"--jwks URL":  {"--jwks", srv.URL + "/jwks.json"},
			"--issuer":    {"--issuer", srv.URL},
		}
		if len(v.keys) == 1 {
			one, err := json.Marshal(v.keys[0])
			if err != nil {
				t.Fatal(err)
			}
			oneFile := filepath.Join(dir, "one"+string(rune('a'+i))+".jwk")
			if err := os.WriteFile(oneFile, one, 0o644); err != nil {
				t.Fatal(err)
			}
			sources["--key JWK"] = []string{"--key", oneFile}
		}
		for name, src := range sources {
			t.Run(v.name+"/"+name, func(t *testing.T) {
				// A fresh cache per case, so that no set fetched for another variant answers.
				h.deps.CacheDir = func() (string, error) { return t.TempDir(), nil }
				code := h.run(append(append([]string{"verify"}, src...), tok)...)
				if v.ok {
					if code != 0 {
						t.Fatalf("exit %d, want 0: %s", code, h.stderr)
					}
					return
				}
				msg := h.stderr.String()
				if code != 1 || !strings.Contains(msg, v.wants) || !strings.Contains(msg, `unknown key: token has kid "k1"`) {
					t.Fatalf("exit %d, want 1 with %q: %s", code, v.wants, msg)
				}
				if strings.Contains(msg, "fetched it again") {
					t.Errorf("a kid held by a passed-over key is no rotation, but the set was fetched again: %s", msg)
				}
			})
		}
	}
}

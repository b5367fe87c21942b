package cli

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/keys"
)

// keyForms writes k in every private form jwks reads and returns the file names: PKCS#8 PEM,
// the legacy PEM of its type (PKCS#1, SEC 1) where there is one, a private JWK and a private JWK
// Set.
func keyForms(t *testing.T, dir, name string, k keys.Key) []string {
	t.Helper()
	write := func(file string, data []byte) string {
		t.Helper()
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	pkcs8, err := keys.EncodePEM(k)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := keys.MarshalJWK(k, true)
	if err != nil {
		t.Fatal(err)
	}
	set, err := keys.MarshalJWKS([]keys.Key{k}, true)
	if err != nil {
		t.Fatal(err)
	}
	files := []string{write(name+".p8.pem", pkcs8), write(name+".jwk", jwk), write(name+".jwks.json", set)}
	switch key := k.JWK.Key.(type) {
	case *rsa.PrivateKey:
		files = append(files, write(name+".p1.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})))
	case *ecdsa.PrivateKey:
		der, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, write(name+".sec1.pem", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})))
	}
	return files
}

func TestJWKSPublicSetFromEveryPrivateForm(t *testing.T) {
	kinds := []struct {
		kind  string
		size  int
		curve string
	}{
		{"RSA", 2048, ""}, {"EC", 0, "P-256"}, {"EC", 0, "P-384"}, {"EC", 0, "P-521"}, {"OKP", 0, ""},
	}
	dir := t.TempDir()
	var args []string
	var wantKids []string
	for i, kd := range kinds {
		k, err := keys.Generate(nil, kd.kind, kd.size, kd.curve, "")
		if err != nil {
			t.Fatal(err)
		}
		k.JWK.KeyID = "" // PEM has no kid: jwks must fill in the thumbprint for every form
		wantKids = append(wantKids, mustThumbprint(t, k))
		args = append(args, keyForms(t, dir, "k"+strings.Repeat("x", i), k)...)
	}
	h := newHarness(t)
	out := h.ok(t, append([]string{"jwks"}, args...)...)
	if h.stderr.Len() != 0 {
		t.Errorf("stderr = %q", h.stderr)
	}
	set := assertPublicSet(t, []byte(out))
	var kids []string
	for _, k := range set {
		kid, _ := k["kid"].(string)
		kids = append(kids, kid)
	}
	// One entry per key, in the order the keys first appeared, each under its thumbprint.
	if !slices.Equal(kids, wantKids) {
		t.Errorf("kids = %v, want %v", kids, wantKids)
	}

	// The same files in the same order give the same bytes; the order of inputs is the order
	// of the set.
	again := h.ok(t, append([]string{"jwks"}, args...)...)
	if again != out {
		t.Error("the same inputs gave a different set")
	}
	slices.Reverse(args)
	reversed := assertPublicSet(t, []byte(h.ok(t, append([]string{"jwks"}, args...)...)))
	if len(reversed) != len(set) || reversed[0]["kid"] != wantKids[len(wantKids)-1] {
		t.Errorf("reversed inputs: first kid %v, want %s", reversed[0]["kid"], wantKids[len(wantKids)-1])
	}

	// --private keeps the private members of every key, and each loads back as a private key.
	private := h.ok(t, append([]string{"jwks", "--private"}, args...)...)
	list, err := keys.Parse([]byte(private), keys.ParseOptions{Source: "private set"})
	if err != nil || len(list) != len(kinds) {
		t.Fatalf("private set: %d keys, %v", len(list), err)
	}
	for _, k := range list {
		if !k.IsPrivate() {
			t.Errorf("--private lost the private part of %s", k.Describe())
		}
	}
}

func TestJWKSKeepsMetadataAndRefusesKidClashes(t *testing.T) {
	dir := t.TempDir()
	a, err := keys.Generate(nil, "EC", 0, "P-256", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	b, err := keys.Generate(nil, "OKP", 0, "", "EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	a.JWK.KeyID, b.JWK.KeyID = "2026-01", "2026-01"
	fa := keyForms(t, dir, "a", a)[1]
	fb := keyForms(t, dir, "b", b)[1]

	h := newHarness(t)
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal([]byte(h.ok(t, "jwks", fa)), &set); err != nil {
		t.Fatal(err)
	}
	if k := set.Keys[0]; k["kid"] != "2026-01" || k["alg"] != "ES256" || k["use"] != "sig" {
		t.Errorf("metadata not kept: %v", k)
	}
	if code := h.run("jwks", fa, fb); code != 2 || !strings.Contains(h.stderr.String(), `hold different keys with the same kid "2026-01"`) {
		t.Errorf("kid clash: exit %d, stderr %q", code, h.stderr)
	}
}

// FuzzJWKSSet feeds any bytes to `jwks` as a key file: it must never panic, must fail only with
// a usage error, and whatever it prints must be a public JWK Set that jwtkit's own untrusted-set
// reader accepts. With --private the output must load back with as many keys.
func FuzzJWKSSet(f *testing.F) {
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},{"kty":"OKP","crv":"Ed25519","kid":"b","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE","use":"enc","kid":"1"},{"kty":"oct","k":"AAAA"}]}`))
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"X25519","x":"AAAA"}]}`))
	f.Add([]byte(`{"kty":"oct","k":"c2VjcmV0"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || bytes.IndexByte(data, 0) >= 0 {
			return // an environment variable can hold neither
		}
		h := newHarness(t)
		h.env["KEYS"] = string(data)
		code := h.run("jwks", "env:KEYS")
		switch code {
		case 0:
			assertPublicSet(t, h.stdout.Bytes())
		case 2:
			if h.stdout.Len() != 0 {
				t.Fatalf("failed run wrote to stdout: %q", h.stdout)
			}
		default:
			t.Fatalf("exit %d: %s", code, h.stderr)
		}
		if code := h.run("jwks", "--private", "-q", "env:KEYS"); code == 0 {
			in, err := keys.Parse(data, keys.ParseOptions{})
			if err != nil {
				t.Fatalf("jwks accepted what keys.Parse refuses: %v", err)
			}
			out, err := keys.Parse(h.stdout.Bytes(), keys.ParseOptions{})
			if err != nil {
				t.Fatalf("the private set does not load back: %v\n%s", err, h.stdout)
			}
			if len(out) > len(in) {
				t.Fatalf("%d keys in, %d out", len(in), len(out))
			}
			for i, k := range out {
				if k.IsPrivate() != in[i].IsPrivate() && len(out) == len(in) {
					t.Fatalf("key %d changed from private=%v to %v", i, in[i].IsPrivate(), k.IsPrivate())
				}
			}
		}
	})
}

// TestJWKSWarnsOnReadablePrivateKey: every jwks subcommand that reads a private key file others
// can read warns on stderr, as mint, verify, fetch and serve do; a 0600 file and a public key
// file get no warning.
func TestJWKSWarnsOnReadablePrivateKey(t *testing.T) {
	dir := t.TempDir()
	k, err := keys.Generate(bytes.NewReader(bytes.Repeat([]byte{3}, 4096)), "OKP", 0, "Ed25519", "EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte, mode os.FileMode) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	private, err := keys.MarshalJWK(k, true)
	if err != nil {
		t.Fatal(err)
	}
	public, err := keys.MarshalJWK(k.Public(), false)
	if err != nil {
		t.Fatal(err)
	}
	open := write("open.jwk", private, 0o644)
	closed := write("closed.jwk", private, 0o600)
	pub := write("pub.jwk", public, 0o644)
	for _, args := range [][]string{{"jwks"}, {"jwks", "--private"}, {"jwks", "thumbprint"}, {"jwks", "pem"}} {
		for _, tc := range []struct {
			file string
			warn bool
		}{{open, true}, {closed, false}, {pub, false}} {
			h := newHarness(t)
			if code := h.run(append(slices.Clone(args), tc.file)...); code != 0 {
				t.Fatalf("%q %s: exit %d: %s", args, filepath.Base(tc.file), code, h.stderr)
			}
			if got := strings.Contains(h.stderr.String(), "readable by others"); got != tc.warn {
				t.Errorf("%q %s: warning %v, want %v; stderr %q", args, filepath.Base(tc.file), got, tc.warn, h.stderr)
			}
		}
	}
}

package keys

import (
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// addFixtureSeeds adds every openssl-made file under testdata/ to the corpus.
func addFixtureSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzParse feeds arbitrary bytes to Parse: it must not panic, must fail as a usage error,
// and whatever loads must pass the key checks and round-trip through MarshalJWK and, for
// asymmetric keys, EncodePEM.
func FuzzParse(f *testing.F) {
	addFixtureSeeds(f)
	for _, s := range []string{
		rfc7638Key, rfc8037Key, rfc7517ECKey,
		`{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow","key_ops":[],"use":"sig"}`,
		`{"keys":[` + rfc8037Key + `,{"kty":"AKP"}]}`,
		"ssh-ed25519 AAAA", "", "{", "\xef\xbb\xbf-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := Parse(data, ParseOptions{Source: "fuzz", Passphrase: []byte("hunter2")})
		if err != nil {
			if failure.KindOf(err) != failure.KindUsage || failure.CodeOf(err) != "key" {
				t.Fatalf("error kind %v code %s: %v", failure.KindOf(err), failure.CodeOf(err), err)
			}
			if keys != nil {
				t.Fatal("keys returned with an error")
			}
			return
		}
		if len(keys) == 0 || len(keys) > MaxKeys {
			t.Fatalf("%d keys", len(keys))
		}
		for _, k := range keys {
			checkRoundTrip(t, k)
		}
	})
}

func checkRoundTrip(t *testing.T, k Key) {
	t.Helper()
	if err := checkKey(k.JWK.Key); err != nil {
		t.Fatalf("loaded a key that fails the checks: %v", err)
	}
	if k.Family() == "" || k.Describe() == "unknown key" || k.Source != "fuzz" {
		t.Fatalf("odd key: %q %q %q", k.Family(), k.Describe(), k.Source)
	}
	tp, err := k.Thumbprint()
	if err != nil {
		t.Fatalf("Thumbprint: %v", err)
	}
	data, err := MarshalJWK(k, true)
	if err != nil {
		t.Fatalf("MarshalJWK: %v", err)
	}
	back, err := Parse(data, ParseOptions{Source: "fuzz"})
	if err != nil || len(back) != 1 {
		t.Fatalf("re-parsing %s: %v", data, err)
	}
	b := back[0]
	wantKid := k.JWK.KeyID
	if wantKid == "" {
		wantKid = tp
	}
	btp, _ := b.Thumbprint()
	if btp != tp || b.IsPrivate() != k.IsPrivate() || b.IsSymmetric() != k.IsSymmetric() ||
		b.JWK.KeyID != wantKid || b.JWK.Algorithm != k.JWK.Algorithm || b.JWK.Use != k.JWK.Use ||
		!slices.Equal(b.KeyOps, k.KeyOps) || (b.KeyOps == nil) != (k.KeyOps == nil) {
		t.Fatalf("JWK round trip changed the key:\n%s", data)
	}
	if k.IsSymmetric() {
		return
	}
	pemData, err := EncodePEM(k)
	if err != nil {
		t.Fatalf("EncodePEM: %v", err)
	}
	back, err = Parse(pemData, ParseOptions{Source: "fuzz"})
	if err != nil || len(back) != 1 {
		t.Fatalf("re-parsing PEM: %v", err)
	}
	if ptp, _ := back[0].Thumbprint(); ptp != tp || back[0].IsPrivate() != k.IsPrivate() {
		t.Fatal("PEM round trip changed the key")
	}
}

// FuzzParseJWKS feeds arbitrary bytes to ParseJWKS: it must not panic, must fail as a remote
// error, and must never return a private key or a secret.
func FuzzParseJWKS(f *testing.F) {
	for _, s := range []string{
		`{"keys":[` + rfc7638Key + `]}`,
		`{"keys":[` + rfc8037Key + `]}`,
		`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","use":"sig","key_ops":["verify"]},{"kty":"AKP","alg":"ML-DSA-44"}]}`,
		`{"keys":[{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","kid":"1"}]}`,
		`{"keys":[{"kty":"oct","k":"AAAA"}]}`,
		`{"keys":[]}`, `{"keys":null}`, `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, notes, err := ParseJWKS(data, "fuzz")
		if err != nil {
			if failure.KindOf(err) != failure.KindRemote || failure.CodeOf(err) != "jwks" {
				t.Fatalf("error kind %v code %s: %v", failure.KindOf(err), failure.CodeOf(err), err)
			}
			return
		}
		if len(keys) == 0 || len(keys)+len(notes) > MaxKeys {
			t.Fatalf("%d keys, %d notes", len(keys), len(notes))
		}
		seen := map[string]bool{}
		for _, k := range keys {
			if k.IsPrivate() || k.IsSymmetric() {
				t.Fatal("a private key or a secret came out of a remote set")
			}
			if err := checkKey(k.JWK.Key); err != nil {
				t.Fatalf("a key fails the checks: %v", err)
			}
			tp, err := k.Thumbprint()
			if err != nil {
				t.Fatal(err)
			}
			seen[tp] = true
		}
		out, err := MarshalJWKS(keys, false)
		if err != nil {
			t.Fatalf("MarshalJWKS: %v", err)
		}
		back, notes, err := ParseJWKS(out, "fuzz")
		if err != nil || len(notes) != 0 || len(back) != len(seen) {
			t.Fatalf("re-reading our own set: %d keys (want %d), notes %q, %v", len(back), len(seen), notes, err)
		}
	})
}

// FuzzResolverSecret feeds arbitrary specs, stdin and file contents to Resolver.Secret: it
// must not panic, must return non-empty bytes within the cap or a usage error, must decode the
// encodings exactly, and must not echo an encoded value in an error.
func FuzzResolverSecret(f *testing.F) {
	for _, s := range []string{
		"literal", "@file", "@", "env:SECRET", "env:", "b64:aGk=", "b64:aGk", "b64url:aGk_", "hex:00ff",
		"hex:0", "-", "", "b64:a\nb", "b64url:=", "@missing",
	} {
		f.Add(s, "stdin\n", []byte("file\r\n"), true)
	}
	f.Fuzz(func(t *testing.T, spec, stdin string, file []byte, stdinFree bool) {
		r := Resolver{
			Getenv: func(name string) string {
				if name == "SECRET" {
					return stdin
				}
				return ""
			},
			ReadFile: func(path string) ([]byte, error) {
				if path == "file" {
					return file, nil
				}
				return nil, os.ErrNotExist
			},
		}
		if stdinFree {
			r.Stdin = strings.NewReader(stdin)
		}
		got, err := r.Secret(spec)
		if err != nil {
			if failure.KindOf(err) != failure.KindUsage || failure.CodeOf(err) != "key" {
				t.Fatalf("error kind %v code %s", failure.KindOf(err), failure.CodeOf(err))
			}
			for _, prefix := range []string{"b64:", "b64url:", "hex:"} {
				if v, ok := strings.CutPrefix(spec, prefix); ok && len(v) >= 8 && strings.Contains(err.Error(), v) {
					t.Fatalf("error echoes the value: %v", err)
				}
			}
			return
		}
		if len(got) == 0 || len(got) > MaxInputSize {
			t.Fatalf("%d bytes", len(got))
		}
		switch {
		case strings.HasPrefix(spec, "hex:"):
			if hex.EncodeToString(got) != strings.ToLower(spec[4:]) {
				t.Fatalf("hex decoding is not exact: %q → %x", spec, got)
			}
		case strings.HasPrefix(spec, "b64url:"):
			if base64.RawURLEncoding.EncodeToString(got) != strings.TrimRight(spec[7:], "=") {
				t.Fatalf("b64url decoding is not exact: %q", spec)
			}
		case strings.HasPrefix(spec, "b64:"):
			if base64.RawStdEncoding.EncodeToString(got) != strings.TrimRight(spec[4:], "=") {
				t.Fatalf("b64 decoding is not exact: %q", spec)
			}
		case strings.HasPrefix(spec, "env:"), spec == "-", strings.HasPrefix(spec, "@"):
		default:
			if string(got) != spec {
				t.Fatalf("literal changed: %q → %q", spec, got)
			}
		}
	})
}

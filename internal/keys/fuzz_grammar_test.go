package keys_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// FuzzResolverKeyFile feeds arbitrary specs, environment values, file contents and stdin to
// Resolver.KeyFile, the grammar of every --key flag. It must not panic; an error must be a usage
// error with code "key" that never shows the material it read or decoded; a success must return
// exactly the bytes the spec names (a bare value and @path read the file unchanged, env:NAME
// the variable, b64:/b64url:/hex: the decoded value, - stdin) under a display name that never
// contains the content.
func FuzzResolverKeyFile(f *testing.F) {
	for _, s := range []string{
		"key.pem", "@key.pem", "@", "", "-", "env:KEY", "env:", "env:MISSING", "b64:LS0tLS1CRUdJTg==",
		"b64url:LS0tLS1CRUdJTg", "hex:2d2d2d", "hex:2", "b64:!!", "@missing.pem", "./key.pem", "env:KEY\n",
	} {
		f.Add(s, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", []byte(`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`), true)
	}
	f.Fuzz(func(t *testing.T, spec, material string, file []byte, stdinFree bool) {
		r := keys.Resolver{
			Getenv: func(name string) string {
				if name == "KEY" {
					return material
				}
				return ""
			},
			ReadFile: func(path string) ([]byte, error) {
				if path == "key.pem" {
					return file, nil
				}
				return nil, os.ErrNotExist
			},
		}
		if stdinFree {
			r.Stdin = strings.NewReader(material)
		}
		data, name, err := r.KeyFile(spec)
		if err != nil {
			if failure.KindOf(err) != failure.KindUsage || failure.CodeOf(err) != "key" {
				t.Fatalf("KeyFile(%q): error of kind %v code %q: %v", spec, failure.KindOf(err), failure.CodeOf(err), err)
			}
			// The spec itself (a path, a variable name) may be shown; what it names may not.
			named := nameMaterial(spec, material, file)
			if len(named) >= 8 && strings.Contains(err.Error(), string(named)) && !strings.Contains(spec, string(named)) {
				t.Fatalf("KeyFile(%q): the error shows the material it read: %q", spec, err.Error())
			}
			return
		}
		if len(data) == 0 || len(data) > keys.MaxInputSize {
			t.Fatalf("KeyFile(%q) returned %d bytes", spec, len(data))
		}
		if want := nameMaterial(spec, material, file); !bytes.Equal(data, want) {
			t.Fatalf("KeyFile(%q) = %q, want %q", spec, data, want)
		}
		if name == "" || len(data) >= 8 && strings.Contains(name, string(data)) {
			t.Fatalf("KeyFile(%q): display name %q is empty or shows the content", spec, name)
		}
	})
}

// nameMaterial returns the bytes spec names in the fuzz world: stdin and the variable KEY hold
// material, the file key.pem holds file.
func nameMaterial(spec, material string, file []byte) []byte {
	switch {
	case spec == "-", spec == "env:KEY":
		return []byte(material)
	case strings.HasPrefix(spec, "b64:"), strings.HasPrefix(spec, "b64url:"), strings.HasPrefix(spec, "hex:"):
		return decoded(spec)
	case spec == "@key.pem", spec == "key.pem":
		return file
	}
	return nil
}

// decoded returns what a b64:, b64url: or hex: spec decodes to, or nil.
func decoded(spec string) []byte {
	prefix, value, ok := strings.Cut(spec, ":")
	if !ok {
		return nil
	}
	var b []byte
	var err error
	switch prefix {
	case "b64":
		b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(value, "="))
	case "b64url":
		b, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(value, "="))
	case "hex":
		b, err = hex.DecodeString(value)
	}
	if err != nil {
		return nil
	}
	return b
}

// FuzzCheckHMACSecret links the key parser to the key-confusion guard: any bytes that Parse
// reads as a public RSA, EC or OKP key must be refused by CheckHMACSecret, as they are and with
// the one trailing newline the secret grammar trims from a file, so that no form of a public key
// file can be used as an HMAC secret (the RS/HS confusion attack, RFC 8725 §2.1). The guard must
// never panic, and its errors are usage errors that never show the bytes.
func FuzzCheckHMACSecret(f *testing.F) {
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
	for _, s := range []string{
		`{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}`,
		`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`,
		`{"kty":"oct","k":"c2VjcmV0"}`,
		"a plain secret of some length",
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkErr := keys.CheckHMACSecret(data)
		if checkErr != nil {
			if failure.KindOf(checkErr) != failure.KindUsage {
				t.Fatalf("error of kind %v: %v", failure.KindOf(checkErr), checkErr)
			}
			if len(data) >= 8 && strings.Contains(checkErr.Error(), string(data)) {
				t.Fatalf("the error shows the secret: %v", checkErr)
			}
		}
		list, err := keys.Parse(data, keys.ParseOptions{Source: "fuzz"})
		if err != nil || !hasPublicAsymmetric(list) {
			return
		}
		if checkErr == nil {
			t.Fatalf("Parse reads %s from these bytes, but CheckHMACSecret accepts them as an HMAC secret", list[0].Describe())
		}
		if trimmed, ok := bytes.CutSuffix(data, []byte("\n")); ok && keys.CheckHMACSecret(trimmed) == nil {
			if _, err := keys.Parse(trimmed, keys.ParseOptions{Source: "fuzz"}); err == nil {
				t.Fatalf("the key file without its final newline passes CheckHMACSecret")
			}
		}
	})
}

// hasPublicAsymmetric reports whether list holds a public RSA, EC or OKP key: material an
// attacker knows.
func hasPublicAsymmetric(list []keys.Key) bool {
	for _, k := range list {
		if !k.IsSymmetric() && !k.IsPrivate() {
			return true
		}
	}
	return false
}

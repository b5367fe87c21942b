package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
)

func TestAlgorithms(t *testing.T) {
	want := "HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA"
	if got := strings.Join(Algorithms(), " "); got != want {
		t.Errorf("Algorithms() = %s", got)
	}
	a := Algorithms()
	a[0] = "changed"
	if Algorithms()[0] != "HS256" {
		t.Error("Algorithms shares its slice")
	}
}

// testKeys returns one key of every kind, named as in the CheckAlg matrix.
func testKeys(t *testing.T) map[string]Key {
	t.Helper()
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	mk := func(key any) Key {
		k := Key{Source: "key.pem"}
		k.JWK.Key = key
		return k
	}
	return map[string]Key{
		"RSA private": mk(rsaKey),
		"RSA public":  mk(&rsaKey.PublicKey),
		"P-256":       mk(p256),
		"P-384":       mk(&p384.PublicKey),
		"P-521":       mk(p521),
		"Ed25519":     mk(ed),
		"secret 12":   SecretKey([]byte("0123456789ab"), "--secret"),
		"secret 32":   SecretKey(make([]byte, 32), "--secret"),
		"secret 48":   SecretKey(make([]byte, 48), "--secret"),
		"secret 64":   SecretKey(make([]byte, 64), "--secret"),
	}
}

func TestCheckAlgMatrix(t *testing.T) {
	rsaAlgs := []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
	// The algorithms each key may be used with, without and with allowWeak.
	want := map[string][2][]string{
		"RSA private": {rsaAlgs, rsaAlgs},
		"RSA public":  {rsaAlgs, rsaAlgs},
		"P-256":       {{"ES256"}, {"ES256"}},
		"P-384":       {{"ES384"}, {"ES384"}},
		"P-521":       {{"ES512"}, {"ES512"}},
		"Ed25519":     {{"EdDSA"}, {"EdDSA"}},
		"secret 12":   {nil, {"HS256", "HS384", "HS512"}},
		"secret 32":   {{"HS256"}, {"HS256", "HS384", "HS512"}},
		"secret 48":   {{"HS256", "HS384"}, {"HS256", "HS384", "HS512"}},
		"secret 64":   {{"HS256", "HS384", "HS512"}, {"HS256", "HS384", "HS512"}},
	}
	for name, k := range testKeys(t) {
		for i, allowWeak := range []bool{false, true} {
			for _, alg := range Algorithms() {
				err := CheckAlg(k, alg, allowWeak)
				ok := slices.Contains(want[name][i], alg)
				if ok != (err == nil) {
					t.Errorf("CheckAlg(%s, %s, allowWeak=%v) = %v, want ok=%v", name, alg, allowWeak, err, ok)
					continue
				}
				if err == nil {
					continue
				}
				code := failure.CodeOf(err)
				if failure.ExitCode(err) != 2 || (code != "alg_mismatch" && code != "weak_key") {
					t.Errorf("CheckAlg(%s, %s): code %s exit %d", name, alg, code, failure.ExitCode(err))
				}
			}
			for _, alg := range []string{"none", "NONE", "HS1", "ES256K", ""} {
				if err := CheckAlg(k, alg, allowWeak); err == nil {
					t.Errorf("CheckAlg(%s, %q) accepted", name, alg)
				}
			}
		}
	}
}

func TestCheckAlgMessages(t *testing.T) {
	ks := testKeys(t)
	with := func(k Key, f func(*Key)) Key { f(&k); return k }
	tests := []struct {
		name    string
		key     Key
		alg     string
		wantErr string
		code    string
	}{
		{"family", ks["RSA private"], "ES256", "ES256 needs an EC P-256 key; key.pem is an RSA 2048-bit private key", "alg_mismatch"},
		{"curve", ks["P-384"], "ES256", "ES256 needs an EC P-256 key; key.pem is an EC P-384 public key", "alg_mismatch"},
		{"EdDSA", ks["P-256"], "EdDSA", "EdDSA needs an Ed25519 key; key.pem is an EC P-256 private key", "alg_mismatch"},
		{"RSA for secret", ks["secret 32"], "RS256", "RS256 needs an RSA key; --secret is an HMAC secret", "alg_mismatch"},
		{"HS for RSA", ks["RSA public"], "HS256", "HS256 needs a secret; key.pem is an RSA 2048-bit public key", "alg_mismatch"},
		{"weak secret", ks["secret 12"], "HS256", "the secret is 12 bytes; HS256 needs at least 32 (RFC 7518 §3.2); use a longer secret or --allow-weak", "weak_key"},
		{"none", ks["secret 32"], "none", `alg "none" is never accepted here`, "alg_mismatch"},
		{"wrong case", ks["secret 32"], "hs256", `unsupported algorithm "hs256"; did you mean HS256?`, "alg_mismatch"},
		{"unknown", ks["secret 32"], "HS1", `unsupported algorithm "HS1"; use one of HS256`, "alg_mismatch"},
		{"JWK alg differs", with(ks["RSA private"], func(k *Key) { k.JWK.Algorithm = "RS256" }), "PS256", `key.pem is for RS256 (its JWK "alg"), not PS256 (RFC 8725 §3.1)`, "alg_mismatch"},
		{"JWK alg odd", with(ks["RSA private"], func(k *Key) { k.JWK.Algorithm = "RSA-OAEP" }), "RS256", `key.pem is for "RSA-OAEP" (its JWK "alg"), not RS256`, "alg_mismatch"},
		{"use enc", with(ks["P-256"], func(k *Key) { k.JWK.Use = "enc" }), "ES256", `key.pem cannot sign or verify: its "use" is "enc", not "sig" (RFC 7517 §4.2)`, "alg_mismatch"},
		{"use in capitals", with(ks["P-256"], func(k *Key) { k.JWK.Use = "SIG" }), "ES256", `its "use" is "SIG", not "sig"`, "alg_mismatch"},
		{"public key_ops sign", with(ks["P-256"].Public(), func(k *Key) { k.KeyOps = []string{"sign"} }), "ES256", `its "key_ops" ["sign"] do not include "verify" (RFC 7517 §4.3)`, "alg_mismatch"},
		{"private key_ops verify", with(ks["P-256"], func(k *Key) { k.KeyOps = []string{"verify"} }), "ES256", `its "key_ops" ["verify"] do not include "sign"`, "alg_mismatch"},
		{"secret key_ops encrypt", with(ks["secret 32"], func(k *Key) { k.KeyOps = []string{"encrypt"} }), "HS256", `include neither "sign" nor "verify"`, "alg_mismatch"},
		{"key_ops without sign", with(ks["P-256"], func(k *Key) { k.KeyOps = []string{"encrypt"} }), "ES256", `its "key_ops" ["encrypt"] do not include "sign" (RFC 7517 §4.3)`, "alg_mismatch"},
		{"empty key_ops", with(ks["P-256"], func(k *Key) { k.KeyOps = []string{} }), "ES256", `its "key_ops" [] do not include "sign"`, "alg_mismatch"},
		{"weak RSA built by hand", with(ks["RSA public"], func(k *Key) {
			k.JWK.Key = &rsa.PublicKey{N: new(big.Int).Rsh(k.JWK.Key.(*rsa.PublicKey).N, 1100), E: 65537}
		}), "RS256", "RSA key is", "weak_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckAlg(tt.key, tt.alg, false)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || failure.CodeOf(err) != tt.code {
				t.Fatalf("CheckAlg error = %v (code %s), want %q (code %s)", err, failure.CodeOf(err), tt.wantErr, tt.code)
			}
		})
	}
	// The passing counterparts: matching JWK alg, use "sig", key_ops with the key's operation, and
	// RFC 9864's "Ed25519" as alg of an Ed25519 key.
	ok := []struct {
		key Key
		alg string
	}{
		{with(ks["RSA private"], func(k *Key) { k.JWK.Algorithm = "PS384"; k.JWK.Use = "sig" }), "PS384"},
		{with(ks["P-256"].Public(), func(k *Key) { k.KeyOps = []string{"verify"} }), "ES256"},
		{with(ks["secret 32"], func(k *Key) { k.KeyOps = []string{"verify"} }), "HS256"},
		{with(ks["P-256"], func(k *Key) { k.KeyOps = []string{"sign", "encrypt"} }), "ES256"},
		{with(ks["Ed25519"], func(k *Key) { k.JWK.Algorithm = "Ed25519" }), "EdDSA"},
	}
	for _, tt := range ok {
		if err := CheckAlg(tt.key, tt.alg, false); err != nil {
			t.Errorf("CheckAlg(%s, %s): %v", tt.key.Describe(), tt.alg, err)
		}
	}
}

func TestInferAlg(t *testing.T) {
	ks := testKeys(t)
	with := func(k Key, alg string) Key { k.JWK.Algorithm = alg; return k }
	tests := []struct {
		name    string
		key     Key
		want    string
		wantErr string
	}{
		{"RSA", ks["RSA private"], "RS256", ""},
		{"RSA public", ks["RSA public"], "RS256", ""},
		{"P-256", ks["P-256"], "ES256", ""},
		{"P-384", ks["P-384"], "ES384", ""},
		{"P-521", ks["P-521"], "ES512", ""},
		{"Ed25519", ks["Ed25519"], "EdDSA", ""},
		{"secret", ks["secret 12"], "HS256", ""},
		{"JWK alg wins", with(ks["RSA private"], "PS512"), "PS512", ""},
		{"JWK alg HS512", with(ks["secret 64"], "HS512"), "HS512", ""},
		{"RFC 9864 Ed25519", with(ks["Ed25519"], "Ed25519"), "EdDSA", ""},
		{"JWK alg does not fit", with(ks["P-256"], "ES384"), "", "ES384 needs an EC P-384 key; key.pem is an EC P-256 private key"},
		{"JWK alg not for signing", with(ks["RSA public"], "RSA-OAEP-256"), "", `key.pem is for "RSA-OAEP-256" (its JWK "alg"), which is not a signing algorithm jwtkit supports`},
		{"JWK alg none", with(ks["secret 32"], "none"), "", `is for "none"`},
		{"empty key", Key{}, "", "no signing algorithm fits the key (unknown key)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := InferAlg(tt.key)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || failure.CodeOf(err) != "alg_mismatch" {
					t.Fatalf("InferAlg error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("InferAlg = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestKeyForAlg(t *testing.T) {
	tests := []struct {
		alg, kind string
		size      int
		curve     string
	}{
		{"RS256", "RSA", 2048, ""}, {"RS512", "RSA", 2048, ""}, {"PS384", "RSA", 2048, ""},
		{"ES256", "EC", 0, "P-256"}, {"ES384", "EC", 0, "P-384"}, {"ES512", "EC", 0, "P-521"},
		{"EdDSA", "OKP", 0, "Ed25519"},
		{"HS256", "oct", 256, ""}, {"HS384", "oct", 384, ""}, {"HS512", "oct", 512, ""},
	}
	for _, tt := range tests {
		kind, size, curve, err := KeyForAlg(tt.alg)
		if err != nil || kind != tt.kind || size != tt.size || curve != tt.curve {
			t.Errorf("KeyForAlg(%s) = %s %d %s %v", tt.alg, kind, size, curve, err)
		}
	}
	for _, alg := range []string{"none", "RSA-OAEP", ""} {
		if _, _, _, err := KeyForAlg(alg); err == nil {
			t.Errorf("KeyForAlg(%q) succeeded", alg)
		}
	}
}

func TestCheckHMACSecret(t *testing.T) {
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	cert := selfSigned(t, &ecKey.PublicKey, ecKey)
	tests := []struct {
		name    string
		secret  string
		wantErr string
	}{
		{"plain secret", "correct horse battery staple", ""},
		{"random bytes", "\x30\x82\x01\x00garbage", ""},
		{"oct JWK text is only odd", `{"kty":"oct","k":"AAAA"}`, ""},
		{"JSON that is not a JWK", `{"hello":"world"}`, ""},
		{"PEM public key", string(pemOf("PUBLIC KEY", der)), "the secret is a PEM block"},
		{"PEM certificate with text", "subject=CN=x\n" + string(pemOf("CERTIFICATE", cert)), "the secret is a PEM block"},
		{"broken PEM", "-----BEGIN RSA PUBLIC KEY-----\nMIIB", "the secret is a PEM block"},
		{"RSA JWK", rfc7638Key, "the secret is a JWK with kty RSA"},
		{"EC JWK with spaces", "  \n" + `{"kty":"EC","crv":"P-256"}`, "the secret is a JWK with kty EC"},
		{"JWK Set", `{"keys":[{"kty":"oct","k":"AA"},{"kty":"OKP","crv":"Ed25519","x":"AA"}]}`, "the secret is a JWK with kty OKP"},
		{"DER public key", string(der), "the secret is a DER public key or certificate"},
		{"DER certificate", string(cert), "the secret is a DER public key or certificate"},
		{"RSA JWK behind a byte order mark", "\xef\xbb\xbf" + rfc7638Key, "the secret is a JWK with kty RSA"},
		{"JWK Set behind a byte order mark and spaces", "\xef\xbb\xbf \n" + `{"keys":[{"kty":"EC","crv":"P-256"}]}`, "the secret is a JWK with kty EC"},
		{"OpenSSH public key", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ user@host", "the secret is an OpenSSH public key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckHMACSecret([]byte(tt.secret))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckHMACSecret: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "RS/HS key-confusion attack") {
				t.Fatalf("error = %v, want %q", err, tt.wantErr)
			}
			if failure.CodeOf(err) != "key" || failure.ExitCode(err) != 2 {
				t.Errorf("code %s", failure.CodeOf(err))
			}
			if strings.Contains(err.Error(), "BEGIN") || strings.Contains(err.Error(), "AAAA") {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

package cli

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/keys"
)

// readCert reads the one certificate of a PEM file.
func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	chain := pemCertificates(data)
	if len(chain) != 1 {
		t.Fatalf("%s holds %d certificates", path, len(chain))
	}
	c, err := x509.ParseCertificate(chain[0])
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestKeygenCert: --cert writes NAME.crt (0644) for the key, self-signed and a CA, or signed
// by --cert-ca; the CA-signed one chains to the CA for client authentication, and a client
// certificate made so authenticates at serve (TestFetchMutualTLSServe uses such pairs).
func TestKeygenCert(t *testing.T) {
	h := newHarness(t)
	h.deps.Rand = rand.Reader
	dir := t.TempDir()
	out := func(n string) string { return filepath.Join(dir, n) }
	for _, args := range [][]string{
		{"keygen", "--alg", "ES256", "-o", out("ca"), "--cert", "demo CA"},
		{"keygen", "--type", "ed25519", "-o", out("svc"), "--cert", "svc", "--cert-ca", out("ca.crt"), "--cert-ca-key", out("ca.key"), "--cert-ttl", "2h"},
		{"keygen", "--type", "rsa", "-o", out("dev"), "--cert", "dev,with=odd+chars"},
	} {
		if code := h.run(args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, h.stderr)
		}
		if !strings.Contains(h.stderr.String(), ".crt") {
			t.Errorf("%v: summary does not name the certificate: %s", args, h.stderr)
		}
	}
	ca, svc, dev := readCert(t, out("ca.crt")), readCert(t, out("svc.crt")), readCert(t, out("dev.crt"))
	if fi, _ := os.Stat(out("svc.crt")); fi.Mode().Perm() != 0o644 {
		t.Errorf("svc.crt mode %04o, want 0644", fi.Mode().Perm())
	}
	if !ca.IsCA || ca.Subject.String() != "CN=demo CA" || ca.CheckSignatureFrom(ca) != nil {
		t.Errorf("ca.crt: IsCA %v, subject %q", ca.IsCA, ca.Subject)
	}
	if svc.IsCA || svc.Subject.String() != "CN=svc" || svc.Issuer.String() != "CN=demo CA" {
		t.Errorf("svc.crt: IsCA %v, subject %q, issuer %q", svc.IsCA, svc.Subject, svc.Issuer)
	}
	if life := svc.NotAfter.Sub(svc.NotBefore); life != 2*time.Hour+time.Minute {
		t.Errorf("svc.crt valid for %v, want 2h (from a minute ago)", life)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	if _, err := svc.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("svc.crt does not chain to ca.crt for client authentication: %v", err)
	}
	if dev.Subject.CommonName != "dev,with=odd+chars" || dev.Subject.String() != `CN=dev\,with=odd\+chars` {
		t.Errorf("dev.crt subject %q (RFC 4514 %q)", dev.Subject.CommonName, dev.Subject.String())
	}
	// Each certificate is the key's.
	for _, name := range []string{"ca", "svc", "dev"} {
		list, err := keys.Parse(mustRead(t, out(name+".key")), keys.ParseOptions{Source: name + ".key"})
		if err != nil {
			t.Fatal(err)
		}
		signer := list[0].JWK.Key.(crypto.Signer)
		cert := readCert(t, out(name+".crt"))
		if pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(signer.Public()) {
			t.Errorf("%s.crt is not for %s.key", name, name)
		}
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cert", "x"}, "add -o NAME"},
		{[]string{"-o", out("a"), "--cert-ca", out("ca.crt")}, "add --cert CN"},
		{[]string{"-o", out("a"), "--cert-ttl", "1h"}, "add --cert CN"},
		{[]string{"--type", "oct", "-o", out("a"), "--cert", "x"}, "HMAC secret has no certificate"},
		{[]string{"-o", out("a"), "--cert", "x", "--cert-ca", out("ca.crt")}, "go together"},
		{[]string{"-o", out("a"), "--cert", "x", "--cert-ca", out("svc.crt"), "--cert-ca-key", out("svc.key")}, "not a CA certificate"},
		{[]string{"-o", out("a"), "--cert", "x", "--cert-ca", out("ca.crt"), "--cert-ca-key", out("svc.key")}, "not the key of --cert-ca"},
		{[]string{"-o", out("a"), "--cert", "x", "--cert-ttl", "10s"}, "--cert-ttl"},
	} {
		if code := h.run(append([]string{"keygen"}, tc.args...)...); code != 2 || !strings.Contains(h.stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, h.stderr, tc.want)
		}
		if _, err := os.Stat(out("a.key")); err == nil {
			t.Errorf("%v: wrote a.key although it failed", tc.args)
		}
	}
	// An existing NAME.crt is not replaced without --force, and nothing is written.
	if code := h.run("keygen", "-o", out("ca"), "--cert", "again"); code != 2 || !strings.Contains(h.stderr.String(), "exists") {
		t.Errorf("existing files: exit %d %s", code, h.stderr)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

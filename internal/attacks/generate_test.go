package attacks

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/cryptotest"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/attacks from the generator")

// corpusSeed seeds the deterministic randomness every key, signature and JWE of the corpus is
// made from.
const corpusSeed = 0x6a77746b6974 // "jwtkit"

// TestCorpusIsGenerated checks that testdata/attacks is exactly what the generator makes, so
// every token and key in it has a known provenance; with -update it rewrites the corpus.
// Keys, ECDSA and PSS signatures and JWE encryption draw on testing/cryptotest's deterministic
// randomness; a future Go release that changes how crypto/... consumes randomness changes the
// bytes (not the verdicts), and then -update regenerates them.
func TestCorpusIsGenerated(t *testing.T) {
	cryptotest.SetGlobalRandom(t, corpusSeed)
	cases := buildCorpus(newGenerator(t))
	want := map[string][]byte{}
	for _, c := range cases {
		if !regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`).MatchString(c.Name) {
			t.Fatalf("case name %q: use lower-case words joined by dashes", c.Name)
		}
		if _, dup := want[c.Name]; dup {
			t.Fatalf("two cases named %q", c.Name)
		}
		data, err := c.marshal()
		if err != nil {
			t.Fatal(err)
		}
		if back, err := parseCase(c.Name, data); err != nil {
			t.Fatalf("the generator wrote a case it cannot read: %v", err)
		} else if len(back.Files) != len(c.Files) {
			t.Fatalf("%s: files do not survive the archive", c.Name)
		}
		want[c.Name+".txtar"] = data
	}
	have, err := filepath.Glob(filepath.Join(corpusDir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.MkdirAll(corpusDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, p := range have {
			if _, keep := want[filepath.Base(p)]; !keep {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
			}
		}
		for name, data := range want {
			if err := os.WriteFile(filepath.Join(corpusDir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("wrote %d cases to %s", len(want), corpusDir)
		return
	}
	const hint = "; regenerate with: go test ./internal/attacks -run TestCorpusIsGenerated -update"
	for _, p := range have {
		if _, ok := want[filepath.Base(p)]; !ok {
			t.Errorf("%s is not made by the generator%s", filepath.Base(p), hint)
		}
	}
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		got, err := os.ReadFile(filepath.Join(corpusDir, name))
		if err != nil {
			t.Errorf("%s is missing%s", name, hint)
			continue
		}
		if !bytes.Equal(got, want[name]) {
			t.Errorf("%s differs from what the generator makes%s", name, hint)
		}
	}
}

// generator makes the corpus's keys and tokens. Every key comes from the deterministic
// randomness set by the caller.
type generator struct {
	t   *testing.T
	now time.Time

	rsa, rsa1024, attackerRSA *rsa.PrivateKey
	p256, p384, p521          *ecdsa.PrivateKey
	attackerEC                *ecdsa.PrivateKey
	ed                        ed25519.PrivateKey
	secret, weakSecret        []byte

	// files are the key files a case may name in its arguments.
	files map[string][]byte
}

// corpusNow is the verifier's clock for every case.
var corpusNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func newGenerator(t *testing.T) *generator {
	g := &generator{t: t, now: corpusNow, files: map[string][]byte{}}
	var err error
	if g.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if g.attackerRSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if g.rsa1024, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		dst   **ecdsa.PrivateKey
		curve elliptic.Curve
	}{{&g.p256, elliptic.P256()}, {&g.p384, elliptic.P384()}, {&g.p521, elliptic.P521()}, {&g.attackerEC, elliptic.P256()}} {
		if *k.dst, err = ecdsa.GenerateKey(k.curve, rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	if _, g.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	g.secret = []byte("attack-corpus-hmac-secret-of-40-bytes!!!")
	g.weakSecret = []byte("password")

	g.files["rsa.pub"] = pemPublic(t, &g.rsa.PublicKey)
	g.files["rsa1024.pub"] = pemPublic(t, &g.rsa1024.PublicKey)
	g.files["ec.pub"] = pemPublic(t, &g.p256.PublicKey)
	g.files["ec384.pub"] = pemPublic(t, &g.p384.PublicKey)
	g.files["ec521.pub"] = pemPublic(t, &g.p521.PublicKey)
	g.files["ed.pub"] = pemPublic(t, g.ed.Public())
	g.files["rsa.jwk"] = jwkJSON(t, rsaJWK(&g.rsa.PublicKey, "rsa-1"))
	g.files["rsa-bom.jwk"] = append([]byte("\ufeff"), g.files["rsa.jwk"]...)
	pinned := rsaJWK(&g.rsa.PublicKey, "rsa-1")
	pinned["alg"] = "RS256"
	g.files["rsa-rs256.jwk"] = jwkJSON(t, pinned)
	enc := rsaJWK(&g.rsa.PublicKey, "rsa-1")
	enc["use"] = "enc"
	g.files["rsa-enc.jwk"] = jwkJSON(t, enc)
	ops := rsaJWK(&g.rsa.PublicKey, "rsa-1")
	delete(ops, "use")
	ops["key_ops"] = []string{"encrypt", "wrapKey"}
	g.files["rsa-keyops.jwk"] = jwkJSON(t, ops)
	encCaps := rsaJWK(&g.rsa.PublicKey, "rsa-1")
	encCaps["use"] = "ENC"
	g.files["rsa-enc-capitals.jwk"] = jwkJSON(t, encCaps)
	opsSign := rsaJWK(&g.rsa.PublicKey, "rsa-1")
	delete(opsSign, "use")
	opsSign["key_ops"] = []string{"sign"}
	g.files["rsa-keyops-sign.jwk"] = jwkJSON(t, opsSign)
	sig := rsaJWK(&g.rsa.PublicKey, "rsa-1")
	sig["use"] = "sig"
	g.files["rsa-enc-sig.jwks.json"] = jwkJSON(t, map[string]any{"keys": []any{enc, sig}})
	g.files["jwks.json"] = jwkJSON(t, map[string]any{"keys": []any{
		rsaJWK(&g.rsa.PublicKey, "rsa-1"),
		ecJWK(&g.p256.PublicKey, "ec-1"),
		edJWK(g.ed.Public().(ed25519.PublicKey), "ed-1"),
	}})
	// The identity point of edwards25519, a small-order public key: with it, R = identity and
	// S = 0 is a valid signature of every message under a cofactorless check.
	identity := make([]byte, ed25519.PublicKeySize)
	identity[0] = 1
	g.files["ed-small-order.jwk"] = jwkJSON(t, edJWK(identity, "weak-1"))
	g.files["ed-small-order.pub"] = pemPublic(t, ed25519.PublicKey(identity))
	g.files["secret"] = append(append([]byte(nil), g.secret...), '\n')
	g.files["weak-secret"] = append(append([]byte(nil), g.weakSecret...), '\n')
	return g
}

// add returns the case with the key files its arguments name ("FILE" or "@FILE").
func (g *generator) add(name string, spec caseSpec) attackCase {
	if spec.Now == "" {
		spec.Now = g.now.Format(time.RFC3339)
	}
	c := attackCase{Name: name, Spec: spec, Files: map[string][]byte{}}
	for _, e := range spec.Verify {
		for _, a := range e.Args {
			if data, ok := g.files[strings.TrimPrefix(a, "@")]; ok {
				c.Files[strings.TrimPrefix(a, "@")] = data
			}
		}
	}
	return c
}

// claims is the default payload: issued 30 minutes before the corpus clock, expiring 30 minutes
// after it.
func (g *generator) claims() string {
	return g.claimsWith(`"sub":"alice"`)
}

// claimsWith is the default payload with the given members in place of "sub".
func (g *generator) claimsWith(members string) string {
	iat, exp := g.now.Add(-30*time.Minute).Unix(), g.now.Add(30*time.Minute).Unix()
	return `{"iss":"https://issuer.example",` + members + `,"aud":"api","iat":` + itoa(iat) + `,"exp":` + itoa(exp) + `}`
}

func itoa(n int64) string { return big.NewInt(n).String() }

func (g *generator) rs(alg string, key *rsa.PrivateKey) func(string) []byte {
	return func(input string) []byte {
		h, _ := hashFor(alg)
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, h, digest(alg, input))
		if err != nil {
			g.t.Fatal(err)
		}
		return sig
	}
}

func (g *generator) ps(alg string, key *rsa.PrivateKey, salt int) func(string) []byte {
	return func(input string) []byte {
		h, _ := hashFor(alg)
		sig, err := rsa.SignPSS(rand.Reader, key, h, digest(alg, input), &rsa.PSSOptions{SaltLength: salt, Hash: h})
		if err != nil {
			g.t.Fatal(err)
		}
		return sig
	}
}

// es signs with ECDSA in JWS form: r||s, each the curve size (RFC 7518 §3.4).
func (g *generator) es(alg string, key *ecdsa.PrivateKey) func(string) []byte {
	return func(input string) []byte {
		r, s, err := ecdsa.Sign(rand.Reader, key, digest(alg, input))
		if err != nil {
			g.t.Fatal(err)
		}
		return rawECDSA(key.Curve, r, s)
	}
}

// esDER signs with ECDSA in ASN.1 DER form, as X.509 does and JWS does not.
func (g *generator) esDER(alg string, key *ecdsa.PrivateKey) func(string) []byte {
	return func(input string) []byte {
		sig, err := ecdsa.SignASN1(rand.Reader, key, digest(alg, input))
		if err != nil {
			g.t.Fatal(err)
		}
		return sig
	}
}

func (g *generator) eddsa(key ed25519.PrivateKey) func(string) []byte {
	return func(input string) []byte { return ed25519.Sign(key, []byte(input)) }
}

// fixed returns a signer that ignores the input.
func fixed(sig []byte) func(string) []byte { return func(string) []byte { return sig } }

// pemPublic writes a public key as a PKIX "PUBLIC KEY" PEM block.
func pemPublic(t *testing.T, pub any) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func edJWK(pub []byte, kid string) map[string]any {
	return map[string]any{"kty": "OKP", "kid": kid, "use": "sig", "crv": "Ed25519", "x": segB(pub)}
}

// jwkJSON renders a JWK or JWK Set as indented JSON with sorted members and a final newline.
func jwkJSON(t *testing.T, v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// must returns a constructed token, failing the test on an error.
func (g *generator) must(tok string, err error) string {
	if err != nil {
		g.t.Fatal(err)
	}
	return tok
}

package interop_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/testenv"
)

// jweAlgs are the JWE key-management algorithms jwtkit encrypts with (RSA1_5 only decrypts).
var jweAlgs = []string{
	"RSA-OAEP", "RSA-OAEP-256",
	"ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW",
	"A128KW", "A192KW", "A256KW", "A128GCMKW", "A192GCMKW", "A256GCMKW", "dir",
	"PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW",
}

// jweEncs are the content encryptions, with their key sizes in bytes (the dir key's size).
var jweEncs = []struct {
	name string
	size int
}{
	{"A128GCM", 16}, {"A192GCM", 24}, {"A256GCM", 32},
	{"A128CBC-HS256", 32}, {"A192CBC-HS384", 48}, {"A256CBC-HS512", 64},
}

// jweKeyFiles are the keys of the JWE matrix, made once by jwtkit keygen (RSA, EC) and by the
// test (AES keys as oct JWKs, a password): for a key pair, private.pem and public.pem for
// jwtkit and private.jwk for the peers (which encrypt to its public half).
type jweKeyFiles struct {
	rsa, ec  keyPair
	ecCurves map[string]keyPair // P-384 and P-521, for ECDH-ES
	oct      map[int]string     // size in bytes → oct JWK
	password string             // a file of raw password bytes
}

type keyPair struct{ privatePEM, publicPEM, privateJWK string }

// makeJWEKeys makes the matrix's keys in dir.
func makeJWEKeys(t *testing.T, bin, dir string) jweKeyFiles {
	t.Helper()
	pair := func(name string, args ...string) keyPair {
		base := filepath.Join(dir, name)
		res := testenv.Run(t, "", nil, bin, append([]string{"keygen", "-q", "--use", "enc", "-o", base, "--jwk"}, args...)...)
		if res.Code != 0 {
			t.Fatalf("jwtkit keygen %v: exit %d: %s", args, res.Code, res.Stderr)
		}
		return keyPair{base + ".key", base + ".pub", base + ".jwk"}
	}
	k := jweKeyFiles{ecCurves: map[string]keyPair{}, oct: map[int]string{}}
	k.rsa = pair("rsa", "--type", "rsa")
	k.ec = pair("ec", "--type", "ec")
	k.ecCurves["P-384"] = pair("p384", "--type", "ec", "--curve", "P-384")
	k.ecCurves["P-521"] = pair("p521", "--type", "ec", "--curve", "P-521")
	for _, n := range []int{16, 24, 32, 48, 64} {
		b := make([]byte, n)
		rand.Read(b)
		path := filepath.Join(dir, fmt.Sprintf("oct%d.jwk", n))
		jwk := fmt.Sprintf(`{"kty":"oct","k":%q}`, base64.RawURLEncoding.EncodeToString(b))
		if err := os.WriteFile(path, []byte(jwk), 0o600); err != nil {
			t.Fatal(err)
		}
		k.oct[n] = path
	}
	k.password = filepath.Join(dir, "password.txt")
	if err := os.WriteFile(k.password, []byte("interop password, with spaces"), 0o600); err != nil {
		t.Fatal(err)
	}
	return k
}

// jwePeer is one peer's JWE side.
type jwePeer struct {
	name     string
	supports func(alg string) bool
	encrypt  func(t testing.TB, alg, enc, keyFile string, plaintext []byte) string
	decrypt  func(t testing.TB, alg, enc, keyFile, token string) ([]byte, error)
}

// jwePeers lists the peers by name, each found (or skipped) by its function.
func jwePeers() []struct {
	name string
	get  func(t *testing.T) *jwePeer
} {
	return []struct {
		name string
		get  func(t *testing.T) *jwePeer
	}{
		{"node", func(t *testing.T) *jwePeer {
			n := testenv.NodeJose(t)
			return &jwePeer{"node", func(string) bool { return true }, n.Encrypt, n.Decrypt}
		}},
		{"debian", func(t *testing.T) *jwePeer {
			d := testenv.DebianJose(t)
			return &jwePeer{"debian", d.SupportsJWE, d.Encrypt, d.Decrypt}
		}},
	}
}

// jweCase names the files each side uses for alg and enc.
type jweCase struct {
	alg, enc string
	curve    string // for ECDH: P-384 or P-521 instead of P-256
	// jwtkitEncrypt and jwtkitDecrypt are jwtkit's flags; peerKey the peer's key file.
	jwtkitEncrypt, jwtkitDecrypt []string
	peerKey                      string
}

func caseFor(k jweKeyFiles, alg, enc string, size int, curve string) jweCase {
	c := jweCase{alg: alg, enc: enc, curve: curve}
	switch {
	case strings.HasPrefix(alg, "RSA"):
		c.jwtkitEncrypt, c.jwtkitDecrypt, c.peerKey = []string{"--encrypt-to", k.rsa.publicPEM}, []string{"--key", k.rsa.privatePEM}, k.rsa.privateJWK
	case strings.HasPrefix(alg, "ECDH"):
		p := k.ec
		if curve != "" {
			p = k.ecCurves[curve]
		}
		c.jwtkitEncrypt, c.jwtkitDecrypt, c.peerKey = []string{"--encrypt-to", p.publicPEM}, []string{"--key", p.privatePEM}, p.privateJWK
	case strings.HasPrefix(alg, "PBES2"):
		// A low count keeps the matrix fast; TestJWEPBES2DefaultCount covers the default.
		c.jwtkitEncrypt, c.jwtkitDecrypt, c.peerKey = []string{"--encrypt-password", "@" + k.password, "--p2c", "1000"}, []string{"--password", "@" + k.password}, k.password
	default:
		n := size // dir: the enc's key size
		if alg != "dir" {
			fmt.Sscanf(alg, "A%d", &n)
			n /= 8
		}
		c.jwtkitEncrypt, c.jwtkitDecrypt, c.peerKey = []string{"--encrypt-to", k.oct[n]}, []string{"--key", k.oct[n]}, k.oct[n]
	}
	return c
}

// jwtkitEncrypt has jwtkit make an encrypted-only token (mint --no-sign) holding sub.
func jwtkitEncrypt(t testing.TB, bin string, c jweCase, sub string) string {
	t.Helper()
	args := append([]string{"mint", "--no-sign", "--sub", sub, "--key-alg", c.alg, "--enc", c.enc}, c.jwtkitEncrypt...)
	res := testenv.Run(t, "", nil, bin, args...)
	if res.Code != 0 {
		t.Fatalf("jwtkit mint --no-sign %s %s: exit %d: %s", c.alg, c.enc, res.Code, bytes.TrimSpace(res.Stderr))
	}
	return strings.TrimSpace(string(res.Stdout))
}

// jwtkitDecrypt has jwtkit decrypt token; a failure is an *ExitError with jwtkit's code.
func jwtkitDecrypt(t testing.TB, bin string, c jweCase, token string, extra ...string) ([]byte, error) {
	t.Helper()
	args := append(append([]string{"decrypt"}, c.jwtkitDecrypt...), extra...)
	res := testenv.Run(t, "", []byte(token), bin, args...)
	if res.Code != 0 {
		return nil, &testenv.ExitError{Cmd: "jwtkit decrypt", Code: res.Code, Stderr: string(res.Stderr)}
	}
	return res.Stdout, nil
}

// TestJWE round-trips every key-management × content pair between jwtkit and each peer, both
// ways, with subtests PEER/ALG/ENC/{jwtkit-encrypts,PEER-encrypts}; each direction also checks
// that a token with a flipped tag bit is refused by the decrypting side (jwtkit: exit 1).
func TestJWE(t *testing.T) {
	bin := testenv.BuildJwtkit(t)
	k := makeJWEKeys(t, bin, t.TempDir())
	var rows []jweCase
	for _, alg := range jweAlgs {
		for _, e := range jweEncs {
			rows = append(rows, caseFor(k, alg, e.name, e.size, ""))
		}
	}
	for _, curve := range []string{"P-384", "P-521"} {
		rows = append(rows, caseFor(k, "ECDH-ES", "A256GCM", 32, curve), caseFor(k, "ECDH-ES+A256KW", "A256CBC-HS512", 64, curve))
	}
	for _, peer := range jwePeers() {
		{
			t.Run(peer.name, func(t *testing.T) {
				p := peer.get(t)
				for _, c := range rows {
					name := c.alg + "/" + c.enc
					if c.curve != "" {
						name += "/" + c.curve
					}
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						if !p.supports(c.alg) {
							t.Skipf("%s does not do %s", p.name, c.alg)
						}
						t.Run("jwtkit-encrypts", func(t *testing.T) {
							tok := jwtkitEncrypt(t, bin, c, "to-"+p.name)
							plain, err := p.decrypt(t, c.alg, c.enc, c.peerKey, tok)
							if err != nil {
								t.Fatalf("%s did not decrypt jwtkit's %s %s token: %v", p.name, c.alg, c.enc, err)
							}
							checkSubject(t, plain, "to-"+p.name)
							if _, err := p.decrypt(t, c.alg, c.enc, c.peerKey, flipSignatureBit(t, tok)); err == nil {
								t.Fatalf("%s decrypted a token with a flipped tag bit", p.name)
							}
						})
						t.Run(p.name+"-encrypts", func(t *testing.T) {
							tok := p.encrypt(t, c.alg, c.enc, c.peerKey, []byte(`{"sub":"from-`+p.name+`"}`))
							plain, err := jwtkitDecrypt(t, bin, c, tok)
							if err != nil {
								t.Fatalf("jwtkit did not decrypt %s's %s %s token: %v", p.name, c.alg, c.enc, err)
							}
							checkSubject(t, plain, "from-"+p.name)
							_, err = jwtkitDecrypt(t, bin, c, flipSignatureBit(t, tok))
							var exit *testenv.ExitError
							if !errors.As(err, &exit) || exit.Code != 1 || !strings.Contains(exit.Stderr, "decryption failed") {
								t.Fatalf("jwtkit on a tampered token: %v, want the decryption error with exit 1", err)
							}
						})
					})
				}
			})
		}
	}
}

// TestJWERSA1_5 takes an RSA1_5 token from Debian's jose (jwtkit never makes one): jwtkit
// refuses it without --allow-rsa1_5 (exit 1, naming the flag) and opens it with the flag, warning.
func TestJWERSA1_5(t *testing.T) {
	d := testenv.DebianJose(t)
	bin := testenv.BuildJwtkit(t)
	k := makeJWEKeys(t, bin, t.TempDir())
	c := caseFor(k, "RSA1_5", "A128CBC-HS256", 32, "")
	tok := d.Encrypt(t, "RSA1_5", "A128CBC-HS256", c.peerKey, []byte(`{"sub":"legacy"}`))
	_, err := jwtkitDecrypt(t, bin, c, tok)
	var exit *testenv.ExitError
	if !errors.As(err, &exit) || exit.Code != 1 || !strings.Contains(exit.Stderr, "--allow-rsa1_5") {
		t.Fatalf("jwtkit decrypt of an RSA1_5 token without the flag: %v, want exit 1 naming --allow-rsa1_5", err)
	}
	res := testenv.Run(t, "", []byte(tok), bin, append(append([]string{"decrypt"}, c.jwtkitDecrypt...), "--allow-rsa1_5")...)
	if res.Code != 0 || !strings.Contains(string(res.Stderr), "jwtkit: warning: --allow-rsa1_5") {
		t.Fatalf("jwtkit decrypt --allow-rsa1_5: exit %d: %s", res.Code, res.Stderr)
	}
	checkSubject(t, res.Stdout, "legacy")
}

// TestJWEPBES2Counts measures how far the peers follow jwtkit's PBES2 iteration counts: node's
// jose (its maxPBES2Count raised to 1,000,000 in decrypt.mjs; its default cap is 10,000) opens a
// token made with jwtkit's default of 600,000; Debian's jose opens 32,768 iterations, its own
// default, and refuses 32,769. Tokens for such consumers need --p2c within their cap.
func TestJWEPBES2Counts(t *testing.T) {
	bin := testenv.BuildJwtkit(t)
	k := makeJWEKeys(t, bin, t.TempDir())
	c := caseFor(k, "PBES2-HS256+A128KW", "A256GCM", 32, "")
	withCount := func(p2c string) string {
		c := c
		c.jwtkitEncrypt = []string{"--encrypt-password", "@" + k.password}
		if p2c != "" {
			c.jwtkitEncrypt = append(c.jwtkitEncrypt, "--p2c", p2c)
		}
		return jwtkitEncrypt(t, bin, c, "count-"+p2c)
	}
	t.Run("node", func(t *testing.T) {
		n := testenv.NodeJose(t)
		plain, err := n.Decrypt(t, c.alg, c.enc, c.peerKey, withCount(""))
		if err != nil {
			t.Fatalf("node did not open jwtkit's default count: %v", err)
		}
		checkSubject(t, plain, "count-")
	})
	t.Run("debian", func(t *testing.T) {
		d := testenv.DebianJose(t)
		plain, err := d.Decrypt(t, c.alg, c.enc, c.peerKey, withCount("32768"))
		if err != nil {
			t.Fatalf("debian did not open 32768 iterations: %v", err)
		}
		checkSubject(t, plain, "count-32768")
		if _, err := d.Decrypt(t, c.alg, c.enc, c.peerKey, withCount("32769")); err == nil {
			t.Fatalf("debian opened 32769 iterations; its cap moved, update the README")
		}
	})
}

// TestDebianJoseNoRSAOAEP pins what DebianTool.SupportsJWE leaves out: Debian's jose must
// really fail to encrypt with RSA-OAEP and RSA-OAEP-256. When a newer jose learns them, this
// fails and SupportsJWE should grow.
func TestDebianJoseNoRSAOAEP(t *testing.T) {
	testenv.DebianJose(t)
	bin := testenv.BuildJwtkit(t)
	k := makeJWEKeys(t, bin, t.TempDir())
	for _, alg := range []string{"RSA-OAEP", "RSA-OAEP-256"} {
		res := testenv.Run(t, "", []byte("x"), "jose", "jwe", "enc", "-i", `{"protected":{"alg":"`+alg+`","enc":"A128GCM"}}`, "-I", "-", "-k", k.rsa.privateJWK, "-c", "-o", "-")
		if res.Code == 0 {
			t.Fatalf("jose jwe enc did %s: %s; let DebianTool.SupportsJWE take it", alg, res.Stdout)
		}
	}
}

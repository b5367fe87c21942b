package interop_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/testenv"
)

// allAlgs are the JWS algorithms jwtkit signs and verifies.
func allAlgs() []string {
	return []string{
		"HS256", "HS384", "HS512",
		"RS256", "RS384", "RS512",
		"PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512",
		"EdDSA",
	}
}

// format is the form of a key file handed to a signer or verifier.
type format string

const (
	fmtSecret format = "secret" // raw HS secret bytes
	fmtPEM    format = "pem"    // PKCS#8 private or SPKI public PEM
	fmtJWK    format = "jwk"    // one JWK (the oct JWK for HS)
	fmtJWKS   format = "jwks"   // a public JWK Set (verification only)
)

// privateFile returns the file of k in form f that signs, or "" when k has none.
func privateFile(k testenv.Keys, f format) string {
	switch f {
	case fmtSecret:
		return k.Secret
	case fmtPEM:
		return k.PrivatePEM
	case fmtJWK:
		return k.PrivateJWK
	}
	return ""
}

// publicFile returns the file of k in form f that verifies, or "" when k has none.
func publicFile(k testenv.Keys, f format) string {
	switch f {
	case fmtSecret:
		return k.Secret
	case fmtPEM:
		return k.PublicPEM
	case fmtJWK:
		return k.PublicJWK
	case fmtJWKS:
		return k.PublicJWKS
	}
	return ""
}

// side is one party of an interoperability check: a peer or jwtkit itself.
type side interface {
	name() string
	supports(alg string) bool
	// reads tells whether the side takes key files of form f for alg, to sign (sign true) or
	// to verify.
	reads(alg string, f format, sign bool) bool
	// sign makes a token for alg with subject sub, using k in form f.
	sign(t testing.TB, alg string, k testenv.Keys, f format, sub string) string
	// verify checks token with k in form f and returns its payload JSON; a rejection is an
	// *testenv.ExitError whose Code is 1 when the token was judged invalid.
	verify(t testing.TB, alg string, k testenv.Keys, f format, token string) ([]byte, error)
}

// peer is what testenv's Node and DebianTool have in common.
type peer interface {
	Supports(alg string) bool
	Sign(t testing.TB, alg, keyFile string, payload []byte) string
	Verify(t testing.TB, alg, keyFile, token string) ([]byte, error)
	Keygen(t testing.TB, alg, dir string) testenv.Keys
}

// peerSide adapts a testenv peer to side.
type peerSide struct {
	label   string
	p       peer
	formats []format // key forms the peer reads
}

func nodeSide(t testing.TB) peerSide {
	return peerSide{"node", testenv.NodeJose(t), []format{fmtSecret, fmtPEM, fmtJWK, fmtJWKS}}
}

func debianSide(t testing.TB) peerSide {
	return peerSide{"debian", testenv.DebianJose(t), []format{fmtJWK, fmtJWKS}}
}

// peerSides names the peers and how to find them; finding one may skip or fail the test.
func peerSides() []struct {
	name string
	get  func(testing.TB) peerSide
} {
	return []struct {
		name string
		get  func(testing.TB) peerSide
	}{{"node", nodeSide}, {"debian", debianSide}}
}

func (s peerSide) name() string             { return s.label }
func (s peerSide) supports(alg string) bool { return s.p.Supports(alg) }

func (s peerSide) reads(alg string, f format, sign bool) bool {
	if sign && f == fmtJWKS {
		return false
	}
	for _, g := range s.formats {
		if g == f {
			return true
		}
	}
	return false
}

func (s peerSide) sign(t testing.TB, alg string, k testenv.Keys, f format, sub string) string {
	t.Helper()
	return s.p.Sign(t, alg, privateFile(k, f), claims(sub))
}

func (s peerSide) verify(t testing.TB, alg string, k testenv.Keys, f format, token string) ([]byte, error) {
	t.Helper()
	return s.p.Verify(t, alg, publicFile(k, f), token)
}

// claims is the payload a peer signs: subject sub, issued now, expiring in ten minutes.
func claims(sub string) []byte {
	now := time.Now().Unix()
	return fmt.Appendf(nil, `{"iss":"jwtkit-interop","sub":%q,"iat":%d,"exp":%d}`, sub, now, now+600)
}

// flipSignatureBit returns token with the lowest bit of the first signature byte flipped. It
// works on the decoded bytes: changing the last base64url character can touch only padding bits,
// which some decoders ignore, and leave the signature valid.
func flipSignatureBit(t testing.TB, token string) string {
	t.Helper()
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		t.Fatalf("not a compact JWS: %q", token)
	}
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil || len(sig) == 0 {
		t.Fatalf("signature of %q is not base64url: %v", token, err)
	}
	sig[0] ^= 1
	return token[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

package dpop

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

// MaxProofSize caps a DPoP header before it is parsed.
const MaxProofSize = 8 << 10

// DefaultAlgs is the allow-list a server uses when VerifyOptions.Algs is empty: asymmetric
// algorithms only (RFC 9449 §4.3 check 5).
var DefaultAlgs = []string{"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"}

// Error codes of a refused proof (RFC 9449 §7.1, §8).
const (
	// CodeInvalidProof is the error of every proof that fails a check.
	CodeInvalidProof = "invalid_dpop_proof"
	// CodeUseNonce is the error when the server requires a nonce the proof does not carry.
	CodeUseNonce = "use_dpop_nonce"
)

// ProofError is a refused proof: Code is the OAuth error code a server answers with, and the
// message says which check failed (never the proof itself).
type ProofError struct {
	Code string
	msg  string
}

func (e *ProofError) Error() string { return e.msg }

func invalid(format string, args ...any) error {
	return &ProofError{Code: CodeInvalidProof, msg: fmt.Sprintf(format, args...)}
}

// VerifyOptions are the server's expectations of a proof beyond its method and URL.
type VerifyOptions struct {
	// Algs is the allow-list of signature algorithms; empty means DefaultAlgs. HS* and none
	// are refused even when listed.
	Algs []string
	// Window is how far iat may be from now, either way; zero means 5 minutes.
	Window time.Duration
	// AccessToken, when set, requires ath to be its hash (a request to a resource server);
	// when empty, a proof carrying ath is refused (the token endpoint, RFC 9449 §5).
	AccessToken string
	// Nonces, when set, require the proof's nonce to be one of them (CodeUseNonce otherwise):
	// a server that rotates its nonce lists the current one and the one before.
	Nonces []string
	// JKT, when set, requires the proof's key to have this RFC 7638 thumbprint (a bound token
	// or refresh token).
	JKT string
}

// Verified is what a server keeps from an accepted proof.
type Verified struct {
	// JKT is the RFC 7638 thumbprint of the proof's key: cnf.jkt of a token bound to it.
	JKT string
	// JTI is the proof's unique identifier, for the caller's replay cache.
	JTI string
	// IssuedAt is the proof's iat.
	IssuedAt time.Time
}

// privateMembers are the JWK members that hold private key material.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// Verify checks a DPoP proof by RFC 9449 §4.3 for a request with method and url at now: a
// compact JWS with typ dpop+jwt, an allowed asymmetric alg, a public-only jwk that verifies the
// signature, a string jti, htm equal to method, htu equal to url without query and fragment,
// iat within the window, and ath and nonce as opts says. It does not check jti replay: the
// caller records JTI (with IssuedAt, for how long) in its own store. Errors are *ProofError.
func Verify(proof, method, url string, now time.Time, opts VerifyOptions) (Verified, error) {
	var v Verified
	if proof == "" {
		return v, invalid("no DPoP proof")
	}
	p, err := token.Parse(proof, MaxProofSize)
	if err != nil {
		return v, invalid("the DPoP proof is not a compact JWS")
	}
	if p.Encrypted || p.Unencoded || p.Payload == nil {
		return v, invalid("the DPoP proof is not a signed JWT")
	}
	if typ := p.Typ(); typ != HeaderType {
		return v, invalid("the DPoP proof's typ is not %s", HeaderType)
	}
	alg := p.Alg()
	algs := opts.Algs
	if len(algs) == 0 {
		algs = DefaultAlgs
	}
	if alg == "none" || len(alg) > 1 && alg[:2] == "HS" || !slices.Contains(algs, alg) {
		return v, invalid("the DPoP proof's alg %q is not one of %v", printable(alg, 16), algs)
	}
	jwkRaw, ok := p.Header["jwk"].(map[string]any)
	if !ok {
		return v, invalid("the DPoP proof has no jwk header object")
	}
	for _, m := range privateMembers {
		if _, has := jwkRaw[m]; has {
			return v, invalid("the DPoP proof's jwk holds private or secret key material (%s)", m)
		}
	}
	jwkJSON, err := json.Marshal(jwkRaw)
	if err != nil {
		return v, invalid("the DPoP proof's jwk cannot be read")
	}
	ks, err := keys.Parse(jwkJSON, keys.ParseOptions{Source: "DPoP proof jwk"})
	if err != nil || len(ks) != 1 || ks[0].IsSymmetric() || ks[0].IsPrivate() {
		return v, invalid("the DPoP proof's jwk is not a usable public key")
	}
	if err := token.VerifySignature(alg, ks[0].JWK.Key, p.SigningInput, p.Signature); err != nil {
		return v, invalid("the DPoP proof's signature does not verify with its jwk")
	}
	if v.JKT, err = ks[0].Thumbprint(); err != nil {
		return v, invalid("the DPoP proof's jwk has no thumbprint")
	}
	if opts.JKT != "" && subtle.ConstantTimeCompare([]byte(v.JKT), []byte(opts.JKT)) != 1 {
		return v, invalid("the DPoP proof is signed by another key than the one the token is bound to")
	}
	str := func(name string) (string, bool) {
		s, ok := p.Payload[name].(string)
		return s, ok
	}
	if v.JTI, ok = str("jti"); !ok || v.JTI == "" || len(v.JTI) > 256 {
		return v, invalid("the DPoP proof has no jti (a string of at most 256 characters)")
	}
	wantHTM, err := Method(method)
	if err != nil {
		return v, invalid("the request method cannot be checked")
	}
	if htm, _ := str("htm"); htm != wantHTM {
		return v, invalid("the DPoP proof's htm is not %s", wantHTM)
	}
	wantHTU, err := HTU(url)
	if err != nil {
		return v, invalid("the request URL cannot be checked")
	}
	htuRaw, _ := str("htu")
	htu, err := HTU(htuRaw)
	if err != nil || htu != wantHTU {
		return v, invalid("the DPoP proof's htu is not %s", wantHTU)
	}
	iat, ok, err := p.NumericDate("iat")
	if err != nil || !ok {
		return v, invalid("the DPoP proof has no numeric iat")
	}
	window := opts.Window
	if window <= 0 {
		window = 5 * time.Minute
	}
	if d := now.Sub(iat); d > window || d < -window {
		return v, invalid("the DPoP proof's iat is more than %s from the server's clock", window)
	}
	v.IssuedAt = iat
	ath, hasATH := str("ath")
	_, athPresent := p.Payload["ath"]
	switch {
	case opts.AccessToken == "" && athPresent:
		return v, invalid("the DPoP proof carries ath where no access token is presented")
	case opts.AccessToken != "" && (!hasATH || subtle.ConstantTimeCompare([]byte(ath), []byte(ATH(opts.AccessToken))) != 1):
		return v, invalid("the DPoP proof's ath is not the hash of the access token")
	}
	if len(opts.Nonces) > 0 {
		n, _ := str("nonce")
		ok := false
		for _, want := range opts.Nonces {
			if want != "" && subtle.ConstantTimeCompare([]byte(n), []byte(want)) == 1 {
				ok = true
			}
		}
		if !ok {
			return v, &ProofError{Code: CodeUseNonce, msg: "the DPoP proof does not carry the server's current nonce"}
		}
	}
	return v, nil
}

// IsProofError reports whether err is a *ProofError and returns it.
func IsProofError(err error) (*ProofError, bool) {
	var pe *ProofError
	ok := errors.As(err, &pe)
	return pe, ok
}

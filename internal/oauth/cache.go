package oauth

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jwtkit/jwtkit/internal/diskcache"
)

// ReuseMargin is how long before its expiry a cached token stops being handed out, so that it
// does not expire in flight.
const ReuseMargin = 60 * time.Second

// CacheKey identifies the token a request would get: a hex SHA-256 over the token URL, client
// id, authentication method, the sorted set of scopes, audience, sorted resources, extra
// parameters, the assertion audience, and a hash of the client secret, so a rotated secret
// misses. The secret itself is never part of the key.
func CacheKey(r Request) string {
	method := r.AuthMethod
	if method == "" {
		method = AuthClientSecretBasic
	}
	scopes := normalizeScopes(r.Scopes)
	slices.Sort(scopes)
	resources := slices.Clone(r.Resources)
	slices.Sort(resources)
	secret := sha256.Sum256(append([]byte("jwtkit token cache client secret\x00"), r.ClientSecret...))
	aud := ""
	if method == AuthPrivateKeyJWT {
		aud = r.AssertionAudience
		if aud == "" {
			aud = r.TokenURL
		}
	}
	h := sha256.New()
	for _, field := range []string{
		"jwtkit oauth token v1", r.TokenURL, r.ClientID, method,
		strings.Join(scopes, " "), r.Audience, strings.Join(resources, "\x00"),
		r.Params.Encode(), aud, hex.EncodeToString(secret[:]),
	} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(field)))
		h.Write(n[:])
		h.Write([]byte(field))
	}
	return "oauth-token:" + hex.EncodeToString(h.Sum(nil))
}

// Cached returns a token cached for r that is still good for more than ReuseMargin by the
// cache's clock, with ExpiresIn set to the seconds left. warning is non-empty when a cache
// entry was unusable; it is never a reason to fail.
func Cached(cache *diskcache.Cache, r Request) (tok *Token, ok bool, warning string) {
	key := CacheKey(r)
	data, ok, warning := cache.Get(key)
	if !ok {
		return nil, false, warning
	}
	var t Token
	if err := json.Unmarshal(data, &t); err != nil || t.AccessToken == "" || !isTokenText(t.AccessToken) ||
		t.TokenType != "Bearer" || t.ExpiresAt.IsZero() {
		_ = cache.Delete(key)
		return nil, false, "ignoring an unreadable cached token; fetching a new one"
	}
	left := t.ExpiresAt.Sub(cache.Now())
	if left <= ReuseMargin {
		return nil, false, ""
	}
	t.ExpiresIn = int64(left / time.Second)
	return &t, true, ""
}

// Store caches t for r until ReuseMargin before it expires. A token without an expiry
// (no expires_in, or no clock on the request) is not cached, since its lifetime is unknown; a
// refresh token is never stored, since Token does not hold one.
func Store(cache *diskcache.Cache, r Request, t *Token) error {
	if t == nil || t.ExpiresAt.IsZero() {
		return nil
	}
	data, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("caching the token: %w", err)
	}
	return cache.Put(CacheKey(r), data, t.ExpiresAt.Add(-ReuseMargin))
}

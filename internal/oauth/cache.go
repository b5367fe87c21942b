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
// parameters, the assertion audience, a hash of the client secret (so a rotated secret
// misses), the grant family (a service's client-credentials token is never a user's login
// token; the authorization code, device code and refresh grants share one, since each gets the
// same user's token), the key a DPoP token is bound to and the mutual TLS client certificate's
// thumbprint (a certificate-bound token is no use with another certificate). The secret itself
// is never part of the key, nor are the grant's own parameters (codes, verifiers, refresh
// tokens).
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
	fields := []string{
		"jwtkit oauth token v1", r.TokenURL, r.ClientID, method,
		strings.Join(scopes, " "), r.Audience, strings.Join(resources, "\x00"),
		r.Params.Encode(), aud, hex.EncodeToString(secret[:]),
	}
	// A client-credentials bearer token keeps the key it always had, so caches survive.
	if family := GrantFamily(r.Grant); family != GrantClientCredentials || r.Binding != "" {
		fields = append(fields, family, r.Binding)
	}
	// Likewise a token without a client certificate keeps its key.
	if r.CertBinding != "" {
		fields = append(fields, "x5t#S256", r.CertBinding)
	}
	h := sha256.New()
	for _, field := range fields {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(field)))
		h.Write(n[:])
		h.Write([]byte(field))
	}
	return "oauth-token:" + hex.EncodeToString(h.Sum(nil))
}

// GrantFamily is the grant as far as the cache is concerned: "login" for the grants that get a
// user's token (authorization code, device code, refresh token), else the grant itself, with
// "" read as client_credentials.
func GrantFamily(grant string) string {
	switch grant {
	case "", GrantClientCredentials:
		return GrantClientCredentials
	case GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken:
		return "login"
	}
	return grant
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
		(t.TokenType != "Bearer" && t.TokenType != "DPoP") || (t.TokenType == "DPoP") != (r.Binding != "") || t.ExpiresAt.IsZero() {
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

// refreshKey is where the refresh token of the login that CacheKey(r) names is kept.
func refreshKey(r Request) string {
	return "oauth-refresh:" + strings.TrimPrefix(CacheKey(r), "oauth-token:")
}

// RefreshLifetime is how long a kept refresh token stays in the cache when the server does not
// say (refresh_expires_in is not standard): servers expire them much sooner or later, and an
// expired one only costs a failed refresh and a new login.
const RefreshLifetime = 30 * 24 * time.Hour

// StoreRefresh keeps t's refresh token for r (0600, in the cache directory) for
// RefreshLifetime; a token without one leaves any kept refresh token in place, since servers
// that do not rotate them send none.
func StoreRefresh(cache *diskcache.Cache, r Request, t *Token) error {
	if t == nil || t.RefreshToken == "" {
		return nil
	}
	return cache.Put(refreshKey(r), []byte(t.RefreshToken), cache.Now().Add(RefreshLifetime))
}

// CachedRefresh returns the refresh token kept for r, if any.
func CachedRefresh(cache *diskcache.Cache, r Request) (string, bool, string) {
	data, ok, warning := cache.Get(refreshKey(r))
	if !ok {
		return "", false, warning
	}
	if len(data) == 0 || !isTokenText(string(data)) {
		_ = cache.Delete(refreshKey(r))
		return "", false, "ignoring an unreadable kept refresh token"
	}
	return string(data), true, ""
}

// Forget deletes the cached access token and the kept refresh token of r.
func Forget(cache *diskcache.Cache, r Request) error {
	err1 := cache.Delete(CacheKey(r))
	err2 := cache.Delete(refreshKey(r))
	if err1 != nil {
		return err1
	}
	return err2
}

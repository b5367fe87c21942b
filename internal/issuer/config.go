package issuer

import (
	"crypto/x509"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// Defaults and bounds of a Server.
const (
	// DefaultTokenTTL is the lifetime of an access token when Config.TokenTTL is zero.
	DefaultTokenTTL = time.Hour
	// DefaultReplayCapacity bounds the client-assertion replay cache when Config.ReplayCapacity
	// is zero.
	DefaultReplayCapacity = 100_000
	// MaxAssertionLifetime is how far in the future a client assertion's exp may be.
	MaxAssertionLifetime = 5 * time.Minute
	// ClockSkew is how far in the future a client assertion's iat and nbf may be, for clients
	// whose clock runs a little ahead.
	ClockSkew = 30 * time.Second
	// MaxFormBytes caps a /token request body; MaxMintBytes caps a /mint request body.
	MaxFormBytes = 64 << 10
	MaxMintBytes = 64 << 10
	// MaxAssertionBytes caps a client assertion.
	MaxAssertionBytes = 16 << 10
	// DefaultCodeTTL is the lifetime of an authorization code when Config.CodeTTL is zero
	// (RFC 6749 §4.1.2 recommends at most 10 minutes).
	DefaultCodeTTL = time.Minute
	// DefaultRefreshTTL is how long a grant's refresh tokens work when Config.RefreshTTL is zero.
	DefaultRefreshTTL = 24 * time.Hour
	// MaxParamBytes caps one /authorize parameter.
	MaxParamBytes = 2048
)

// Config is everything a Server needs. Keys, Now and Rand are required.
type Config struct {
	// Issuer is the issuer identifier: an absolute http or https URL without query or
	// fragment. It is the iss of every token as given; the endpoints live under it (a trailing
	// slash is not doubled).
	Issuer string
	// Keys are the private signing keys. The first signs; all are published in the JWK Set.
	// Each key's JWK alg, or the one inferred from its type, is its algorithm unless Alg is set.
	Keys []keys.Key
	// Alg, when set, is the algorithm of every key in Keys.
	Alg string
	// Clients are the registered clients.
	Clients []Client
	// TokenTTL is the lifetime of access tokens; zero means DefaultTokenTTL.
	TokenTTL time.Duration
	// DefaultAudience is the aud of a token requested without resource or audience
	// parameters; empty means the issuer (RFC 9068 §3 requires some aud).
	DefaultAudience string
	// AllowMint turns on /mint, which signs any claims posted to it.
	AllowMint bool
	// RestrictHosts makes the server answer only requests whose Host is a loopback name or
	// address or the issuer's host, which defeats DNS rebinding against a loopback server.
	RestrictHosts bool
	// ReplayCapacity bounds the client-assertion replay cache; zero means DefaultReplayCapacity.
	ReplayCapacity int
	// Users are the end users /authorize can log in. Empty means one built-in user whose sub
	// is DefaultSubject.
	Users []User
	// DefaultUser is the sub of the user logged in when the request has no login_hint; empty
	// means the first user.
	DefaultUser string
	// Store keeps codes, refresh tokens and revocations; nil means a new MemoryStore.
	Store Store
	// CodeTTL is the lifetime of authorization codes; zero means DefaultCodeTTL.
	CodeTTL time.Duration
	// RefreshTTL is how long a grant's refresh tokens work; zero means DefaultRefreshTTL.
	RefreshTTL time.Duration
	// TrustedIssuers sign jwt-bearer assertions (RFC 7523 §2.1) besides the clients with keys.
	TrustedIssuers []TrustedIssuer
	// DeviceTTL is the lifetime of device codes, at most MaxDeviceLifetime; zero means
	// DefaultDeviceTTL.
	DeviceTTL time.Duration
	// DeviceInterval is the polling interval of the device flow, whole seconds of at least
	// one; zero means DefaultDeviceInterval.
	DeviceInterval time.Duration
	// DPoPNonce makes the token endpoint require server-provided DPoP nonces (RFC 9449 §8).
	DPoPNonce bool
	// MTLS says the server is reached over TLS whose listener requests client certificates:
	// clients may then authenticate with them (RFC 8705 §2) and discovery says so.
	MTLS bool
	// ClientCAs are the roots tls_client_auth certificates must chain to; nil for none.
	ClientCAs *x509.CertPool
	// Now is the clock for token times and assertion checks.
	Now func() time.Time
	// Rand is the randomness for jti values, signatures and rotated keys.
	Rand io.Reader
	// Log, when set, receives one Entry per request after the response is written. It is
	// called concurrently.
	Log func(Entry)
}

// Client is a registered OAuth client.
type Client struct {
	// ID is the client_id.
	ID string
	// Secret authenticates with client_secret_basic or client_secret_post; nil means the
	// client has no secret.
	Secret []byte
	// Scopes are the scopes the client may be granted; a request without a scope parameter is
	// granted all of them. Nil means any scope may be requested and none is granted by default.
	Scopes []string
	// Keys are the client's public keys, for private_key_jwt.
	Keys []keys.Key
	// RedirectURIs are the registered redirect URIs for the authorization code grant, matched
	// exactly (a loopback http URI with any port, RFC 8252 §7.3). A client without a secret
	// and keys is a public client: it must have redirect URIs and use PKCE with S256.
	RedirectURIs []string
	// PostLogoutRedirectURIs are where the end-session endpoint may send the browser back to.
	PostLogoutRedirectURIs []string
	// AllowPlainPKCE lets the client use the plain code_challenge_method (RFC 7636 §4.2).
	AllowPlainPKCE bool
	// Claims are added to every access token the client gets; string values may be templates
	// (ClaimTemplates). They cannot set the claims the server sets (iss, sub, scope, …).
	Claims *claims.Object
	// Device lets a public client have no redirect URIs: it uses the device flow (RFC 8628),
	// which any client may use. Without it a client with no credentials and no redirect URIs
	// is refused, as a likely mistake.
	Device bool
	// RefreshTokens gives the client a refresh token with every authorization code grant;
	// otherwise it gets one only when it asks for the offline_access scope.
	RefreshTokens bool
	// TLSAuth, MethodTLS or MethodSelfSignedTLS, makes the client authenticate by its TLS
	// certificate alone (RFC 8705 §2), and binds its access tokens to it (§3); "" for none.
	// TLSSubject is the subject of a MethodTLS client, TLSKeys the public keys (or
	// certificates) of a MethodSelfSignedTLS one.
	TLSAuth    string
	TLSSubject TLSSubject
	TLSKeys    []keys.Key
}

// Public reports whether the client has no credentials (RFC 6749 §2.1).
func (c *Client) Public() bool { return len(c.Secret) == 0 && len(c.Keys) == 0 && c.TLSAuth == "" }

// Entry describes one handled request for the request log. Every string in it is sanitised
// printable ASCII; none holds a secret, an assertion or a token.
type Entry struct {
	Method   string
	Path     string
	Status   int
	ClientID string
	// AuthMethod is how the client authenticated, on /token.
	AuthMethod string
	// Scope is the granted scope, on success.
	Scope string
	// Error is the OAuth error code, on failure, and Detail the server-side reason.
	Error  string
	Detail string
}

// usageError returns a failure.Usage error with code "usage".
func usageError(format string, args ...any) error {
	return failure.Usagef("usage", format, args...)
}

// parseIssuer checks an issuer identifier and returns it with the base URL of its endpoints
// (the issuer without a trailing slash).
func parseIssuer(issuer string) (u *url.URL, base string, err error) {
	u, err = url.Parse(issuer)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, "", usageError("issuer %q is not an absolute URL; use http://HOST:PORT or https://HOST/PATH", Sanitize(issuer, 200))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, "", usageError("issuer %q must be an http or https URL", Sanitize(issuer, 200))
	}
	if u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(issuer, "?") || strings.HasSuffix(issuer, "#") {
		return nil, "", usageError("issuer %q must not have a query or fragment (OpenID Connect Discovery §3)", Sanitize(issuer, 200))
	}
	if u.User != nil {
		return nil, "", usageError("issuer must not hold user information")
	}
	return u, strings.TrimSuffix(issuer, "/"), nil
}

// checkClients validates the client list: unique non-empty ids of printable characters, each
// with a way to authenticate, public keys only, valid scope tokens.
func checkClients(clients []Client) (map[string]*Client, error) {
	out := make(map[string]*Client, len(clients))
	for i := range clients {
		c := clients[i]
		if err := checkClientID(c.ID); err != nil {
			return nil, err
		}
		if _, dup := out[c.ID]; dup {
			return nil, usageError("client %q is registered twice", c.ID)
		}
		if c.Public() && len(c.RedirectURIs) == 0 && !c.Device {
			return nil, usageError("client %q has neither a secret nor keys; give id:secret or --client-jwks %s=FILE (a public client needs redirect_uris, or device: true for the device flow)", c.ID, c.ID)
		}
		for _, list := range [][]string{c.RedirectURIs, c.PostLogoutRedirectURIs} {
			for _, u := range list {
				if err := checkRedirectURI(u); err != nil {
					return nil, usageError("client %q: %v", c.ID, err)
				}
			}
		}
		for j, k := range c.Keys {
			if k.IsSymmetric() {
				return nil, usageError("client %q: %s is a secret; private_key_jwt needs the client's public keys (RSA, EC or Ed25519)", c.ID, k.Source)
			}
			c.Keys[j] = k.Public()
		}
		for j, k := range c.TLSKeys {
			c.TLSKeys[j] = k.Public()
		}
		for _, s := range c.Scopes {
			if !validScopeToken(s) {
				return nil, usageError("client %q: %q is not a valid scope (RFC 6749 §3.3: printable ASCII, no space, quote or backslash)", c.ID, Sanitize(s, 100))
			}
		}
		out[c.ID] = &c
	}
	return out, nil
}

// checkClientID accepts what RFC 6749 Appendix A.1 allows in a client_id (VSCHAR, %x20-7E),
// without spaces (which form encoding and logs make ambiguous), up to 200 bytes.
func checkClientID(id string) error {
	if id == "" {
		return usageError("a client id is empty")
	}
	if len(id) > 200 {
		return usageError("client id %q is longer than 200 bytes", Sanitize(id, 40))
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= 0x20 || id[i] > 0x7e {
			return usageError("client id %q has a character outside printable ASCII (or a space)", Sanitize(id, 200))
		}
	}
	return nil
}

// validScopeToken reports whether s is a scope-token of RFC 6749 §3.3:
// 1*( %x21 / %x23-5B / %x5D-7E ).
func validScopeToken(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// signingAlg returns the algorithm k signs with under alg (the override), checked against the
// key, or a usage error naming the key.
func signingAlg(k keys.Key, alg string) (string, error) {
	if k.IsSymmetric() {
		return "", usageError("%s is an HMAC secret; serve publishes its keys in a JWK Set, so it needs an RSA, EC or Ed25519 private key", k.Source)
	}
	if !k.IsPrivate() {
		return "", usageError("%s: %s; serve signs tokens and needs the private key", k.Source, k.Describe())
	}
	if alg == "" {
		var err error
		if alg, err = keys.InferAlg(k); err != nil {
			return "", err
		}
	}
	if err := keys.CheckAlg(k, alg, false); err != nil {
		return "", err
	}
	return alg, nil
}

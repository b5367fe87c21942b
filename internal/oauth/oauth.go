// Package oauth gets access tokens from an OAuth 2.0 token endpoint: the client-credentials
// grant (RFC 6749 §4.4), the authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636) and a
// loopback redirect listener (RFC 8252), the device authorization grant (RFC 8628) and the
// refresh token grant (RFC 6749 §6), authenticating the client with client_secret_basic,
// client_secret_post, client_secret_jwt, private_key_jwt (RFC 7523) or none (a public client);
// it revokes tokens (RFC 7009) and keeps tokens in an optional on-disk cache.
//
// It guarantees: the authentication method is always the one asked for (no auto-detection, so
// a secret is never sent twice or to the wrong place); Basic credentials are form-encoded before
// base64 (RFC 6749 §2.3.1); a token endpoint is never followed through a redirect; a returned
// Token is a non-empty Bearer token; a refresh token is kept only in Token.RefreshToken, never
// in Token.Raw or a cache entry of the access token; and error messages carry only sanitised,
// bounded text from the server and never a secret.
package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
	"github.com/jwtkit/jwtkit/internal/suggest"
)

// Client authentication methods, as named in the OAuth dynamic registration registry.
const (
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
	AuthPrivateKeyJWT     = "private_key_jwt"
	// AuthClientSecretJWT signs the client assertion with the client secret (HMAC, RFC 7523).
	AuthClientSecretJWT = "client_secret_jwt"
	// AuthNone is a public client: the client_id alone, in the form.
	AuthNone = "none"
)

// AuthMethods are the client authentication methods this package speaks, in the order they
// are offered in messages.
var AuthMethods = []string{AuthClientSecretBasic, AuthClientSecretPost, AuthClientSecretJWT, AuthPrivateKeyJWT, AuthNone}

// Grant types (RFC 6749 §4, RFC 8628 §3.4).
const (
	GrantClientCredentials = "client_credentials"
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
)

// AssertionType is the client_assertion_type of a private_key_jwt request (RFC 7523 §2.2).
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// Request describes one token request.
type Request struct {
	// Grant is the grant_type; empty means GrantClientCredentials.
	Grant string
	// GrantParams are the grant's own parameters (code, redirect_uri, code_verifier,
	// refresh_token, device_code); unlike Params they may name reserved parameters, and they
	// are never part of a cache key.
	GrantParams url.Values
	// TokenURL is the token endpoint.
	TokenURL string
	// ClientID identifies the client.
	ClientID string
	// ClientSecret is the client secret for the client_secret_* methods. It is never logged or
	// put into an error or a cache key.
	ClientSecret []byte
	// AuthMethod is AuthClientSecretBasic (the default when empty), AuthClientSecretPost,
	// AuthClientSecretJWT, AuthPrivateKeyJWT or AuthNone.
	AuthMethod string
	// Assertion returns a signed client assertion JWT for private_key_jwt and
	// client_secret_jwt, with iss = sub =
	// ClientID, the given aud, exp at most 5 minutes ahead, a fresh jti and iat. It is called
	// once per attempt, so a retried request never replays a jti.
	Assertion func(aud string) (string, error)
	// AssertionAudience is the aud passed to Assertion; empty means TokenURL, which Okta and
	// Ory Hydra require. Set it to the issuer identifier for servers that follow
	// draft-ietf-oauth-rfc7523bis (oidc-provider accepts either).
	AssertionAudience string
	// Scopes are requested in the scope parameter; an element may hold several space-separated
	// scopes. Duplicates are sent once.
	Scopes []string
	// Audience is sent as the non-standard audience parameter (Auth0 and others) when non-empty.
	Audience string
	// Resources are sent as resource parameters (RFC 8707), in order.
	Resources []string
	// Params are extra form parameters. They may not set a parameter this package sets.
	Params url.Values
	// Now is the clock for Token.ExpiresAt and for Retry-After dates; nil leaves ExpiresAt
	// zero (and such a token is not cached).
	Now func() time.Time
	// Retry is the retry policy; nil means DefaultRetry.
	Retry *RetryPolicy
	// DPoP, when set, returns a DPoP proof (RFC 9449) for a POST to the token endpoint with the
	// given server nonce ("" for none); the token must then be of type DPoP.
	DPoP func(htu, nonce string) (string, error)
	// Binding names the key a token is bound to (the DPoP key's RFC 7638 thumbprint), so a
	// token cached for one key is never handed out for another; "" for a bearer token.
	Binding string
}

// Token is an access token obtained from a token endpoint.
type Token struct {
	// AccessToken is the token itself: non-empty, printable ASCII without spaces.
	AccessToken string `json:"access_token"`
	// TokenType is "Bearer" or, for a request with DPoP, "DPoP" (normalised from any letter
	// case).
	TokenType string `json:"token_type"`
	// Scope is the granted scope as the server reported it, sanitised; empty if not reported.
	Scope string `json:"scope,omitempty"`
	// ExpiresIn is the lifetime in seconds the server reported (or, from the cache, what is left
	// of it); 0 when unknown.
	ExpiresIn int64 `json:"expires_in,omitempty"`
	// ExpiresAt is when the token expires by the request's clock; zero when unknown.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// Raw is the token response without any refresh_token member.
	Raw json.RawMessage `json:"raw,omitempty"`
	// RefreshToken is the refresh token the server issued, if any. It is never marshalled, so
	// a cached access token never carries it; StoreRefresh keeps it when asked.
	RefreshToken string `json:"-"`
	// IDToken is the OpenID Connect ID token of the response, if any (also in Raw).
	IDToken string `json:"-"`
}

// reserved are the parameters this package sets; Params may not override them.
var reserved = []string{"grant_type", "client_id", "client_secret", "client_assertion",
	"client_assertion_type", "scope", "audience", "resource"}

// ClientCredentials requests a token from r.TokenURL with the client-credentials grant.
// Invalid requests are failure.Usage; everything the server or network does wrong is
// failure.Remote, with a *TokenError in the chain when the server answered with an error.
// Connection failures, 429 and 5xx answers are retried as r.Retry allows; timeouts are not.
func ClientCredentials(ctx context.Context, c *safehttp.Client, r Request) (*Token, error) {
	r.Grant = GrantClientCredentials
	return Exchange(ctx, c, r)
}

// maxNonceRetries is how many times in a row a token request is repeated with a new DPoP
// nonce the server asked for (RFC 9449 §8); a server asking again after that is looping.
const maxNonceRetries = 1

// Exchange sends the token request r (of any grant) to r.TokenURL, with the errors and retries
// of ClientCredentials. With r.DPoP, a use_dpop_nonce answer is retried once with the server's
// DPoP-Nonce; a second one is a failure.Remote naming the loop.
func Exchange(ctx context.Context, c *safehttp.Client, r Request) (*Token, error) {
	method, err := r.validate()
	if err != nil {
		return nil, err
	}
	policy := r.Retry
	if policy == nil {
		policy = &DefaultRetry
	}
	endpoint := r.TokenURL
	if u, err := c.CheckURL(r.TokenURL); err == nil {
		endpoint = safehttp.DisplayURL(u)
	}
	nonce, nonceRetries := "", 0
	for attempt := 1; ; attempt++ {
		form, header, err := r.build(method)
		if err != nil {
			return nil, err
		}
		if r.DPoP != nil {
			proof, err := r.DPoP(r.TokenURL, nonce)
			if err != nil {
				return nil, fmt.Errorf("making the DPoP proof: %w", err)
			}
			header.Set("DPoP", proof)
		}
		resp, err := c.PostForm(ctx, r.TokenURL, form, header)
		retriesLeft := attempt <= policy.Max
		if err != nil {
			if !retriesLeft || !isConnectionError(err) {
				return nil, withAttempts(err, attempt)
			}
			if serr := policy.sleep(ctx, policy.backoff(attempt)); serr != nil {
				return nil, withAttempts(err, attempt)
			}
			continue
		}
		if resp.Status >= 200 && resp.Status < 300 {
			return parseToken(resp, endpoint, r.Now, r.DPoP != nil, r.Grant)
		}
		tokErr := parseError(resp, endpoint)
		tokErr.Attempts = attempt
		if r.DPoP != nil && tokErr.Code == "use_dpop_nonce" {
			next := resp.Header.Get("DPoP-Nonce")
			if nonceRetries >= maxNonceRetries || next == "" || next == nonce || !isTokenText(next) || len(next) > 1024 {
				return nil, failure.Remotef("dpop_nonce", "the token endpoint %s keeps asking for a new DPoP nonce (use_dpop_nonce after %d retry with the nonce it gave); giving up", endpoint, nonceRetries)
			}
			nonce, nonceRetries = next, nonceRetries+1
			attempt-- // a nonce round trip is no failed attempt
			continue
		}
		if !retryableStatus(resp.Status) || !retriesLeft {
			return nil, failure.Remote("token_error", tokErr)
		}
		wait := policy.backoff(attempt)
		if after, ok := retryAfter(resp.Header.Get("Retry-After"), r.Now); ok {
			if after > policy.maxRetryAfter() {
				tokErr.RetryAfter = after
				return nil, failure.Remote("token_error", tokErr)
			}
			wait = after
		}
		if err := policy.sleep(ctx, wait); err != nil {
			return nil, failure.Remote("token_error", tokErr)
		}
	}
}

// validate checks the request and returns the effective authentication method.
func (r *Request) validate() (string, error) {
	method := r.AuthMethod
	if method == "" {
		method = AuthClientSecretBasic
	}
	switch {
	case r.TokenURL == "":
		return "", failure.Usagef("usage", "no token endpoint given; pass its URL or an issuer to discover it")
	case r.ClientID == "":
		return "", failure.Usagef("usage", "no client id given")
	}
	switch method {
	case AuthClientSecretBasic, AuthClientSecretPost:
		if len(r.ClientSecret) == 0 {
			return "", failure.Usagef("usage", "%s needs a client secret, and none was given", method)
		}
	case AuthClientSecretJWT:
		if r.Assertion == nil {
			return "", failure.Usagef("usage", "client_secret_jwt needs the client secret to sign the client assertion")
		}
	case AuthPrivateKeyJWT:
		if r.Assertion == nil {
			return "", failure.Usagef("usage", "private_key_jwt needs a signing key for the client assertion")
		}
		if len(r.ClientSecret) != 0 {
			return "", failure.Usagef("usage", "private_key_jwt does not use a client secret; drop the secret or choose client_secret_basic/client_secret_post")
		}
	case AuthNone:
		if len(r.ClientSecret) != 0 {
			return "", failure.Usagef("usage", "a public client (auth method none) sends no client secret; drop the secret or choose a client_secret_* method")
		}
	default:
		return "", failure.Usagef("usage", "unknown client authentication method %q; use %s%s",
			safehttp.Sanitize(method, 60), strings.Join(AuthMethods, ", "), suggest.Hint(method, AuthMethods))
	}
	switch r.Grant {
	case "", GrantClientCredentials, GrantAuthorizationCode, GrantRefreshToken, GrantDeviceCode:
	default:
		if !strings.HasPrefix(r.Grant, "urn:") {
			return "", failure.Usagef("usage", "unknown grant type %q", safehttp.Sanitize(r.Grant, 60))
		}
	}
	for _, name := range reserved {
		if _, set := r.Params[name]; set {
			return "", failure.Usagef("usage", "parameter %q is set by jwtkit itself; use the dedicated option instead", name)
		}
	}
	return method, nil
}

// build returns the form and headers of one attempt.
func (r *Request) build(method string) (url.Values, http.Header, error) {
	form := url.Values{}
	for k, vs := range r.Params {
		form[k] = append([]string(nil), vs...)
	}
	grant := r.Grant
	if grant == "" {
		grant = GrantClientCredentials
	}
	form.Set("grant_type", grant)
	for k, vs := range r.GrantParams {
		form[k] = append([]string(nil), vs...)
	}
	if scope := strings.Join(normalizeScopes(r.Scopes), " "); scope != "" {
		form.Set("scope", scope)
	}
	if r.Audience != "" {
		form.Set("audience", r.Audience)
	}
	for _, res := range r.Resources {
		form.Add("resource", res)
	}
	header := http.Header{}
	if err := r.authenticate(method, form, header); err != nil {
		return nil, nil, err
	}
	return form, header, nil
}

// authenticate adds the client authentication of method to a request's form and headers.
func (r *Request) authenticate(method string, form url.Values, header http.Header) error {
	switch method {
	case AuthClientSecretBasic:
		header.Set("Authorization", "Basic "+BasicCredentials(r.ClientID, r.ClientSecret))
	case AuthClientSecretPost:
		form.Set("client_id", r.ClientID)
		form.Set("client_secret", string(r.ClientSecret))
	case AuthPrivateKeyJWT, AuthClientSecretJWT:
		aud := r.AssertionAudience
		if aud == "" {
			aud = r.TokenURL
		}
		assertion, err := r.Assertion(aud)
		if err != nil {
			return fmt.Errorf("building the client assertion: %w", err)
		}
		if !isCompactJWS(assertion) {
			return failure.Usagef("usage", "the client assertion is not a compact JWT")
		}
		form.Set("client_id", r.ClientID)
		form.Set("client_assertion_type", AssertionType)
		form.Set("client_assertion", assertion)
	case AuthNone:
		form.Set("client_id", r.ClientID)
	}
	return nil
}

// BasicCredentials returns the base64 part of an RFC 6749 §2.3.1 Basic Authorization header:
// the client id and secret are each form-urlencoded first, then joined by ":" and encoded.
// (Plain RFC 7617 Basic, as net/http's SetBasicAuth does it, breaks on ":" and on "%" or "+"
// that the server would decode.)
func BasicCredentials(clientID string, secret []byte) string {
	return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID) + ":" + url.QueryEscape(string(secret))))
}

// normalizeScopes splits elements on whitespace and drops empty and repeated scopes, keeping
// the first occurrence's order.
func normalizeScopes(scopes []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range scopes {
		for _, f := range strings.Fields(s) {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// isCompactJWS reports whether s has the shape of a compact JWS: three base64url segments.
func isCompactJWS(s string) bool {
	if strings.Count(s, ".") != 2 || len(s) > 64<<10 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
		for i := 0; i < len(part); i++ {
			c := part[i]
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func isConnectionError(err error) bool {
	var e *safehttp.Error
	return errors.As(err, &e) && e.Reason == safehttp.ReasonConnect
}

func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500 && status <= 599
}

// attemptsError adds the number of attempts to a transport error's message, keeping its chain.
type attemptsError struct {
	err      error
	attempts int
}

func (e *attemptsError) Error() string {
	return fmt.Sprintf("%v (after %d attempts)", e.err, e.attempts)
}

func (e *attemptsError) Unwrap() error { return e.err }

func withAttempts(err error, attempts int) error {
	if attempts <= 1 {
		return err
	}
	return &attemptsError{err: err, attempts: attempts}
}

// Package oauth gets access tokens with the OAuth 2.0 client-credentials grant (RFC 6749 §4.4),
// authenticating the client with client_secret_basic, client_secret_post or private_key_jwt
// (RFC 7523), and keeps them in an optional on-disk cache.
//
// It guarantees: the authentication method is always the one asked for (no auto-detection, so
// a secret is never sent twice or to the wrong place); Basic credentials are form-encoded before
// base64 (RFC 6749 §2.3.1); a token endpoint is never followed through a redirect; a returned
// Token is a non-empty Bearer token; a refresh token is never kept; and error messages carry
// only sanitised, bounded text from the server and never a secret.
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
)

// AssertionType is the client_assertion_type of a private_key_jwt request (RFC 7523 §2.2).
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// Request describes one client-credentials token request.
type Request struct {
	// TokenURL is the token endpoint.
	TokenURL string
	// ClientID identifies the client.
	ClientID string
	// ClientSecret is the client secret for the client_secret_* methods. It is never logged or
	// put into an error or a cache key.
	ClientSecret []byte
	// AuthMethod is AuthClientSecretBasic (the default when empty), AuthClientSecretPost or
	// AuthPrivateKeyJWT.
	AuthMethod string
	// Assertion returns a signed client assertion JWT for private_key_jwt, with iss = sub =
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
}

// Token is an access token obtained from a token endpoint.
type Token struct {
	// AccessToken is the token itself: non-empty, printable ASCII without spaces.
	AccessToken string `json:"access_token"`
	// TokenType is "Bearer" (normalised from any letter case).
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
}

// reserved are the parameters this package sets; Params may not override them.
var reserved = []string{"grant_type", "client_id", "client_secret", "client_assertion",
	"client_assertion_type", "scope", "audience", "resource"}

// ClientCredentials requests a token from r.TokenURL with the client-credentials grant.
// Invalid requests are failure.Usage; everything the server or network does wrong is
// failure.Remote, with a *TokenError in the chain when the server answered with an error.
// Connection failures, 429 and 5xx answers are retried as r.Retry allows; timeouts are not.
func ClientCredentials(ctx context.Context, c *safehttp.Client, r Request) (*Token, error) {
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
	for attempt := 1; ; attempt++ {
		form, header, err := r.build(method)
		if err != nil {
			return nil, err
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
			return parseToken(resp, endpoint, r.Now)
		}
		tokErr := parseError(resp, endpoint)
		tokErr.Attempts = attempt
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
	case AuthPrivateKeyJWT:
		if r.Assertion == nil {
			return "", failure.Usagef("usage", "private_key_jwt needs a signing key for the client assertion")
		}
		if len(r.ClientSecret) != 0 {
			return "", failure.Usagef("usage", "private_key_jwt does not use a client secret; drop the secret or choose client_secret_basic/client_secret_post")
		}
	default:
		return "", failure.Usagef("usage", "unknown client authentication method %q; use client_secret_basic, client_secret_post or private_key_jwt%s",
			safehttp.Sanitize(method, 60), suggest.Hint(method, []string{AuthClientSecretBasic, AuthClientSecretPost, AuthPrivateKeyJWT}))
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
	form.Set("grant_type", "client_credentials")
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
	switch method {
	case AuthClientSecretBasic:
		header.Set("Authorization", "Basic "+BasicCredentials(r.ClientID, r.ClientSecret))
	case AuthClientSecretPost:
		form.Set("client_id", r.ClientID)
		form.Set("client_secret", string(r.ClientSecret))
	case AuthPrivateKeyJWT:
		aud := r.AssertionAudience
		if aud == "" {
			aud = r.TokenURL
		}
		assertion, err := r.Assertion(aud)
		if err != nil {
			return nil, nil, fmt.Errorf("building the client assertion: %w", err)
		}
		if !isCompactJWS(assertion) {
			return nil, nil, failure.Usagef("usage", "the client assertion is not a compact JWT")
		}
		form.Set("client_id", r.ClientID)
		form.Set("client_assertion_type", AssertionType)
		form.Set("client_assertion", assertion)
	}
	return form, header, nil
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

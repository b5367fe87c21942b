package oauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// PKCE is one authorization request's proof key (RFC 7636): a random verifier and its S256
// challenge. The plain method is never used.
type PKCE struct {
	// Verifier is 43 base64url characters (32 random bytes); it is sent only to the token
	// endpoint and never shown.
	Verifier string
	// Challenge is base64url(SHA-256(Verifier)), sent in the authorization request.
	Challenge string
}

// NewPKCE makes a fresh verifier from rand and its S256 challenge.
func NewPKCE(rand io.Reader) (PKCE, error) {
	v, err := RandomString(rand, 32)
	if err != nil {
		return PKCE{}, err
	}
	return PKCE{Verifier: v, Challenge: S256(v)}, nil
}

// S256 is the code_challenge of verifier with the S256 method (RFC 7636 §4.2).
func S256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// RandomString returns n random bytes from rand as unpadded base64url, for state, nonce and
// verifiers.
func RandomString(rand io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// AuthorizationRequest is one authorization code request (RFC 6749 §4.1.1) with PKCE.
type AuthorizationRequest struct {
	// Endpoint is the authorization endpoint.
	Endpoint string
	// ClientID identifies the client.
	ClientID string
	// RedirectURI is where the server sends the browser back.
	RedirectURI string
	// Scopes are requested in the scope parameter.
	Scopes []string
	// State and Nonce are the random values the response and the ID token must carry back.
	State, Nonce string
	// PKCE is the proof key; its challenge is sent.
	PKCE PKCE
	// Resources are sent as resource parameters (RFC 8707); Audience as audience when set.
	Resources []string
	Audience  string
	// Params are extra parameters (prompt, login_hint, …); they may not set one this package
	// sets.
	Params url.Values
}

// authReserved are the parameters AuthorizationRequest.URL sets itself.
var authReserved = []string{"response_type", "client_id", "redirect_uri", "scope", "state", "nonce",
	"code_challenge", "code_challenge_method", "resource", "audience"}

// URL returns the URL the browser is sent to. The endpoint keeps its own query parameters.
func (a *AuthorizationRequest) URL() (string, error) {
	u, err := url.Parse(a.Endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", failure.Remotef("discovery", "the authorization endpoint %q is not an http(s) URL", safehttp.Sanitize(a.Endpoint, 200))
	}
	for _, name := range authReserved {
		if _, set := a.Params[name]; set {
			return "", failure.Usagef("usage", "parameter %q is set by jwtkit itself; use the dedicated option instead", name)
		}
	}
	q := u.Query()
	for k, vs := range a.Params {
		q[k] = append([]string(nil), vs...)
	}
	q.Set("response_type", "code")
	q.Set("client_id", a.ClientID)
	q.Set("redirect_uri", a.RedirectURI)
	if scope := strings.Join(normalizeScopes(a.Scopes), " "); scope != "" {
		q.Set("scope", scope)
	}
	q.Set("state", a.State)
	if a.Nonce != "" {
		q.Set("nonce", a.Nonce)
	}
	q.Set("code_challenge", a.PKCE.Challenge)
	q.Set("code_challenge_method", "S256")
	for _, r := range a.Resources {
		q.Add("resource", r)
	}
	if a.Audience != "" {
		q.Set("audience", a.Audience)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// AuthorizationError is an error answer of the authorization endpoint (RFC 6749 §4.1.2.1),
// sanitised and bounded.
type AuthorizationError struct {
	Code, Description string
}

func (e *AuthorizationError) Error() string {
	msg := "the authorization server refused: " + e.Code
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// CheckCallback reads the query of the redirect back from the authorization server and returns
// the code. It checks, in this order: an iss parameter, which must equal issuer whenever one is
// present, and must be present when issParamRequired (the server announces
// authorization_response_iss_parameter_supported, RFC 9207 §2.4); state, which must equal
// wantState (compared in constant time); then an error answer; then a code. Every failure is
// failure.Remote and its message holds no code and no state.
func CheckCallback(q url.Values, wantState, issuer string, issParamRequired bool) (string, error) {
	if iss, ok := q["iss"]; ok || issParamRequired {
		got := ""
		if ok {
			got = iss[0]
		}
		switch {
		case got == "":
			return "", failure.Remotef("bad_callback", "the authorization response has no iss parameter, which issuer %s announces it sends (RFC 9207); refusing it as a possible mix-up attack",
				safehttp.Sanitize(issuer, 200))
		case issuer != "" && got != issuer:
			return "", failure.Remotef("bad_callback", "the authorization response comes from issuer %q, not %s (RFC 9207 mix-up defence); refusing its code",
				safehttp.Sanitize(got, 200), safehttp.Sanitize(issuer, 200))
		}
	}
	state := q.Get("state")
	if subtle.ConstantTimeCompare([]byte(state), []byte(wantState)) != 1 {
		if state == "" {
			return "", failure.Remotef("bad_callback", "the authorization response has no state; refusing it (it is not the answer to this request)")
		}
		return "", failure.Remotef("bad_callback", "the authorization response's state does not match the request's; refusing it (a forged or stale redirect)")
	}
	if code := q.Get("error"); code != "" {
		return "", failure.Remote("authorization_error", &AuthorizationError{
			Code:        safehttp.Sanitize(code, 64),
			Description: safehttp.Sanitize(q.Get("error_description"), safehttp.MaxExcerpt),
		})
	}
	code := q.Get("code")
	if code == "" || len(code) > 4096 || !isTokenText(code) {
		return "", failure.Remotef("bad_callback", "the authorization response has no usable code")
	}
	return code, nil
}

package oauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// maxExpiresIn is the largest expires_in accepted: about 68 years, far beyond any real token.
const maxExpiresIn = math.MaxInt32

// TokenError is a token endpoint's refusal. Its message has the form
// "invalid_client: Client authentication failed (HTTP 401 from https://idp.example/token)".
// Every string in it is sanitised to printable ASCII and bounded.
type TokenError struct {
	// Endpoint is the token endpoint URL as displayed.
	Endpoint string
	// Status is the HTTP status code.
	Status int
	// Code is the RFC 6749 §5.2 error code; empty when the body had none.
	Code string
	// Description is the error_description; may be empty.
	Description string
	// URI is the error_uri; may be empty.
	URI string
	// Excerpt is the start of a body that was not an RFC 6749 error object.
	Excerpt string
	// Attempts is how many requests were made.
	Attempts int
	// RetryAfter is the wait the server asked for when it was longer than the policy allows.
	RetryAfter time.Duration
	// Hint, when set by the caller, says what the user can do about the refusal; it ends the
	// message and must hold no secret.
	Hint string
}

func (e *TokenError) Error() string {
	status := statusLine(e.Status)
	var head string
	var notes []string
	if e.Code != "" {
		head = e.Code
		if e.Description != "" {
			head += ": " + e.Description
		}
		notes = append(notes, "HTTP "+status+" from "+e.Endpoint)
		if e.URI != "" {
			notes = append(notes, "see "+e.URI)
		}
	} else {
		head = "token request to " + e.Endpoint + " failed: HTTP " + status
		if e.Excerpt != "" {
			head += ": " + e.Excerpt
		}
	}
	if e.Attempts > 1 {
		notes = append(notes, fmt.Sprintf("after %d attempts", e.Attempts))
	}
	if e.RetryAfter > 0 {
		notes = append(notes, "the server asks to retry after "+e.RetryAfter.String())
	}
	msg := head
	if len(notes) > 0 {
		msg += " (" + strings.Join(notes, "; ") + ")"
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

func statusLine(status int) string {
	if t := http.StatusText(status); t != "" {
		return fmt.Sprintf("%d %s", status, t)
	}
	return strconv.Itoa(status)
}

// parseError reads an error response: an RFC 6749 §5.2 JSON object when it is one, else an
// excerpt of the body.
func parseError(resp *safehttp.Response, endpoint string) *TokenError {
	e := &TokenError{Endpoint: endpoint, Status: resp.Status}
	var body struct {
		Error       any `json:"error"`
		Description any `json:"error_description"`
		URI         any `json:"error_uri"`
	}
	if json.Unmarshal(resp.Body, &body) == nil {
		if code, ok := body.Error.(string); ok && code != "" {
			e.Code = safehttp.Sanitize(code, 64)
			if d, ok := body.Description.(string); ok {
				e.Description = safehttp.Sanitize(d, safehttp.MaxExcerpt)
			}
			if u, ok := body.URI.(string); ok {
				e.URI = safehttp.Sanitize(u, safehttp.MaxExcerpt)
			}
			return e
		}
	}
	e.Excerpt = safehttp.Excerpt(resp.Body)
	return e
}

// parseToken reads a successful token response to a request with grant (a grant_type).
// token_type must be Bearer, or DPoP when dpop, or N_A for a token exchange whose
// issued_token_type is not an access token (RFC 8693 §2.2.1); N_A is kept as is.
func parseToken(resp *safehttp.Response, endpoint string, now func() time.Time, dpop bool, grant string) (*Token, error) {
	fail := func(format string, args ...any) error {
		return failure.Remotef("token_response", "token endpoint %s returned an unusable response: %s",
			endpoint, fmt.Sprintf(format, args...))
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(resp.Body, &members); err != nil || members == nil {
		mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if mt == "" {
			mt = "no content type"
		}
		// No excerpt: a success body may hold a token in another format.
		return nil, fail("not a JSON object (%d bytes, %s)", len(resp.Body), safehttp.Sanitize(mt, 60))
	}
	str := func(name string) (string, bool, error) {
		raw, ok := members[name]
		if !ok || string(raw) == "null" {
			return "", false, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", true, fail("%s is not a string", name)
		}
		return s, true, nil
	}
	access, ok, err := str("access_token")
	if err != nil {
		return nil, err
	}
	if !ok || access == "" {
		if tokErr := parseError(resp, endpoint); tokErr.Code != "" {
			return nil, failure.Remote("token_error", tokErr)
		}
		return nil, fail("no access_token")
	}
	if !isTokenText(access) {
		return nil, fail("the access_token contains spaces, control or non-ASCII characters")
	}
	tokenType, ok, err := str("token_type")
	if err != nil {
		return nil, err
	}
	normType := "Bearer"
	switch {
	case !ok:
		return nil, fail("no token_type; jwtkit accepts only Bearer tokens")
	case tokenType == TokenTypeNA && grant == GrantTokenExchange:
		issued, err := IssuedTokenType(resp.Body)
		if err != nil {
			return nil, err
		}
		if issued == "" || issued == TokenTypeAccessToken {
			return nil, fail("token_type N_A for an issued_token_type that is %s; RFC 8693 §2.2.1 allows N_A only for a token that is not an access token", orNone(ShortTokenType(issued)))
		}
		normType = TokenTypeNA
	case dpop && strings.EqualFold(tokenType, "dpop"):
		normType = "DPoP"
	case dpop:
		return nil, fail("token_type %q where a DPoP-bound token was asked for (RFC 9449 §5); the server ignored the DPoP proof", safehttp.Sanitize(tokenType, 40))
	case !strings.EqualFold(tokenType, "bearer"):
		return nil, fail("token_type %q; jwtkit accepts only Bearer tokens", safehttp.Sanitize(tokenType, 40))
	}
	refresh, _, err := str("refresh_token")
	if err != nil {
		return nil, err
	}
	if refresh != "" && (!isTokenText(refresh) || len(refresh) > 16<<10) {
		return nil, fail("the refresh_token contains spaces, control or non-ASCII characters, or is too long")
	}
	idToken, _, err := str("id_token")
	if err != nil {
		return nil, err
	}
	scope, _, err := str("scope")
	if err != nil {
		return nil, err
	}
	expiresIn, err := parseExpiresIn(members["expires_in"])
	if err != nil {
		return nil, fail("%v", err)
	}
	delete(members, "refresh_token")
	raw, err := json.Marshal(members)
	if err != nil {
		return nil, fail("cannot re-encode it")
	}
	t := &Token{AccessToken: access, TokenType: normType, Scope: safehttp.Sanitize(scope, 4096),
		ExpiresIn: expiresIn, Raw: raw, RefreshToken: refresh, IDToken: idToken}
	if expiresIn > 0 && now != nil {
		t.ExpiresAt = now().Add(time.Duration(expiresIn) * time.Second)
	}
	return t, nil
}

// parseExpiresIn accepts a JSON number or a numeric string (some servers quote it), integral
// or not (the fraction is dropped), from 0 to maxExpiresIn. Absent or null is 0.
func parseExpiresIn(raw json.RawMessage) (int64, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	text := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, fmt.Errorf("expires_in is not a number")
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("expires_in is not a number")
	}
	if f < 0 || f > maxExpiresIn {
		return 0, fmt.Errorf("expires_in %s is out of range", safehttp.Sanitize(text, 30))
	}
	return int64(f), nil
}

// isTokenText reports whether s is printable ASCII without spaces, the most an access token
// may contain (RFC 6750 b64token is stricter), so printing it cannot drive a terminal.
func isTokenText(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// TokenTypeNA is the token_type of a token exchange answer whose token is not an access token
// (RFC 8693 §2.2.1): it is not meant for an Authorization header.
const TokenTypeNA = "N_A"

func orNone(s string) string {
	if s == "" {
		return "absent"
	}
	return s
}

package issuer

import (
	"encoding/json"
	"net/http"
	"strings"
)

// OAuth 2.0 error codes the server returns (RFC 6749 §5.2, RFC 8707 §2).
const (
	ErrInvalidRequest       = "invalid_request"
	ErrInvalidClient        = "invalid_client"
	ErrInvalidGrant         = "invalid_grant"
	ErrUnauthorizedClient   = "unauthorized_client"
	ErrUnsupportedGrantType = "unsupported_grant_type"
	ErrInvalidScope         = "invalid_scope"
	ErrInvalidTarget        = "invalid_target"
	// ErrUnsupportedResponseType goes back to the client from /authorize (RFC 6749 §4.1.2.1).
	ErrUnsupportedResponseType = "unsupported_response_type"
	// ErrInvalidToken is the Bearer error of /userinfo (RFC 6750 §3.1).
	ErrInvalidToken = "invalid_token"
	// ErrTemporarilyUnavailable is returned when the client-assertion replay cache is full.
	ErrTemporarilyUnavailable = "temporarily_unavailable"
	// ErrNotFound, ErrMethodNotAllowed, ErrMisdirected and ErrForbidden are not OAuth codes;
	// the server uses them, in the same body shape, for requests outside the OAuth endpoints.
	ErrNotFound         = "not_found"
	ErrMethodNotAllowed = "method_not_allowed"
	ErrMisdirected      = "misdirected_request"
	ErrForbidden        = "forbidden"
)

// oauthError is an error response: an RFC 6749 §5.2 body and its HTTP status. detail is the
// fuller, server-side reason for the request log; it never holds a secret or an assertion.
type oauthError struct {
	status      int
	code        string
	description string
	detail      string
}

func (e *oauthError) Error() string { return e.code + ": " + e.description }

// newError returns an error response whose log detail is its description.
func newError(status int, code, description string) *oauthError {
	return &oauthError{status: status, code: code, description: description, detail: description}
}

// withDetail returns a copy of e that logs detail instead of the public description, for the
// cases where the client must not learn more than the description says (an unknown client and
// a wrong secret look the same from outside).
func (e *oauthError) withDetail(detail string) *oauthError {
	c := *e
	c.detail = detail
	return &c
}

// errorBody is the JSON shape of an error response.
type errorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// writeError writes e as a JSON body. Descriptions are built by this package from sanitised
// parts, so they hold only printable ASCII as RFC 6749 §5.2 requires.
func writeError(w http.ResponseWriter, e *oauthError) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	if e.status == http.StatusUnauthorized && h.Get("WWW-Authenticate") == "" {
		h.Set("WWW-Authenticate", `Basic realm="jwtkit"`)
	}
	body, _ := json.Marshal(errorBody{Error: e.code, ErrorDescription: printableASCII(e.description, 400)})
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}

// printableASCII keeps the characters RFC 6749 §5.2 allows in error_description (%x20-21,
// %x23-5B, %x5D-7E), replacing others with '?', and cuts the result at max bytes.
func printableASCII(s string, max int) string {
	s = strings.ReplaceAll(s, "§", "section ") // the RFC references in our own messages
	b := make([]byte, 0, min(len(s), max))
	for i := 0; i < len(s) && len(b) < max; i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\'')
		case c >= 0x20 && c <= 0x7e:
			b = append(b, c)
		default:
			b = append(b, '?')
		}
	}
	return string(b)
}

// Sanitize returns s fit for a log line or an error description: printable ASCII only (other
// bytes become '?'), at most max bytes, with "..." marking a cut. It is how every client-supplied
// string (client id, scope, path) reaches the request log.
func Sanitize(s string, max int) string {
	cut := len(s) > max
	if cut {
		s = s[:max]
	}
	b := make([]byte, 0, len(s)+3)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c <= 0x7e {
			b = append(b, c)
		} else {
			b = append(b, '?')
		}
	}
	if cut {
		b = append(b, "..."...)
	}
	return string(b)
}

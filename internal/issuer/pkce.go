package issuer

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// checkChallenge checks the PKCE parameters of an authorization request (RFC 7636 §4.3): a
// public client must send a challenge, and with S256 (OAuth 2.1 §7.5.2, RFC 9700 §2.1.1);
// plain is refused unless the client may use it. method defaults to plain when a challenge
// comes without one (RFC 7636 §4.3) and is set to the method in force.
func checkChallenge(c *Client, challenge string, method *string) *authorizeError {
	if challenge == "" {
		if *method != "" {
			return &authorizeError{ErrInvalidRequest, "code_challenge_method is given without code_challenge"}
		}
		if c.Public() {
			return &authorizeError{ErrInvalidRequest, "a public client must use PKCE: send code_challenge with code_challenge_method=S256 (RFC 7636)"}
		}
		return nil
	}
	if *method == "" {
		*method = "plain"
	}
	switch *method {
	case "S256":
		if len(challenge) != 43 || !unreserved(challenge) {
			return &authorizeError{ErrInvalidRequest, "an S256 code_challenge is 43 characters of base64url (RFC 7636 §4.2)"}
		}
	case "plain":
		if !c.AllowPlainPKCE {
			return &authorizeError{ErrInvalidRequest, "code_challenge_method plain is not allowed for this client; use S256"}
		}
		if !validVerifier(challenge) {
			return &authorizeError{ErrInvalidRequest, "a plain code_challenge is 43 to 128 unreserved characters (RFC 7636 §4.1)"}
		}
	default:
		return &authorizeError{ErrInvalidRequest, "code_challenge_method must be S256"}
	}
	return nil
}

// validVerifier reports whether v is a code_verifier of RFC 7636 §4.1: 43 to 128 characters
// of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
func validVerifier(v string) bool {
	return len(v) >= 43 && len(v) <= 128 && unreserved(v)
}

func unreserved(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// verifierMatches checks verifier against the challenge in constant time (RFC 7636 §4.6).
func verifierMatches(verifier, challenge, method string) bool {
	var got string
	switch method {
	case "S256":
		h := sha256.Sum256([]byte(verifier))
		got = base64.RawURLEncoding.EncodeToString(h[:])
	case "plain":
		got = verifier
	default:
		return false
	}
	// Compare hashes so that the comparison takes the same time whatever the lengths.
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(challenge))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

package oauth

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// GrantTokenExchange is the RFC 8693 token exchange grant type.
const GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"

// RFC 8693 §3 token type identifiers.
const (
	TokenTypeAccessToken  = "urn:ietf:params:oauth:token-type:access_token"
	TokenTypeRefreshToken = "urn:ietf:params:oauth:token-type:refresh_token"
	TokenTypeIDToken      = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeJWT          = "urn:ietf:params:oauth:token-type:jwt"
	TokenTypeSAML1        = "urn:ietf:params:oauth:token-type:saml1"
	TokenTypeSAML2        = "urn:ietf:params:oauth:token-type:saml2"
)

// tokenTypeNames pairs the short names jwtkit accepts for token types with their RFC 8693 URNs
// (an array of constants, not a map, so that the package needs no initialisation).
var tokenTypeNames = [...]struct{ name, urn string }{
	{"access_token", TokenTypeAccessToken},
	{"refresh_token", TokenTypeRefreshToken},
	{"id_token", TokenTypeIDToken},
	{"jwt", TokenTypeJWT},
	{"saml1", TokenTypeSAML1},
	{"saml2", TokenTypeSAML2},
}

// TokenType returns the token type URI named by s: a short name of tokenTypeNames or an
// absolute URI (RFC 8693 §3 allows any). Anything else is failure.Usage.
func TokenType(flag, s string) (string, error) {
	for _, t := range tokenTypeNames {
		if t.name == s {
			return t.urn, nil
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || !isTokenText(s) || len(s) > 512 {
		return "", failure.Usagef("usage", "%s %q is not a token type: use access_token, refresh_token, id_token, jwt, saml1, saml2 or an absolute URI", flag, safehttp.Sanitize(s, 80))
	}
	return s, nil
}

// TokenExchange holds the parameters of an RFC 8693 §2.1 token exchange request (besides
// audience, resource and scope, which are Request's).
type TokenExchange struct {
	// SubjectToken is the token that represents the party the new token is for; required.
	SubjectToken string
	// SubjectTokenType is its type URI; empty means TokenTypeAccessToken.
	SubjectTokenType string
	// ActorToken, when set, represents the acting party (delegation, RFC 8693 §1.1).
	ActorToken string
	// ActorTokenType is its type URI; empty means TokenTypeAccessToken. It is sent only with
	// ActorToken.
	ActorTokenType string
	// RequestedTokenType is the type of token asked for; empty leaves it to the server.
	RequestedTokenType string
}

// GrantParams returns the grant's form parameters, for Request.GrantParams with Grant set to
// GrantTokenExchange. A missing subject token, a token that is not printable ASCII, or an
// actor token type without an actor token is failure.Usage; no message holds a token.
func (x TokenExchange) GrantParams() (url.Values, error) {
	if x.SubjectToken == "" {
		return nil, failure.Usagef("usage", "token exchange needs the subject token: pass --subject-token env:NAME, @FILE or -")
	}
	if !isTokenText(x.SubjectToken) {
		return nil, failure.Usagef("usage", "the subject token contains spaces, control or non-ASCII characters")
	}
	v := url.Values{}
	v.Set("subject_token", x.SubjectToken)
	v.Set("subject_token_type", orDefault(x.SubjectTokenType, TokenTypeAccessToken))
	switch {
	case x.ActorToken != "":
		if !isTokenText(x.ActorToken) {
			return nil, failure.Usagef("usage", "the actor token contains spaces, control or non-ASCII characters")
		}
		v.Set("actor_token", x.ActorToken)
		v.Set("actor_token_type", orDefault(x.ActorTokenType, TokenTypeAccessToken))
	case x.ActorTokenType != "":
		return nil, failure.Usagef("usage", "--actor-token-type needs --actor-token")
	}
	if x.RequestedTokenType != "" {
		v.Set("requested_token_type", x.RequestedTokenType)
	}
	return v, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// IssuedTokenType reads the issued_token_type of a token exchange response (RFC 8693 §2.2.1,
// where it is required): the URI, sanitised, or "" when the response has none. A member that
// is not a string, or not an absolute URI of printable ASCII, is failure.Remote.
func IssuedTokenType(raw json.RawMessage) (string, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return "", failure.Remotef("token_response", "the token exchange response is not a JSON object")
	}
	m, ok := members["issued_token_type"]
	if !ok || string(m) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(m, &s); err != nil {
		return "", failure.Remotef("token_response", "the token exchange response's issued_token_type is not a string")
	}
	if u, err := url.Parse(s); err != nil || u.Scheme == "" || !isTokenText(s) || len(s) > 512 {
		return "", failure.Remotef("token_response", "the token exchange response's issued_token_type %q is not an absolute URI", safehttp.Sanitize(s, 80))
	}
	return s, nil
}

// ShortTokenType names a token type URI by its short name when it has one.
func ShortTokenType(uri string) string {
	for _, t := range tokenTypeNames {
		if t.urn == uri {
			return t.name
		}
	}
	return uri
}

// IsTokenText reports whether s could be a token: non-empty printable ASCII without spaces.
func IsTokenText(s string) bool { return s != "" && isTokenText(s) && !strings.ContainsRune(s, ' ') }

package oauth

import (
	"net/url"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// GrantJWTBearer is the RFC 7523 §2.1 grant type: a JWT assertion buys an access token.
const GrantJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// JWTBearerParams returns the grant parameters of a jwt-bearer request with the given
// assertion, for Request.GrantParams with Grant set to GrantJWTBearer. An assertion that is
// not a compact JWS is failure.Usage (and the message does not hold it).
func JWTBearerParams(assertion string) (url.Values, error) {
	if !isCompactJWS(assertion) {
		return nil, failure.Usagef("usage", "the jwt-bearer assertion is not a compact signed JWT (three base64url parts)")
	}
	return url.Values{"assertion": {assertion}}, nil
}

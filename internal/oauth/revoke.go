package oauth

import (
	"context"
	"net/url"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// Revoke asks endpoint to revoke token (RFC 7009 §2.1), hinted as hint ("refresh_token" or
// "access_token"), authenticating as r says. A 200 is success whether or not the server knew
// the token (§2.2); an error answer is failure.Remote with a *TokenError in the chain.
func Revoke(ctx context.Context, c *safehttp.Client, endpoint string, r Request, token, hint string) error {
	method, err := r.validate()
	if err != nil {
		return err
	}
	display := endpoint
	if u, err := c.CheckURL(endpoint); err == nil {
		display = safehttp.DisplayURL(u)
	}
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	header := make(map[string][]string)
	r.TokenURL = endpoint // an assertion for revocation is for that endpoint
	if err := r.authenticate(method, form, header); err != nil {
		return err
	}
	if method == AuthClientSecretBasic {
		form.Set("client_id", r.ClientID)
	}
	resp, err := c.PostForm(ctx, endpoint, form, header)
	if err != nil {
		return err
	}
	if resp.Status != 200 {
		return failure.Remote("revocation_error", parseError(resp, display))
	}
	return nil
}

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/jwtkit/jwtkit/internal/discovery"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/jwks"
	"github.com/jwtkit/jwtkit/internal/oauth"
	"github.com/jwtkit/jwtkit/internal/safehttp"
	"github.com/jwtkit/jwtkit/internal/verify"
)

// serverMeta are the members of the issuer's metadata the login flows need beyond what
// discovery.Document holds.
type serverMeta struct {
	AuthorizationEndpoint       string   `json:"authorization_endpoint"`
	DeviceAuthorizationEndpoint string   `json:"device_authorization_endpoint"`
	RevocationEndpoint          string   `json:"revocation_endpoint"`
	IssParameterSupported       bool     `json:"authorization_response_iss_parameter_supported"`
	DPoPAlgs                    []string `json:"dpop_signing_alg_values_supported"`
}

// metadata discovers the issuer once per run and returns its document and the login members.
func (r *fetchRun) metadata(ctx context.Context) (*discovery.Document, *serverMeta, error) {
	if r.doc != nil {
		return r.doc, r.meta, nil
	}
	if r.s.issuer == "" {
		return nil, nil, failure.Usagef("usage", "--grant %s needs --issuer: its metadata names the authorization, device and revocation endpoints", r.s.grantName())
	}
	f := &discovery.Fetcher{Client: r.client, Cache: r.cache, Warn: func(s string) { r.g.Warnf("%s", s) }}
	doc, err := f.Fetch(ctx, r.s.issuer)
	if err != nil {
		return nil, nil, err
	}
	meta := &serverMeta{}
	if err := json.Unmarshal(doc.Raw, meta); err != nil {
		return nil, nil, failure.Remotef("discovery", "the metadata of issuer %s is not usable: %v", safehttp.Sanitize(r.s.issuer, 300), err)
	}
	r.doc, r.meta = doc, meta
	return doc, meta, nil
}

// systemOpener opens url in the user's browser: $BROWSER when set, else the platform's opener.
// It fails (and fetch prints the URL instead) when there is no graphical session to open it in.
// The URL holds no secret: the PKCE verifier never leaves jwtkit, only its hash does.
func systemOpener(getenv func(string) string) func(string) error {
	return func(u string) error {
		var cmd *exec.Cmd
		switch {
		case getenv("BROWSER") != "":
			cmd = exec.Command(strings.Fields(getenv("BROWSER"))[0], u)
		case runtime.GOOS == "darwin":
			cmd = exec.Command("open", u)
		case runtime.GOOS == "windows":
			cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
		default:
			if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
				return errors.New("no graphical session")
			}
			cmd = exec.Command("xdg-open", u)
		}
		return cmd.Start()
	}
}

// authorizationCode runs the authorization code grant with PKCE: the loopback listener, the
// browser, the checks of the redirect, the code exchange and the ID token's verification.
func (r *fetchRun) authorizationCode(ctx context.Context, req *oauth.Request) (*oauth.Token, error) {
	doc, meta, err := r.metadata(ctx)
	if err != nil {
		return nil, err
	}
	if meta.AuthorizationEndpoint == "" {
		return nil, failure.Remotef("discovery", "issuer %s publishes no authorization_endpoint; it offers no browser sign-in", safehttp.Sanitize(doc.Issuer, 300))
	}
	rnd := r.g.deps.Rand
	pkce, err := oauth.NewPKCE(rnd)
	if err != nil {
		return nil, err
	}
	state, err := oauth.RandomString(rnd, 24)
	if err != nil {
		return nil, err
	}
	nonce, err := oauth.RandomString(rnd, 24)
	if err != nil {
		return nil, err
	}
	r.red.add(pkce.Verifier, false)
	l, err := oauth.Listen(r.s.redirectURI, func(q url.Values) (string, error) {
		code, err := oauth.CheckCallback(q, state, doc.Issuer, meta.IssParameterSupported)
		if err == nil {
			r.red.add(code, false)
		}
		return code, err
	})
	if err != nil {
		return nil, err
	}
	defer l.Close()
	a := &oauth.AuthorizationRequest{Endpoint: meta.AuthorizationEndpoint, ClientID: req.ClientID, RedirectURI: l.RedirectURI,
		Scopes: req.Scopes, State: state, Nonce: nonce, PKCE: pkce, Resources: req.Resources, Audience: req.Audience, Params: r.s.authParams}
	link, err := a.URL()
	if err != nil {
		return nil, err
	}
	r.verbosef("redirect URI: %s", l.RedirectURI)
	opener := r.g.deps.OpenBrowser
	switch {
	case r.s.noBrowser || opener == nil:
		r.g.Infof("Open this URL in a browser to sign in:\n  %s", link)
	default:
		if err := opener(link); err != nil {
			r.g.Infof("Could not open a browser (%v); open this URL to sign in:\n  %s", err, link)
		} else {
			r.g.Infof("Opened the sign-in page in your browser; waiting for the redirect to %s", l.RedirectURI)
		}
	}
	code, err := l.Wait(ctx, r.s.loginTimeout)
	if err != nil {
		return nil, err
	}
	req.Grant = oauth.GrantAuthorizationCode
	req.GrantParams = url.Values{"code": {code}, "redirect_uri": {l.RedirectURI}, "code_verifier": {pkce.Verifier}}
	tok, err := oauth.Exchange(ctx, r.client, *req)
	if err != nil {
		return nil, err
	}
	if err := r.checkIDToken(ctx, tok, nonce); err != nil {
		return nil, err
	}
	return tok, nil
}

// deviceCode runs the device authorization grant (RFC 8628): the user code and the
// verification URI on stderr, then polling.
func (r *fetchRun) deviceCode(ctx context.Context, req *oauth.Request) (*oauth.Token, error) {
	doc, meta, err := r.metadata(ctx)
	if err != nil {
		return nil, err
	}
	if meta.DeviceAuthorizationEndpoint == "" {
		return nil, failure.Remotef("discovery", "issuer %s publishes no device_authorization_endpoint; it offers no device sign-in", safehttp.Sanitize(doc.Issuer, 300))
	}
	d, err := oauth.DeviceAuthorize(ctx, r.client, meta.DeviceAuthorizationEndpoint, *req)
	if err != nil {
		return nil, err
	}
	r.red.add(d.DeviceCode, false)
	if d.VerificationURIComplete != "" {
		r.g.Infof("To sign in, open %s\n  (or open %s and enter the code %s)", d.VerificationURIComplete, d.VerificationURI, d.UserCode)
	} else {
		r.g.Infof("To sign in, open %s and enter the code %s", d.VerificationURI, d.UserCode)
	}
	// The complete URI holds only the user code, which is on the terminal anyway.
	if !r.s.noBrowser && r.g.deps.OpenBrowser != nil && d.VerificationURIComplete != "" {
		if err := r.g.deps.OpenBrowser(d.VerificationURIComplete); err == nil {
			r.g.Infof("Opened the verification page in your browser; waiting for your approval")
		}
	}
	r.verbosef("polling every %s for up to %s", d.Interval, d.ExpiresIn)
	return oauth.PollDevice(ctx, r.client, *req, d)
}

// refreshWith redeems a refresh token.
func (r *fetchRun) refreshWith(ctx context.Context, req *oauth.Request, refresh string) (*oauth.Token, error) {
	r.red.add(refresh, false)
	rr := *req
	rr.Grant = oauth.GrantRefreshToken
	rr.GrantParams = url.Values{"refresh_token": {refresh}}
	tok, err := oauth.Exchange(ctx, r.client, rr)
	if err != nil {
		return nil, err
	}
	if tok.IDToken != "" {
		if err := r.checkIDToken(ctx, tok, ""); err != nil {
			return nil, err
		}
	}
	return tok, nil
}

// checkIDToken verifies the ID token of a login response (OpenID Connect Core §3.1.3.7):
// signature by the issuer's JWKS, iss, aud = the client id, exp, and the nonce when one was
// sent. A response without an ID token passes (no openid scope was asked for).
func (r *fetchRun) checkIDToken(ctx context.Context, tok *oauth.Token, nonce string) error {
	if tok.IDToken == "" {
		return nil
	}
	r.red.add(tok.IDToken, false)
	doc, _, err := r.metadata(ctx)
	if err != nil {
		return err
	}
	if doc.JWKSURI == "" {
		return failure.Remotef("id_token", "issuer %s has no jwks_uri to verify the ID token with", safehttp.Sanitize(doc.Issuer, 300))
	}
	set, err := (&jwks.Fetcher{Client: r.jwksClient(doc.JWKSURI), Now: r.g.Now}).Get(ctx, doc.JWKSURI)
	if err != nil {
		return err
	}
	policy := verify.Policy{Issuer: doc.Issuer, Audience: []string{r.s.clientID}, RequireExp: true, Leeway: time.Minute}
	if nonce != "" {
		policy.Claims = []verify.ClaimRequirement{{Path: []string{"nonce"}, Name: "nonce", HasValue: true, Value: nonce, ValueJSON: `"…"`}}
	}
	v, err := verify.New(set.Keys, policy, verify.Options{})
	if err != nil {
		return failure.Remotef("id_token", "cannot verify the ID token with the keys of %s: %v", safehttp.Sanitize(doc.JWKSURI, 300), err)
	}
	p, err := verify.Parse(tok.IDToken, 64<<10)
	if err != nil {
		return failure.Remotef("id_token", "the ID token in the token response is not a JWT: %v", err)
	}
	res := v.Verify(p, r.g.Now())
	if err := res.Err(); err != nil {
		return failure.Remotef("id_token", "the ID token in the token response failed verification: %v", err)
	}
	r.verbosef("ID token verified (iss, aud, exp, nonce, signature)")
	return nil
}

// logout forgets the cached token and kept refresh token of this login and revokes them at
// the issuer's revocation_endpoint when it has one.
func (r *fetchRun) logout(ctx context.Context, keyReq, req *oauth.Request) error {
	var refresh string
	if r.cache != nil {
		refresh, _, _ = oauth.CachedRefresh(r.cache, *keyReq)
	}
	var cached *oauth.Token
	hadToken := false
	if r.cache != nil {
		cached, hadToken, _ = oauth.Cached(r.cache, *keyReq)
	}
	if hadToken {
		r.red.add(cached.AccessToken, false)
	}
	// Revoke first, forget after: a revocation that fails keeps the tokens, so that --logout can
	// be run again once the server answers (forgotten, a live refresh token could no longer be
	// revoked from here).
	revoked, revocation := 0, ""
	if r.s.issuer != "" && (refresh != "" || hadToken) {
		_, meta, err := r.metadata(ctx)
		if err != nil {
			return fmt.Errorf("%w; the cached tokens are kept, so that --logout can be run again", err)
		}
		revocation = meta.RevocationEndpoint
		if oauth.IsTLSAuth(req.AuthMethod) && revocation != "" {
			// RFC 8705 §5: the client certificate is seen at the alias, not at the plain endpoint.
			alias, err := oauth.MTLSEndpoint(r.doc.Raw, "revocation_endpoint")
			if err != nil {
				return err
			}
			if alias != "" {
				revocation = alias
				r.verbosef("mutual TLS revocation endpoint (mtls_endpoint_aliases): %s", safehttp.Sanitize(alias, 300))
			}
		}
		if revocation != "" {
			if req.TokenURL == "" {
				req.TokenURL = r.doc.TokenEndpoint
			}
			if refresh != "" {
				r.red.add(refresh, false)
				if err := oauth.Revoke(ctx, r.client, revocation, *req, refresh, "refresh_token"); err != nil {
					return r.red.error(fmt.Errorf("revoking the refresh token: %w; the cached tokens are kept, so that --logout can be run again", err))
				}
				revoked++
			}
			if hadToken {
				if err := oauth.Revoke(ctx, r.client, revocation, *req, cached.AccessToken, "access_token"); err != nil {
					return r.red.error(fmt.Errorf("revoking the access token: %w; the cached tokens are kept, so that --logout can be run again", err))
				}
				revoked++
			}
		}
	}
	if r.cache != nil {
		if err := oauth.Forget(r.cache, *keyReq); err != nil {
			return err
		}
	}
	switch {
	case revoked > 0:
		r.g.Infof("jwtkit: forgot the cached tokens and revoked %d at %s", revoked, safehttp.Sanitize(revocation, 300))
	case refresh != "" || hadToken:
		r.g.Infof("jwtkit: forgot the cached tokens (the server has no revocation endpoint; they stay valid until they expire)")
	default:
		r.g.Infof("jwtkit: no cached token to forget")
	}
	return nil
}

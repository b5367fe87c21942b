package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/jwtkit/jwtkit/internal/discovery"
	"github.com/jwtkit/jwtkit/internal/diskcache"
	"github.com/jwtkit/jwtkit/internal/dpop"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/jwks"
	"github.com/jwtkit/jwtkit/internal/oauth"
	"github.com/jwtkit/jwtkit/internal/safehttp"
	"github.com/jwtkit/jwtkit/internal/scopes"
	"github.com/jwtkit/jwtkit/internal/suggest"
	"github.com/jwtkit/jwtkit/internal/timespec"
	"github.com/jwtkit/jwtkit/internal/token"
)

// FetchOptions are the flags of `jwtkit fetch`.
type FetchOptions struct {
	Profile, ConfigFile string

	TokenURL, Issuer           string
	ClientID, ClientSecret     string
	AuthMethod                 string
	AssertionKey, AssertionKid string
	AssertionAlg, AssertionAud string
	Passphrase                 string
	Scopes, Resources, Params  []string
	Audience                   string
	Retries                    int
	Timeout                    string
	Insecure, NoCache, Refresh bool
	Copy, Decode, Verbose      bool

	Grant, RedirectURI, LoginTimeout string
	AuthParams                       []string
	NoBrowser, KeepRefresh, Logout   bool
	RefreshToken, MinTTL, DPoPKey    string
	DPoPKeyPassphrase                string

	// ClientCert and ClientKey are the mutual TLS client certificate and its key; CACert the
	// roots that replace the system's for the server (fetch_mtls.go).
	ClientCert, ClientKey, CACert string

	// ExchangeOptions are token exchange's flags (fetch_exchange.go).
	ExchangeOptions

	// changed says whether a flag was given on the command line; flags given win over the
	// profile.
	changed func(name string) bool
	// deliver, when set, receives the token instead of the output fetch prints (header and exec
	// hand it on in their own way).
	deliver func(r *fetchRun, tok *oauth.Token) error
	// sleep waits between retries; nil means a timer. Tests make it instant.
	sleep func(ctx context.Context, d time.Duration) error
}

func newFetchCmd(g *Global) *cobra.Command {
	return newFetchCmdWith(g, &FetchOptions{})
}

// newFetchCmdWith binds the flags of fetch to opts, whose unexported hooks tests may have set.
func newFetchCmdWith(g *Global, opts *FetchOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "fetch",
		Aliases: []string{"token"},
		Short:   "Get an access token: client credentials, a login, a refresh, a token exchange",
		Long: `Get an access token from an OAuth2 token endpoint and print it alone on stdout, ready for
curl -H "Authorization: Bearer …".

Grant (--grant):
  client_credentials  the default (RFC 6749 §4.4): the client's own token
  authorization_code  a person signs in (PKCE S256 always): the browser opens the sign-in page
                      (--no-browser prints its URL) and the answer comes to a listener on
                      127.0.0.1 at a random port (RFC 8252), or --redirect-uri; state, nonce
                      and the iss response parameter (RFC 9207) are checked
  device_code         RFC 8628: the user code and URL go to stderr; polled at the server's pace
  refresh_token       --refresh-token, or the one --keep-refresh kept (0600)
  token-exchange      RFC 8693: --subject-token (and --actor-token), their types,
                      --requested-token-type, --audience and --resource
  jwt-bearer          RFC 7523 §2.1: --assertion, or one minted with --assertion-key for
                      --assertion-sub
--keep-refresh keeps a login's refresh token and uses it before a new login; --logout revokes
this login's tokens at the server's revocation endpoint, then forgets them (a revocation that
fails keeps them, so that --logout can be run again).

Endpoint: --token-url URL, or --issuer URL, whose OpenID Connect or RFC 8414 metadata names the
token endpoint. Plain http is allowed only to loopback hosts unless --insecure.

Client authentication (--auth-method):
  client_secret_basic  the default: id and secret in an Authorization: Basic header
  client_secret_post   id and secret in the form body
  client_secret_jwt    an RFC 7523 client assertion signed (HS256) with the client secret
  none                 a public client: the client id alone (a login with PKCE)
  private_key_jwt      an RFC 7523 client assertion signed with --assertion-key (PEM, JWK or
                       JWK Set): iss = sub = the client id, aud the token endpoint (or the issuer
                       or a URL with --assertion-aud), a 2-minute exp and a random jti; the kid is
                       --assertion-kid, else the key's own, else its RFC 7638 thumbprint.
                       Giving --assertion-key alone selects it.
  tls_client_auth      mutual TLS (RFC 8705): the TLS client certificate --client-cert (PEM,
  self_signed_tls_client_auth  with its chain) and its key --client-key prove the client; only
                       the client id goes in the form. The server's mtls_endpoint_aliases
                       token endpoint is used when its metadata names one; a token bound to the
                       certificate (cnf.x5t#S256) is checked against its thumbprint (a warning
                       when it differs; shown under --verbose). --ca-cert FILE trusts a private CA.
Without --auth-method, an --issuer whose metadata lists token_endpoint_auth_methods_supported
settles it: the method that fits what was given (a secret: client_secret_basic or _post; a
certificate: tls_client_auth or self_signed_tls_client_auth; nothing, for a login: none), the
server's first when several fit (--verbose names it); nothing fitting is an error (exit 2).
--client-secret takes the key grammar: env:NAME, @FILE, b64:…, hex:…, or the value itself; it
defaults to $JWTKIT_CLIENT_SECRET so secrets stay out of argv, ps and shell history.

Request: --scope (repeatable; splits on spaces and commas; sent space-separated), --audience
(the audience parameter Auth0 needs), --resource (RFC 8707; repeatable), --param name=value
for anything else. Connection errors, 429 and 5xx answers are retried --retries times (default
2) with a growing pause (a Retry-After up to 30s is honoured); each request has a --timeout.
An error answer is shown as the server's error code and description, e.g.
  invalid_client: Client authentication failed (HTTP 401 Unauthorized from https://…/token)
The secret, the assertion and the tokens are never printed; --verbose shows the requests and
responses on stderr with them redacted.

Output: the access token alone. --json prints the token response (without any refresh token)
with expires_in counted from now and expires_at. --decode also prints the token's claims on
stderr when it is a JWT. --copy puts the token on the clipboard.

Cache: tokens are kept under the user cache directory (files 0600), keyed by endpoint, client,
authentication, scopes, audience, resources and parameters (and a hash of the secret), and
reused until 60s before they expire, so repeated calls in a script make no request. --refresh
gets a new token (and caches it); --no-cache neither reads nor writes the cache.

DPoP (RFC 9449): --dpop-key FILE binds the token to that private key. Each token request carries
a proof signed with it (sent again once with the server's DPoP-Nonce when it asks for one), the
token must come back with token_type DPoP, and it is cached per key (by RFC 7638 thumbprint).
'jwtkit header' and 'jwtkit dpop' make the proofs for the requests that use such a token.

Profiles: --profile NAME (or $JWTKIT_PROFILE, or the file's default-profile) takes every setting
above from the config file (see 'jwtkit config --help'); flags given on the command line win.

` + exitCodesHelp,
		Example: `  $ jwtkit fetch --token-url http://127.0.0.1:8080/token --client-id ci --client-secret env:CI_SECRET --scope read:users
  $ jwtkit fetch --issuer http://127.0.0.1:8080/ --client-id ci --client-secret @ci.secret --json | jq -r .expires_at
  $ jwtkit fetch --issuer http://127.0.0.1:9000/ --client-id svc --assertion-key svc.key | jwtkit verify --issuer http://127.0.0.1:9000/
  $ curl -H "Authorization: Bearer $(jwtkit fetch --profile staging)" https://api.example/users`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.changed = cmd.Flags().Changed
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			return runFetch(ctx, g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Profile, "profile", "", "take settings from profile `NAME` of the config file (default $JWTKIT_PROFILE, else its default-profile)")
	f.StringVar(&opts.ConfigFile, "config", "", "config `FILE` (default $JWTKIT_CONFIG, else config.toml in the user config directory)")
	f.StringVar(&opts.TokenURL, "token-url", "", "token endpoint `URL`")
	f.StringVar(&opts.Issuer, "issuer", "", "issuer `URL`; its discovery document names the token endpoint")
	f.StringVar(&opts.ClientID, "client-id", "", "client ID")
	f.StringVar(&opts.ClientSecret, "client-secret", "", "client secret: env:NAME, @file, b64:…, hex:… or the value (default $JWTKIT_CLIENT_SECRET)")
	f.StringVar(&opts.AuthMethod, "auth-method", "", "client authentication: client_secret_basic (default), client_secret_post, client_secret_jwt, private_key_jwt, tls_client_auth, self_signed_tls_client_auth or none")
	f.StringVar(&opts.AssertionKey, "assertion-key", "", "private key `FILE` that signs the private_key_jwt assertion (PEM, JWK or JWK Set)")
	f.StringVar(&opts.AssertionKid, "assertion-kid", "", "kid of the assertion: picks the key in a set and names it to the server (default: the key's kid or thumbprint)")
	f.StringVar(&opts.AssertionAlg, "assertion-alg", "", "signing algorithm of the assertion (default: from the key)")
	f.StringVar(&opts.AssertionAud, "assertion-aud", "", "aud of the assertion: token-endpoint (default), issuer, or a `URL`")
	f.StringVar(&opts.Passphrase, "passphrase", "", "passphrase of an encrypted PEM assertion key, in the secret grammar (default $JWTKIT_PASSPHRASE)")
	stringArrayVar(f, &opts.Scopes, "scope", "scope to request; repeatable, splits on spaces and commas")
	f.StringVar(&opts.Audience, "audience", "", "audience parameter (Auth0 and others)")
	stringArrayVar(f, &opts.Resources, "resource", "resource indicator `URI` (RFC 8707); repeatable")
	stringArrayVar(f, &opts.Params, "param", "extra form parameter `name=value`; repeatable")
	f.IntVar(&opts.Retries, "retries", oauth.DefaultRetry.Max, "retries after a connection error, 429 or 5xx (0 to 10)")
	f.StringVar(&opts.Timeout, "timeout", "10s", "deadline of each request")
	f.BoolVar(&opts.Insecure, "insecure", false, "allow plain http to any host and skip TLS certificate checks (dangerous)")
	f.BoolVar(&opts.NoCache, "no-cache", false, "neither read nor write the token cache")
	f.BoolVar(&opts.Refresh, "refresh", false, "ignore a cached token and fetch a new one (which is cached)")
	f.BoolVar(&opts.Copy, "copy", false, "also copy the access token to the clipboard")
	f.BoolVar(&opts.Decode, "decode", false, "also print the token's claims on stderr when it is a JWT")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "show the HTTP exchange on stderr, with secrets and tokens redacted")
	addLoginFlags(f, opts)
	addDPoPFlags(f, opts)
	addMTLSFlags(f, opts)
	addExchangeFlags(f, &opts.ExchangeOptions)
	addBearerFlags(f, &opts.ExchangeOptions)
	return cmd
}

// addLoginFlags binds the flags of the login grants, refresh tokens and token lifetime.
func addLoginFlags(f *pflag.FlagSet, opts *FetchOptions) {
	f.StringVar(&opts.Grant, "grant", "", "grant type: client_credentials (default), authorization_code, device_code, refresh_token, token-exchange or jwt-bearer")
	f.StringVar(&opts.RedirectURI, "redirect-uri", "", "loopback redirect `URI` of authorization_code (default http://127.0.0.1:<random port>/callback)")
	stringArrayVar(f, &opts.AuthParams, "auth-param", "extra authorization request parameter `name=value` (prompt, login_hint…); repeatable")
	f.BoolVar(&opts.NoBrowser, "no-browser", false, "print the sign-in URL instead of opening a browser")
	f.StringVar(&opts.LoginTimeout, "login-timeout", "5m", "how long to wait for the user to sign in")
	f.BoolVar(&opts.KeepRefresh, "keep-refresh", false, "keep the refresh token (0600, in the cache directory) and use it before a new login")
	f.StringVar(&opts.RefreshToken, "refresh-token", "", "refresh token for --grant refresh_token, in the secret grammar (default: the kept one)")
	f.BoolVar(&opts.Logout, "logout", false, "revoke the cached and kept tokens of this login at the server, then forget them")
	f.StringVar(&opts.MinTTL, "min-ttl", "", "warn when the access token expires sooner than this `DURATION`")
}

// fetchRun is one invocation of fetch.
type fetchRun struct {
	g      *Global
	opts   *FetchOptions
	s      *fetchSettings
	client *safehttp.Client
	cache  *diskcache.Cache
	// red hides the secret and the assertions in whatever a server echoes back.
	red redactor
	// guessedKid is the private_key_jwt assertion's kid when it is the key's thumbprint rather
	// than a kid the user or the key file named; empty otherwise.
	guessedKid string
	// doc and meta are the issuer's metadata once a login flow discovered it.
	doc  *discovery.Document
	meta *serverMeta
	// dpop signs the DPoP proofs when the token is to be DPoP-bound; nil otherwise.
	dpop *dpop.Signer
	// usedKeptRefresh is set when the token came from a kept refresh token, so its successor
	// is kept too.
	usedKeptRefresh bool
	// clientCert is the mutual TLS client certificate (tls_client_auth and
	// self_signed_tls_client_auth); nil otherwise. roots replace the system's with --ca-cert.
	clientCert *tls.Certificate
	roots      *x509.CertPool
	// plainClient is client without the TLS client certificate, for a key set on another host
	// (jwksClient); made when first needed.
	plainClient *safehttp.Client
}

func runFetch(ctx context.Context, g *Global, opts *FetchOptions) error {
	s, err := resolveFetchSettings(g, opts)
	if err != nil {
		return err
	}
	r := &fetchRun{g: g, opts: opts, s: s}
	if s.profile != "" {
		r.verbosef("using profile %s from %s", quoteName(s.profile), s.configPath)
	}
	if err := r.chooseAuthMethod(ctx); err != nil {
		return r.red.error(err)
	}
	req, err := r.request()
	if err != nil {
		return err
	}
	if err := r.setupDPoP(req); err != nil {
		return err
	}
	if r.client == nil {
		if r.roots, err = loadCACerts(g, s.caCert); err != nil {
			return err
		}
	}
	r.verbosef("grant %s, client authentication %s", s.grantName(), req.AuthMethod)
	if r.client == nil {
		// One client per run: chooseAuthMethod's, when it read the metadata, has the same
		// settings (roots, client certificate, timeout) and keeps its connection to the server.
		r.client = r.httpClient()
	}
	if r.cache == nil && !opts.NoCache && s.cacheable() {
		r.cache = r.openCache()
	}

	// The cache is keyed by the endpoint as configured (the issuer, when the token endpoint
	// comes from discovery), so a cached token needs no token request. With an issuer, a cached
	// JWT is handed out only while the issuer still publishes the key it was signed with: a
	// restarted server with a fresh key must not get back a token it cannot have issued.
	keyReq := *req
	if keyReq.TokenURL == "" {
		keyReq.TokenURL = "issuer " + strings.TrimSuffix(s.issuer, "/")
	}
	if opts.Logout {
		return r.red.error(r.logout(ctx, &keyReq, req))
	}
	if r.cache != nil && !opts.Refresh {
		tok, ok, warning := oauth.Cached(r.cache, keyReq)
		if warning != "" {
			g.Warnf("%s", warning)
		}
		if ok && r.cachedKeyStillPublished(ctx, tok) {
			r.verbosef("using the cached token (expires in %s)", timespec.Compact(time.Duration(tok.ExpiresIn)*time.Second))
			return r.output(tok)
		}
	}

	if req.TokenURL == "" {
		if err := r.discover(ctx, req); err != nil {
			return r.red.error(err)
		}
	}
	r.checkDPoPAlg(r.meta)
	tok, err := r.obtain(ctx, req, &keyReq)
	if err != nil {
		var te *oauth.TokenError
		if r.guessedKid != "" && errors.As(err, &te) && te.Code == "invalid_client" {
			te.Hint = fmt.Sprintf("the assertion's kid %s is the key's RFC 7638 thumbprint, a guess: if the server registered the key under another kid, pass --assertion-kid", quoteName(r.guessedKid))
		}
		return r.red.error(err)
	}
	if r.cache != nil {
		if err := oauth.Store(r.cache, keyReq, tok); err != nil {
			g.Warnf("not caching the token: %v", err)
		}
		if s.keepRefresh || r.usedKeptRefresh {
			if err := oauth.StoreRefresh(r.cache, keyReq, tok); err != nil {
				g.Warnf("not keeping the refresh token: %v", err)
			}
		}
	}
	r.warnGranted(req, tok)
	if err := r.checkCertBinding(tok); err != nil {
		return err
	}
	return r.output(tok)
}

// obtain gets a new token with the run's grant. For the login grants a refresh token, given
// or kept, is tried first; a kept one the server refuses is dropped, and a new login follows.
func (r *fetchRun) obtain(ctx context.Context, req, keyReq *oauth.Request) (*oauth.Token, error) {
	s := r.s
	switch s.grant {
	case oauth.GrantTokenExchange:
		return r.tokenExchange(ctx, req)
	case oauth.GrantJWTBearer:
		return r.jwtBearer(ctx, req)
	}
	if !s.isLogin() {
		return oauth.ClientCredentials(ctx, r.client, *req)
	}
	if s.refreshSpec != "" {
		rt, err := resolver(r.g, true).Secret(s.refreshSpec)
		if err != nil {
			return nil, fmt.Errorf("--refresh-token: %w", err)
		}
		warnReadableFile(r.g, s.refreshSpec, false)
		return r.refreshWith(ctx, req, strings.TrimSpace(string(rt)))
	}
	if r.cache != nil {
		rt, ok, warning := oauth.CachedRefresh(r.cache, *keyReq)
		if warning != "" {
			r.g.Warnf("%s", warning)
		}
		if ok {
			r.verbosef("using the kept refresh token")
			tok, err := r.refreshWith(ctx, req, rt)
			var te *oauth.TokenError
			switch {
			case err == nil:
				r.usedKeptRefresh = true
				return tok, nil
			case errors.As(err, &te) && te.Code == "invalid_grant" && s.grant != oauth.GrantRefreshToken:
				_ = oauth.Forget(r.cache, *keyReq)
				r.g.Warnf("the kept refresh token was refused (invalid_grant: expired or revoked); signing in again")
			default:
				return nil, err
			}
		}
	}
	switch s.grant {
	case oauth.GrantAuthorizationCode:
		return r.authorizationCode(ctx, req)
	case oauth.GrantDeviceCode:
		return r.deviceCode(ctx, req)
	}
	return nil, failure.Usagef("usage", "--grant refresh_token needs a refresh token: pass --refresh-token env:NAME or @FILE, or sign in once with --keep-refresh")
}

// warnGranted warns when the server granted other scopes than asked for (RFC 6749 §3.3) and
// when the token lives shorter than --min-ttl.
func (r *fetchRun) warnGranted(req *oauth.Request, tok *oauth.Token) {
	if asked := scopes.Split(req.Scopes); len(asked) > 0 && tok.Scope != "" {
		granted := strings.Fields(tok.Scope)
		// An ID token is the grant of openid, a refresh token that of offline_access, whether
		// or not the server lists them (oidc-provider lists the resource's scopes alone).
		if tok.IDToken != "" {
			granted = append(granted, "openid")
		}
		if tok.RefreshToken != "" {
			granted = append(granted, "offline_access")
		}
		var missing, extra []string
		for _, a := range asked {
			if !slices.Contains(granted, a) {
				missing = append(missing, a)
			}
		}
		for _, gr := range strings.Fields(tok.Scope) {
			if !slices.Contains(asked, gr) {
				extra = append(extra, gr)
			}
		}
		if len(missing) > 0 {
			r.g.Warnf("the server did not grant %s of the scopes asked for (granted: %s; RFC 6749 §3.3)",
				safehttp.Sanitize(strings.Join(missing, " "), 300), safehttp.Sanitize(tok.Scope, 300))
		} else if len(extra) > 0 {
			r.g.Warnf("the server granted scopes not asked for: %s (RFC 6749 §3.3)", safehttp.Sanitize(strings.Join(extra, " "), 300))
		}
	}
	if r.s.minTTL > 0 && tok.ExpiresIn > 0 && time.Duration(tok.ExpiresIn)*time.Second < r.s.minTTL {
		r.g.Warnf("the access token expires in %s, sooner than --min-ttl %s", timespec.Compact(time.Duration(tok.ExpiresIn)*time.Second), timespec.Compact(r.s.minTTL))
	}
}

// request checks the settings and builds the token request (without the token endpoint when
// it comes from discovery).
func (r *fetchRun) request() (*oauth.Request, error) {
	s, g := r.s, r.g
	switch {
	case s.tokenURL == "" && s.issuer == "":
		return nil, failure.Usagef("usage", "no token endpoint: pass --token-url or --issuer, or a --profile that has one")
	case s.clientID == "":
		return nil, failure.Usagef("usage", "no client id: pass --client-id, or a --profile that has one")
	}
	method := s.authMethod
	if method == "" {
		method = oauth.AuthClientSecretBasic
		if s.publicClientAllowed() && s.secretSpec == "" {
			method = oauth.AuthNone // no secret and no key: a public client (RFC 8252 §8.4)
		}
	}
	req := &oauth.Request{
		Grant:      s.grant,
		TokenURL:   s.tokenURL,
		ClientID:   s.clientID,
		AuthMethod: method,
		Scopes:     s.scopes,
		Audience:   s.audience,
		Resources:  s.resources,
		Params:     s.params,
		Now:        g.Now,
		Retry:      &oauth.RetryPolicy{Max: s.retries, Sleep: r.opts.sleep},
	}
	switch method {
	case oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost:
		if s.secretSpec == "" {
			return nil, failure.Usagef("key", "%s needs the client secret: pass --client-secret env:NAME or @FILE, or set JWTKIT_CLIENT_SECRET", method)
		}
		secret, err := resolver(g, true).Secret(s.secretSpec)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.secretSource, err)
		}
		req.ClientSecret = secret
		warnReadableFile(g, s.secretSpec, false)
		r.red.add(string(secret), true)
		r.red.addBasic(oauth.BasicCredentials(s.clientID, secret))
		if s.assertionKey != "" {
			return nil, failure.Usagef("usage", "--assertion-key is for private_key_jwt, but the authentication method is %s", method)
		}
	case oauth.AuthClientSecretJWT:
		if s.secretSpec == "" {
			return nil, failure.Usagef("key", "client_secret_jwt signs the assertion with the client secret: pass --client-secret env:NAME or @FILE, or set JWTKIT_CLIENT_SECRET")
		}
		secret, err := resolver(g, true).Secret(s.secretSpec)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.secretSource, err)
		}
		warnReadableFile(g, s.secretSpec, false)
		r.red.add(string(secret), true)
		signer := secretJWTSigner(g, s.clientID, secret)
		req.Assertion = func(aud string) (string, error) {
			a, err := signer.sign(aud)
			if err == nil {
				r.red.add(a, false)
			}
			return a, err
		}
	case oauth.AuthNone:
		if s.secretSource == "--client-secret" || s.assertionKey != "" {
			return nil, failure.Usagef("usage", "a public client (--auth-method none) sends no secret and no assertion; drop --client-secret and --assertion-key")
		}
		if !s.publicClientAllowed() {
			return nil, failure.Usagef("usage", "--auth-method none is for public clients signing a user in; the client_credentials grant needs client authentication")
		}
	case oauth.AuthTLSClientAuth, oauth.AuthSelfSignedTLSClientAuth:
		if s.secretSource == "--client-secret" || s.assertionKey != "" {
			return nil, failure.Usagef("usage", "%s proves the client by its TLS certificate and sends no secret and no assertion; drop --client-secret and --assertion-key", method)
		}
		if r.clientCert == nil { // else loaded by chooseAuthMethod
			cert, err := loadClientCertificate(g, s)
			if err != nil {
				return nil, err
			}
			r.clientCert = cert
		}
		req.CertBinding = oauth.CertThumbprint(r.clientCert.Certificate[0])
	case oauth.AuthPrivateKeyJWT:
		if s.secretSource == "--client-secret" {
			return nil, failure.Usagef("usage", "private_key_jwt sends no client secret; drop --client-secret")
		}
		signer, err := loadAssertionSigner(g, s)
		if err != nil {
			return nil, err
		}
		if signer.kidGuessed {
			r.guessedKid = signer.kid
		}
		req.Assertion = func(aud string) (string, error) {
			a, err := signer.sign(aud)
			if err == nil {
				r.red.add(a, false)
			}
			return a, err
		}
	default:
		return nil, failure.Usagef("usage", "unknown --auth-method %q: use %s%s",
			safeFlagText(method), strings.Join(oauth.AuthMethods, ", "), suggest.Hint(method, oauth.AuthMethods))
	}
	if (s.clientCert != "" || s.clientKey != "") && !oauth.IsTLSAuth(method) {
		return nil, failure.Usagef("usage", "--client-cert and --client-key are for tls_client_auth and self_signed_tls_client_auth, but the authentication method is %s", method)
	}
	if s.assertionAud != "" && method != oauth.AuthPrivateKeyJWT && method != oauth.AuthClientSecretJWT {
		return nil, failure.Usagef("usage", "--assertion-aud is for private_key_jwt, but the authentication method is %s", method)
	}
	switch aud := s.assertionAud; {
	case aud == "" || aud == "token-endpoint":
	case aud == "issuer":
		if s.issuer == "" {
			return nil, failure.Usagef("usage", "--assertion-aud issuer needs the issuer: pass --issuer")
		}
		req.AssertionAudience = s.issuer
	case strings.HasPrefix(aud, "https://") || strings.HasPrefix(aud, "http://"):
		req.AssertionAudience = aud
	default:
		return nil, failure.Usagef("usage", "--assertion-aud %q: use token-endpoint, issuer or a URL", safeFlagText(aud))
	}
	return req, nil
}

// httpClient is the hardened client for discovery and the token endpoint.
func (r *fetchRun) httpClient() *safehttp.Client {
	var verbose io.Writer
	if r.opts.Verbose {
		verbose = r.red.writer(r.g.deps.IO.ErrOut)
	}
	risk := "anyone on the network path can read the client credentials"
	return newHTTPClientTLS(r.g, r.s.timeout, r.s.insecure, risk, verbose, r.roots, r.clientCert)
}

// openCache opens the token and discovery cache, or returns nil (with a warning) when there is
// no cache directory. Its clock is the command's, so --now moves cache expiry too.
func (r *fetchRun) openCache() *diskcache.Cache {
	dir, err := r.g.deps.CacheDir()
	if err != nil {
		r.g.Warnf("not caching the token: no cache directory (%v)", err)
		return nil
	}
	return diskcache.Open(dir, r.g.Now)
}

// discover finds the token endpoint in the issuer's metadata.
func (r *fetchRun) discover(ctx context.Context, req *oauth.Request) error {
	doc, _, err := r.metadata(ctx)
	if err != nil {
		return err
	}
	if doc.TokenEndpoint == "" {
		return failure.Remotef("discovery", "the metadata of issuer %s has no token_endpoint; pass --token-url",
			safehttp.Sanitize(r.s.issuer, 300))
	}
	req.TokenURL = doc.TokenEndpoint
	r.verbosef("token endpoint of %s: %s", safehttp.Sanitize(doc.Issuer, 300), safehttp.Sanitize(doc.TokenEndpoint, 300))
	if oauth.IsTLSAuth(req.AuthMethod) {
		// RFC 8705 §5: a server that takes client certificates on other endpoints names them.
		alias, err := oauth.MTLSTokenEndpoint(doc.Raw)
		if err != nil {
			return err
		}
		if alias != "" {
			req.TokenURL = alias
			r.verbosef("mutual TLS token endpoint (mtls_endpoint_aliases): %s", safehttp.Sanitize(alias, 300))
		}
	}
	if m := doc.TokenEndpointAuthMethodsSupported; len(m) > 0 && !containsFold(m, req.AuthMethod) {
		r.g.Warnf("the issuer does not list %s among its token_endpoint_auth_methods_supported (%s); trying it anyway",
			req.AuthMethod, safehttp.Sanitize(strings.Join(m, ", "), 200))
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// verbosef writes a --verbose line on stderr.
func (r *fetchRun) verbosef(format string, args ...any) {
	if r.opts.Verbose {
		fmt.Fprintf(r.g.deps.IO.ErrOut, "* "+format+"\n", args...)
	}
}

// output prints the token: alone, or as the JSON token response, then copies and decodes it
// when asked.
func (r *fetchRun) output(tok *oauth.Token) error {
	if r.opts.deliver != nil {
		return r.opts.deliver(r, tok)
	}
	g := r.g
	out := g.deps.IO.Out
	var err error
	if g.JSONOutput() {
		err = writeJSONValue(out, tokenJSON(tok), true)
	} else {
		_, err = fmt.Fprintln(out, tok.AccessToken)
	}
	if err != nil {
		return fmt.Errorf("writing the token: %w", err)
	}
	if r.opts.Copy {
		copyToClipboard(g, tok.AccessToken, "access token")
	}
	if r.opts.Decode {
		r.decode(tok.AccessToken)
	}
	return nil
}

// tokenJSON is the --json form: the token response's members (never a refresh token), with
// expires_in counted from now and expires_at added when the lifetime is known.
func tokenJSON(tok *oauth.Token) map[string]any {
	out := map[string]any{}
	var members map[string]json.RawMessage
	if json.Unmarshal(tok.Raw, &members) == nil {
		for k, v := range members {
			out[k] = v
		}
	}
	delete(out, "refresh_token")
	out["access_token"] = tok.AccessToken
	out["token_type"] = tok.TokenType
	if tok.ExpiresIn > 0 {
		out["expires_in"] = tok.ExpiresIn
	}
	if !tok.ExpiresAt.IsZero() {
		out["expires_at"] = tok.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return out
}

// decode prints the claims of a JWT access token on stderr; an opaque token gets a note.
func (r *fetchRun) decode(raw string) {
	errOut := r.g.deps.IO.ErrOut
	p, err := token.Parse(raw, token.MaxSize)
	if err != nil || p.Encrypted || p.Payload == nil {
		fmt.Fprintln(errOut, "the access token is not a signed JWT (it is opaque to clients); nothing to decode")
		return
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, p.PayloadJSON, "", "  "); err != nil {
		fmt.Fprintln(errOut, "the access token's payload is not JSON; nothing to decode")
		return
	}
	buf.WriteByte('\n')
	_, _ = errOut.Write(buf.Bytes())
}

// cachedKeyStillPublished reports whether a cached token may be handed out. Without an issuer,
// or for a token that is not a JWT naming a kid, there is nothing to check and it may. With
// one, the issuer's key set is fetched afresh (the discovery document is the run's, read once,
// and may come from the cache) and the token may be used only when the set still holds its kid; when the issuer cannot be
// asked, a new token is fetched, which reports the error that stands in the way.
func (r *fetchRun) cachedKeyStillPublished(ctx context.Context, tok *oauth.Token) bool {
	if r.s.issuer == "" {
		return true
	}
	kid, ok := jwtKeyID(tok.AccessToken)
	if !ok {
		return true
	}
	doc, _, err := r.metadata(ctx) // the run's one discovery read, shared with chooseAuthMethod
	if err != nil || doc.JWKSURI == "" {
		r.verbosef("cannot check the cached token's key with the issuer; fetching a new token")
		return false
	}
	set, err := (&jwks.Fetcher{Client: r.jwksClient(doc.JWKSURI), Now: r.g.Now}).Get(ctx, doc.JWKSURI)
	if err != nil {
		r.verbosef("cannot check the cached token's key with the issuer; fetching a new token")
		return false
	}
	for _, k := range set.Keys {
		if k.JWK.KeyID == kid {
			return true
		}
	}
	r.g.Warnf("the cached token's key %s is no longer published by %s (a restarted server with a new key?); fetching a new token",
		quoteName(kid), safehttp.Sanitize(r.s.issuer, 300))
	return false
}

// jwtKeyID returns the kid in the protected header of a compact JWS, and whether there is one.
func jwtKeyID(s string) (string, bool) {
	head, _, ok := strings.Cut(s, ".")
	if !ok || len(head) > 8<<10 {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return "", false
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if json.Unmarshal(raw, &h) != nil || h.Kid == "" {
		return "", false
	}
	return h.Kid, true
}

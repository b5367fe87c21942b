package cli

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/issuer"
	"github.com/jwtkit/jwtkit/internal/timespec"
)

// ServeOptions are the flags of `jwtkit serve`.
type ServeOptions struct {
	Keys       []string
	Passphrase string
	Alg        string

	Addr   string
	Port   int
	Issuer string

	Clients    []string
	ClientJWKS []string
	Config     string
	// State is the --state file; "" keeps state in memory.
	State string
	// IssuerIDs are the named issuers (--issuer-id); AutoIssuers makes others on first use.
	IssuerIDs   []string
	AutoIssuers bool

	TokenTTL string
	Audience string
	Rotate   string
	// DeviceInterval is the device flow's polling interval.
	DeviceInterval string
	// DPoPNonce makes the token endpoint require server DPoP nonces.
	DPoPNonce bool
	AllowMint bool
	// LoginPage shows a login page at /authorize instead of approving at once.
	LoginPage bool
	// TLS makes a self-signed certificate and serves HTTPS; TLSCert and TLSKey serve HTTPS
	// with a given pair; TLSCAOut is where --tls writes its certificate.
	TLS                       bool
	TLSCert, TLSKey, TLSCAOut string
	// TLSClientCA is the CA bundle of tls_client_auth client certificates.
	TLSClientCA string

	portSet, mintSet bool

	// listen opens the listening socket; nil means net.Listen. ready, when set, is called with
	// the issuer URL once the server accepts connections. Tests set both.
	listen func(network, addr string) (net.Listener, error)
	ready  func(issuerURL string)
	// newTicker drives key rotation; nil means a time.Ticker. Tests tick at will.
	newTicker func(d time.Duration) (ticks <-chan time.Time, stop func())
}

// defaultServeAddr is where serve listens without --addr: loopback only.
const defaultServeAddr = "127.0.0.1:8080"

// shutdownGrace bounds how long serve waits for requests in flight when it stops.
const shutdownGrace = 5 * time.Second

func newServeCmd(g *Global) *cobra.Command {
	return newServeCmdWith(g, &ServeOptions{})
}

// newServeCmdWith binds the flags of serve to opts, whose unexported hooks tests may have set.
func newServeCmdWith(g *Global, opts *ServeOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run a local OAuth2 / OpenID Connect provider for tests: login, tokens, JWKS, /mint",
		Long: `Run a local issuer that services under test can trust: it publishes OpenID Connect and
RFC 8414 discovery documents and a JWK Set, issues RFC 9068 access tokens (typ at+jwt) with
every common grant (client credentials, authorization code with PKCE, rotating refresh tokens,
device code, token exchange, jwt-bearer), OpenID Connect ID tokens, introspects and revokes
them, and signs claims posted to /mint: the local OAuth 2.0 / OpenID Connect provider for tests.

Once it listens, serve prints the issuer URL alone on stdout (so a script can read it; with
--json, one line {"issuer","port","jwks_uri","token_endpoint","mint_endpoint","alg","kids"}) and
logs one line per request on stderr (never a secret, an assertion or a token; -q silences it).
It stops gracefully on SIGINT or SIGTERM.

Endpoints, under the issuer URL:
  /.well-known/openid-configuration        OpenID Connect discovery
  /.well-known/oauth-authorization-server  RFC 8414 metadata (for an issuer with a path, at
                                           /.well-known/oauth-authorization-server/PATH)
  /jwks.json                               the public keys
  /authorize                               headless login: approves the default user (or the
                                           login_hint one) at once and redirects to the
                                           client's registered redirect URI with code, state, iss;
                                           with --login-page, a page to pick or type the user
                                           (and /device shows its form, the code filled in,
                                           instead of approving a followed link)
  /token                                   client_credentials, authorization_code (PKCE),
                                           refresh_token (rotating), device_code, token
                                           exchange (RFC 8693), jwt-bearer (RFC 7523);
                                           client_secret_basic, client_secret_post,
                                           private_key_jwt, none for public clients;
                                           DPoP-bound tokens (RFC 9449)
  /device_authorization, /device           the device flow (RFC 8628) and its verification page
  /userinfo                                the user's claims for a Bearer or DPoP access token
  /introspect, /revoke                     RFC 7662 and RFC 7009, for authenticated clients
  /end_session                             RP-initiated logout (redirects to a registered
                                           post_logout_redirect_uri)
  /mint                                    POST a JSON object, get it signed (application/jwt),
                                           with iss, iat and exp (--token-ttl) added where the
                                           object lacks them; ?raw=1 signs it exactly as posted,
                                           ?typ=at+jwt sets typ, ?kid= picks a published key

Address: serve listens on 127.0.0.1:8080 unless told otherwise; --port 0 picks a free port
(the printed URL has it). Binding anything but loopback takes an explicit --addr. The issuer
is http://HOST:PORT of the listener unless --issuer gives the URL clients use (behind a proxy
or in a container); endpoints then live under its path. On loopback, serve answers only
requests whose Host is a loopback name or address or the issuer's host (against DNS
rebinding).

TLS: --tls serves HTTPS with a fresh self-signed ECDSA P-256 certificate for 127.0.0.1,
localhost and the listen host, valid 24h; --tls-ca-out FILE writes it (public) for clients to
trust (fetch --ca-cert FILE, curl --cacert FILE). --tls-cert FILE --tls-key FILE serve a
certificate of your own instead. TLS 1.2 at least; the issuer URL is then https://.

Mutual TLS (RFC 8705): over TLS, serve asks for a client certificate and a client of --config
may authenticate with it at /token, /introspect, /revoke and /device_authorization:
  [[client]]
  id = "svc"
  token_endpoint_auth_method = "tls_client_auth"   # chains to --tls-client-ca FILE
  tls_client_auth_subject_dn = "CN=svc,O=Example"  # or one _san_dns/_san_uri/_san_ip/_san_email
  [[client]]
  id = "dev"
  token_endpoint_auth_method = "self_signed_tls_client_auth"
  jwks = "dev.crt"                                 # its certificate, or its public key
Such a client sends client_id alone; a missing or wrong certificate is invalid_client. Its
access tokens carry cnf.x5t#S256, the certificate's SHA-256 thumbprint, and /userinfo takes
them only over a connection with that certificate.

Keys: --key (repeatable) names private key files (PEM, JWK or JWK Set; @path, env:NAME, b64:…
also work; default $JWTKIT_KEY). The first key signs; all are published. Without a key serve
generates one in memory (ES256, or for --alg) and says so on stderr: tokens then stop
verifying when serve restarts. --rotate 1h makes a new key every hour; the previous key stays
in the JWK Set for one more period, so tokens it signed keep verifying until they expire.

Clients: --client ID:SECRET[:SCOPES], repeatable. A secret on the command line is visible in
ps and shell history, so SECRET takes the key grammar: env:NAME (an environment variable),
@FILE (a file; one trailing newline is dropped), b64:…, hex:…, or a literal without ':'.
SCOPES, after the secret, is a comma-separated list (scopes may contain ':'); the client may
ask only for those, and gets all of them when it asks for none. Without SCOPES any scope may
be asked for. --client-jwks ID=FILE registers the client's public keys for private_key_jwt
(ID::SCOPES declares such a client without a secret). Assertions must be signed by one of
them (RS, PS, ES or EdDSA), have iss = sub = ID, aud the token endpoint or the issuer, an exp
at most 5 minutes away and a jti never seen before. --config FILE reads clients, users and
trusted issuers from TOML:
  [[client]]
  id = "ci"
  secret = "env:CI_SECRET"
  scopes = ["read:users"]
  [[client]]
  id = "svc"
  jwks = "svc.jwks.json"
(relative jwks paths are relative to the file; a file other users may write is refused). A
broken entry (a bad redirect URI, an unknown field) is a warning naming file:line and is
skipped, the others work; a file that is not TOML, an unknown top-level key or an id given
twice stops serve (exit 2, file:line). A JSON file ({"clients": [...], "users": [...],
"trusted_issuers": [...]}) is still read, with a warning that JSON is deprecated.

Login flow: a client with redirect_uris in --config may use the authorization code grant;
one without secret and jwks is public and must use PKCE with S256 (allow_plain_pkce = true
permits plain). Redirect URIs match exactly, except that a loopback http URI takes any port
(RFC 8252). Codes live 60s and work once: a second use revokes the tokens of the first. A
refresh token comes with scope offline_access (or refresh_tokens = true), rotates on every
use, and a reused one revokes its whole grant. Scope openid adds an ID token whose claims come
from the user's entry ("profile" and "email" release the standard ones; others always go):
  default_user = "alice"
  [[user]]
  sub = "alice"
  claims = { name = "Alice", email = "alice@example.test" }
A login_hint naming no configured user logs in a user of that sub with no claims.

Claims: a client's claims in --config go into its access tokens, a user's into the ID token
and userinfo. String values are Go templates: {{.client_id}}, {{.scope}}, {{.sub}},
{{.grant_type}}, and {{now}} / {{add_time "1h"}} (Unix seconds; a value that is only such a
call is a number), with if/else and eq, ne, lt, le, gt, ge, and, or, not. Nothing else (no
range, printf or template), at most 4 KiB per value; a bad one skips its entry with a
warning naming file:line and the claim:
  [client.claims]
  tenant = "{{.client_id}}-eu"
  session_end = '{{add_time "8h"}}'

Device flow (RFC 8628): POST /device_authorization (client authentication as at /token; a
public client by client_id) answers a device_code and a user_code (XXXX-XXXX); the client
polls /token with grant_type urn:ietf:params:oauth:grant-type:device_code every
--device-interval. Approval is headless too: a GET of verification_uri_complete, or a POST of
user_code to /device, approves for the default user or the login_hint; action=deny denies.
/device alone is a small page to type the code. Codes live 10 minutes and work once. A
public client with no redirect_uris is registered with device = true.

JWT bearer (RFC 7523 §2.1): grant_type urn:ietf:params:oauth:grant-type:jwt-bearer with an
assertion signed by a client's registered key (iss = the client id; no other client
authentication needed) or by a trusted issuer of --config,
  [[trusted_issuer]]
  issuer = "https://idp.example"
  jwks = "idp.jwks.json"
(presented by an authenticated client). aud must be the token endpoint or the issuer, exp at
most 1h away; the token's sub is the assertion's sub. A jti (or, without one, the assertion
itself) works once.

Several issuers: --issuer-id ID (repeatable) and --auto-issuers serve issuers at /ID with keys
of their own. An [issuer.ID] section of --config makes issuer ID too and may give it its own
[[issuer.ID.client]], [[issuer.ID.user]], [[issuer.ID.trusted_issuer]] and default_user; a
list the section gives replaces the top level's for that issuer (trusted_issuer = [] means
none), a list it leaves out is the top level's (--client flags included).

Tokens carry iss, sub and client_id (the client), aud (the resource or audience parameters,
else --audience, else the issuer), scope, iat, exp (--token-ttl) and a random jti, with
--now / JWTKIT_NOW fixing iat and exp for reproducible tests. Errors are RFC 6749 §5.2 JSON
bodies with the matching status (400, 401 invalid_client, 405, 413).

/mint signs whatever anyone who can reach the port posts. It is on by default only when
serve listens on loopback; --allow-mint=false turns it off there, --allow-mint turns it on
elsewhere (with a warning). It accepts only application/json, which a web page cannot send
cross-origin without a CORS preflight that serve never grants.

` + exitCodesHelp,
		Example: `  $ jwtkit serve --client ci:env:CI_SECRET:read:users,write:users &
  $ jwtkit serve --key signing.key --addr 127.0.0.1:9000 --client svc::read:users --client-jwks svc=svc.jwks.json
  $ jwtkit serve --port 0 --client ci:@ci.secret > issuer.url &   # then: read -r ISSUER < issuer.url
  $ jwtkit serve --addr 0.0.0.0:8080 --issuer http://issuer:8080 --rotate 10m   # in a container
  $ curl -s -u "ci:$CI_SECRET" -d grant_type=client_credentials -d scope=read:users http://127.0.0.1:8080/token
  $ curl -s -H 'Content-Type: application/json' -d '{"sub":"alice","admin":true}' http://127.0.0.1:8080/mint`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.portSet = cmd.Flags().Changed("port")
			opts.mintSet = cmd.Flags().Changed("allow-mint")
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServe(ctx, g, opts)
		},
	}
	f := cmd.Flags()
	stringArrayVar(f, &opts.Keys, "key", "private signing key `FILE` (PEM, JWK or JWK Set; @file, env:NAME, b64:…); repeatable, the first signs (default $JWTKIT_KEY, else a generated key)")
	f.StringVar(&opts.Passphrase, "passphrase", "", "passphrase of encrypted PEM keys, in the secret grammar (default $JWTKIT_PASSPHRASE)")
	f.StringVar(&opts.Alg, "alg", "", "signing algorithm of every --key (default: from the key; ES256 for a generated key)")
	f.StringVar(&opts.Addr, "addr", defaultServeAddr, "address to listen on, `HOST:PORT`; anything but loopback must be asked for here")
	f.IntVar(&opts.Port, "port", 0, "listen port, overriding the one in --addr; 0 picks a free port")
	f.StringVar(&opts.Issuer, "issuer", "", "issuer `URL` clients use (default http://HOST:PORT of the listener)")
	stringArrayVar(f, &opts.Clients, "client", "client `ID:SECRET[:SCOPES]`; SECRET may be env:NAME or @FILE; repeatable")
	stringArrayVar(f, &opts.ClientJWKS, "client-jwks", "public keys of a private_key_jwt client, `ID=FILE`; repeatable")
	f.StringVar(&opts.Config, "config", "", "read clients, users, trusted issuers and [issuer.ID] sections from a TOML `FILE`")
	f.StringVar(&opts.State, "state", "", "keep codes, refresh tokens and revocations of every issuer in `FILE` (bbolt, created 0600, each issuer apart) across restarts")
	stringArrayVar(f, &opts.IssuerIDs, "issuer-id", "also serve issuer `ID` at /ID (own key; clients and users of its [issuer.ID] section of --config, else the top level's); repeatable")
	f.BoolVar(&opts.AutoIssuers, "auto-issuers", false, "make an issuer for any /ID on first use, up to 100 (like mock-oauth2-server)")
	f.StringVar(&opts.TokenTTL, "token-ttl", "1h", "access token lifetime (expires_in)")
	f.StringVar(&opts.Audience, "audience", "", "aud of tokens requested without resource or audience (default: the issuer)")
	f.StringVar(&opts.Rotate, "rotate", "", "make a new signing key every `DURATION`, keeping the previous one published one more period")
	f.StringVar(&opts.DeviceInterval, "device-interval", "5s", "polling interval of the device flow, whole seconds")
	f.BoolVar(&opts.DPoPNonce, "dpop-nonce", false, "require server-provided nonces in DPoP proofs at the token endpoint (use_dpop_nonce and a DPoP-Nonce header, RFC 9449 §8)")
	f.BoolVar(&opts.LoginPage, "login-page", false, "show a page at /authorize to pick a configured user or type a subject (default: approve at once)")
	f.BoolVar(&opts.AllowMint, "allow-mint", false, "serve /mint (default: on when listening on loopback, off otherwise)")
	addServeTLSFlags(f, opts)
	return cmd
}

func runServe(ctx context.Context, g *Global, opts *ServeOptions) error {
	addr, err := listenAddr(opts)
	if err != nil {
		return err
	}
	ttl, err := timespec.ParseDuration(opts.TokenTTL)
	if err != nil || ttl < time.Second {
		if err == nil {
			err = errors.New("use at least 1s")
		}
		return failure.Usagef("usage", "--token-ttl: %v", err)
	}
	var rotate time.Duration
	if opts.Rotate != "" {
		if rotate, err = timespec.ParseDuration(opts.Rotate); err != nil || rotate < time.Second {
			if err == nil {
				err = errors.New("use at least 1s")
			}
			return failure.Usagef("usage", "--rotate: %v", err)
		}
	}
	deviceInterval, err := timespec.ParseDuration(opts.DeviceInterval)
	if err != nil || deviceInterval < time.Second || deviceInterval%time.Second != 0 || deviceInterval > 5*time.Minute {
		if err == nil {
			err = errors.New("use whole seconds from 1s to 5m")
		}
		return failure.Usagef("usage", "--device-interval: %v", err)
	}
	signingKeys, generated, err := serveKeys(g, opts)
	if err != nil {
		return err
	}
	clients, users, err := serveClients(g, opts)
	if err != nil {
		return err
	}
	tlsSide, err := serveTLSConfig(g, opts, addr, anySelfSigned(clients, users))
	if err != nil {
		return err
	}
	state, err := openServeState(g, opts)
	if err != nil {
		return err
	}
	var store issuer.Store
	if state != nil {
		defer state.Close()
		store = state
	}

	listen := opts.listen
	if listen == nil {
		listen = net.Listen
	}
	ln, err := listen("tcp", addr)
	if err != nil {
		return failure.Usagef("usage", "listening on %s: %v; pick another --addr or --port (0 picks a free one)", showPath(addr), unwrapNetErr(err))
	}
	defer ln.Close()
	loopback := issuer.IsLoopback(ln.Addr())
	iss := opts.Issuer
	if iss == "" {
		iss = issuerURL(g, ln, addr, tlsSide != nil)
	}
	allowMint := loopback
	if opts.mintSet {
		allowMint = opts.AllowMint
	}
	if allowMint && !loopback {
		g.Warnf("/mint is on and %s is not loopback: anyone who can reach it can have any token signed", ln.Addr())
	}

	errOut := &lockedWriter{w: g.deps.IO.ErrOut}
	logEntry := func(e issuer.Entry) {}
	if !g.Quiet {
		logEntry = func(e issuer.Entry) { _, _ = io.WriteString(errOut, formatEntry(g.deps.Now(), e)) }
	}
	set, err := newIssuerSet(opts, signingKeys, generated, issuer.Config{
		Issuer:          iss,
		Keys:            signingKeys,
		Alg:             opts.Alg,
		Clients:         clients,
		TokenTTL:        ttl,
		DefaultAudience: opts.Audience,
		AllowMint:       allowMint,
		RestrictHosts:   loopback,
		Users:           users.list,
		DefaultUser:     users.def,
		DeviceInterval:  deviceInterval,
		DPoPNonce:       opts.DPoPNonce,
		MTLS:            tlsSide != nil,
		ClientCAs:       tlsSide.roots(),
		TrustedIssuers:  users.trusted,
		Store:           store,
		Now:             g.Now,
		Rand:            g.deps.Rand,
		Log:             logEntry,
	}, users.issuers)
	if err != nil {
		return err
	}
	srv := set.Root()

	hs := &http.Server{
		Handler:           set,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(errOut, "jwtkit serve: ", 0),
	}
	served := make(chan error, 1)
	if tlsSide != nil {
		hs.TLSConfig = tlsSide.config
		go func() { served <- hs.ServeTLS(ln, "", "") }()
	} else {
		go func() { served <- hs.Serve(ln) }()
	}

	if err := announce(g, srv, ln, allowMint, generated, clients, rotate); err != nil {
		_ = hs.Close()
		return err
	}
	if opts.ready != nil {
		opts.ready(iss)
	}

	rotCtx, stopRotation := context.WithCancel(ctx)
	rotDone := make(chan struct{})
	if rotate > 0 {
		newTicker := opts.newTicker
		if newTicker == nil {
			newTicker = func(d time.Duration) (<-chan time.Time, func()) {
				t := time.NewTicker(d)
				return t.C, t.Stop
			}
		}
		ticks, stopTicker := newTicker(rotate)
		go func() {
			defer close(rotDone)
			defer stopTicker()
			srv.RunRotation(rotCtx, ticks, func(kid string, err error) {
				if err != nil {
					g.Warnf("key rotation failed: %v; the current key keeps signing", err)
					return
				}
				g.Infof("rotated keys: %s signs now; the previous key stays published until the next rotation", kid)
			})
		}()
	} else {
		close(rotDone)
	}
	defer func() {
		stopRotation()
		<-rotDone
	}()

	select {
	case err := <-served:
		return failure.Usagef("usage", "serving on %s: %v", ln.Addr(), err)
	case <-ctx.Done():
	}
	g.Infof("stopping: finishing requests in flight")
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		_ = hs.Close()
	}
	<-served
	return nil
}

// unwrapNetErr drops the "listen tcp 127.0.0.1:8080:" prefix Go puts on listen errors, and the
// address or host name that an *net.AddrError or *net.DNSError repeats raw: the message shows
// the address once, quoted when it needs to be.
func unwrapNetErr(err error) error {
	var addrErr *net.AddrError
	if errors.As(err, &addrErr) && addrErr.Err != "" {
		return errors.New(addrErr.Err)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.Err != "" {
		return errors.New(dnsErr.Err)
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

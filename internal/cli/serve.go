package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/issuer"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/safefile"
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

	TokenTTL  string
	Audience  string
	Rotate    string
	AllowMint bool

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
		Short: "Run a local OAuth2 issuer for tests: discovery, JWKS, client credentials, /mint",
		Long: `Run a local issuer that services under test can trust: it publishes OpenID Connect and
RFC 8414 discovery documents and a JWK Set, issues RFC 9068 access tokens (typ at+jwt) with the
client-credentials grant, and signs exact claims posted to /mint.

Once it listens, serve prints the issuer URL alone on stdout (so a script can read it; with
--json, one line {"issuer","port","jwks_uri","token_endpoint","mint_endpoint","alg","kids"}) and
logs one line per request on stderr (never a secret, an assertion or a token; -q silences it).
It stops gracefully on SIGINT or SIGTERM.

Endpoints, under the issuer URL:
  /.well-known/openid-configuration        OpenID Connect discovery
  /.well-known/oauth-authorization-server  RFC 8414 metadata (for an issuer with a path, at
                                           /.well-known/oauth-authorization-server/PATH)
  /jwks.json                               the public keys
  /token                                   client credentials (client_secret_basic,
                                           client_secret_post, private_key_jwt)
  /mint                                    POST a JSON object, get it signed (application/jwt);
                                           ?typ=at+jwt sets typ, ?kid= picks a published key

Address: serve listens on 127.0.0.1:8080 unless told otherwise; --port 0 picks a free port
(the printed URL has it). Binding anything but loopback takes an explicit --addr. The issuer
is http://HOST:PORT of the listener unless --issuer gives the URL clients use (behind a proxy
or in a container); endpoints then live under its path. On loopback, serve answers only
requests whose Host is a loopback name or address or the issuer's host (against DNS
rebinding).

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
at most 5 minutes away and a jti never seen before. --config FILE reads clients from JSON:
  {"clients": [{"id": "ci", "secret": "env:CI_SECRET", "scopes": ["read:users"]},
               {"id": "svc", "jwks": "svc.jwks.json"}]}
(relative jwks paths are relative to the file; a file other users may write is refused).

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
	f.StringArrayVar(&opts.Keys, "key", nil, "private signing key `FILE` (PEM, JWK or JWK Set; @file, env:NAME, b64:…); repeatable, the first signs (default $JWTKIT_KEY, else a generated key)")
	f.StringVar(&opts.Passphrase, "passphrase", "", "passphrase of encrypted PEM keys, in the secret grammar (default $JWTKIT_PASSPHRASE)")
	f.StringVar(&opts.Alg, "alg", "", "signing algorithm of every --key (default: from the key; ES256 for a generated key)")
	f.StringVar(&opts.Addr, "addr", defaultServeAddr, "address to listen on, `HOST:PORT`; anything but loopback must be asked for here")
	f.IntVar(&opts.Port, "port", 0, "listen port, overriding the one in --addr; 0 picks a free port")
	f.StringVar(&opts.Issuer, "issuer", "", "issuer `URL` clients use (default http://HOST:PORT of the listener)")
	f.StringArrayVar(&opts.Clients, "client", nil, "client `ID:SECRET[:SCOPES]`; SECRET may be env:NAME or @FILE; repeatable")
	f.StringArrayVar(&opts.ClientJWKS, "client-jwks", nil, "public keys of a private_key_jwt client, `ID=FILE`; repeatable")
	f.StringVar(&opts.Config, "config", "", "read clients from a JSON `FILE`")
	f.StringVar(&opts.TokenTTL, "token-ttl", "1h", "access token lifetime (expires_in)")
	f.StringVar(&opts.Audience, "audience", "", "aud of tokens requested without resource or audience (default: the issuer)")
	f.StringVar(&opts.Rotate, "rotate", "", "make a new signing key every `DURATION`, keeping the previous one published one more period")
	f.BoolVar(&opts.AllowMint, "allow-mint", false, "serve /mint (default: on when listening on loopback, off otherwise)")
	return cmd
}

// listenAddr works out the address to listen on from --addr and --port.
func listenAddr(opts *ServeOptions) (string, error) {
	addr := opts.Addr
	if addr == "" {
		addr = defaultServeAddr
	}
	host, port, err := net.SplitHostPort(addr)
	switch {
	case err == nil:
	case net.ParseIP(strings.Trim(addr, "[]")) != nil:
		// A bare address (::1 has colons of its own): the default port.
		host, port = strings.Trim(addr, "[]"), "8080"
	case strings.Contains(err.Error(), "missing port"):
		host, port = addr, "8080"
	default:
		return "", failure.Usagef("usage", "--addr %q: use HOST:PORT, as in 127.0.0.1:8080 or [::1]:0", addr)
	}
	if opts.portSet {
		if opts.Port < 0 || opts.Port > 65535 {
			return "", failure.Usagef("usage", "--port %d: use 0 (any free port) to 65535", opts.Port)
		}
		port = strconv.Itoa(opts.Port)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", failure.Usagef("usage", "--addr %q: the port must be a number from 0 to 65535", addr)
	}
	return net.JoinHostPort(host, port), nil
}

// issuerURL is the URL of a listener: the host as --addr named it when it is a name
// (localhost), else the listener's address. An unspecified address (all interfaces) has no
// URL of its own; the loopback one is used, with a warning.
func issuerURL(g *Global, ln net.Listener, addr string) string {
	tcp, _ := ln.Addr().(*net.TCPAddr)
	host, _, _ := net.SplitHostPort(addr)
	port := ""
	if tcp != nil {
		port = strconv.Itoa(tcp.Port)
	}
	switch {
	case host != "" && net.ParseIP(host) == nil:
		// a name such as localhost
	case tcp != nil && tcp.IP.IsUnspecified(), host == "":
		g.Warnf("listening on all interfaces; the issuer is http://127.0.0.1:%s for this machine only: pass --issuer with the URL your services use", port)
		host = "127.0.0.1"
	case tcp != nil:
		host = tcp.IP.String()
	}
	return "http://" + net.JoinHostPort(host, port)
}

// serveKeys loads --key files (or $JWTKIT_KEY), or generates a key when there are none. It
// reports whether it generated one.
func serveKeys(g *Global, opts *ServeOptions) ([]keys.Key, bool, error) {
	specs := opts.Keys
	if len(specs) == 0 {
		if env := g.deps.Getenv("JWTKIT_KEY"); env != "" {
			specs = []string{env}
		}
	}
	if len(specs) == 0 {
		alg := opts.Alg
		if alg == "" {
			alg = "ES256"
		}
		kind, size, curve, err := keys.KeyForAlg(alg)
		if err != nil {
			return nil, false, err
		}
		if kind == "oct" {
			return nil, false, failure.Usagef("usage", "--alg %s: serve publishes its keys in a JWK Set and cannot use an HMAC secret; use RS256, ES256 or EdDSA", alg)
		}
		k, err := keys.Generate(g.deps.Rand, kind, size, curve, alg)
		if err != nil {
			return nil, false, err
		}
		return []keys.Key{k}, true, nil
	}
	pass, err := resolvePassphrase(g, opts.Passphrase, true)
	if err != nil {
		return nil, false, err
	}
	var out []keys.Key
	for _, spec := range specs {
		list, err := loadKeyFile(g, spec, pass, true)
		if err != nil {
			return nil, false, fmt.Errorf("--key: %w", err)
		}
		out = append(out, list...)
	}
	return out, false, nil
}

// serveClients builds the clients from --config, --client and --client-jwks.
func serveClients(g *Global, opts *ServeOptions) ([]issuer.Client, error) {
	var specs []issuer.ClientSpec
	configDir := ""
	if opts.Config != "" {
		data, name, err := resolver(g, true).KeyFile(opts.Config)
		if err != nil {
			return nil, fmt.Errorf("--config: %w", err)
		}
		cfg, err := issuer.ParseConfig(data, name)
		if err != nil {
			return nil, err
		}
		if err := checkServeConfigFile(g, opts.Config, cfg); err != nil {
			return nil, err
		}
		specs = append(specs, cfg.Clients...)
		if !strings.Contains(opts.Config, ":") {
			configDir = filepath.Dir(strings.TrimPrefix(opts.Config, "@"))
		}
	}
	fromFile := len(specs)
	for _, s := range opts.Clients {
		spec, err := issuer.ParseClientSpec(s)
		if err != nil {
			return nil, err
		}
		specs = append(specs, spec)
	}
	var clients []issuer.Client
	index := map[string]int{}
	for i, spec := range specs {
		c := issuer.Client{ID: spec.ID, Scopes: spec.Scopes}
		if spec.Secret != "" {
			secret, err := resolver(g, false).Secret(spec.Secret)
			if err != nil {
				return nil, fmt.Errorf("client %s: %w", spec.ID, err)
			}
			c.Secret = secret
		}
		if spec.JWKS != "" {
			file := spec.JWKS
			if i < fromFile {
				file = relativeTo(configDir, file)
			}
			list, err := loadKeyFile(g, file, nil, false)
			if err != nil {
				return nil, fmt.Errorf("client %s: %w", spec.ID, err)
			}
			c.Keys = list
		}
		if _, dup := index[c.ID]; dup {
			return nil, failure.Usagef("usage", "client %q is registered twice", c.ID)
		}
		index[c.ID] = len(clients)
		clients = append(clients, c)
	}
	for _, s := range opts.ClientJWKS {
		id, file, err := issuer.ParseClientJWKS(s)
		if err != nil {
			return nil, err
		}
		list, err := loadKeyFile(g, file, nil, false)
		if err != nil {
			return nil, fmt.Errorf("--client-jwks %s: %w", id, err)
		}
		if i, ok := index[id]; ok {
			clients[i].Keys = append(clients[i].Keys, list...)
			continue
		}
		index[id] = len(clients)
		clients = append(clients, issuer.Client{ID: id, Keys: list})
	}
	return clients, nil
}

// checkServeConfigFile refuses a config file that other users may write (they could register
// clients of their own and get tokens) and warns when one that holds literal secrets is
// readable by them. Only files named by a path are checked.
func checkServeConfigFile(g *Global, spec string, cfg issuer.FileConfig) error {
	path := strings.TrimPrefix(spec, "@")
	if spec == "-" || (!strings.HasPrefix(spec, "@") && strings.Contains(spec, ":")) {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return failure.Usagef("config", "not reading %s: other users may write it (mode %04o) and could register clients of their own; run chmod go-w %s", path, perm, path)
	}
	for _, c := range cfg.Clients {
		if c.Secret != "" && !strings.HasPrefix(c.Secret, "env:") && !strings.HasPrefix(c.Secret, "@") {
			if w := safefile.CheckPrivateReadable(path, fi); w != "" {
				g.Warnf("client %s has its secret written in %s, and %s", c.ID, path, strings.TrimPrefix(w, path+" "))
			}
			break
		}
	}
	return nil
}

// relativeTo resolves a relative key-file path (bare or @path) against dir.
func relativeTo(dir, spec string) string {
	if dir == "" {
		return spec
	}
	at := strings.HasPrefix(spec, "@")
	p := strings.TrimPrefix(spec, "@")
	if (!at && strings.Contains(spec, ":")) || filepath.IsAbs(p) || spec == "-" {
		return spec
	}
	if at {
		return "@" + filepath.Join(dir, p)
	}
	return filepath.Join(dir, p)
}

// lockedWriter serialises writes from concurrent request handlers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// formatEntry renders one request log line.
func formatEntry(at time.Time, e issuer.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s %d", at.UTC().Format("15:04:05.000"), e.Method, e.Path, e.Status)
	if e.ClientID != "" {
		fmt.Fprintf(&b, " client=%s", e.ClientID)
	}
	if e.AuthMethod != "" {
		fmt.Fprintf(&b, " auth=%s", e.AuthMethod)
	}
	if e.Scope != "" {
		fmt.Fprintf(&b, " scope=%q", e.Scope)
	}
	if e.Error != "" {
		fmt.Fprintf(&b, " error=%s", e.Error)
		if e.Detail != "" {
			fmt.Fprintf(&b, " (%s)", e.Detail)
		}
	}
	b.WriteByte('\n')
	return b.String()
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
	signingKeys, generated, err := serveKeys(g, opts)
	if err != nil {
		return err
	}
	clients, err := serveClients(g, opts)
	if err != nil {
		return err
	}

	listen := opts.listen
	if listen == nil {
		listen = net.Listen
	}
	ln, err := listen("tcp", addr)
	if err != nil {
		return failure.Usagef("usage", "listening on %s: %v; pick another --addr or --port (0 picks a free one)", addr, unwrapNetErr(err))
	}
	defer ln.Close()
	loopback := issuer.IsLoopback(ln.Addr())
	iss := opts.Issuer
	if iss == "" {
		iss = issuerURL(g, ln, addr)
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
	srv, err := issuer.New(issuer.Config{
		Issuer:          iss,
		Keys:            signingKeys,
		Alg:             opts.Alg,
		Clients:         clients,
		TokenTTL:        ttl,
		DefaultAudience: opts.Audience,
		AllowMint:       allowMint,
		RestrictHosts:   loopback,
		Now:             g.Now,
		Rand:            g.deps.Rand,
		Log:             logEntry,
	})
	if err != nil {
		return err
	}

	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(errOut, "jwtkit serve: ", 0),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

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

// unwrapNetErr drops the "listen tcp 127.0.0.1:8080:" prefix Go puts on listen errors.
func unwrapNetErr(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

// announce prints the issuer URL on stdout (or a JSON object with --json), then a summary on
// stderr.
func announce(g *Global, srv *issuer.Server, ln net.Listener, mint, generated bool, clients []issuer.Client, rotate time.Duration) error {
	out := g.deps.IO.Out
	var err error
	if g.JSONOutput() {
		port := 0
		if tcp, ok := ln.Addr().(*net.TCPAddr); ok {
			port = tcp.Port
		}
		err = writeJSONValue(out, struct {
			Issuer        string   `json:"issuer"`
			Port          int      `json:"port"`
			JWKSURI       string   `json:"jwks_uri"`
			TokenEndpoint string   `json:"token_endpoint"`
			MintEndpoint  string   `json:"mint_endpoint,omitempty"`
			Alg           string   `json:"alg"`
			Kids          []string `json:"kids"`
		}{srv.Issuer(), port, srv.URL(issuer.PathJWKS), srv.URL(issuer.PathToken), mintURL(srv, mint), srv.SigningAlg(), srv.KeyIDs()}, false)
	} else {
		_, err = fmt.Fprintln(out, srv.Issuer())
	}
	if err != nil {
		return err
	}
	if generated {
		g.Infof("no --key: generated an %s key in memory (kid %s); tokens stop verifying when serve stops", srv.SigningAlg(), srv.SigningKeyID())
	}
	ids := make([]string, 0, len(clients))
	for _, c := range clients {
		ids = append(ids, c.ID)
	}
	g.Infof("jwtkit serve: issuer %s on %s", srv.Issuer(), ln.Addr())
	g.Infof("  discovery %s", srv.URL(issuer.PathOpenIDConfiguration))
	g.Infof("  jwks      %s (%s, signing kid %s)", srv.URL(issuer.PathJWKS), srv.SigningAlg(), srv.SigningKeyID())
	if len(ids) == 0 {
		g.Infof("  token     %s (no clients: add --client ID:SECRET)", srv.URL(issuer.PathToken))
	} else {
		g.Infof("  token     %s (clients: %s)", srv.URL(issuer.PathToken), strings.Join(ids, ", "))
	}
	if mint {
		g.Infof("  mint      %s (on; --allow-mint=false turns it off)", srv.URL(issuer.PathMint))
	}
	if rotate > 0 {
		g.Infof("  rotate    every %s", timespec.Compact(rotate))
	}
	return nil
}

func mintURL(srv *issuer.Server, on bool) string {
	if !on {
		return ""
	}
	return srv.URL(issuer.PathMint)
}

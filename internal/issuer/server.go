package issuer

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Endpoint paths, relative to the issuer.
const (
	PathOpenIDConfiguration = "/.well-known/openid-configuration"
	PathOAuthMetadata       = "/.well-known/oauth-authorization-server"
	PathJWKS                = "/jwks.json"
	PathToken               = "/token"
	PathMint                = "/mint"
	PathAuthorize           = "/authorize"
	PathUserinfo            = "/userinfo"
	PathIntrospect          = "/introspect"
	PathRevoke              = "/revoke"
	PathEndSession          = "/end_session"
	// PathDeviceAuthorization and PathDevice are the RFC 8628 device authorization and
	// verification endpoints.
	PathDeviceAuthorization = "/device_authorization"
	PathDevice              = "/device"
)

// Server is the issuer's http.Handler. It is safe for concurrent use.
type Server struct {
	cfg        Config
	issuerHost string
	base       string // issuer without a trailing slash: endpoints are base + path
	basePath   string // path part of base, where the endpoints are routed
	ttl        time.Duration
	audience   string
	clients    map[string]*Client
	scopes     []string // every registered client's scopes, for discovery
	ring       *keyRing
	replay     *replayCache
	trusted    map[string]*TrustedIssuer // issuers of jwt-bearer assertions, by iss
	// codeGuesses counts wrong user codes at /device, per client address and in all.
	codeGuesses guessLimiter
	// clientClaims are the compiled claims of the clients that have some, by client id.
	clientClaims map[string]*ClaimTemplates
	users        map[string]*User
	user         *User // the default user
	store        Store
	codeTTL      time.Duration
	refreshTTL   time.Duration
	// deviceTTL and deviceInterval are the device code lifetime and polling interval.
	deviceTTL      time.Duration
	deviceInterval time.Duration
	plainPKCE      bool // some client may use plain PKCE
	public         bool // some client is public
	// dpopNonceKey, when set (Config.DPoPNonce), makes the token endpoint require DPoP nonces
	// derived from it.
	dpopNonceKey []byte
	// login holds the login page's pending authorizations; nil when the login is headless.
	login *loginPages
}

// New checks cfg and returns a Server. Errors are failure.Usage errors that name the bad part.
func New(cfg Config) (*Server, error) {
	u, base, err := parseIssuer(cfg.Issuer)
	if err != nil {
		return nil, err
	}
	if cfg.Now == nil || cfg.Rand == nil {
		return nil, usageError("issuer: a clock and a source of randomness are required")
	}
	ring, err := newKeyRing(cfg.Keys, cfg.Alg)
	if err != nil {
		return nil, err
	}
	clients, err := checkClients(cfg.Clients)
	if err != nil {
		return nil, err
	}
	for _, c := range clients {
		if err := checkTLSClient(c, &cfg); err != nil {
			return nil, err
		}
	}
	if cfg.TokenTTL < 0 || cfg.CodeTTL < 0 || cfg.RefreshTTL < 0 {
		return nil, usageError("token and code lifetimes must be positive")
	}
	trusted, err := checkTrustedIssuers(cfg.TrustedIssuers, clients)
	if err != nil {
		return nil, err
	}
	clientClaims := map[string]*ClaimTemplates{}
	for id, c := range clients {
		t, err := checkClientClaims(c)
		if err != nil {
			return nil, err
		}
		if t != nil {
			clientClaims[id] = t
		}
	}
	users, err := checkUsers(cfg.Users)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:        cfg,
		issuerHost: u.Hostname(),
		base:       base,
		ttl:        cfg.TokenTTL,
		audience:   cfg.DefaultAudience,
		clients:    clients,
		ring:       ring,
		trusted:    trusted,
		// clientClaims holds only clients that have claims.
		clientClaims: clientClaims,
	}
	if s.ttl == 0 {
		s.ttl = DefaultTokenTTL
	}
	if err := s.setUsers(users, cfg.DefaultUser); err != nil {
		return nil, err
	}
	s.store, s.codeTTL, s.refreshTTL = cfg.Store, cfg.CodeTTL, cfg.RefreshTTL
	if s.store == nil {
		s.store = NewMemoryStore(0)
	}
	if s.codeTTL == 0 {
		s.codeTTL = DefaultCodeTTL
	}
	if s.refreshTTL == 0 {
		s.refreshTTL = DefaultRefreshTTL
	}
	if cfg.DPoPNonce {
		if s.dpopNonceKey, err = newNonceKey(cfg.Rand); err != nil {
			return nil, err
		}
	}
	if err := s.setDeviceTimes(cfg.DeviceTTL, cfg.DeviceInterval); err != nil {
		return nil, err
	}
	for _, c := range clients {
		s.plainPKCE = s.plainPKCE || c.AllowPlainPKCE
		s.public = s.public || c.Public()
	}
	if s.audience == "" {
		s.audience = cfg.Issuer
	}
	bu, _ := url.Parse(base)
	s.basePath = bu.EscapedPath()
	for _, c := range cfg.Clients {
		for _, sc := range c.Scopes {
			if !contains(s.scopes, sc) {
				s.scopes = append(s.scopes, sc)
			}
		}
	}
	capacity := cfg.ReplayCapacity
	if capacity <= 0 {
		capacity = DefaultReplayCapacity
	}
	s.replay = newReplayCache(capacity)
	return s, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Issuer returns the issuer identifier.
func (s *Server) Issuer() string { return s.cfg.Issuer }

// URL returns the absolute URL of the endpoint at path (one of the Path constants).
func (s *Server) URL(path string) string {
	if path == PathOAuthMetadata {
		// RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path.
		u, _ := url.Parse(s.base)
		p := u.EscapedPath()
		u.Path, u.RawPath = "", ""
		return strings.TrimSuffix(u.String(), "/") + PathOAuthMetadata + p
	}
	return s.base + path
}

// SigningKeyID returns the kid of the key that signs now.
func (s *Server) SigningKeyID() string { return s.ring.current().signer.kid }

// KeyIDs returns the kids of the published keys, the signing key first.
func (s *Server) KeyIDs() []string {
	var out []string
	for _, gen := range s.ring.current().generations {
		for _, k := range gen {
			out = append(out, k.JWK.KeyID)
		}
	}
	return out
}

// SigningAlg returns the algorithm of the signing key.
func (s *Server) SigningAlg() string { return s.ring.current().signer.alg }

// Rotate makes a new signing key of the same algorithm; the keys it replaces stay in the JWK
// Set until the next rotation. It returns the new kid.
func (s *Server) Rotate() (string, error) {
	return s.ring.rotate(s.cfg.Rand)
}

// RunRotation calls Rotate on every tick until ctx is done, reporting each outcome to report
// (the new kid, or the error). Tests drive it with their own channel instead of a ticker.
func (s *Server) RunRotation(ctx context.Context, ticks <-chan time.Time, report func(kid string, err error)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
			kid, err := s.Rotate()
			report(kid, err)
		}
	}
}

// statusWriter remembers the status code of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP routes a request to its endpoint and logs it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e := Entry{Method: Sanitize(r.Method, 16), Path: Sanitize(r.URL.EscapedPath(), 200)}
	sw := &statusWriter{ResponseWriter: w}
	s.route(sw, r, &e)
	e.Status = sw.status
	if e.Status == 0 {
		e.Status = http.StatusOK
	}
	if s.cfg.Log != nil {
		s.cfg.Log(e)
	}
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, e *Entry) {
	fail := func(err *oauthError) {
		e.Error, e.Detail = err.code, err.detail
		writeError(w, err)
	}
	if s.cfg.RestrictHosts && !s.hostAllowed(r.Host) {
		fail(newError(http.StatusMisdirectedRequest, ErrMisdirected,
			"this server answers only to loopback names and the issuer's host; start it with --issuer set to the URL clients use").
			withDetail("refused Host " + Sanitize(r.Host, 100)))
		return
	}
	path := r.URL.EscapedPath()
	rel, ok := strings.CutPrefix(path, s.basePath)
	if !ok && path != PathOAuthMetadata+s.basePath {
		fail(notFound(path))
		return
	}
	if path == PathOAuthMetadata+s.basePath && s.basePath != "" {
		rel = PathOAuthMetadata
	}
	switch rel {
	case PathOpenIDConfiguration:
		if !allowMethods(w, r, e, fail, http.MethodGet, http.MethodHead) {
			return
		}
		s.serveDiscovery(w, r, true)
	case PathOAuthMetadata:
		if !allowMethods(w, r, e, fail, http.MethodGet, http.MethodHead) {
			return
		}
		s.serveDiscovery(w, r, false)
	case PathJWKS:
		if !allowMethods(w, r, e, fail, http.MethodGet, http.MethodHead) {
			return
		}
		s.serveJWKS(w, r)
	case PathToken:
		if !allowMethods(w, r, e, fail, http.MethodPost) {
			return
		}
		s.serveToken(w, r, e)
	case PathMint:
		if !allowMethods(w, r, e, fail, http.MethodPost) {
			return
		}
		s.serveMint(w, r, e)
	case PathAuthorize:
		if !allowMethods(w, r, e, fail, http.MethodGet, http.MethodPost) {
			return
		}
		s.serveAuthorize(w, r, e)
	case PathUserinfo:
		if !allowMethods(w, r, e, fail, http.MethodGet, http.MethodPost) {
			return
		}
		s.serveUserinfo(w, r, e)
	case PathIntrospect:
		if !allowMethods(w, r, e, fail, http.MethodPost) {
			return
		}
		s.serveIntrospect(w, r, e)
	case PathRevoke:
		if !allowMethods(w, r, e, fail, http.MethodPost) {
			return
		}
		s.serveRevoke(w, r, e)
	case PathDeviceAuthorization:
		if !allowMethods(w, r, e, fail, http.MethodPost) {
			return
		}
		s.serveDeviceAuthorization(w, r, e)
	case PathDevice:
		if !allowMethods(w, r, e, fail, http.MethodGet, http.MethodPost) {
			return
		}
		s.serveDevice(w, r, e)
	case PathEndSession:
		if !allowMethods(w, r, e, fail, http.MethodGet, http.MethodPost) {
			return
		}
		s.serveEndSession(w, r, e)
	default:
		fail(notFound(path))
	}
}

func notFound(path string) *oauthError {
	return newError(http.StatusNotFound, ErrNotFound, "no endpoint at "+Sanitize(path, 100)+
		"; see "+PathOpenIDConfiguration)
}

// allowMethods answers 405 with an Allow header unless r's method is one of methods.
func allowMethods(w http.ResponseWriter, r *http.Request, e *Entry, fail func(*oauthError), methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	fail(newError(http.StatusMethodNotAllowed, ErrMethodNotAllowed,
		e.Path+" accepts "+strings.Join(methods, " and ")))
	return false
}

// hostAllowed accepts loopback addresses, localhost names and the issuer's host.
func (s *Server) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "" {
		return false
	}
	if strings.EqualFold(host, s.issuerHost) {
		return true
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IsLoopback reports whether a listen address's host is a loopback address or name. An empty
// host (all interfaces) is not loopback.
func IsLoopback(addr net.Addr) bool {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.IP.IsLoopback()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

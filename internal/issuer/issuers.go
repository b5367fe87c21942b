package issuer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"sync"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/keys"
)

// DefaultMaxIssuers bounds the issuers an IssuerSet holds besides the default one when
// IssuerSetConfig.Max is zero.
const DefaultMaxIssuers = 100

// issuerID is what an issuer id may be: one path segment, short, no escaping needed.
// issuerIDChars reports whether id is 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-' (a
// loop, not a regular expression compiled at start-up by every run of jwtkit).
func issuerIDChars(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// isRootSegment reports whether id is the first path segment of one of the default issuer's
// endpoints; no issuer id may be one of them.
// (Worked out per call, not held in a map built at start: package initialisation is paid by
// every jwtkit run; see failure.Sentinel.)
func isRootSegment(id string) bool {
	for _, p := range [...]string{PathOpenIDConfiguration, PathJWKS, PathToken, PathMint, PathAuthorize,
		PathUserinfo, PathIntrospect, PathRevoke, PathEndSession, PathDeviceAuthorization, PathDevice} {
		if seg, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/"); seg == id {
			return true
		}
	}
	return false
}

// IssuerSpec is one named issuer of an IssuerSet, at /{ID} under the default issuer.
type IssuerSpec struct {
	ID          string
	Clients     []Client
	Users       []User
	DefaultUser string
	// TrustedIssuers sign jwt-bearer assertions at this issuer (each assertion's aud must
	// still be this issuer's token endpoint, so one made for another issuer is refused).
	TrustedIssuers []TrustedIssuer
}

// IssuerSetConfig configures an IssuerSet.
type IssuerSetConfig struct {
	// Root is the default issuer, answered at its own URL; the other issuers' URLs are
	// Root.Issuer + "/" + id and they share its settings except keys, clients, users and store.
	Root Config
	// Issuers are the configured issuers, created at start.
	Issuers []IssuerSpec
	// AutoCreate creates an issuer on first use for any valid id that is not configured, with
	// Root's clients, users and trusted issuers (what users of mock-oauth2-server rely on).
	AutoCreate bool
	// Seed, when set, derives each issuer's ES256 key from it and the id (HKDF-SHA256), so a
	// restarted server has the same keys; nil draws a new key per issuer from Root.Rand.
	Seed []byte
	// Max bounds the issuers besides the default one; zero means DefaultMaxIssuers.
	Max int
	// StoreFor, when set, gives each named issuer its store (BoltStore.ForIssuer keeps them
	// apart in one file); nil gives each a new MemoryStore.
	StoreFor func(id string) (Store, error)
	// LoginPage shows every issuer's login page at /authorize (Server.EnableLoginPage).
	LoginPage bool
}

// IssuerSet is an http.Handler serving the default issuer and named issuers under it, each
// with its own keys, clients, users and store.
type IssuerSet struct {
	cfg  IssuerSetConfig
	root *Server
	mu   sync.Mutex
	// servers are the issuers made so far, by id; specs the configured ones.
	servers map[string]*Server
	specs   map[string]IssuerSpec
}

// NewIssuerSet checks cfg and makes the default and the configured issuers.
func NewIssuerSet(cfg IssuerSetConfig) (*IssuerSet, error) {
	root, err := New(cfg.Root)
	if err != nil {
		return nil, err
	}
	if cfg.LoginPage {
		root.EnableLoginPage()
	}
	if cfg.Max <= 0 {
		cfg.Max = DefaultMaxIssuers
	}
	if len(cfg.Issuers) > cfg.Max {
		return nil, usageError("at most %d issuers may be configured", cfg.Max)
	}
	set := &IssuerSet{cfg: cfg, root: root, servers: map[string]*Server{}, specs: map[string]IssuerSpec{}}
	for _, sp := range cfg.Issuers {
		if !ValidIssuerID(sp.ID) {
			return nil, usageError("issuer id %q: use 1 to 64 letters, digits, - and _, not an endpoint name", Sanitize(sp.ID, 80))
		}
		if _, dup := set.specs[sp.ID]; dup {
			return nil, usageError("issuer id %q is configured twice", sp.ID)
		}
		set.specs[sp.ID] = sp
		srv, err := set.make(sp)
		if err != nil {
			return nil, fmt.Errorf("issuer %s: %w", sp.ID, err)
		}
		set.servers[sp.ID] = srv
	}
	return set, nil
}

// ValidIssuerID reports whether id may name an issuer of an IssuerSet.
func ValidIssuerID(id string) bool { return issuerIDChars(id) && !isRootSegment(id) }

// Root returns the default issuer.
func (s *IssuerSet) Root() *Server { return s.root }

// URL returns the issuer URL of id.
func (s *IssuerSet) URL(id string) string { return s.root.base + "/" + id }

// make builds the Server of one issuer.
func (s *IssuerSet) make(sp IssuerSpec) (*Server, error) {
	k, err := s.issuerKey(sp.ID)
	if err != nil {
		return nil, err
	}
	c := s.cfg.Root
	c.Issuer = s.URL(sp.ID)
	c.Keys, c.Alg = []keys.Key{k}, ""
	c.Clients, c.Users, c.DefaultUser = sp.Clients, sp.Users, sp.DefaultUser
	c.Store, c.TrustedIssuers = nil, sp.TrustedIssuers
	if s.cfg.StoreFor != nil {
		if c.Store, err = s.cfg.StoreFor(sp.ID); err != nil {
			return nil, err
		}
	}
	srv, err := New(c)
	if err == nil && s.cfg.LoginPage {
		srv.EnableLoginPage()
	}
	return srv, err
}

// issuerKey is the signing key of issuer id: derived from the seed, or new.
func (s *IssuerSet) issuerKey(id string) (keys.Key, error) {
	if s.cfg.Seed == nil {
		kind, size, curve, err := keys.KeyForAlg("ES256")
		if err != nil {
			return keys.Key{}, err
		}
		return keys.Generate(s.cfg.Root.Rand, kind, size, curve, "ES256")
	}
	// A scalar that is zero or not below the group order is refused; the next counter value
	// is tried (a chance of about 2^-32 per try).
	for i := 0; i < 16; i++ {
		b, err := hkdf.Key(sha256.New, s.cfg.Seed, nil, fmt.Sprintf("jwtkit serve issuer key %d %s", i, id), 32)
		if err != nil {
			return keys.Key{}, err
		}
		priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), b)
		if err != nil {
			continue
		}
		k := keys.Key{JWK: jose.JSONWebKey{Key: priv, Use: "sig", Algorithm: "ES256"}, Source: "key of issuer " + id}
		if k.JWK.KeyID, err = k.Thumbprint(); err != nil {
			return keys.Key{}, err
		}
		return k, nil
	}
	return keys.Key{}, fmt.Errorf("issuer %s: no key could be derived", id)
}

// lookup returns the issuer id names, creating it when the set allows; nil when there is none.
func (s *IssuerSet) lookup(id string) *Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	if srv := s.servers[id]; srv != nil {
		return srv
	}
	if !s.cfg.AutoCreate || len(s.servers) >= s.cfg.Max {
		return nil
	}
	srv, err := s.make(IssuerSpec{ID: id, Clients: s.cfg.Root.Clients, Users: s.cfg.Root.Users, DefaultUser: s.cfg.Root.DefaultUser,
		TrustedIssuers: s.cfg.Root.TrustedIssuers})
	if err != nil {
		return nil
	}
	s.servers[id] = srv
	return srv
}

// ServeHTTP sends a request to the issuer whose id is the first path segment under the
// default issuer (or, for RFC 8414 metadata, the segment after the well-known path), and
// everything else to the default issuer.
func (s *IssuerSet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if id := s.issuerOf(r.URL.EscapedPath()); id != "" {
		if srv := s.lookup(id); srv != nil {
			srv.ServeHTTP(w, r)
			return
		}
	}
	s.root.ServeHTTP(w, r)
}

// issuerOf returns the issuer id a request path names, "" for the default issuer.
func (s *IssuerSet) issuerOf(path string) string {
	if rest, ok := strings.CutPrefix(path, PathOAuthMetadata+s.root.basePath+"/"); ok {
		if ValidIssuerID(rest) {
			return rest
		}
		return ""
	}
	rel, ok := strings.CutPrefix(path, s.root.basePath+"/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rel, "/")
	if !ValidIssuerID(id) {
		return ""
	}
	return id
}

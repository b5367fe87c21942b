package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/issuer"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/safefile"
)

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
// With tls the URL is https.
func issuerURL(g *Global, ln net.Listener, addr string, tls bool) string {
	scheme := "http"
	if tls {
		scheme = "https"
	}
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
		g.Warnf("listening on all interfaces; the issuer is %s://127.0.0.1:%s for this machine only: pass --issuer with the URL your services use", scheme, port)
		host = "127.0.0.1"
	case tcp != nil:
		host = tcp.IP.String()
	}
	return scheme + "://" + net.JoinHostPort(host, port)
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

// serveUsers are the end users of the config file and the default one's sub, and the file's
// trusted issuers of jwt-bearer assertions with their keys.
type serveUsers struct {
	list    []issuer.User
	def     string
	trusted []issuer.TrustedIssuer
	issuers []issuerConfig
}

// issuerConfig is an [issuer.ID] section of --config with its clients and trusted issuers
// resolved. A list the section does not give (has* false) is inherited from the top level.
type issuerConfig struct {
	id         string
	clients    []issuer.Client
	hasClients bool
	users      []issuer.User
	def        string
	hasUsers   bool
	trusted    []issuer.TrustedIssuer
	hasTrusted bool
}

// resolveTrusted reads the key files of trusted issuers, relative to the config file's dir.
func resolveTrusted(g *Global, specs []issuer.TrustedIssuerSpec, configDir string) ([]issuer.TrustedIssuer, error) {
	var out []issuer.TrustedIssuer
	for _, ti := range specs {
		list, err := loadKeyFile(g, relativeTo(configDir, ti.JWKS), nil, false)
		if err != nil {
			return nil, fmt.Errorf("trusted issuer %s: %w", showArg(ti.Issuer), err)
		}
		out = append(out, issuer.TrustedIssuer{Issuer: ti.Issuer, Keys: list})
	}
	return out, nil
}

// resolveClients reads the secrets and keys of specs (the first fromFile of them from the
// config file, whose relative paths are against configDir) and refuses a client id given twice.
func resolveClients(g *Global, specs []issuer.ClientSpec, fromFile int, configDir string) ([]issuer.Client, map[string]int, error) {
	var clients []issuer.Client
	index := map[string]int{}
	for i, spec := range specs {
		c := issuer.Client{ID: spec.ID, Scopes: spec.Scopes, RedirectURIs: spec.RedirectURIs,
			PostLogoutRedirectURIs: spec.PostLogoutRedirectURIs, AllowPlainPKCE: spec.AllowPlainPKCE, RefreshTokens: spec.RefreshTokens,
			Claims: spec.Claims, Device: spec.Device, TLSAuth: spec.AuthMethod, TLSSubject: spec.TLSSubject}
		if spec.Secret != "" {
			secret, err := resolver(g, false).Secret(spec.Secret)
			if err != nil {
				return nil, nil, fmt.Errorf("client %s: %w", showArg(spec.ID), err)
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
				return nil, nil, fmt.Errorf("client %s: %w", showArg(spec.ID), err)
			}
			if spec.AuthMethod == issuer.MethodSelfSignedTLS {
				c.TLSKeys = list
			} else {
				c.Keys = list
			}
		}
		if _, dup := index[c.ID]; dup {
			return nil, nil, failure.Usagef("usage", "client %q is registered twice", c.ID)
		}
		index[c.ID] = len(clients)
		clients = append(clients, c)
	}
	return clients, index, nil
}

// serveClients builds the clients from --config, --client and --client-jwks, and returns the
// users and default user of --config.
func serveClients(g *Global, opts *ServeOptions) ([]issuer.Client, serveUsers, error) {
	var users serveUsers
	var specs []issuer.ClientSpec
	configDir := ""
	if opts.Config != "" {
		data, name, err := resolver(g, true).KeyFile(opts.Config)
		if err != nil {
			return nil, users, fmt.Errorf("--config: %w", err)
		}
		cfg, warnings, err := issuer.LoadConfig(data, name)
		if err != nil {
			return nil, users, err
		}
		for _, w := range warnings {
			g.Warnf("%s", w.Text)
		}
		if err := checkServeConfigFile(g, opts.Config, cfg); err != nil {
			return nil, users, err
		}
		specs = append(specs, cfg.Clients...)
		users = serveUsers{list: cfg.Users, def: cfg.DefaultUser}
		if !strings.Contains(opts.Config, ":") {
			configDir = filepath.Dir(strings.TrimPrefix(opts.Config, "@"))
		}
		if users.trusted, err = resolveTrusted(g, cfg.TrustedIssuers, configDir); err != nil {
			return nil, users, err
		}
		for _, sec := range cfg.Issuers {
			ic := issuerConfig{id: sec.ID, hasClients: sec.HasClients, users: sec.Users, def: sec.DefaultUser, hasUsers: sec.HasUsers,
				hasTrusted: sec.HasTrusted}
			if sec.HasClients {
				if ic.clients, _, err = resolveClients(g, sec.Clients, len(sec.Clients), configDir); err != nil {
					return nil, users, fmt.Errorf("issuer %s: %w", sec.ID, err)
				}
			}
			if ic.trusted, err = resolveTrusted(g, sec.TrustedIssuers, configDir); err != nil {
				return nil, users, fmt.Errorf("issuer %s: %w", sec.ID, err)
			}
			users.issuers = append(users.issuers, ic)
		}
	}
	fromFile := len(specs)
	for _, s := range opts.Clients {
		spec, err := issuer.ParseClientSpec(s)
		if err != nil {
			return nil, users, err
		}
		specs = append(specs, spec)
	}
	clients, index, err := resolveClients(g, specs, fromFile, configDir)
	if err != nil {
		return nil, users, err
	}
	for _, s := range opts.ClientJWKS {
		id, file, err := issuer.ParseClientJWKS(s)
		if err != nil {
			return nil, users, err
		}
		list, err := loadKeyFile(g, file, nil, false)
		if err != nil {
			return nil, users, fmt.Errorf("--client-jwks %s: %w", showArg(id), err)
		}
		if i, ok := index[id]; ok {
			clients[i].Keys = append(clients[i].Keys, list...)
			continue
		}
		index[id] = len(clients)
		clients = append(clients, issuer.Client{ID: id, Keys: list})
	}
	return clients, users, nil
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
	all := append([]issuer.ClientSpec(nil), cfg.Clients...)
	for _, sec := range cfg.Issuers {
		all = append(all, sec.Clients...)
	}
	for _, c := range all {
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

package issuer

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/scopes"
)

// ClientSpec is one client as the command line or the config file describes it, before its
// secret and keys are read.
type ClientSpec struct {
	// ID is the client_id.
	ID string
	// Secret is the secret in the key-material grammar (env:NAME, @path, b64:…, b64url:…,
	// hex:…, or a literal), "" for a client without a secret.
	Secret string
	// Scopes are the allowed scopes; nil means any.
	Scopes []string
	// JWKS names the client's public keys for private_key_jwt (key-file grammar), "" for none.
	JWKS string
	// RedirectURIs, PostLogoutRedirectURIs, AllowPlainPKCE and RefreshTokens are as in Client.
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	AllowPlainPKCE         bool
	RefreshTokens          bool
	// Claims are added to the client's access tokens (Client.Claims).
	Claims *claims.Object
	// Device is as in Client.
	Device bool
	// AuthMethod is the token_endpoint_auth_method when the client registers one of the
	// mutual TLS methods (MethodTLS, MethodSelfSignedTLS), "" otherwise; TLSSubject is as in
	// Client. The JWKS of a MethodSelfSignedTLS client holds its certificates or keys.
	AuthMethod string
	TLSSubject TLSSubject
}

// secretPrefixes are the key-grammar prefixes whose value runs to the next colon.
var secretPrefixes = []string{"env:", "b64:", "b64url:", "hex:"}

// ParseClientSpec reads a --client value: ID:SECRET or ID:SECRET:SCOPES.
//
// SECRET uses the key-material grammar: env:NAME, @path, b64:…, b64url:…, hex:… or a literal
// (which cannot contain ':'; use one of the other forms for such a secret). An empty SECRET
// (ID::SCOPES, or ID: alone) registers a client without a secret, which must then have keys
// (--client-jwks). SCOPES is everything after the colon that ends the secret, split on commas
// and spaces, so scopes may contain colons (ci:env:CI_SECRET:read:users,write:users). Without
// SCOPES the client may ask for any scope.
func ParseClientSpec(s string) (ClientSpec, error) {
	const forms = "use ID:SECRET[:SCOPE,SCOPE…] where SECRET is env:NAME, @FILE, b64:…, hex:… or a literal without ':'"
	id, rest, ok := strings.Cut(s, ":")
	if !ok {
		return ClientSpec{}, usageError("--client %q has no secret; %s", Sanitize(s, 60), forms)
	}
	if err := checkClientID(id); err != nil {
		return ClientSpec{}, err
	}
	spec := ClientSpec{ID: id}
	prefix := ""
	for _, p := range secretPrefixes {
		if strings.HasPrefix(rest, p) {
			prefix = p
			break
		}
	}
	value, scopeList, hasScopes := strings.Cut(rest[len(prefix):], ":")
	if prefix != "" && value == "" {
		return ClientSpec{}, usageError("--client %s: %s needs a value; %s", id, prefix, forms)
	}
	if value == "@" {
		return ClientSpec{}, usageError("--client %s: @ needs a file path; %s", id, forms)
	}
	if value == "-" {
		return ClientSpec{}, usageError("--client %s: a client secret cannot come from stdin; use env:NAME or @FILE", id)
	}
	spec.Secret = prefix + value
	if hasScopes {
		spec.Scopes = scopes.Split([]string{scopeList})
		if len(spec.Scopes) == 0 {
			return ClientSpec{}, usageError("--client %s: the scope list after the secret is empty; drop the last ':' to allow any scope", id)
		}
		for _, sc := range spec.Scopes {
			if !validScopeToken(sc) {
				return ClientSpec{}, usageError("--client %s: %q is not a valid scope (RFC 6749 §3.3)", id, Sanitize(sc, 60))
			}
		}
	}
	return spec, nil
}

// ParseClientJWKS reads a --client-jwks value, ID=FILE, where FILE uses the key-file grammar.
func ParseClientJWKS(s string) (id, file string, err error) {
	id, file, ok := strings.Cut(s, "=")
	if !ok || file == "" {
		return "", "", usageError("--client-jwks %q: use ID=FILE (the client's public keys: a JWK Set, a JWK or a PEM public key)", Sanitize(s, 60))
	}
	if err := checkClientID(id); err != nil {
		return "", "", err
	}
	return id, file, nil
}

// MaxConfigSize caps a config file.
const MaxConfigSize = 1 << 20

// MaxClients caps the clients of a config file.
const MaxClients = 1000

// MaxUsers caps the users of a config file.
const MaxUsers = 1000

// FileConfig is the serve config file: a JSON object whose "clients" member lists clients as
//
//	{"id": "ci", "secret": "env:CI_SECRET", "scopes": ["read:users"], "jwks": "ci.jwks.json",
//	 "redirect_uris": ["http://127.0.0.1/callback"], "post_logout_redirect_uris": […],
//	 "allow_plain_pkce": false, "refresh_tokens": false}
//
// where secret uses the key-material grammar (a bare value is the secret itself), jwks the
// key-file grammar, and scopes, when absent, means any scope. A client with neither secret
// nor jwks is a public client and needs redirect_uris, or "device": true when it uses only the
// device flow. "users" lists the end users
// /authorize logs in, {"sub": "alice", "claims": {"name": "Alice", "email": …}}, and
// "default_user" names the one logged in without a login_hint (default: the first). A
// client's "claims" go into its access tokens, a user's into the ID token and userinfo; their
// string values may be templates ({{.client_id}}, {{.scope}}, {{.sub}}, {{.grant_type}},
// {{now}}, {{add_time "1h"}}), checked here.
// "trusted_issuers" lists issuers of jwt-bearer assertions besides the clients,
// {"issuer": "https://idp.example", "jwks": "idp.jwks.json"} (jwks in the key-file grammar).
type FileConfig struct {
	Clients        []ClientSpec
	Users          []User
	DefaultUser    string
	TrustedIssuers []TrustedIssuerSpec
	// Issuers are the [issuer.ID] sections of a TOML file, in id order.
	Issuers []IssuerSection
}

// TrustedIssuerSpec is a trusted issuer as the config file names it, before its keys are read.
type TrustedIssuerSpec struct {
	Issuer string
	JWKS   string
}

type fileClient struct {
	ID                     string         `json:"id"`
	Secret                 string         `json:"secret"`
	Scopes                 *[]string      `json:"scopes"`
	JWKS                   string         `json:"jwks"`
	RedirectURIs           []string       `json:"redirect_uris"`
	PostLogoutRedirectURIs []string       `json:"post_logout_redirect_uris"`
	AllowPlainPKCE         bool           `json:"allow_plain_pkce"`
	RefreshTokens          bool           `json:"refresh_tokens"`
	Claims                 *claims.Object `json:"claims"`
	Device                 bool           `json:"device"`
}

type fileUser struct {
	Sub    string         `json:"sub"`
	Claims *claims.Object `json:"claims"`
}

// ParseConfig reads a serve config file. It refuses unknown members (a typo must not silently
// drop a setting), duplicate members, more than MaxClients clients and files over
// MaxConfigSize. name is the file's display name, for messages.
func ParseConfig(data []byte, name string) (FileConfig, error) {
	if len(data) > MaxConfigSize {
		return FileConfig{}, usageError("%s is larger than 1 MiB", name)
	}
	// claims.ParseObject refuses duplicate members, invalid UTF-8 and deep nesting, which
	// encoding/json would let through.
	if _, err := claims.ParseObject(data); err != nil {
		return FileConfig{}, usageError("%s: %v", name, err)
	}
	var raw struct {
		Clients        []fileClient `json:"clients"`
		Users          []fileUser   `json:"users"`
		DefaultUser    string       `json:"default_user"`
		TrustedIssuers []struct {
			Issuer string `json:"issuer"`
			JWKS   string `json:"jwks"`
		} `json:"trusted_issuers"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return FileConfig{}, usageError("%s: %s; expected {\"clients\":[{\"id\":…,\"secret\":…,\"scopes\":[…],\"jwks\":…,\"redirect_uris\":[…]}],\"users\":[{\"sub\":…,\"claims\":{…}}]}", name, Sanitize(strings.TrimPrefix(err.Error(), "json: "), 200))
	}
	if len(raw.Clients) > MaxClients {
		return FileConfig{}, usageError("%s lists %d clients; the limit is %d", name, len(raw.Clients), MaxClients)
	}
	if len(raw.Users) > MaxUsers {
		return FileConfig{}, usageError("%s lists %d users; the limit is %d", name, len(raw.Users), MaxUsers)
	}
	cfg := FileConfig{DefaultUser: raw.DefaultUser}
	for i, ti := range raw.TrustedIssuers {
		if ti.Issuer == "" || ti.JWKS == "" {
			return FileConfig{}, usageError("%s: trusted issuer %d needs both issuer and jwks", name, i+1)
		}
		cfg.TrustedIssuers = append(cfg.TrustedIssuers, TrustedIssuerSpec{Issuer: ti.Issuer, JWKS: ti.JWKS})
	}
	for _, u := range raw.Users {
		cfg.Users = append(cfg.Users, User{Subject: u.Sub, Claims: u.Claims})
	}
	if _, err := checkUsers(cfg.Users); err != nil {
		return FileConfig{}, usageError("%s: %v", name, err)
	}
	for i, c := range raw.Clients {
		if err := checkClientID(c.ID); err != nil {
			return FileConfig{}, usageError("%s: client %d: %v", name, i+1, err)
		}
		spec := ClientSpec{ID: c.ID, Secret: c.Secret, JWKS: c.JWKS, RedirectURIs: c.RedirectURIs,
			PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, AllowPlainPKCE: c.AllowPlainPKCE, RefreshTokens: c.RefreshTokens,
			Claims: c.Claims, Device: c.Device}
		if _, err := checkClientClaims(&Client{ID: c.ID, Claims: c.Claims}); err != nil {
			return FileConfig{}, usageError("%s: %v", name, err)
		}
		for _, list := range [][]string{c.RedirectURIs, c.PostLogoutRedirectURIs} {
			for _, u := range list {
				if err := checkRedirectURI(u); err != nil {
					return FileConfig{}, usageError("%s: client %s: %v", name, c.ID, err)
				}
			}
		}
		if c.Scopes != nil {
			spec.Scopes = []string{}
			for _, sc := range *c.Scopes {
				if !validScopeToken(sc) {
					return FileConfig{}, usageError("%s: client %s: %q is not a valid scope (RFC 6749 §3.3)", name, c.ID, Sanitize(sc, 60))
				}
				if !contains(spec.Scopes, sc) {
					spec.Scopes = append(spec.Scopes, sc)
				}
			}
		}
		if spec.Secret == "" && spec.JWKS == "" && len(spec.RedirectURIs) == 0 && !spec.Device {
			return FileConfig{}, usageError("%s: client %s has neither a secret nor jwks (a public client needs redirect_uris, or \"device\": true for the device flow)", name, c.ID)
		}
		cfg.Clients = append(cfg.Clients, spec)
	}
	return cfg, nil
}

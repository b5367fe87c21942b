package issuer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/tomlerr"
	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// IssuerSection is an [issuer.ID] section of the config file: a named issuer's own clients,
// users and trusted issuers. A list the section gives replaces the top-level one for that
// issuer (an empty list, as in trusted_issuer = [], means none); a list it leaves out is
// inherited from the top level.
type IssuerSection struct {
	// ID is the issuer id (the path segment of its URL).
	ID string
	// Clients, Users, DefaultUser and TrustedIssuers are the section's own; HasClients,
	// HasUsers and HasTrusted say whether the section gave them (an empty list given means
	// none).
	Clients        []ClientSpec
	Users          []User
	DefaultUser    string
	TrustedIssuers []TrustedIssuerSpec
	HasClients     bool
	HasUsers       bool
	HasTrusted     bool
	// Line is the line of the section's header.
	Line int
}

// ConfigWarning is a problem with one entry of a config file: the entry was skipped and the
// others work. Its text names the file, the line and the field.
type ConfigWarning struct {
	Line int
	Text string
}

func (w ConfigWarning) String() string { return w.Text }

// JSONDeprecation is the warning a JSON serve config gets, once per load.
const JSONDeprecation = "JSON serve config is deprecated; write it as TOML ([[client]], [[user]], [[trusted_issuer]] tables with the same field names; see the README's Configuration section)"

// IsJSONConfig reports whether a config file is in the deprecated JSON format: its name ends
// in .json or its first non-space byte is '{'.
func IsJSONConfig(data []byte, name string) bool {
	if strings.HasSuffix(strings.ToLower(name), ".json") {
		return true
	}
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(t) > 0 && t[0] == '{'
}

// LoadConfig reads a serve config file, TOML or (deprecated) JSON. It returns the config,
// warnings for skipped entries and the JSON deprecation (to be printed on stderr), or an error
// for a file that cannot be used at all: not TOML, too large, an unknown top-level key, a
// duplicate client, user or issuer id, a default_user naming no user. name is the file's
// display name, for messages.
func LoadConfig(data []byte, name string) (FileConfig, []ConfigWarning, error) {
	if IsJSONConfig(data, name) {
		cfg, err := ParseConfig(data, name)
		if err != nil {
			return FileConfig{}, nil, err
		}
		return cfg, []ConfigWarning{{Text: name + ": " + JSONDeprecation}}, nil
	}
	return ParseTOMLConfig(data, name)
}

// ParseTOMLConfig reads a TOML serve config file (see the README's Configuration section):
//
//	default_user = "alice"
//	[[client]]            # id, secret, scopes, jwks, redirect_uris, post_logout_redirect_uris,
//	id = "web"            # allow_plain_pkce, refresh_tokens, device, [client.claims],
//	                      # token_endpoint_auth_method (the mutual TLS ones) and one
//	                      # tls_client_auth_subject_dn / _san_dns / _san_uri / _san_ip / _san_email
//	[[user]]              # sub, [user.claims]
//	[[trusted_issuer]]    # issuer, jwks
//	[issuer.tenant-a]     # default_user, [[issuer.tenant-a.client]], [[issuer.tenant-a.user]],
//	                      # [[issuer.tenant-a.trusted_issuer]]
//
// A broken client or user entry becomes a ConfigWarning naming file:line and the field, and is
// skipped; what breaks the file as a whole is an error.
func ParseTOMLConfig(data []byte, name string) (FileConfig, []ConfigWarning, error) {
	if len(data) > MaxConfigSize {
		return FileConfig{}, nil, usageError("%s is larger than 1 MiB", name)
	}
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		d, ok := tomlerr.Describe(data, err)
		switch {
		case !ok:
			return FileConfig{}, nil, usageError("%s: not valid TOML", name)
		case d.Key == "secret":
			// The parser's message may quote part of the value.
			return FileConfig{}, nil, usageError("%s:%d: not valid TOML, in the value of secret (not shown)", name, d.Line)
		}
		return FileConfig{}, nil, usageError("%s:%d: not valid TOML: %s", name, d.Line, Sanitize(d.Message, 200))
	}
	lines := indexLines(data)
	p := &tomlParser{name: name, lines: lines}
	cfg, err := p.file(doc)
	if err != nil {
		return FileConfig{}, nil, err
	}
	return cfg, p.warnings, nil
}

// tomlParser turns the decoded document into a FileConfig, collecting warnings.
type tomlParser struct {
	name     string
	lines    map[string]int
	warnings []ConfigWarning
}

// line is the line of path, or of its closest ancestor the index knows.
func (p *tomlParser) line(path string) int {
	for path != "" {
		if l, ok := p.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// at prefixes a message with file:line of path.
func (p *tomlParser) at(path, format string, args ...any) string {
	if l := p.line(path); l > 0 {
		return fmt.Sprintf("%s:%d: ", p.name, l) + fmt.Sprintf(format, args...)
	}
	return p.name + ": " + fmt.Sprintf(format, args...)
}

func (p *tomlParser) fatal(path, format string, args ...any) error {
	return usageError("%s", p.at(path, format, args...))
}

func (p *tomlParser) warn(path, format string, args ...any) {
	p.warnings = append(p.warnings, ConfigWarning{Line: p.line(path), Text: p.at(path, format, args...)})
}

// file reads the top level.
func (p *tomlParser) file(doc map[string]any) (FileConfig, error) {
	var cfg FileConfig
	for _, k := range sortedKeys(doc) {
		switch k {
		case "client", "user", "trusted_issuer", "default_user", "issuer":
		default:
			return cfg, p.fatal(k, "unknown key %q; the top level has client, user, trusted_issuer, default_user and issuer", Sanitize(k, 60))
		}
	}
	var err error
	if cfg.Clients, _, err = p.clients(doc, ""); err != nil {
		return cfg, err
	}
	if cfg.Users, cfg.DefaultUser, _, err = p.users(doc, ""); err != nil {
		return cfg, err
	}
	if cfg.TrustedIssuers, _, err = p.trusted(doc, ""); err != nil {
		return cfg, err
	}
	if raw, ok := doc["issuer"]; ok {
		sections, isMap := raw.(map[string]any)
		if !isMap {
			return cfg, p.fatal("issuer", "issuer must be tables [issuer.ID]")
		}
		for _, id := range sortedKeys(sections) {
			path := "issuer." + id
			sec, isMap := sections[id].(map[string]any)
			if !isMap {
				return cfg, p.fatal(path, "issuer.%s must be a table [issuer.%s]", Sanitize(id, 60), Sanitize(id, 60))
			}
			if !ValidIssuerID(id) {
				return cfg, p.fatal(path, "issuer id %q: use 1 to 64 letters, digits, - and _, and not an endpoint name such as token", Sanitize(id, 80))
			}
			for _, k := range sortedKeys(sec) {
				if k != "client" && k != "user" && k != "default_user" && k != "trusted_issuer" {
					return cfg, p.fatal(path+"."+k, "issuer %s: unknown key %q; a section has client, user, trusted_issuer and default_user", id, Sanitize(k, 60))
				}
			}
			s := IssuerSection{ID: id, Line: p.line(path)}
			if s.Clients, s.HasClients, err = p.clients(sec, path+"."); err != nil {
				return cfg, err
			}
			if s.Users, s.DefaultUser, s.HasUsers, err = p.users(sec, path+"."); err != nil {
				return cfg, err
			}
			if s.TrustedIssuers, s.HasTrusted, err = p.trusted(sec, path+"."); err != nil {
				return cfg, err
			}
			cfg.Issuers = append(cfg.Issuers, s)
		}
	}
	return cfg, nil
}

// tables returns doc[key] as an array of tables.
func (p *tomlParser) tables(doc map[string]any, key, prefix string) ([]map[string]any, bool, error) {
	raw, ok := doc[key]
	if !ok {
		return nil, false, nil
	}
	list, isList := raw.([]any)
	if !isList {
		return nil, true, p.fatal(prefix+key, "%s must be an array of tables: write [[%s%s]]", key, prefix, key)
	}
	out := make([]map[string]any, 0, len(list))
	for i, e := range list {
		t, isMap := e.(map[string]any)
		if !isMap {
			return nil, true, p.fatal(fmt.Sprintf("%s%s[%d]", prefix, key, i), "%s %d is not a table: write [[%s%s]]", key, i+1, prefix, key)
		}
		out = append(out, t)
	}
	return out, true, nil
}

// trusted reads the [[trusted_issuer]] entries under prefix; a broken entry is a warning.
func (p *tomlParser) trusted(doc map[string]any, prefix string) ([]TrustedIssuerSpec, bool, error) {
	list, has, err := p.tables(doc, "trusted_issuer", prefix)
	if err != nil {
		return nil, has, err
	}
	out := []TrustedIssuerSpec{}
	for i, t := range list {
		path := fmt.Sprintf("%strusted_issuer[%d]", prefix, i)
		var ti TrustedIssuerSpec
		ok := true
		for _, k := range sortedKeys(t) {
			v := t[k]
			switch k {
			case "issuer":
				ti.Issuer, ok = p.str(path+"."+k, "trusted issuer", k, v, ok)
			case "jwks":
				ti.JWKS, ok = p.str(path+"."+k, "trusted issuer", k, v, ok)
			default:
				p.warn(path+"."+k, "trusted issuer %d: unknown field %q (issuer, jwks); skipping it", i+1, Sanitize(k, 60))
				ok = false
			}
		}
		if ok && (ti.Issuer == "" || ti.JWKS == "") {
			p.warn(path, "trusted issuer %d needs both issuer and jwks; skipping it", i+1)
			ok = false
		}
		if ok {
			out = append(out, ti)
		}
	}
	return out, has, nil
}

// clients reads the [[client]] entries under prefix; a broken entry is a warning.
func (p *tomlParser) clients(doc map[string]any, prefix string) ([]ClientSpec, bool, error) {
	list, has, err := p.tables(doc, "client", prefix)
	if err != nil {
		return nil, has, err
	}
	if len(list) > MaxClients {
		return nil, has, p.fatal(prefix+"client", "%d clients; the limit is %d", len(list), MaxClients)
	}
	out := []ClientSpec{}
	seen := map[string]int{}
	for i, t := range list {
		path := fmt.Sprintf("%sclient[%d]", prefix, i)
		spec, ok := p.client(t, path, i)
		if !ok {
			continue
		}
		if first, dup := seen[spec.ID]; dup {
			return nil, has, p.fatal(path, "client %q is registered twice (first at line %d)", spec.ID, first)
		}
		seen[spec.ID] = p.line(path)
		out = append(out, spec)
	}
	return out, has, nil
}

// client reads one client entry; false means it was skipped with a warning.
func (p *tomlParser) client(t map[string]any, path string, i int) (ClientSpec, bool) {
	var spec ClientSpec
	idv, _ := t["id"].(string)
	if err := checkClientID(idv); err != nil {
		p.warn(path+".id", "client %d: id: %v; skipping it", i+1, errText(err))
		return spec, false
	}
	spec.ID = idv
	who := fmt.Sprintf("client %q", idv)
	ok := true
	for _, k := range sortedKeys(t) {
		v, fp := t[k], path+"."+k
		switch k {
		case "id":
		case "secret":
			spec.Secret, ok = p.str(fp, who, k, v, ok)
		case "jwks":
			spec.JWKS, ok = p.str(fp, who, k, v, ok)
		case "scopes":
			var list []string
			if list, ok = p.strs(fp, who, k, v, ok); ok {
				spec.Scopes = []string{}
				for j, sc := range list {
					if !validScopeToken(sc) {
						p.warn(fmt.Sprintf("%s[%d]", fp, j), "%s: scopes[%d]: %q is not a valid scope (RFC 6749 §3.3); skipping this client", who, j, Sanitize(sc, 60))
						ok = false
						break
					}
					if !contains(spec.Scopes, sc) {
						spec.Scopes = append(spec.Scopes, sc)
					}
				}
			}
		case "redirect_uris", "post_logout_redirect_uris":
			var list []string
			if list, ok = p.strs(fp, who, k, v, ok); ok {
				for j, u := range list {
					if err := checkRedirectURI(u); err != nil {
						p.warn(fmt.Sprintf("%s[%d]", fp, j), "%s: %s[%d]: %v; skipping this client", who, k, j, err)
						ok = false
						break
					}
				}
				if k == "redirect_uris" {
					spec.RedirectURIs = list
				} else {
					spec.PostLogoutRedirectURIs = list
				}
			}
		case "allow_plain_pkce":
			spec.AllowPlainPKCE, ok = p.boolean(fp, who, k, v, ok)
		case "refresh_tokens":
			spec.RefreshTokens, ok = p.boolean(fp, who, k, v, ok)
		case "device":
			spec.Device, ok = p.boolean(fp, who, k, v, ok)
		case "token_endpoint_auth_method":
			if spec.AuthMethod, ok = p.str(fp, who, k, v, ok); ok && !IsTLSMethod(spec.AuthMethod) {
				p.warn(fp, "%s: token_endpoint_auth_method %q: serve registers tls_client_auth or self_signed_tls_client_auth here (the other methods follow from secret and jwks); skipping this client", who, Sanitize(spec.AuthMethod, 60))
				ok = false
			}
		case "tls_client_auth_subject_dn", "tls_client_auth_san_dns", "tls_client_auth_san_uri", "tls_client_auth_san_ip", "tls_client_auth_san_email":
			field := strings.TrimPrefix(k, "tls_client_auth_")
			var value string
			if value, ok = p.str(fp, who, k, v, ok); ok {
				if spec.TLSSubject.Field != "" {
					p.warn(fp, "%s: %s and tls_client_auth_%s: register exactly one certificate subject (RFC 8705 §2.1.2); skipping this client", who, k, spec.TLSSubject.Field)
					ok = false
				} else if err := checkTLSSubject(TLSSubject{Field: field, Value: value}); err != nil {
					p.warn(fp, "%s: %s; skipping this client", who, errText(err))
					ok = false
				}
				spec.TLSSubject = TLSSubject{Field: field, Value: value}
			}
		case "claims":
			obj, err := claimsObject(v)
			if err == nil {
				_, err = checkClientClaims(&Client{ID: idv, Claims: obj})
			}
			if err != nil {
				p.warn(fp, "%s: claims: %s; skipping this client", who, strings.TrimPrefix(errText(err), who+": "))
				ok = false
			}
			spec.Claims = obj
		default:
			p.warn(fp, "%s: unknown field %q (id, secret, scopes, jwks, redirect_uris, post_logout_redirect_uris, allow_plain_pkce, refresh_tokens, device, claims, token_endpoint_auth_method, tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip, tls_client_auth_san_email); skipping this client", who, Sanitize(k, 60))
			ok = false
		}
	}
	if ok && !p.tlsClient(&spec, path, who) {
		ok = false
	}
	if ok && spec.Secret == "" && spec.JWKS == "" && len(spec.RedirectURIs) == 0 && !spec.Device && spec.AuthMethod == "" {
		p.warn(path, "%s has neither secret nor jwks (a public client needs redirect_uris, or device = true for the device flow); skipping it", who)
		ok = false
	}
	return spec, ok
}

// users reads the [[user]] entries and default_user under prefix; a broken entry is a warning,
// a duplicate sub or a default_user naming no user an error.
func (p *tomlParser) users(doc map[string]any, prefix string) ([]User, string, bool, error) {
	list, has, err := p.tables(doc, "user", prefix)
	if err != nil {
		return nil, "", has, err
	}
	if len(list) > MaxUsers {
		return nil, "", has, p.fatal(prefix+"user", "%d users; the limit is %d", len(list), MaxUsers)
	}
	out := []User{}
	seen := map[string]bool{}
	for i, t := range list {
		path := fmt.Sprintf("%suser[%d]", prefix, i)
		sub, _ := t["sub"].(string)
		if err := checkSubject(sub); err != nil {
			p.warn(path+".sub", "user %d: sub: %s; skipping it", i+1, errText(err))
			continue
		}
		u := User{Subject: sub}
		ok := true
		for _, k := range sortedKeys(t) {
			switch k {
			case "sub":
			case "claims":
				obj, err := claimsObject(t[k])
				if err == nil {
					_, err = checkUsers([]User{{Subject: sub, Claims: obj}})
				}
				if err != nil {
					p.warn(path+".claims", "user %q: claims: %s; skipping this user", sub, strings.TrimPrefix(errText(err), fmt.Sprintf("user %q: ", sub)))
					ok = false
				}
				u.Claims = obj
			default:
				p.warn(path+"."+k, "user %q: unknown field %q (sub, claims); skipping this user", sub, Sanitize(k, 60))
				ok = false
			}
		}
		if !ok {
			continue
		}
		if seen[sub] {
			return nil, "", has, p.fatal(path, "user %q is listed twice", sub)
		}
		seen[sub] = true
		out = append(out, u)
	}
	def := ""
	if raw, present := doc["default_user"]; present {
		s, isStr := raw.(string)
		if !isStr {
			return nil, "", has, p.fatal(prefix+"default_user", "default_user must be a string")
		}
		if !seen[s] && len(list) > 0 {
			return nil, "", has, p.fatal(prefix+"default_user", "default_user %q is not a configured user", Sanitize(s, 60))
		}
		def = s
	}
	return out, def, has, nil
}

func (p *tomlParser) str(path, who, field string, v any, ok bool) (string, bool) {
	s, isStr := v.(string)
	if !isStr {
		p.warn(path, "%s: %s must be a string; skipping this entry", who, field)
		return "", false
	}
	return s, ok
}

func (p *tomlParser) strs(path, who, field string, v any, ok bool) ([]string, bool) {
	list, isList := v.([]any)
	if !isList {
		p.warn(path, "%s: %s must be an array of strings; skipping this entry", who, field)
		return nil, false
	}
	out := make([]string, 0, len(list))
	for j, e := range list {
		s, isStr := e.(string)
		if !isStr {
			p.warn(fmt.Sprintf("%s[%d]", path, j), "%s: %s[%d] must be a string; skipping this entry", who, field, j)
			return nil, false
		}
		out = append(out, s)
	}
	return out, ok
}

func (p *tomlParser) boolean(path, who, field string, v any, ok bool) (bool, bool) {
	b, isBool := v.(bool)
	if !isBool {
		p.warn(path, "%s: %s must be true or false; skipping this entry", who, field)
		return false, false
	}
	return b, ok
}

// claimsObject turns a TOML table into a claims object (through JSON, so it gets the claims
// package's checks: UTF-8, nesting depth).
func claimsObject(v any) (*claims.Object, error) {
	if _, isMap := v.(map[string]any); !isMap {
		return nil, errors.New("must be a table")
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cannot be a JSON claim set: %v", err)
	}
	return claims.ParseObject(data)
}

// errText is an error's message without the failure wrapping's code.
func errText(err error) string { return err.Error() }

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// indexLines maps each table, array-of-tables element, key and array element of a TOML
// document to its line: "client[1]", "client[1].redirect_uris", "client[1].redirect_uris[0]",
// "issuer.a.client[0].id". It assumes data parsed already (an error stops the index early).
func indexLines(data []byte) map[string]int {
	out := map[string]int{}
	counts := map[string]int{}
	var parser unstable.Parser
	parser.Reset(data)
	table := ""
	lineOf := func(n *unstable.Node) int {
		if n == nil || n.Raw.Length == 0 && n.Raw.Offset == 0 {
			return 0
		}
		return parser.Shape(n.Raw).Start.Line
	}
	// header resolves the parts of a table header, giving each array-of-tables prefix its
	// current element.
	header := func(parts []string, array bool) string {
		path := ""
		for i, part := range parts {
			if path != "" {
				path += "."
			}
			path += part
			if array && i == len(parts)-1 {
				n := counts[path]
				counts[path] = n + 1
				path += "[" + strconv.Itoa(n) + "]"
			} else if n, ok := counts[path]; ok {
				path += "[" + strconv.Itoa(n-1) + "]"
			}
		}
		return path
	}
	for parser.NextExpression() {
		e := parser.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			var parts []string
			it := e.Key()
			first := 0
			for it.Next() {
				n := it.Node()
				if first == 0 {
					first = lineOf(n)
				}
				parts = append(parts, string(n.Data))
			}
			table = header(parts, e.Kind == unstable.ArrayTable)
			if first > 0 {
				out[table] = first
			}
		case unstable.KeyValue:
			value := e.Value()
			var parts []string
			it := e.Key()
			first := 0
			for it.Next() {
				n := it.Node()
				if first == 0 {
					first = lineOf(n)
				}
				parts = append(parts, string(n.Data))
			}
			path := strings.Join(parts, ".")
			if table != "" {
				path = table + "." + path
			}
			out[path] = first
			if value != nil && value.Kind == unstable.Array {
				j := 0
				for c := value.Children(); c.Next(); j++ {
					if l := lineOf(c.Node()); l > 0 {
						out[path+"["+strconv.Itoa(j)+"]"] = l
					}
				}
			}
		}
	}
	return out
}

// tlsClient checks the mutual TLS settings of a client entry (RFC 8705 §2): tls_client_auth
// with exactly one subject field, self_signed_tls_client_auth with jwks and no subject,
// neither with a secret; a subject needs tls_client_auth. False means it warned.
func (p *tomlParser) tlsClient(spec *ClientSpec, path, who string) bool {
	switch {
	case spec.AuthMethod == "" && spec.TLSSubject.Field != "":
		p.warn(path, "%s: tls_client_auth_%s needs token_endpoint_auth_method = \"tls_client_auth\"; skipping this client", who, spec.TLSSubject.Field)
	case spec.AuthMethod != "" && spec.Secret != "":
		p.warn(path, "%s: %s authenticates by the certificate alone; drop the secret; skipping this client", who, spec.AuthMethod)
	case spec.AuthMethod == MethodTLS && spec.TLSSubject.Field == "":
		p.warn(path, "%s: tls_client_auth needs exactly one of tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip, tls_client_auth_san_email; skipping this client", who)
	case spec.AuthMethod == MethodTLS && spec.JWKS != "":
		p.warn(path, "%s: tls_client_auth checks the certificate against --tls-client-ca, not jwks; drop jwks or use self_signed_tls_client_auth; skipping this client", who)
	case spec.AuthMethod == MethodSelfSignedTLS && spec.TLSSubject.Field != "":
		p.warn(path, "%s: self_signed_tls_client_auth matches the certificate in jwks, not a subject; drop tls_client_auth_%s; skipping this client", who, spec.TLSSubject.Field)
	case spec.AuthMethod == MethodSelfSignedTLS && spec.JWKS == "":
		p.warn(path, "%s: self_signed_tls_client_auth needs jwks, the client's certificate (PEM) or public key; skipping this client", who)
	default:
		return true
	}
	return false
}

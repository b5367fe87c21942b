package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/suggest"
	"github.com/jwtkit/jwtkit/internal/timespec"
	"github.com/jwtkit/jwtkit/internal/tomlerr"
)

// Profile is one named set of fetch settings. A zero or nil field is unset: the flag's default
// applies.
type Profile struct {
	// Name is the profile's name: 1 to 64 letters, digits, '.', '_' or '-'.
	Name string
	// TokenURL is the token endpoint (token-url).
	TokenURL string
	// Issuer is the issuer whose discovery document names the token endpoint (issuer).
	Issuer string
	// ClientID is the client_id (client-id).
	ClientID string
	// ClientSecret is the client secret in the key grammar (client-secret): env:NAME, @FILE
	// (made absolute), or a literal value (listed in LiteralSecrets).
	ClientSecret string
	// AuthMethod is client_secret_basic, client_secret_post or private_key_jwt (auth-method).
	AuthMethod string
	// AssertionKey is the private_key_jwt signing key in the key grammar (assertion-key); a
	// path is made absolute.
	AssertionKey string
	// AssertionKid, AssertionAlg and AssertionAud shape the client assertion (assertion-kid,
	// assertion-alg, assertion-aud: token-endpoint, issuer or a URL).
	AssertionKid, AssertionAlg, AssertionAud string
	// Passphrase decrypts an encrypted PEM assertion key, in the secret grammar (passphrase).
	Passphrase string
	// Scopes are the scopes to request (scope: a string or an array of strings).
	Scopes []string
	// Audience is Auth0's audience parameter (audience).
	Audience string
	// Resources are RFC 8707 resource indicators (resource: a string or an array).
	Resources []string
	// Params are extra form parameters (param: a table of strings or arrays of strings).
	Params map[string][]string
	// Retries is the number of retries after a connection error, 429 or 5xx (retries).
	Retries *int
	// Timeout is the per-request deadline (timeout, a duration such as "10s").
	Timeout time.Duration
	// Insecure allows plain http to any host and unverified TLS (insecure).
	Insecure *bool
	// Grant is the grant type (grant): client_credentials, authorization_code, device_code or
	// refresh_token.
	Grant string
	// RedirectURI is the loopback redirect URI of the authorization code grant (redirect-uri).
	RedirectURI string
	// AuthParams are extra authorization request parameters (auth-param: a table, as param).
	AuthParams map[string][]string
	// KeepRefresh keeps refresh tokens in the cache (keep-refresh).
	KeepRefresh *bool
	// NoBrowser prints the sign-in URL instead of opening a browser (no-browser).
	NoBrowser *bool
	// LoginTimeout bounds the wait for the user to sign in (login-timeout).
	LoginTimeout time.Duration
	// MinTTL is the shortest token lifetime wanted; less gets a warning (min-ttl).
	MinTTL time.Duration
	// DPoPKey is the DPoP proof key in the key grammar (dpop-key); a path is made absolute.
	DPoPKey string
	// DPoPKeyPassphrase decrypts an encrypted PEM DPoP key, in the secret grammar
	// (dpop-key-passphrase); the assertion key's passphrase is its own.
	DPoPKeyPassphrase string
	// GrantProfile holds the token exchange, jwt-bearer and mutual TLS settings.
	GrantProfile
	// LiteralSecrets names the keys that hold a secret's value itself rather than a reference
	// (client-secret, passphrase, or assertion-key with inline b64:/b64url:/hex: key bytes).
	LiteralSecrets []string
}

// MaxRetries bounds the retries key.
const MaxRetries = 10

// profileKeys are the keys a profile may have, in the order they are documented.
var profileKeys = []string{"token-url", "issuer", "client-id", "client-secret", "auth-method",
	"assertion-key", "assertion-kid", "assertion-alg", "assertion-aud", "passphrase",
	"scope", "audience", "resource", "param", "retries", "timeout", "insecure",
	"grant", "redirect-uri", "auth-param", "keep-refresh", "no-browser", "login-timeout", "min-ttl", "dpop-key",
	"dpop-key-passphrase",
	"subject-token", "subject-token-type", "actor-token", "actor-token-type",
	"requested-token-type", "assertion", "assertion-sub", "assertion-iss", "client-cert", "client-key"}

// Grants are the values grant accepts.
var Grants = []string{"client_credentials", "authorization_code", "device_code", "refresh_token", "token-exchange", "jwt-bearer",
	"urn:ietf:params:oauth:grant-type:token-exchange", "urn:ietf:params:oauth:grant-type:jwt-bearer"}

// Keys returns the keys a profile may set, in documentation order.
func Keys() []string { return slices.Clone(profileKeys) }

// AuthMethods are the values auth-method accepts.
var authMethods = []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
	"tls_client_auth", "self_signed_tls_client_auth", "none"}

// isSecretKey reports whether key's value is a secret, which never appears in a message. A
// switch, not a map: a map literal is package initialisation every run pays for (see
// failure.Sentinel).
func isSecretKey(key string) bool {
	switch key {
	case "client-secret", "passphrase", "assertion-key", "dpop-key", "dpop-key-passphrase",
		"subject-token", "actor-token", "assertion", "client-key":
		return true
	}
	return false
}

// maxValueLen bounds a string value; maxListLen a list.
const (
	maxValueLen = 8 << 10
	maxListLen  = 100
)

func parse(data []byte, source, dir string, opts Options) (*File, error) {
	if len(data) > MaxSize {
		return nil, failure.Usagef(Code, "config file %s is larger than %d bytes", source, MaxSize)
	}
	if !utf8.Valid(data) {
		return nil, failure.Usagef(Code, "config file %s is not UTF-8 text", source)
	}
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		return nil, failure.Usagef(Code, "config file %s: %s", source, describeParseError(data, err))
	}
	f := &File{Path: source}
	fail := func(format string, args ...any) error {
		return failure.Usagef(Code, "config file %s: %s", source, fmt.Sprintf(format, args...))
	}
	for _, key := range sortedKeys(raw) {
		switch key {
		case "default-profile", "profile":
		default:
			return nil, fail("unknown key %s%s; the file has default-profile and [profile.NAME] tables",
				quote(key), keyHint(key, []string{"default-profile", "profile"}))
		}
	}
	if v, ok := raw["profile"]; ok {
		table, ok := v.(map[string]any)
		if !ok {
			return nil, fail("profile must be a table of profiles, as in [profile.staging]")
		}
		if len(table) > MaxProfiles {
			return nil, fail("%d profiles; the limit is %d", len(table), MaxProfiles)
		}
		for _, name := range profileOrder(data, table) {
			if !validName(name) {
				return nil, fail("profile name %s: use 1 to 64 letters, digits, '.', '_' or '-'", quote(name))
			}
			body, ok := table[name].(map[string]any)
			if !ok {
				f.Broken = append(f.Broken, BrokenProfile{Name: name, Err: fail("profile %s must be a table, as in [profile.%s]", quote(name), name)})
				continue
			}
			p, err := parseProfile(name, body, dir, opts)
			if err != nil {
				// A typo in one profile must not stop the others from working.
				f.Broken = append(f.Broken, BrokenProfile{Name: name, Err: fail("profile %s: %v", quote(name), err)})
				continue
			}
			f.Profiles = append(f.Profiles, p)
		}
	}
	if v, ok := raw["default-profile"]; ok {
		name, ok := v.(string)
		if !ok {
			return nil, fail("default-profile must be a string naming a profile")
		}
		if !slices.Contains(f.Names(), name) && !slices.ContainsFunc(f.Broken, func(b BrokenProfile) bool { return b.Name == name }) {
			return nil, fail("default-profile names %s, but there is no [profile.%s]", quote(name), sanitizeName(name))
		}
		f.DefaultProfile = name
	} else if len(f.Profiles)+len(f.Broken) == 1 && len(f.Profiles) == 1 {
		// A file with a single profile needs no default-profile to say which one is meant.
		f.DefaultProfile = f.Profiles[0].Name
	}
	return f, nil
}

// profileOrder returns the names of the profile table in the order the file defines them:
// by the first [profile.NAME] header, or profile.NAME.key / NAME.key under [profile], that
// names each. data has parsed already.
func profileOrder(data []byte, table map[string]any) []string {
	var names []string
	seen := map[string]bool{}
	note := func(path []string) {
		if len(path) >= 2 && path[0] == "profile" && !seen[path[1]] {
			if _, ok := table[path[1]]; ok {
				seen[path[1]] = true
				names = append(names, path[1])
			}
		}
	}
	var p unstable.Parser
	p.Reset(data)
	var current []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			current = keyParts(e.Key())
			note(current)
		case unstable.KeyValue:
			path := append(slices.Clip(current), keyParts(e.Key())...)
			note(path)
			if v := e.Value(); len(path) == 1 && path[0] == "profile" && v != nil && v.Kind == unstable.InlineTable {
				// profile = { a = {...}, b = {...} }
				for c := v.Children(); c.Next(); {
					note(append([]string{"profile"}, keyParts(c.Node().Key())...))
				}
			}
		}
	}
	// A name the walk did not see (not expected) still counts, after the others.
	for _, name := range sortedKeys(table) {
		if !seen[name] {
			names = append(names, name)
		}
	}
	return names
}

// keyParts returns the parts of a TOML key, unquoted.
func keyParts(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func parseProfile(name string, body map[string]any, dir string, opts Options) (*Profile, error) {
	p := &Profile{Name: name}
	for _, key := range sortedKeys(body) {
		if err := p.set(key, body[key], dir, opts); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// set assigns one key of a profile.
func (p *Profile) set(key string, v any, dir string, opts Options) error {
	str := func(dst *string) error {
		s, err := stringValue(key, v)
		if err != nil {
			return err
		}
		*dst = s
		return nil
	}
	switch key {
	case "token-url":
		return str(&p.TokenURL)
	case "issuer":
		return str(&p.Issuer)
	case "client-id":
		return str(&p.ClientID)
	case "audience":
		return str(&p.Audience)
	case "assertion-kid":
		return str(&p.AssertionKid)
	case "assertion-alg":
		return str(&p.AssertionAlg)
	case "assertion-aud":
		if err := str(&p.AssertionAud); err != nil {
			return err
		}
		if p.AssertionAud != "token-endpoint" && p.AssertionAud != "issuer" &&
			!strings.HasPrefix(p.AssertionAud, "https://") && !strings.HasPrefix(p.AssertionAud, "http://") {
			return fmt.Errorf("assertion-aud %q: use token-endpoint, issuer or a URL", p.AssertionAud)
		}
		return nil
	case "auth-method":
		if err := str(&p.AuthMethod); err != nil {
			return err
		}
		if !slices.Contains(authMethods, p.AuthMethod) {
			return fmt.Errorf("auth-method %q: use %s", p.AuthMethod, strings.Join(authMethods, ", "))
		}
		return nil
	case "client-secret":
		return p.setRef(&p.ClientSecret, key, v, resolveSecretRef, dir, opts)
	case "passphrase":
		return p.setRef(&p.Passphrase, key, v, resolveSecretRef, dir, opts)
	case "assertion-key":
		return p.setRef(&p.AssertionKey, key, v, resolveKeyRef, dir, opts)
	case "scope":
		list, err := listValue(key, v)
		p.Scopes = list
		return err
	case "resource":
		list, err := listValue(key, v)
		p.Resources = list
		return err
	case "param":
		params, err := paramsValue("param", v)
		p.Params = params
		return err
	case "auth-param":
		params, err := paramsValue("auth-param", v)
		p.AuthParams = params
		return err
	case "grant":
		if err := str(&p.Grant); err != nil {
			return err
		}
		if !slices.Contains(Grants, p.Grant) {
			return fmt.Errorf("grant %q: use %s%s", p.Grant, strings.Join(Grants, ", "), suggest.Hint(p.Grant, Grants))
		}
		return nil
	case "redirect-uri":
		return str(&p.RedirectURI)
	case "keep-refresh", "no-browser":
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("%s must be true or false", key)
		}
		if key == "keep-refresh" {
			p.KeepRefresh = &b
		} else {
			p.NoBrowser = &b
		}
		return nil
	case "login-timeout", "min-ttl":
		s, err := stringValue(key, v)
		if err != nil {
			return err
		}
		d, err := timespec.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%s: %v", key, err)
		}
		if d <= 0 {
			return fmt.Errorf("%s must be longer than 0s", key)
		}
		if key == "login-timeout" {
			p.LoginTimeout = d
		} else {
			p.MinTTL = d
		}
		return nil
	case "dpop-key":
		return p.setRef(&p.DPoPKey, key, v, resolveKeyRef, dir, opts)
	case "dpop-key-passphrase":
		return p.setRef(&p.DPoPKeyPassphrase, key, v, resolveSecretRef, dir, opts)
	case "retries":
		n, ok := v.(int64)
		if !ok || n < 0 || n > MaxRetries {
			return fmt.Errorf("retries must be a whole number from 0 to %d", MaxRetries)
		}
		r := int(n)
		p.Retries = &r
		return nil
	case "timeout":
		s, err := stringValue(key, v)
		if err != nil {
			return err
		}
		d, err := timespec.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("timeout: %v", err)
		}
		if d <= 0 {
			return errors.New("timeout must be longer than 0s")
		}
		p.Timeout = d
		return nil
	case "insecure":
		b, ok := v.(bool)
		if !ok {
			return errors.New("insecure must be true or false")
		}
		p.Insecure = &b
		return nil
	}
	if handled, err := p.setGrantKey(key, v, dir, opts); handled {
		return err
	}
	return fmt.Errorf("unknown key %s%s", quote(key), keyHint(key, profileKeys))
}

func paramsValue(key string, v any) (map[string][]string, error) {
	table, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf(`%s must be a table, as in %s = { organization = "org_123" }`, key, key)
	}
	if len(table) > maxListLen {
		return nil, fmt.Errorf("%s has %d entries; the limit is %d", key, len(table), maxListLen)
	}
	params := map[string][]string{}
	for _, k := range sortedKeys(table) {
		if k == "" || !printable(k) || len(k) > 200 {
			return nil, fmt.Errorf("%s name %s: use printable ASCII", key, quote(k))
		}
		list, err := listValue(key+" "+k, table[k])
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("%s %s is empty", key, k)
		}
		params[k] = list
	}
	return params, nil
}

// stringValue reads a non-empty string of printable characters (no control characters).
func stringValue(key string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string", key)
	}
	switch {
	case s == "":
		return "", fmt.Errorf("%s is empty; remove the key to leave it unset", key)
	case len(s) > maxValueLen:
		return "", fmt.Errorf("%s is longer than %d bytes", key, maxValueLen)
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", fmt.Errorf("%s contains a control character", key)
	}
	return s, nil
}

// secretValue reads a secret's string without ever quoting it.
func secretValue(key string, v any) (string, error) {
	s, ok := v.(string)
	switch {
	case !ok:
		return "", fmt.Errorf("%s must be a string (env:NAME, @FILE or the value)", key)
	case s == "":
		return "", fmt.Errorf("%s is empty; remove the key to leave it unset", key)
	case len(s) > maxValueLen:
		return "", fmt.Errorf("%s is longer than %d bytes", key, maxValueLen)
	}
	return s, nil
}

// listValue reads a string or an array of strings. Each string is kept as it is (scopes are
// split later, like the flag's values).
func listValue(key string, v any) ([]string, error) {
	var items []any
	switch t := v.(type) {
	case string:
		items = []any{t}
	case []any:
		items = t
	default:
		return nil, fmt.Errorf("%s must be a string or an array of strings", key)
	}
	if len(items) > maxListLen {
		return nil, fmt.Errorf("%s has %d values; the limit is %d", key, len(items), maxListLen)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, fmt.Errorf("%s must be a string or an array of strings", key)
		}
		s, err := stringValue(key, s)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// setRef reads key's value v in the secret grammar into dst, resolved by resolve against dir
// and the home directory, and records key in LiteralSecrets when the value is a literal rather
// than a reference (env:, @file, a key file path).
func (p *Profile) setRef(dst *string, key string, v any, resolve func(s, dir, home string) (string, bool), dir string, opts Options) error {
	s, err := secretValue(key, v)
	if err != nil {
		return err
	}
	s, literal := resolve(s, dir, opts.Home)
	if literal {
		p.LiteralSecrets = append(p.LiteralSecrets, key)
	}
	*dst = s
	return nil
}

// resolveSecretRef makes an @FILE reference absolute and says whether the value is a literal
// secret (anything but env:NAME, @FILE and -).
func resolveSecretRef(s, dir, home string) (string, bool) {
	switch {
	case strings.HasPrefix(s, "env:"), s == "-":
		return s, false
	case strings.HasPrefix(s, "@"):
		return "@" + resolvePath(s[1:], dir, home), false
	}
	return s, true
}

// resolveKeyRef makes a key path (bare or @FILE) absolute and says whether the value holds key
// bytes inline (b64:, b64url:, hex:).
func resolveKeyRef(s, dir, home string) (string, bool) {
	switch {
	case strings.HasPrefix(s, "env:"), s == "-":
		return s, false
	case strings.HasPrefix(s, "b64:"), strings.HasPrefix(s, "b64url:"), strings.HasPrefix(s, "hex:"):
		return s, true
	case strings.HasPrefix(s, "@"):
		return "@" + resolvePath(s[1:], dir, home), false
	}
	return resolvePath(s, dir, home), false
}

func resolvePath(p, dir, home string) string {
	switch {
	case home != "" && (p == "~" || strings.HasPrefix(p, "~/")):
		return filepath.Join(home, p[1:])
	case filepath.IsAbs(p) || dir == "":
		return p
	}
	return filepath.Join(dir, p)
}

func printable(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7e })
}

// keyHint returns "; did you mean X?" for a key that differs from a known one only by '_' for
// '-', by case, or by one edit.
func keyHint(key string, known []string) string {
	norm := strings.ToLower(strings.ReplaceAll(key, "_", "-"))
	for _, k := range known {
		if norm == k || suggest.Distance(norm, k) <= 1 || norm+"s" == k || norm == k+"s" {
			return "; did you mean " + k + "?"
		}
	}
	return ""
}

// describeParseError turns a TOML syntax error into one line with its position. When the error
// is in the value of a secret key, the parser's message (which may quote part of the value) is
// left out.
func describeParseError(data []byte, err error) string {
	d, ok := tomlerr.Describe(data, err)
	if !ok {
		return "not valid TOML"
	}
	where := fmt.Sprintf("line %d", d.Line)
	if d.Column > 0 {
		where += fmt.Sprintf(", column %d", d.Column)
	}
	if isSecretKey(d.Key) {
		return fmt.Sprintf("invalid TOML at %s, in the value of %s (not shown)", where, d.Key)
	}
	return fmt.Sprintf("invalid TOML at %s: %s", where, sanitizeMessage(d.Message))
}

// sanitizeMessage keeps a parser message to one printable line of at most 160 bytes.
func sanitizeMessage(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 160 {
			b.WriteString("...")
			break
		}
		switch {
		case r == '\n' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r >= 0x7f:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

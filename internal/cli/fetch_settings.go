package cli

import (
	"errors"
	"io/fs"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jwtkit/jwtkit/internal/config"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/oauth"
	"github.com/jwtkit/jwtkit/internal/scopes"
	"github.com/jwtkit/jwtkit/internal/suggest"
	"github.com/jwtkit/jwtkit/internal/timespec"
)

// fetchSettings are fetch's inputs once the profile and the flags are merged: flags win, then
// the profile, then the defaults (and JWTKIT_CLIENT_SECRET for the secret).
type fetchSettings struct {
	profile, configPath string

	tokenURL, issuer                   string
	clientID, secretSpec, secretSource string
	authMethod                         string
	assertionKey, assertionKid         string
	assertionAlg, assertionAud         string
	passphrase                         string
	scopes, resources                  []string
	audience                           string
	params                             url.Values
	retries                            int
	timeout                            time.Duration
	insecure                           bool

	// grant is the oauth grant type (oauth.Grant*).
	grant        string
	redirectURI  string
	authParams   url.Values
	noBrowser    bool
	loginTimeout time.Duration
	keepRefresh  bool
	// refreshSpec is --refresh-token in the secret grammar; "" means the kept one, if any.
	refreshSpec string
	minTTL      time.Duration
	dpopKey     string
	// dpopPassphrase opens an encrypted DPoP key (secret grammar); dpopPassphraseSource names
	// where it came from, for messages.
	dpopPassphrase, dpopPassphraseSource string
	// clientCert, clientKey (mutual TLS) and caCert are in the key grammar (fetch_mtls.go).
	clientCert, clientKey, caCert string
	// exchange holds token exchange's settings (fetch_exchange.go).
	exchange exchangeSettings
	// bearer holds the jwt-bearer grant's settings (fetch_jwtbearer.go).
	bearer bearerSettings
}

// grantType returns the grant type a --grant value names; the device, exchange and jwt-bearer
// grants also go by their URNs. (A switch, not a map: package initialisation is paid by every
// run; see failure.Sentinel.)
func grantType(name string) (string, bool) {
	switch name {
	case "client_credentials":
		return oauth.GrantClientCredentials, true
	case "authorization_code":
		return oauth.GrantAuthorizationCode, true
	case "device_code", oauth.GrantDeviceCode:
		return oauth.GrantDeviceCode, true
	case "refresh_token":
		return oauth.GrantRefreshToken, true
	case "token-exchange", oauth.GrantTokenExchange:
		return oauth.GrantTokenExchange, true
	case "jwt-bearer", oauth.GrantJWTBearer:
		return oauth.GrantJWTBearer, true
	}
	return "", false
}

// grantName is the grant as --grant names it.
func (s *fetchSettings) grantName() string {
	switch s.grant {
	case oauth.GrantDeviceCode:
		return "device_code"
	case oauth.GrantTokenExchange:
		return "token-exchange"
	case oauth.GrantJWTBearer:
		return "jwt-bearer"
	}
	return s.grant
}

// isLogin reports whether the grant gets a user's token.
func (s *fetchSettings) isLogin() bool { return oauth.GrantFamily(s.grant) == "login" }

// maxFetchRetries bounds --retries.
const maxFetchRetries = config.MaxRetries

// configPath is where the config file is: --config, else JWTKIT_CONFIG, else config.toml in
// the user config directory.
func configPath(g *Global, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if env := g.deps.Getenv("JWTKIT_CONFIG"); env != "" {
		return env, nil
	}
	dir, err := g.deps.ConfigDir()
	if err != nil {
		return "", failure.Usagef(config.Code, "no user config directory (%v); pass --config FILE or set JWTKIT_CONFIG", err)
	}
	return config.Path(dir), nil
}

// homeDir is the user's home directory for "~/" in config paths; "" when unknown.
func homeDir(g *Global) string {
	if h := g.deps.Getenv("HOME"); h != "" {
		return h
	}
	return g.deps.Getenv("USERPROFILE")
}

// loadConfig reads the config file. A missing file is (nil, nil) unless required.
func loadConfig(g *Global, path string, required bool) (*config.File, error) {
	f, warnings, err := config.Load(path, config.Options{Home: homeDir(g)})
	if errors.Is(err, fs.ErrNotExist) && !required {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		g.Warnf("%s", w)
	}
	return f, nil
}

// selectProfile loads the config file and picks the profile: --profile, else JWTKIT_PROFILE,
// else the file's default-profile. It returns nil when no profile applies.
func selectProfile(g *Global, opts *FetchOptions) (*config.Profile, string, error) {
	path, err := configPath(g, opts.ConfigFile)
	if err != nil {
		return nil, "", err
	}
	name, how := opts.Profile, "--profile"
	if name == "" {
		name, how = g.deps.Getenv("JWTKIT_PROFILE"), "JWTKIT_PROFILE"
	}
	f, err := loadConfig(g, path, name != "" || opts.ConfigFile != "")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, path, failure.Usagef(config.Code, "%s %s: %v; create it with the profile (see 'jwtkit config --help')",
				how, quoteName(name), err)
		}
		return nil, path, err
	}
	if f == nil {
		return nil, path, nil
	}
	if name == "" {
		name = f.DefaultProfile
	}
	if name == "" {
		return nil, path, nil
	}
	p, err := f.Profile(name)
	if err != nil {
		return nil, path, err
	}
	return p, path, nil
}

// quoteName shows a profile name the user typed.
func quoteName(name string) string {
	return `"` + strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f || r == '"' {
			return '?'
		}
		return r
	}, name) + `"`
}

// resolveFetchSettings merges the profile and the flags.
func resolveFetchSettings(g *Global, opts *FetchOptions) (*fetchSettings, error) {
	p, path, err := selectProfile(g, opts)
	if err != nil {
		return nil, err
	}
	if p == nil {
		p = &config.Profile{}
	}
	changed := opts.changed
	if changed == nil {
		changed = func(string) bool { return false }
	}
	pick := func(flag, flagValue, profileValue string) string {
		if changed(flag) {
			return flagValue
		}
		if profileValue != "" {
			return profileValue
		}
		return flagValue
	}
	s := &fetchSettings{profile: p.Name, configPath: path}

	// The endpoint is one setting: naming either on the command line replaces the profile's.
	if changed("token-url") || changed("issuer") {
		s.tokenURL, s.issuer = opts.TokenURL, opts.Issuer
	} else {
		s.tokenURL, s.issuer = p.TokenURL, p.Issuer
	}
	s.clientID = pick("client-id", opts.ClientID, p.ClientID)
	s.authMethod = pick("auth-method", opts.AuthMethod, p.AuthMethod)
	s.assertionKey = pick("assertion-key", opts.AssertionKey, p.AssertionKey)
	s.assertionKid = pick("assertion-kid", opts.AssertionKid, p.AssertionKid)
	s.assertionAlg = pick("assertion-alg", opts.AssertionAlg, p.AssertionAlg)
	s.assertionAud = pick("assertion-aud", opts.AssertionAud, p.AssertionAud)
	s.passphrase = pick("passphrase", opts.Passphrase, p.Passphrase)
	s.audience = pick("audience", opts.Audience, p.Audience)

	s.secretSpec, s.secretSource = g.secretSetting(changed, "client-secret", opts.ClientSecret, p.ClientSecret, p.Name, "JWTKIT_CLIENT_SECRET")
	if s.passphrase == "" {
		s.passphrase = g.deps.Getenv("JWTKIT_PASSPHRASE")
	}

	if changed("scope") {
		s.scopes = scopes.Split(opts.Scopes)
	} else {
		s.scopes = scopes.Split(p.Scopes)
	}
	if changed("resource") {
		s.resources = slices.Clone(opts.Resources)
	} else {
		s.resources = slices.Clone(p.Resources)
	}
	s.params = url.Values{}
	for k, vs := range p.Params {
		s.params[k] = slices.Clone(vs)
	}
	fromFlags := url.Values{}
	for _, kv := range opts.Params {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, failure.Usagef("usage", "--param %q: use name=value", safeFlagText(kv))
		}
		fromFlags.Add(k, v)
	}
	for k, vs := range fromFlags {
		s.params[k] = vs // a --param name replaces the profile's values of that name
	}

	s.retries = opts.Retries
	if !changed("retries") && p.Retries != nil {
		s.retries = *p.Retries
	}
	if s.retries < 0 || s.retries > maxFetchRetries {
		return nil, failure.Usagef("usage", "--retries %d: use 0 to %d", s.retries, maxFetchRetries)
	}
	s.timeout = p.Timeout
	if changed("timeout") || s.timeout == 0 {
		d, err := timespec.ParseDuration(opts.Timeout)
		if err != nil {
			return nil, failure.Usagef("usage", "--timeout: %w", err)
		}
		if d <= 0 {
			return nil, failure.Usagef("usage", "--timeout must be longer than 0s")
		}
		s.timeout = d
	}
	s.insecure = opts.Insecure
	if !changed("insecure") && p.Insecure != nil {
		s.insecure = *p.Insecure
	}
	if err := resolveLoginSettings(s, p, opts, changed); err != nil {
		return nil, err
	}
	s.dpopPassphrase, s.dpopPassphraseSource = g.secretSetting(changed, "dpop-key-passphrase", opts.DPoPKeyPassphrase, p.DPoPKeyPassphrase, p.Name, "JWTKIT_DPOP_KEY_PASSPHRASE")
	if s.dpopPassphrase != "" && s.dpopKey == "" && s.dpopPassphraseSource == "--dpop-key-passphrase" {
		return nil, failure.Usagef("usage", "--dpop-key-passphrase opens the --dpop-key, but there is none; pass --dpop-key FILE or drop it")
	}
	if err := resolveExchangeSettings(s, p, &opts.ExchangeOptions, changed); err != nil {
		return nil, err
	}
	if err := resolveBearerSettings(s, p, &opts.ExchangeOptions, changed); err != nil {
		return nil, err
	}
	if s.authMethod == "" && s.assertionKey != "" {
		// A signing key and no method: the key is there for private_key_jwt.
		s.authMethod = "private_key_jwt"
	}
	return s, nil
}

// resolveLoginSettings merges the settings of the login grants, the refresh token and DPoP.
func resolveLoginSettings(s *fetchSettings, p *config.Profile, opts *FetchOptions, changed func(string) bool) error {
	pick := func(flag, flagValue, profileValue string) string {
		if !changed(flag) && profileValue != "" {
			return profileValue
		}
		return flagValue
	}
	pickBool := func(flag string, flagValue bool, profileValue *bool) bool {
		if !changed(flag) && profileValue != nil {
			return *profileValue
		}
		return flagValue
	}
	pickDuration := func(flag, flagValue string, profileValue time.Duration) (time.Duration, error) {
		if !changed(flag) && profileValue > 0 {
			return profileValue, nil
		}
		if flagValue == "" {
			return 0, nil
		}
		d, err := timespec.ParseDuration(flagValue)
		if err != nil {
			return 0, failure.Usagef("usage", "--%s: %w", flag, err)
		}
		if d <= 0 {
			return 0, failure.Usagef("usage", "--%s must be longer than 0s", flag)
		}
		return d, nil
	}
	name := pick("grant", opts.Grant, p.Grant)
	if name == "" {
		name = "client_credentials"
	}
	grant, ok := grantType(name)
	if !ok {
		names := []string{"client_credentials", "authorization_code", "device_code", "refresh_token", "token-exchange", "jwt-bearer"}
		return failure.Usagef("usage", "unknown --grant %q: use %s%s", safeFlagText(name), strings.Join(names, ", "), suggest.Hint(name, names))
	}
	s.grant = grant
	s.redirectURI = pick("redirect-uri", opts.RedirectURI, p.RedirectURI)
	s.noBrowser = pickBool("no-browser", opts.NoBrowser, p.NoBrowser)
	s.keepRefresh = pickBool("keep-refresh", opts.KeepRefresh, p.KeepRefresh)
	s.refreshSpec = opts.RefreshToken
	s.dpopKey = pick("dpop-key", opts.DPoPKey, p.DPoPKey)
	s.clientCert = pick("client-cert", opts.ClientCert, p.ClientCert)
	s.clientKey = pick("client-key", opts.ClientKey, p.ClientKey)
	s.caCert = opts.CACert
	var err error
	if s.loginTimeout, err = pickDuration("login-timeout", opts.LoginTimeout, p.LoginTimeout); err != nil {
		return err
	}
	if s.minTTL, err = pickDuration("min-ttl", opts.MinTTL, p.MinTTL); err != nil {
		return err
	}
	s.authParams = url.Values{}
	for k, vs := range p.AuthParams {
		s.authParams[k] = slices.Clone(vs)
	}
	fromFlags := url.Values{}
	for _, kv := range opts.AuthParams {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return failure.Usagef("usage", "--auth-param %q: use name=value", safeFlagText(kv))
		}
		fromFlags.Add(k, v)
	}
	for k, vs := range fromFlags {
		s.authParams[k] = vs
	}
	switch {
	case s.redirectURI != "" && s.grant != oauth.GrantAuthorizationCode:
		return failure.Usagef("usage", "--redirect-uri is for --grant authorization_code, not %s", s.grantName())
	case s.refreshSpec != "" && s.grant != oauth.GrantRefreshToken:
		return failure.Usagef("usage", "--refresh-token is for --grant refresh_token, not %s", s.grantName())
	case s.keepRefresh && !s.isLogin():
		return failure.Usagef("usage", "--keep-refresh is for the login grants (authorization_code, device_code, refresh_token); client_credentials gets no refresh token")
	}
	return nil
}

// safeFlagText shows (part of) a flag value in a message: printable ASCII, at most 80 bytes.
func safeFlagText(s string) string {
	out := strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f {
			return '?'
		}
		return r
	}, s)
	if len(out) > 80 {
		out = out[:77] + "..."
	}
	return out
}

// secretSetting picks a secret setting the way fetch picks each one: the flag when it was given
// (the profile key has the flag's name), else the profile's value, else the environment
// variable env. It also says where the value came from, for messages that must not show it.
func (g *Global) secretSetting(changed func(string) bool, flag, flagValue, profileValue, profile, env string) (value, source string) {
	switch {
	case changed(flag):
		return flagValue, "--" + flag
	case profileValue != "":
		return profileValue, flag + " of profile " + quoteName(profile)
	default:
		return g.deps.Getenv(env), "$" + env
	}
}

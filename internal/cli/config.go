package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/config"
	"github.com/jwtkit/jwtkit/internal/failure"
)

// configHelp documents the config file; fetch's help points here.
const configHelp = `jwtkit reads named profiles for 'jwtkit fetch' from a TOML file: config.toml in the user
config directory ('jwtkit config path' prints it), or --config FILE, or $JWTKIT_CONFIG;
--config /dev/null reads none.

  default-profile = "staging"          # used when neither --profile nor $JWTKIT_PROFILE is given

  [profile.staging]
  issuer        = "https://staging.idp.example"
  client-id     = "ci-pipeline"
  client-secret = "env:STAGING_CLIENT_SECRET"   # or "@secret.txt"; never the value itself
  scope         = ["read:users", "write:users"]
  audience      = "https://api.example"

  [profile.local]
  token-url     = "http://127.0.0.1:8080/token"
  client-id     = "svc"
  assertion-key = "keys/svc.key"                # private_key_jwt
  param         = { organization = "org_123" }

A profile's keys are fetch's flag names: ` + "token-url, issuer, client-id, client-secret, auth-method,\n" +
	`assertion-key, assertion-kid, assertion-alg, assertion-aud, passphrase, scope, audience,
resource (a string or an array), param (a table), retries (a number), timeout ("30s") and
insecure (true or false), and for the login flows grant, redirect-uri, auth-param (a table),
keep-refresh and no-browser (true or false), login-timeout and min-ttl ("5m"), dpop-key and dpop-key-passphrase; for
token exchange subject-token, subject-token-type, actor-token, actor-token-type and
requested-token-type; for jwt-bearer assertion, assertion-sub and assertion-iss; for mutual TLS
client-cert and client-key. Flags given on the command line win over the profile; a --param
replaces the profile's parameter of the same name. Relative @FILE and key paths are relative to
the config file; ~/ is the home directory.

Secrets belong in env:NAME or @FILE references. A literal client-secret works, but jwtkit warns
when the file holding it can be read by other users; a config file that other users can write
is refused, since whoever changes it can send your secrets to their own server.`

func newConfigCmd(g *Global) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show where the config file is and the profiles it holds",
		Long:  configHelp + "\n\n" + exitCodesHelp,
		Example: `  $ jwtkit config path
  $ jwtkit config profiles
  $ jwtkit config profiles --json | jq -r .path`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().StringVar(&file, "config", "", "config `FILE` (default $JWTKIT_CONFIG, else config.toml in the user config directory)")

	path := &cobra.Command{
		Use:   "path",
		Short: "Print where the config file is (it need not exist)",
		Long:  "Print the path of the config file jwtkit reads: --config, else $JWTKIT_CONFIG, else config.toml\nin the user config directory. The file need not exist.\n\n" + exitCodesHelp,
		Example: `  $ jwtkit config path
  $ mkdir -p "$(dirname "$(jwtkit config path)")"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := configPath(g, file)
			if err != nil {
				return err
			}
			if g.JSONOutput() {
				return writeJSONValue(g.deps.IO.Out, map[string]string{"path": p}, true)
			}
			_, err = fmt.Fprintln(g.deps.IO.Out, p)
			return err
		},
	}
	profiles := &cobra.Command{
		Use:   "profiles",
		Short: "List the profiles of the config file, one per line",
		Long:  "List the profiles of the config file, one per line, in the file's order; --json adds the path\nand the default profile.\n\n" + exitCodesHelp,
		Example: `  $ jwtkit config profiles
  $ jwtkit config profiles --json | jq -r .default_profile`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfigProfiles(g, file)
		},
	}
	show := &cobra.Command{
		Use:   "show [NAME]",
		Short: "Print a profile's settings as JSON, secrets as their references",
		Long: `Print the settings of profile NAME (default: $JWTKIT_PROFILE, else the file's
default-profile) as JSON, as fetch will use them: paths made absolute, and a literal secret
shown only as "(literal value, not shown)".

` + exitCodesHelp,
		Example: `  $ jwtkit config show staging
  $ jwtkit config show staging | jq -r '.issuer // ."token-url"'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			return runConfigShow(g, file, name)
		},
	}
	cmd.AddCommand(path, profiles, show)
	return cmd
}

func runConfigProfiles(g *Global, file string) error {
	p, err := configPath(g, file)
	if err != nil {
		return err
	}
	f, err := loadConfig(g, p, file != "")
	if err != nil {
		return err
	}
	var names []string
	def := ""
	if f != nil {
		names, def = f.Names(), f.DefaultProfile
	} else {
		g.Infof("no config file at %s", p)
	}
	if g.JSONOutput() {
		return writeJSONValue(g.deps.IO.Out, struct {
			Path           string   `json:"path"`
			DefaultProfile string   `json:"default_profile,omitempty"`
			Profiles       []string `json:"profiles"`
		}{p, def, nonNil(names)}, true)
	}
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n)
		if n == def && g.deps.IO.IsStdoutTTY() {
			b.WriteString(" (default)")
		}
		b.WriteByte('\n')
	}
	_, err = fmt.Fprint(g.deps.IO.Out, b.String())
	return err
}

func runConfigShow(g *Global, file, name string) error {
	p, err := configPath(g, file)
	if err != nil {
		return err
	}
	how := "NAME"
	if name == "" {
		name, how = g.deps.Getenv("JWTKIT_PROFILE"), "JWTKIT_PROFILE"
	}
	f, err := loadConfig(g, p, true)
	if err != nil {
		return err
	}
	if name == "" {
		name, how = f.DefaultProfile, "default-profile"
	}
	if name == "" {
		return failure.Usagef("usage", "no profile named: pass NAME, set JWTKIT_PROFILE, or set default-profile in %s", p)
	}
	prof, err := f.Profile(name)
	if err != nil {
		if how == "JWTKIT_PROFILE" {
			return fmt.Errorf("JWTKIT_PROFILE: %w", err)
		}
		return err
	}
	return writeJSONValue(g.deps.IO.Out, profileJSON(prof, f), true)
}

// profileJSON renders a profile in the file's key order, with literal secrets hidden.
func profileJSON(p *config.Profile, f *config.File) *claims.Object {
	o := claims.NewObject()
	o.Set("profile", p.Name)
	o.Set("file", f.Path)
	if f.DefaultProfile == p.Name {
		o.Set("default", true)
	}
	literal := map[string]bool{}
	for _, k := range p.LiteralSecrets {
		literal[k] = true
	}
	str := func(key, v string) {
		switch {
		case v == "":
		case literal[key]:
			o.Set(key, "(literal value, not shown)")
		default:
			o.Set(key, v)
		}
	}
	str("token-url", p.TokenURL)
	str("issuer", p.Issuer)
	str("client-id", p.ClientID)
	str("client-secret", p.ClientSecret)
	str("auth-method", p.AuthMethod)
	str("assertion-key", p.AssertionKey)
	str("assertion-kid", p.AssertionKid)
	str("assertion-alg", p.AssertionAlg)
	str("assertion-aud", p.AssertionAud)
	str("passphrase", p.Passphrase)
	if len(p.Scopes) > 0 {
		o.Set("scope", p.Scopes)
	}
	str("audience", p.Audience)
	if len(p.Resources) > 0 {
		o.Set("resource", p.Resources)
	}
	if len(p.Params) > 0 {
		o.Set("param", p.Params)
	}
	if p.Retries != nil {
		o.Set("retries", *p.Retries)
	}
	if p.Timeout > 0 {
		o.Set("timeout", p.Timeout.String())
	}
	if p.Insecure != nil {
		o.Set("insecure", *p.Insecure)
	}
	str("grant", p.Grant)
	str("redirect-uri", p.RedirectURI)
	if len(p.AuthParams) > 0 {
		o.Set("auth-param", p.AuthParams)
	}
	if p.KeepRefresh != nil {
		o.Set("keep-refresh", *p.KeepRefresh)
	}
	if p.NoBrowser != nil {
		o.Set("no-browser", *p.NoBrowser)
	}
	if p.LoginTimeout > 0 {
		o.Set("login-timeout", p.LoginTimeout.String())
	}
	if p.MinTTL > 0 {
		o.Set("min-ttl", p.MinTTL.String())
	}
	str("dpop-key", p.DPoPKey)
	str("dpop-key-passphrase", p.DPoPKeyPassphrase)
	for _, kv := range [][2]string{{"subject-token", p.SubjectToken}, {"subject-token-type", p.SubjectTokenType},
		{"actor-token", p.ActorToken}, {"actor-token-type", p.ActorTokenType}, {"requested-token-type", p.RequestedTokenType},
		{"assertion", p.Assertion}, {"assertion-sub", p.AssertionSub}, {"assertion-iss", p.AssertionIss},
		{"client-cert", p.ClientCert}, {"client-key", p.ClientKey}} {
		str(kv[0], kv[1])
	}
	return o
}

package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/spf13/pflag"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// introspectOptions are the flags of verify --introspect.
type introspectOptions struct {
	URL          string
	ClientID     string
	ClientSecret string
}

// addIntrospectFlags registers --introspect, --client-id and --client-secret on verify.
func addIntrospectFlags(f *pflag.FlagSet, o *introspectOptions) {
	f.StringVar(&o.URL, "introspect", "", "after the local checks, ask this RFC 7662 introspection endpoint `URL` and refuse a token it calls inactive (revoked)")
	f.StringVar(&o.ClientID, "client-id", "", "client `ID` that authenticates to --introspect (HTTP Basic)")
	f.StringVar(&o.ClientSecret, "client-secret", "", "its secret: env:NAME, @file, b64:…, hex:… or the value (default $JWTKIT_CLIENT_SECRET)")
}

// introspector asks an introspection endpoint whether tokens are active.
type introspector struct {
	url      string
	clientID string
	secret   []byte
	client   *safehttp.Client
}

// newIntrospector checks the --introspect flags; nil when --introspect is not given.
func newIntrospector(g *Global, o *introspectOptions, client *safehttp.Client, stdinFree bool) (*introspector, error) {
	if o.URL == "" {
		if o.ClientID != "" || o.ClientSecret != "" {
			return nil, failure.Usagef("usage", "--client-id and --client-secret are for --introspect URL")
		}
		return nil, nil
	}
	if _, err := client.CheckURL(o.URL); err != nil {
		return nil, err
	}
	if o.ClientID == "" {
		return nil, failure.Usagef("usage", "--introspect needs --client-id (introspection requires client authentication, RFC 7662 §2.1)")
	}
	spec := envDefault(g, o.ClientSecret, "JWTKIT_CLIENT_SECRET")
	if spec == "" {
		return nil, failure.Usagef("key", "--introspect needs the client secret: pass --client-secret env:NAME or @FILE, or set JWTKIT_CLIENT_SECRET")
	}
	secret, err := resolver(g, stdinFree).Secret(spec)
	if err != nil {
		return nil, failure.Usagef("key", "--client-secret: %v", err)
	}
	return &introspector{url: o.URL, clientID: o.ClientID, secret: secret, client: client}, nil
}

// check asks whether tok is active: nil when it is, an invalid-token error (exit 1) when the
// endpoint says active:false, a remote error (exit 3) when it cannot say.
func (in *introspector) check(ctx context.Context, tok string) error {
	// RFC 6749 §2.3.1: form-urlencode the id and secret before base64.
	basic := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(in.clientID) + ":" + url.QueryEscape(string(in.secret))))
	resp, err := in.client.PostForm(ctx, in.url, url.Values{"token": {tok}, "token_type_hint": {"access_token"}},
		http.Header{"Authorization": {"Basic " + basic}})
	if err != nil {
		return err
	}
	where := safehttp.Sanitize(in.url, 200)
	if resp.Status != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(resp.Body, &e)
		if e.Error != "" {
			return failure.Remotef("introspection_failed", "introspection at %s answered %d %s", where, resp.Status, safehttp.Sanitize(e.Error, 60))
		}
		return failure.Remotef("introspection_failed", "introspection at %s answered %d", where, resp.Status)
	}
	var body struct {
		Active *bool `json:"active"`
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil || body.Active == nil {
		return failure.Remotef("introspection_failed", "introspection at %s did not answer a JSON object with a boolean active (RFC 7662 §2.2)", where)
	}
	if !*body.Active {
		return failure.Invalidf("inactive", "token is not active according to %s (revoked, expired or unknown to it)", where)
	}
	return nil
}

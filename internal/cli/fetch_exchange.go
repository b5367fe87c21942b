package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/jwtkit/jwtkit/internal/config"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/oauth"
)

// ExchangeOptions are the flags of fetch's token exchange grant (RFC 8693).
type ExchangeOptions struct {
	SubjectToken, SubjectTokenType string
	ActorToken, ActorTokenType     string
	RequestedTokenType             string

	// Assertion, AssertionSub and AssertionIss are the jwt-bearer grant's flags.
	Assertion, AssertionSub, AssertionIss string
}

// exchangeSettings are the merged token exchange settings; the token specs are in the key
// grammar and resolved only when the grant runs.
type exchangeSettings struct {
	subjectSpec, subjectType string
	actorSpec, actorType     string
	requestedType            string
}

// addExchangeFlags binds the flags of the token exchange grant.
func addExchangeFlags(f *pflag.FlagSet, opts *ExchangeOptions) {
	f.StringVar(&opts.SubjectToken, "subject-token", "", "token exchange: the subject `TOKEN` as env:NAME, @FILE or - (stdin)")
	f.StringVar(&opts.SubjectTokenType, "subject-token-type", "", "token exchange: type of --subject-token: access_token (default), refresh_token, id_token, jwt, saml1, saml2 or a URI")
	f.StringVar(&opts.ActorToken, "actor-token", "", "token exchange: the actor `TOKEN` (delegation) as env:NAME, @FILE or -")
	f.StringVar(&opts.ActorTokenType, "actor-token-type", "", "token exchange: type of --actor-token (default access_token)")
	f.StringVar(&opts.RequestedTokenType, "requested-token-type", "", "token exchange: the type of token to ask for (default: the server's choice)")
}

// resolveExchangeSettings merges the token exchange flags and profile keys, and refuses them
// with another grant.
func resolveExchangeSettings(s *fetchSettings, p *config.Profile, opts *ExchangeOptions, changed func(string) bool) error {
	pick := func(flag, flagValue, profileValue string) string {
		if !changed(flag) && profileValue != "" {
			return profileValue
		}
		return flagValue
	}
	x := &s.exchange
	x.subjectSpec = pick("subject-token", opts.SubjectToken, p.SubjectToken)
	x.actorSpec = pick("actor-token", opts.ActorToken, p.ActorToken)
	types := []struct {
		flag, value string
		dst         *string
	}{
		{"--subject-token-type", pick("subject-token-type", opts.SubjectTokenType, p.SubjectTokenType), &x.subjectType},
		{"--actor-token-type", pick("actor-token-type", opts.ActorTokenType, p.ActorTokenType), &x.actorType},
		{"--requested-token-type", pick("requested-token-type", opts.RequestedTokenType, p.RequestedTokenType), &x.requestedType},
	}
	for _, t := range types {
		if t.value == "" {
			continue
		}
		uri, err := oauth.TokenType(t.flag, t.value)
		if err != nil {
			return err
		}
		*t.dst = uri
	}
	if s.grant == oauth.GrantTokenExchange {
		return nil
	}
	for _, t := range []struct{ flag, value string }{
		{"--subject-token", x.subjectSpec}, {"--actor-token", x.actorSpec},
		{"--subject-token-type", x.subjectType}, {"--actor-token-type", x.actorType}, {"--requested-token-type", x.requestedType},
	} {
		if t.value != "" {
			return failure.Usagef("usage", "%s is for --grant token-exchange, not %s", t.flag, s.grantName())
		}
	}
	return nil
}

// publicClientAllowed reports whether the grant may be used without client authentication:
// the login grants (RFC 8252 §8.4), token exchange and jwt-bearer (RFC 8693 §2.1 and RFC 7523
// §3.1 leave client authentication to the server).
func (s *fetchSettings) publicClientAllowed() bool {
	return s.isLogin() || s.grant == oauth.GrantTokenExchange || s.grant == oauth.GrantJWTBearer
}

// cacheable reports whether tokens of the grant go into the token cache. A token exchange or
// jwt-bearer token belongs to the token or assertion it was bought with, which the cache key
// does not hold, so it is never cached (a token for one subject must not come back for another).
func (s *fetchSettings) cacheable() bool {
	return s.grant != oauth.GrantTokenExchange && s.grant != oauth.GrantJWTBearer
}

// readTokenFlag reads a token given in the key grammar. A literal value works but is
// visible to ps and shell history, so it gets a warning. The token is registered with the
// redactor, so no echo of it reaches stderr.
func (r *fetchRun) readTokenFlag(flag, spec string) (string, error) {
	if !isSecretReference(spec) {
		r.g.Warnf("%s is given as a literal value, which ps and shell history show; pass env:NAME, @FILE or -", flag)
	}
	raw, err := resolver(r.g, true).Secret(spec)
	if err != nil {
		return "", fmt.Errorf("%s: %w", flag, err)
	}
	warnReadableFile(r.g, spec, false)
	tok := strings.TrimSpace(string(raw))
	if !oauth.IsTokenText(tok) {
		return "", failure.Usagef("usage", "%s is not a token: it is empty or holds spaces, control or non-ASCII characters", flag)
	}
	r.red.add(tok, false)
	return tok, nil
}

// isSecretReference reports whether spec names where a secret is rather than being it.
func isSecretReference(spec string) bool {
	return spec == "-" || strings.HasPrefix(spec, "@") || strings.HasPrefix(spec, "env:")
}

// tokenExchange runs the RFC 8693 token exchange grant.
func (r *fetchRun) tokenExchange(ctx context.Context, req *oauth.Request) (*oauth.Token, error) {
	x := r.s.exchange
	if x.subjectSpec == "" {
		return nil, failure.Usagef("usage", "--grant token-exchange needs --subject-token env:NAME, @FILE or -")
	}
	if x.subjectSpec == "-" && x.actorSpec == "-" {
		return nil, failure.Usagef("usage", "--subject-token and --actor-token cannot both be read from stdin; pass one as env:NAME or @FILE")
	}
	subject, err := r.readTokenFlag("--subject-token", x.subjectSpec)
	if err != nil {
		return nil, err
	}
	te := oauth.TokenExchange{SubjectToken: subject, SubjectTokenType: x.subjectType,
		ActorTokenType: x.actorType, RequestedTokenType: x.requestedType}
	if x.actorSpec != "" {
		if te.ActorToken, err = r.readTokenFlag("--actor-token", x.actorSpec); err != nil {
			return nil, err
		}
	}
	params, err := te.GrantParams()
	if err != nil {
		return nil, err
	}
	rr := *req
	rr.Grant = oauth.GrantTokenExchange
	rr.GrantParams = params
	r.verbosef("exchanging a %s for a %s", oauth.ShortTokenType(params.Get("subject_token_type")), orServerChoice(x.requestedType))
	tok, err := oauth.Exchange(ctx, r.client, rr)
	if err != nil {
		return nil, err
	}
	issued, err := oauth.IssuedTokenType(tok.Raw)
	switch {
	case err != nil:
		return nil, err
	case issued == "":
		r.g.Warnf("the token exchange response has no issued_token_type, which RFC 8693 §2.2.1 requires")
	default:
		r.verbosef("issued token type %s", issued)
		if x.requestedType != "" && issued != x.requestedType {
			r.g.Warnf("asked for a %s token, the server issued a %s", oauth.ShortTokenType(x.requestedType), oauth.ShortTokenType(issued))
		}
	}
	return tok, nil
}

func orServerChoice(typ string) string {
	if typ == "" {
		return "token of the server's choice"
	}
	return oauth.ShortTokenType(typ)
}

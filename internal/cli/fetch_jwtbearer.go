package cli

import (
	"context"
	"strings"

	"github.com/spf13/pflag"

	"github.com/jwtkit/jwtkit/internal/config"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/oauth"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// bearerSettings are the jwt-bearer grant's merged settings (RFC 7523 §2.1): a ready
// assertion in the key grammar, or the key and claims of one jwtkit mints.
type bearerSettings struct {
	assertionSpec string
	key, kid, alg string
	aud, sub, iss string
}

// addBearerFlags binds the jwt-bearer grant's own flags; --assertion-key, --assertion-kid,
// --assertion-alg and --assertion-aud are shared with private_key_jwt.
func addBearerFlags(f *pflag.FlagSet, opts *ExchangeOptions) {
	f.StringVar(&opts.Assertion, "assertion", "", "jwt-bearer: a ready grant assertion `JWT` as env:NAME, @FILE or - (else one is minted with --assertion-key)")
	f.StringVar(&opts.AssertionSub, "assertion-sub", "", "jwt-bearer: sub of the minted assertion, the subject the token is for")
	f.StringVar(&opts.AssertionIss, "assertion-iss", "", "jwt-bearer: iss of the minted assertion (default: the client id)")
}

// resolveBearerSettings merges the jwt-bearer settings. Under --grant jwt-bearer the
// --assertion-* key flags describe the grant's assertion, so they are taken out of the client
// authentication settings (which then use a secret or none).
func resolveBearerSettings(s *fetchSettings, p *config.Profile, opts *ExchangeOptions, changed func(string) bool) error {
	pick := func(flag, flagValue, profileValue string) string {
		if !changed(flag) && profileValue != "" {
			return profileValue
		}
		return flagValue
	}
	b := &s.bearer
	b.assertionSpec = pick("assertion", opts.Assertion, p.Assertion)
	b.sub = pick("assertion-sub", opts.AssertionSub, p.AssertionSub)
	b.iss = pick("assertion-iss", opts.AssertionIss, p.AssertionIss)
	if s.grant != oauth.GrantJWTBearer {
		for _, f := range []struct{ flag, value string }{{"--assertion", b.assertionSpec}, {"--assertion-sub", b.sub}, {"--assertion-iss", b.iss}} {
			if f.value != "" {
				return failure.Usagef("usage", "%s is for --grant jwt-bearer, not %s", f.flag, s.grantName())
			}
		}
		return nil
	}
	if s.authMethod == oauth.AuthPrivateKeyJWT {
		return failure.Usagef("usage", "with --grant jwt-bearer, --assertion-key signs the grant's assertion; authenticate the client with a secret (client_secret_basic, client_secret_post, client_secret_jwt) or none")
	}
	b.key, b.kid, b.alg, b.aud = s.assertionKey, s.assertionKid, s.assertionAlg, s.assertionAud
	s.assertionKey, s.assertionKid, s.assertionAlg, s.assertionAud = "", "", "", ""
	switch {
	case b.assertionSpec != "" && (b.key != "" || b.sub != "" || b.iss != ""):
		return failure.Usagef("usage", "--assertion is a ready assertion; drop --assertion-key, --assertion-sub and --assertion-iss, or drop --assertion to mint one")
	case b.assertionSpec == "" && b.key == "":
		return failure.Usagef("usage", "--grant jwt-bearer needs an assertion: pass --assertion env:NAME or @FILE, or --assertion-key KEY with --assertion-sub to mint one")
	case b.key != "" && b.sub == "":
		return failure.Usagef("usage", "--grant jwt-bearer with --assertion-key needs --assertion-sub, the subject the token is for")
	}
	return nil
}

// jwtBearer runs the RFC 7523 §2.1 grant with the given or a freshly minted assertion.
func (r *fetchRun) jwtBearer(ctx context.Context, req *oauth.Request) (*oauth.Token, error) {
	b := r.s.bearer
	var assertion string
	if b.assertionSpec != "" {
		a, err := r.readTokenFlag("--assertion", b.assertionSpec)
		if err != nil {
			return nil, err
		}
		assertion = a
		r.verbosef("jwt-bearer assertion from %s", assertionSource(b.assertionSpec))
	} else {
		ks := *r.s
		ks.assertionKey, ks.assertionKid, ks.assertionAlg = b.key, b.kid, b.alg
		signer, err := loadAssertionSigner(r.g, &ks)
		if err != nil {
			return nil, err
		}
		signer.iss, signer.sub = b.iss, b.sub
		aud := req.TokenURL
		switch {
		case b.aud == "" || b.aud == "token-endpoint":
		case b.aud == "issuer":
			if r.s.issuer == "" {
				return nil, failure.Usagef("usage", "--assertion-aud issuer needs the issuer: pass --issuer")
			}
			aud = r.s.issuer
		case strings.HasPrefix(b.aud, "https://") || strings.HasPrefix(b.aud, "http://"):
			aud = b.aud
		default:
			return nil, failure.Usagef("usage", "--assertion-aud %q: use token-endpoint, issuer or a URL", safeFlagText(b.aud))
		}
		if assertion, err = signer.sign(aud); err != nil {
			return nil, err
		}
		r.red.add(assertion, false)
		r.verbosef("jwt-bearer assertion minted: iss %s, sub %s, aud %s, %s, expires in %s",
			safehttp.Sanitize(orDefaultString(b.iss, r.s.clientID), 100), safehttp.Sanitize(b.sub, 100),
			safehttp.Sanitize(aud, 300), signer.alg, assertionLifetime)
	}
	params, err := oauth.JWTBearerParams(assertion)
	if err != nil {
		return nil, err
	}
	rr := *req
	rr.Grant = oauth.GrantJWTBearer
	rr.GrantParams = params
	return oauth.Exchange(ctx, r.client, rr)
}

// assertionSource names where a ready assertion came from, never what it is.
func assertionSource(spec string) string {
	switch {
	case spec == "-":
		return "stdin"
	case strings.HasPrefix(spec, "@"):
		return safeFlagText(spec[1:])
	case strings.HasPrefix(spec, "env:"):
		return "$" + safeFlagText(spec[4:])
	}
	return "the command line"
}

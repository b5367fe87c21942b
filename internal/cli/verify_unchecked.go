package cli

import (
	"slices"
	"strings"
	"sync"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/verify"
)

// uncheckable are the claims verify warns about when nothing checks them, in the order named.
var uncheckable = []string{"exp", "aud", "iss"}

// claimWatch says, once per run, which of exp, aud and iss went unchecked on a token that was
// otherwise valid: a pipeline keeps working, and its log says what it trusted blindly.
type claimWatch struct {
	g        *Global
	policy   verify.Policy
	accepted []string // --unchecked: the user knows, so no warning for these
	once     sync.Once
}

// parseUnchecked reads --unchecked values: exp, aud, iss, comma- or space-separated.
func parseUnchecked(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, name := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			if !slices.Contains(uncheckable, name) {
				return nil, failure.Usagef("usage", "--unchecked %q: name exp, aud or iss", name)
			}
			out = append(out, name)
		}
	}
	return out, nil
}

// applyStrict makes exp, aud and iss required unless --unchecked names them: --aud and --iss
// (or --issuer) must be given, and a token without exp is refused.
func applyStrict(p *verify.Policy, accepted []string) error {
	if !slices.Contains(accepted, "aud") && len(p.Audience) == 0 {
		return failure.Usagef("usage", "--strict needs --aud (the audience this service is), or --unchecked aud")
	}
	if !slices.Contains(accepted, "iss") && p.Issuer == "" {
		return failure.Usagef("usage", "--strict needs --iss or --issuer (who may issue the token), or --unchecked iss")
	}
	if !slices.Contains(accepted, "exp") {
		p.RequireExp = true
	}
	return nil
}

// verifyDefaults applies the environment defaults of --strict (JWTKIT_STRICT) and --unchecked
// (JWTKIT_UNCHECKED) when the flags are not given.
func verifyDefaults(g *Global, opts *VerifyOptions) {
	opts.Strict = opts.Strict || strictByDefault(g)
	if len(opts.Unchecked) == 0 {
		if env := g.deps.Getenv("JWTKIT_UNCHECKED"); env != "" {
			opts.Unchecked = []string{env}
		}
	}
}

// strictByDefault reads JWTKIT_STRICT: 1, true or yes (any case) turn --strict on.
func strictByDefault(g *Global) bool {
	switch strings.ToLower(strings.TrimSpace(g.deps.Getenv("JWTKIT_STRICT"))) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// valid is called for each valid token; hasExp says whether it had an exp. The first call
// that finds something unchecked warns, and no later call does.
func (w *claimWatch) valid(hasExp bool) {
	var missing []string
	if !hasExp && !w.policy.RequireExp && !slices.Contains(w.accepted, "exp") {
		missing = append(missing, "exp (the token has none; --require-exp refuses such tokens)")
	}
	if len(w.policy.Audience) == 0 && !slices.Contains(w.accepted, "aud") {
		missing = append(missing, "aud (no --aud)")
	}
	if w.policy.Issuer == "" && !slices.Contains(w.accepted, "iss") {
		missing = append(missing, "iss (no --iss or --issuer)")
	}
	if len(missing) == 0 {
		return
	}
	w.once.Do(func() {
		w.g.Warnf("valid, but not checked: %s; --strict makes them required, --unchecked exp,aud,iss accepts this quietly",
			strings.Join(missing, ", "))
	})
}

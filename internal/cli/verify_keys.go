package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jwtkit/jwtkit/internal/discovery"
	"github.com/jwtkit/jwtkit/internal/diskcache"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/jwks"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/safehttp"
	"github.com/jwtkit/jwtkit/internal/timespec"
	"github.com/jwtkit/jwtkit/internal/verify"
)

// verifyKeyring holds verify's keys: those given locally and the remote JWK Sets, and the
// Verifier built from them. When a token names a kid no key has, it fetches the remote sets
// again (once per run and set; jwks.Fetcher also spaces fetches 30s apart across runs) to
// follow a key rotation, and rebuilds the Verifier. It is safe for concurrent use.
type verifyKeyring struct {
	g       *Global
	ctx     context.Context
	fetcher *jwks.Fetcher
	local   []keys.Key
	policy  verify.Policy
	opts    verify.Options

	mu        sync.Mutex
	urls      []string
	sets      []*jwks.Set
	refreshed map[string]bool
	current   atomic.Pointer[verify.Verifier]
}

// isURL says whether a --jwks value is a URL rather than a file.
func isURL(s string) bool {
	lower := strings.ToLower(s)
	return strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://")
}

// loadVerifyKeys gathers the keys from --secret, --key, --jwks and --issuer (or, when none is
// given, JWTKIT_SECRET or JWTKIT_KEY), fetching remote sets, and returns the keyring and the
// issuer the token must name when --issuer was used.
func loadVerifyKeys(ctx context.Context, g *Global, opts *VerifyOptions, stdinFree bool) (*verifyKeyring, string, error) {
	secrets, keyFiles := opts.Secrets, opts.Keys
	secretSource := "--secret"
	if len(opts.Secrets)+len(opts.Keys)+len(opts.JWKS)+len(opts.Issuers) == 0 {
		secretSource = "$JWTKIT_SECRET"
		secret, key := g.deps.Getenv("JWTKIT_SECRET"), g.deps.Getenv("JWTKIT_KEY")
		switch {
		case secret != "" && key != "":
			return nil, "", failure.Usagef("usage", "both JWTKIT_SECRET and JWTKIT_KEY are set; choose with --secret or --key")
		case secret != "":
			secrets = []string{secret}
		case key != "":
			keyFiles = []string{key}
		default:
			return nil, "", failure.Usagef("key", "no verification key: pass --secret, --key, --jwks or --issuer (or set JWTKIT_SECRET or JWTKIT_KEY)")
		}
	}
	if len(opts.Issuers) > 1 {
		return nil, "", failure.Usagef("usage", "--issuer given %d times; verify one issuer's tokens at a time", len(opts.Issuers))
	}

	ring := &verifyKeyring{g: g, ctx: ctx, refreshed: map[string]bool{}}
	res := resolver(g, stdinFree)
	for _, spec := range secrets {
		secret, err := res.Secret(spec)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", secretSource, err)
		}
		warnReadableFile(g, spec, false)
		if err := keys.CheckHMACSecret(secret); err != nil {
			return nil, "", err
		}
		ring.local = append(ring.local, keys.SecretKey(secret, secretSource))
	}
	var pass []byte
	if len(keyFiles) > 0 || len(opts.JWKS) > 0 {
		var err error
		if pass, err = resolvePassphrase(g, opts.Passphrase, stdinFree); err != nil {
			return nil, "", err
		}
	}
	var remote []string
	for _, spec := range keyFiles {
		list, err := loadKeyFile(g, spec, pass, stdinFree)
		if err != nil {
			return nil, "", err
		}
		ring.local = append(ring.local, list...)
	}
	for _, spec := range opts.JWKS {
		if isURL(spec) {
			remote = append(remote, spec)
			continue
		}
		list, err := loadKeyFile(g, spec, pass, stdinFree)
		if err != nil {
			return nil, "", err
		}
		ring.local = append(ring.local, list...)
	}

	issuer := ""
	if len(remote) > 0 || len(opts.Issuers) > 0 {
		client, cache := verifyHTTP(g, opts)
		ring.fetcher = &jwks.Fetcher{Client: client, Cache: cache, Now: g.deps.Now, Warn: func(s string) { g.Warnf("%s", s) }}
		if len(opts.Issuers) == 1 {
			df := &discovery.Fetcher{Client: client, Cache: cache, Warn: func(s string) { g.Warnf("%s", s) }}
			doc, err := df.Fetch(ctx, opts.Issuers[0])
			if err != nil {
				return nil, "", err
			}
			if doc.JWKSURI == "" {
				return nil, "", failure.Remotef(jwks.Code, "the metadata of issuer %s has no jwks_uri; pass the key with --jwks or --key",
					safehttp.Sanitize(opts.Issuers[0], 300))
			}
			issuer = doc.Issuer
			remote = append(remote, doc.JWKSURI)
		}
		for _, u := range remote {
			s, err := ring.fetcher.Get(ctx, u)
			if err != nil {
				return nil, "", err
			}
			if !s.FromCache {
				for _, note := range s.Notes {
					g.Infof("jwtkit: %s", note)
				}
			}
			ring.urls = append(ring.urls, u)
			ring.sets = append(ring.sets, s)
		}
	}
	return ring, issuer, nil
}

// verifyHTTP returns the HTTP client and, unless --no-cache, the disk cache for remote keys.
func verifyHTTP(g *Global, opts *VerifyOptions) (*safehttp.Client, *diskcache.Cache) {
	client := newHTTPClientTLS(g, opts.timeout, opts.Insecure, "anyone on the network path can substitute the keys", nil, opts.roots, nil)
	if opts.NoCache {
		return client, nil
	}
	dir, err := g.deps.CacheDir()
	if err != nil {
		g.Warnf("not caching keys: no cache directory (%v)", err)
		return client, nil
	}
	return client, diskcache.Open(dir, g.deps.Now)
}

// build makes the Verifier from every key in hand.
func (r *verifyKeyring) build() (*verify.Verifier, error) {
	all := append([]keys.Key(nil), r.local...)
	for _, s := range r.sets {
		all = append(all, s.Keys...)
	}
	v, err := verify.New(all, r.policy, r.opts)
	if err != nil {
		return nil, err
	}
	r.current.Store(v)
	return v, nil
}

// verifier returns the Verifier in force.
func (r *verifyKeyring) verifier() *verify.Verifier { return r.current.Load() }

// rotate is called when a token verified by seen names a kid that no key has. It fetches the
// remote sets again, if that has not been done in this run, and returns the new Verifier; it
// returns nil when there is nothing new to try, with a note saying why, for the caller to add to
// the token's error. A set fetched again is announced on stderr here, once.
func (r *verifyKeyring) rotate(seen *verify.Verifier, kid string) (v *verify.Verifier, note string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cur := r.current.Load(); cur != seen {
		return cur, "", nil // another token already caused a refresh
	}
	changed := false
	var notes []string
	for i, u := range r.urls {
		if r.refreshed[u] {
			continue
		}
		r.refreshed[u] = true
		s, did, err := r.fetcher.Refresh(r.ctx, u, r.sets[i])
		if err != nil {
			return nil, "", err
		}
		if !did {
			notes = append(notes, fmt.Sprintf("the JWK Set of %s was fetched %s ago and is fetched again at most every %s",
				safehttp.Sanitize(u, 300), timespec.Compact(r.g.deps.Now().Sub(s.FetchedAt)), timespec.Compact(jwks.DefaultMinRefresh)))
			continue
		}
		notes = append(notes, fmt.Sprintf("the JWK Set of %s was fetched again to follow a key rotation", safehttp.Sanitize(u, 300)))
		r.sets[i] = s
		changed = true
	}
	note = strings.Join(notes, "; ")
	if !changed {
		return nil, note, nil
	}
	// Said once per run, whatever the tokens' verdicts: later lines are verified with the new set.
	r.g.Infof("jwtkit: kid %s was not in the cached keys: %s", quoteKid(kid), note)
	v, err = r.build()
	return v, "", err
}

// quoteKid shows a kid from a token in a message: quoted, printable, short.
func quoteKid(kid string) string {
	return strconv.Quote(safehttp.Sanitize(kid, 80))
}

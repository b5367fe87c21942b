package cli

import (
	"crypto/sha256"
	"crypto/x509"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/issuer"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// newIssuerSet makes the default issuer of cfg and the named ones of --issuer-id and
// --auto-issuers. With --key, each named issuer's key is derived from the first key (SHA-256
// of its PKCS #8 encoding is the HKDF seed), so a restart with the same --key keeps them; with
// a generated key each named issuer gets a generated key too.
//
// An [issuer.ID] section of --config makes issuer ID too (with or without --issuer-id), with
// the section's clients, users and trusted issuers where it gives them and the top level's
// otherwise (--client and --client-jwks count as top level). An --issuer-id without a section,
// and an --auto-issuers issuer, has the top level's.
func newIssuerSet(opts *ServeOptions, signing []keys.Key, generated bool, cfg issuer.Config, sections []issuerConfig) (*issuer.IssuerSet, error) {
	sc := issuer.IssuerSetConfig{Root: cfg, AutoCreate: opts.AutoIssuers, LoginPage: opts.LoginPage}
	if state, ok := cfg.Store.(*issuer.BoltStore); ok {
		// --state: every issuer keeps its records in the file, each in buckets of its own.
		sc.StoreFor = func(id string) (issuer.Store, error) { return state.ForIssuer(id, cfg.Now()) }
	}
	byID := map[string]issuerConfig{}
	ids := []string{}
	for _, sec := range sections {
		byID[sec.id] = sec
		ids = append(ids, sec.id)
	}
	for _, id := range opts.IssuerIDs {
		if !issuer.ValidIssuerID(id) {
			return nil, failure.Usagef("usage", "--issuer-id %q: use 1 to 64 letters, digits, - and _, and not an endpoint name such as token", id)
		}
		if _, ok := byID[id]; ok {
			continue
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		sp := issuer.IssuerSpec{ID: id, Clients: cfg.Clients, Users: cfg.Users, DefaultUser: cfg.DefaultUser, TrustedIssuers: cfg.TrustedIssuers}
		if sec, ok := byID[id]; ok {
			if sec.hasClients {
				sp.Clients = sec.clients
			}
			if sec.hasUsers {
				sp.Users, sp.DefaultUser = sec.users, sec.def
			} else if sec.def != "" {
				sp.DefaultUser = sec.def
			}
			if sec.hasTrusted {
				sp.TrustedIssuers = sec.trusted
			}
		}
		sc.Issuers = append(sc.Issuers, sp)
	}
	if (len(sc.Issuers) > 0 || sc.AutoCreate) && !generated && len(signing) > 0 {
		der, err := x509.MarshalPKCS8PrivateKey(signing[0].JWK.Key)
		if err != nil {
			return nil, failure.Usagef("usage", "--key: cannot derive the named issuers' keys from %s: %v", signing[0].Source, err)
		}
		seed := sha256.Sum256(der)
		sc.Seed = seed[:]
	}
	set, err := issuer.NewIssuerSet(sc)
	if err != nil {
		return nil, err
	}
	return set, nil
}

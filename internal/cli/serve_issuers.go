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
func newIssuerSet(opts *ServeOptions, signing []keys.Key, generated bool, cfg issuer.Config) (*issuer.IssuerSet, error) {
	sc := issuer.IssuerSetConfig{Root: cfg, AutoCreate: opts.AutoIssuers, LoginPage: opts.LoginPage}
	for _, id := range opts.IssuerIDs {
		if !issuer.ValidIssuerID(id) {
			return nil, failure.Usagef("usage", "--issuer-id %q: use 1 to 64 letters, digits, - and _, and not an endpoint name such as token", id)
		}
		sc.Issuers = append(sc.Issuers, issuer.IssuerSpec{ID: id, Clients: cfg.Clients, Users: cfg.Users, DefaultUser: cfg.DefaultUser})
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

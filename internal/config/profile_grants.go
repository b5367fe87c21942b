package config

import (
	"fmt"
	"slices"
	"strings"
)

// GrantProfile holds the profile settings of the token exchange and jwt-bearer grants and of
// mutual TLS client authentication.
type GrantProfile struct {
	// SubjectToken and ActorToken are token exchange's tokens in the secret grammar
	// (subject-token, actor-token): env:NAME, @FILE (made absolute), or a literal value
	// (listed in LiteralSecrets).
	SubjectToken, ActorToken string
	// SubjectTokenType, ActorTokenType and RequestedTokenType are token type short names or
	// URIs (subject-token-type, actor-token-type, requested-token-type).
	SubjectTokenType, ActorTokenType, RequestedTokenType string
	// Assertion is a ready jwt-bearer grant assertion in the secret grammar (assertion).
	Assertion string
	// AssertionSub and AssertionIss are the sub and iss of a jwt-bearer assertion that
	// jwtkit mints (assertion-sub, assertion-iss).
	AssertionSub, AssertionIss string
	// ClientCert and ClientKey are the TLS client certificate (chain) and its private key for
	// mutual TLS, in the key grammar (client-cert, client-key); paths are made absolute.
	ClientCert, ClientKey string
}

// setGrantKey assigns a key of GrantProfile; handled is false for any other key.
func (p *Profile) setGrantKey(key string, v any, dir string, opts Options) (handled bool, err error) {
	str := func(dst *string) error {
		s, err := stringValue(key, v)
		if err == nil {
			*dst = s
		}
		return err
	}
	secret := func(dst *string) error { return p.setRef(dst, key, v, resolveSecretRef, dir, opts) }
	keyFile := func(dst *string) error { return p.setRef(dst, key, v, resolveKeyRef, dir, opts) }
	tokenType := func(dst *string) error {
		if err := str(dst); err != nil {
			return err
		}
		if !strings.Contains(*dst, ":") && !slices.Contains(tokenTypeNames, *dst) {
			return fmt.Errorf("%s %q: use %s or a URI", key, *dst, strings.Join(tokenTypeNames, ", "))
		}
		return nil
	}
	switch key {
	case "subject-token":
		return true, secret(&p.SubjectToken)
	case "actor-token":
		return true, secret(&p.ActorToken)
	case "assertion":
		return true, secret(&p.Assertion)
	case "subject-token-type":
		return true, tokenType(&p.SubjectTokenType)
	case "actor-token-type":
		return true, tokenType(&p.ActorTokenType)
	case "requested-token-type":
		return true, tokenType(&p.RequestedTokenType)
	case "assertion-sub":
		return true, str(&p.AssertionSub)
	case "assertion-iss":
		return true, str(&p.AssertionIss)
	case "client-cert":
		return true, keyFile(&p.ClientCert)
	case "client-key":
		return true, keyFile(&p.ClientKey)
	}
	return false, nil
}

// tokenTypeNames are the short token type names (RFC 8693 §3) a profile may use.
var tokenTypeNames = []string{"access_token", "refresh_token", "id_token", "jwt", "saml1", "saml2"}

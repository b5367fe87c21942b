package cli

import (
	"encoding/base64"
	"fmt"
	"io"
	"time"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

// assertionLifetime is how long a private_key_jwt client assertion is valid: well under the
// 5 minutes servers accept (SECURITY-NOTES), with room for a little clock skew.
const assertionLifetime = 2 * time.Minute

// assertionSigner is a loaded private_key_jwt key: it mints client assertions (RFC 7523 §3).
type assertionSigner struct {
	key      keys.Key
	alg, kid string
	// kidGuessed is true when the kid is the key's RFC 7638 thumbprint, not one the user or
	// the JWK named: a server that registered the key under another kid refuses it.
	kidGuessed bool
	clientID   string
	now        func() time.Time
	rand       io.Reader
	// secret, when set, is the client secret that signs a client_secret_jwt assertion (HMAC,
	// RFC 7523 §2.2 with the secret as the key); key is then unused.
	secret []byte
	// iss and sub, when set, replace the client id in a jwt-bearer grant assertion (RFC 7523
	// §3: the issuer and the subject the token is asked for).
	iss, sub string
}

// secretJWTSigner mints client_secret_jwt assertions: HS256 with the client secret, no kid.
func secretJWTSigner(g *Global, clientID string, secret []byte) *assertionSigner {
	return &assertionSigner{alg: "HS256", clientID: clientID, now: g.Now, rand: g.deps.Rand, secret: secret}
}

// loadAssertionSigner reads the assertion key and settles its algorithm and kid: --assertion-alg
// or the key's; --assertion-kid, else the JWK's kid, else its RFC 7638 thumbprint (the kid
// jwtkit keygen and jwtkit jwks give a key).
func loadAssertionSigner(g *Global, s *fetchSettings) (*assertionSigner, error) {
	if s.assertionKey == "" {
		return nil, failure.Usagef("key", "private_key_jwt needs the client's private key: pass --assertion-key FILE (PEM, JWK or JWK Set)")
	}
	var pass []byte
	if s.passphrase != "" {
		var err error
		if pass, err = resolver(g, true).Secret(s.passphrase); err != nil {
			return nil, fmt.Errorf("--passphrase: %w", err)
		}
	}
	list, err := loadKeyFile(g, s.assertionKey, pass, true)
	if err != nil {
		return nil, fmt.Errorf("--assertion-key: %w", err)
	}
	selectKid := s.assertionKid
	if len(list) == 1 {
		selectKid = "" // a lone key is used whatever kid it is given
	}
	k, err := keys.Select(list, selectKid)
	if err != nil {
		return nil, fmt.Errorf("--assertion-key: %w", err)
	}
	switch {
	case k.IsSymmetric():
		return nil, failure.Usagef("key", "--assertion-key %s is an HMAC secret; private_key_jwt signs with the client's RSA, EC or Ed25519 private key (for an HMAC assertion with the client secret use --auth-method client_secret_jwt)", k.Source)
	case !k.IsPrivate():
		return nil, failure.Usagef("key", "--assertion-key %s is a %s; signing the client assertion needs the private key", k.Source, k.Describe())
	}
	alg := s.assertionAlg
	if alg == "" {
		if alg, err = keys.InferAlg(k); err != nil {
			return nil, err
		}
	}
	if err := keys.CheckAlg(k, alg, false); err != nil {
		return nil, err
	}
	kid := s.assertionKid
	if kid == "" {
		kid = k.JWK.KeyID
	}
	guessed := false
	if kid == "" {
		if kid, err = k.Thumbprint(); err != nil {
			return nil, err
		}
		guessed = true
	}
	return &assertionSigner{key: k, alg: alg, kid: kid, kidGuessed: guessed, clientID: s.clientID, now: g.Now, rand: g.deps.Rand}, nil
}

func orDefaultString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// sign mints one client assertion for aud: iss = sub = the client id, aud a single string,
// iat now, exp assertionLifetime later and a random jti, so no two assertions are alike.
func (a *assertionSigner) sign(aud string) (string, error) {
	jti := make([]byte, 16)
	if _, err := io.ReadFull(a.rand, jti); err != nil {
		return "", fmt.Errorf("making a random jti: %w", err)
	}
	now := a.now()
	header := claims.NewObject()
	header.Set("alg", a.alg)
	header.Set("typ", "JWT")
	if a.kid != "" {
		header.Set("kid", a.kid)
	}
	payload := claims.NewObject()
	payload.Set("iss", orDefaultString(a.iss, a.clientID))
	payload.Set("sub", orDefaultString(a.sub, a.clientID))
	payload.Set("aud", aud)
	payload.Set("iat", now.Unix())
	payload.Set("exp", now.Add(assertionLifetime).Unix())
	payload.Set("jti", base64.RawURLEncoding.EncodeToString(jti))
	h, err := header.MarshalJSON()
	if err != nil {
		return "", err
	}
	p, err := payload.MarshalJSON()
	if err != nil {
		return "", err
	}
	if a.secret != nil {
		return token.Sign(a.alg, a.secret, h, p, a.rand)
	}
	return token.Sign(a.alg, a.key.JWK.Key, h, p, a.rand)
}

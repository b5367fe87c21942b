package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/jwtkit/jwtkit/internal/dpop"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/oauth"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// addDPoPFlags binds fetch's DPoP flags. The DPoP key has its own passphrase: it is usually
// another key than the assertion key (one binds tokens, the other authenticates the client),
// and one passphrase tried on both would open a key with the other's secret.
func addDPoPFlags(f *pflag.FlagSet, opts *FetchOptions) {
	f.StringVar(&opts.DPoPKey, "dpop-key", "", "private key `FILE` that binds the token to it with DPoP proofs (RFC 9449; PEM, JWK or JWK Set; env:NAME, @FILE)")
	f.StringVar(&opts.DPoPKeyPassphrase, "dpop-key-passphrase", "", "passphrase of an encrypted PEM --dpop-key, in the secret grammar (`SPEC`) (default $JWTKIT_DPOP_KEY_PASSPHRASE)")
}

// loadDPoPSigner reads a DPoP key in the key grammar (a JWK Set must hold one key, or kid
// picks one) and makes its signer: the algorithm is the key's own (a JWK's alg wins) unless
// alg is given. passphrase opens an encrypted PEM key.
func loadDPoPSigner(g *Global, flag, spec, kid, alg string, passphrase []byte) (*dpop.Signer, error) {
	list, err := loadKeyFile(g, spec, passphrase, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	if len(list) == 1 {
		kid = ""
	}
	k, err := keys.Select(list, kid)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	s, err := dpop.NewSigner(k, alg, g.Now, g.deps.Rand)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return s, nil
}

// setupDPoP makes the token request ask for a DPoP-bound token when the settings name a DPoP
// key: each attempt at the token endpoint carries a fresh proof (with the server's nonce once
// it asked for one), the token must come back as token_type DPoP, and the cache keys it by the
// key's thumbprint, so a token bound to one key is never handed out for another.
func (r *fetchRun) setupDPoP(req *oauth.Request) error {
	spec := r.s.dpopKey
	if spec == "" {
		return nil
	}
	var pass []byte
	if r.s.dpopPassphrase != "" {
		var err error
		if pass, err = resolver(r.g, true).Secret(r.s.dpopPassphrase); err != nil {
			return fmt.Errorf("%s: %w", r.s.dpopPassphraseSource, err)
		}
	}
	signer, err := loadDPoPSigner(r.g, "--dpop-key", spec, "", "", pass)
	if err != nil && pass == nil && r.s.passphrase != "" && errors.Is(err, keys.ErrEncrypted) {
		return failure.Usagef("key", "--dpop-key is an encrypted key and --passphrase opens the assertion key only: pass the DPoP key's with --dpop-key-passphrase (or $JWTKIT_DPOP_KEY_PASSPHRASE)")
	}
	if err != nil {
		return err
	}
	warnReadableFile(r.g, spec, true)
	r.dpop = signer
	req.Binding = signer.Thumbprint()
	req.DPoP = func(htu, nonce string) (string, error) {
		proof, err := signer.Sign(dpop.Proof{Method: "POST", URL: htu, Nonce: nonce})
		if err == nil {
			r.red.add(proof, false)
		}
		return proof, err
	}
	r.verbosef("DPoP: proofs signed %s with the key of thumbprint %s", signer.Alg(), signer.Thumbprint())
	return nil
}

// checkDPoPAlg warns when the issuer lists the DPoP algorithms it accepts and the key's is not
// among them: the server will refuse the proof with invalid_dpop_proof.
func (r *fetchRun) checkDPoPAlg(meta *serverMeta) {
	if r.dpop == nil || meta == nil || len(meta.DPoPAlgs) == 0 || containsFold(meta.DPoPAlgs, r.dpop.Alg()) {
		return
	}
	r.g.Warnf("the issuer does not list %s among its dpop_signing_alg_values_supported (%s); trying it anyway",
		r.dpop.Alg(), safehttp.Sanitize(strings.Join(meta.DPoPAlgs, ", "), 200))
}

// dpopBound reports whether tok is bound to a DPoP key, so that using it needs a proof.
func dpopBound(tok *oauth.Token) bool { return strings.EqualFold(tok.TokenType, "DPoP") }

// errNeedDPoPKey is the error of a DPoP-bound token used without its key.
func errNeedDPoPKey(what string) error {
	return failure.Usagef("usage", "%s: the token is DPoP-bound; pass --dpop-key with the key it is bound to", what)
}

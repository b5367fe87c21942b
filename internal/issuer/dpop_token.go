package issuer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jwtkit/jwtkit/internal/dpop"
)

// dpopWindow is how far a proof's iat may be from the server's clock, and how long its jti is
// remembered (a proof older than the window is refused anyway).
const dpopWindow = 5 * time.Minute

// dpopAlgs are the proof algorithms the server accepts and announces.
func dpopAlgs() []string { return dpop.DefaultAlgs }

// tokenDPoP checks the DPoP proof of a token request (RFC 9449 §4.3, §5): none gives nil, a
// valid one what it proves (the thumbprint of its key, its jti). A bad proof is
// invalid_dpop_proof. Its jti is not recorded here: useProof does that once the client is
// authenticated, so that a caller without credentials cannot fill the replay store.
func (s *Server) tokenDPoP(w http.ResponseWriter, r *http.Request) (*dpop.Verified, *oauthError) {
	values := r.Header.Values("DPoP")
	if len(values) == 0 {
		return nil, nil
	}
	if len(values) > 1 {
		return nil, newError(http.StatusBadRequest, dpop.CodeInvalidProof, "more than one DPoP header (RFC 9449 §4.3)")
	}
	now := s.cfg.Now()
	opts := dpop.VerifyOptions{Algs: dpopAlgs(), Window: dpopWindow}
	if s.dpopNonceKey != nil {
		opts.Nonces = []string{s.dpopNonce(now, 0), s.dpopNonce(now, -1)}
		w.Header().Set("DPoP-Nonce", opts.Nonces[0])
	}
	v, err := dpop.Verify(values[0], r.Method, s.URL(PathToken), now, opts)
	if err != nil {
		return nil, proofError(err)
	}
	return &v, nil
}

// useProof records the jti of a verified proof (nil: none) in the store until the proof is
// too old to be accepted anyway, so that a replay is refused, across restarts with --state
// too. A replay is invalid_dpop_proof with the given status (400 at the token endpoint, 401 at
// a resource).
func (s *Server) useProof(v *dpop.Verified, status int) *oauthError {
	if v == nil {
		return nil
	}
	switch err := s.store.UseJTI("dpop:"+v.JKT+":"+v.JTI, v.IssuedAt.Add(dpopWindow), s.cfg.Now()); {
	case errors.Is(err, ErrReplayed):
		return newError(status, dpop.CodeInvalidProof, "the DPoP proof's jti was used before (RFC 9449 §11.1)")
	case err != nil:
		return storeFailed(err)
	}
	return nil
}

// proofError turns a refused proof into the OAuth error a client gets.
func proofError(err error) *oauthError {
	if pe, ok := dpop.IsProofError(err); ok {
		return newError(http.StatusBadRequest, pe.Code, pe.Error())
	}
	return newError(http.StatusBadRequest, dpop.CodeInvalidProof, "the DPoP proof is invalid")
}

// refreshBinding is the DPoP key a new token family's refresh tokens are bound to: the
// request's, for a public client (RFC 9449 §5: a confidential client's refresh tokens are
// bound to its credentials already).
func refreshBinding(g *grant) string {
	if g.client.Public() {
		return g.jkt
	}
	return ""
}

// checkRefreshBinding refuses a refresh of a DPoP-bound family without a proof by its key.
func checkRefreshBinding(f Family, jkt string) *oauthError {
	if f.JKT == "" || f.JKT == jkt {
		return nil
	}
	if jkt == "" {
		return newError(http.StatusBadRequest, dpop.CodeInvalidProof, "the refresh token is bound to a DPoP key; send a DPoP proof signed by it (RFC 9449 §5)")
	}
	return newError(http.StatusBadRequest, dpop.CodeInvalidProof, "the DPoP proof is signed by another key than the one the refresh token is bound to")
}

// resourceDPoP checks how an access token was presented to a resource endpoint (/userinfo,
// RFC 9449 §7): a token with cnf.jkt only under the DPoP scheme with a proof by that key whose
// ath is the token's hash; the DPoP scheme only for a bound token. Its errors are
// invalid_token (a bound token as Bearer) or invalid_dpop_proof.
func (s *Server) resourceDPoP(r *http.Request, payload map[string]any, raw string, dpopScheme bool) *oauthError {
	cnf, _ := payload["cnf"].(map[string]any)
	jkt, _ := cnf["jkt"].(string)
	switch {
	case jkt == "" && dpopScheme:
		return newError(http.StatusUnauthorized, ErrInvalidToken, "the access token is not DPoP-bound; use Authorization: Bearer")
	case jkt == "":
		return nil
	case !dpopScheme:
		return newError(http.StatusUnauthorized, ErrInvalidToken, "the access token is DPoP-bound; use Authorization: DPoP with a DPoP proof (RFC 9449 §7.1)")
	}
	values := r.Header.Values("DPoP")
	if len(values) != 1 {
		return newError(http.StatusUnauthorized, dpop.CodeInvalidProof, "a DPoP-bound token needs exactly one DPoP proof header")
	}
	now := s.cfg.Now()
	v, err := dpop.Verify(values[0], r.Method, s.URL(PathUserinfo), now,
		dpop.VerifyOptions{Algs: dpopAlgs(), Window: dpopWindow, AccessToken: raw, JKT: jkt})
	if err != nil {
		oerr := proofError(err)
		oerr.status = http.StatusUnauthorized
		return oerr
	}
	return s.useProof(&v, http.StatusUnauthorized)
}

// dpopNonceEvery is how often the server's DPoP nonce changes; the one before stays valid.
const dpopNonceEvery = 5 * time.Minute

// newNonceKey reads the key the DPoP nonces are derived from.
func newNonceKey(random io.Reader) ([]byte, error) {
	k := make([]byte, 32)
	if _, err := io.ReadFull(random, k); err != nil {
		return nil, fmt.Errorf("making the DPoP nonce key: %w", err)
	}
	return k, nil
}

// dpopNonce is the server's DPoP nonce of the period at now, shifted by periods: an HMAC of
// the period number, so nonces need no state and cannot be guessed.
func (s *Server) dpopNonce(now time.Time, periods int64) string {
	m := hmac.New(sha256.New, s.dpopNonceKey)
	_ = binary.Write(m, binary.BigEndian, now.Unix()/int64(dpopNonceEvery/time.Second)+periods)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

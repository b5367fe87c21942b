package issuer

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/jwtkit/jwtkit/internal/claims"
)

// serveMint signs the JSON object posted to it, with the signing key or the published key named
// by ?kid=. The posted members come first, in their order; iss (this issuer), iat (now) and exp
// (now plus the token TTL) follow for those the post does not set, so that the token verifies
// with verify --issuer as posted. ?raw=1 signs the object exactly as posted, nothing added (to
// test a verifier with a token that lacks them). The header is alg, typ (JWT, or ?typ=, empty
// to omit) and kid. The token is the whole response body, as application/jwt.
//
// It must be enabled (Config.AllowMint): whoever can reach the port can have anything signed.
// It insists on a JSON content type, which a cross-origin page cannot send without a CORS
// preflight that the server never grants.
func (s *Server) serveMint(w http.ResponseWriter, r *http.Request, e *Entry) {
	fail := func(err *oauthError) {
		e.Error, e.Detail = err.code, err.detail
		writeError(w, err)
	}
	if !s.cfg.AllowMint {
		fail(newError(http.StatusForbidden, ErrForbidden,
			"/mint is off; start jwtkit serve with --allow-mint to sign posted claims"))
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		fail(newError(http.StatusUnsupportedMediaType, ErrInvalidRequest, "post the claims as application/json"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxMintBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			fail(newError(http.StatusRequestEntityTooLarge, ErrInvalidRequest, "the claims are larger than 64 KiB"))
			return
		}
		fail(newError(http.StatusBadRequest, ErrInvalidRequest, "reading the claims failed"))
		return
	}
	payload, err := claims.ParseObject(body)
	if err != nil {
		fail(newError(http.StatusBadRequest, ErrInvalidRequest, "claims: "+Sanitize(err.Error(), 200)))
		return
	}
	q := r.URL.Query()
	st := s.ring.current()
	sg := st.signer
	if kid := q.Get("kid"); kid != "" {
		var ok bool
		if sg, ok = st.byKid[kid]; !ok {
			fail(newError(http.StatusBadRequest, ErrInvalidRequest, "no published key has kid "+Sanitize(kid, 60)))
			return
		}
	}
	if raw := q.Get("raw"); raw != "1" && raw != "true" {
		if raw != "" && raw != "0" && raw != "false" {
			fail(newError(http.StatusBadRequest, ErrInvalidRequest, "raw is 1 (sign the claims exactly as posted) or 0"))
			return
		}
		now := s.cfg.Now()
		for _, c := range []struct {
			name  string
			value any
		}{{"iss", s.cfg.Issuer}, {"iat", now.Unix()}, {"exp", now.Add(s.ttl).Unix()}} {
			if _, set := payload.Get(c.name); !set {
				payload.Set(c.name, c.value)
			}
		}
	}
	typ := "JWT"
	if q.Has("typ") {
		typ = q.Get("typ")
	}
	header := claims.NewObject()
	header.Set("alg", sg.alg)
	if typ != "" {
		header.Set("typ", typ)
	}
	header.Set("kid", sg.kid)
	tok, oerr := s.sign(sg, header, payload)
	if oerr != nil {
		fail(oerr)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/jwt")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, tok)
}

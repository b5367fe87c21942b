package issuer

import (
	"net/http"
	"strings"

	"github.com/jwtkit/jwtkit/internal/claims"
)

// serveUserinfo is the UserInfo endpoint (OpenID Connect Core §5.3): a GET or POST with a
// Bearer access token (RFC 6750 §2.1, or access_token in a POST form, §2.2) of this issuer
// whose scope has openid, or a DPoP-bound one under the DPoP scheme with a proof (RFC 9449
// §7). It answers sub, the user's claims the token's scope releases and, for a token of a
// login at the login page, the claims typed there (winning, as in the ID token); a refused request gets
// 401 with the challenge userinfoChallenge makes. A certificate-bound token (cnf.x5t#S256,
// RFC 8705 §3) needs its certificate on the connection.
func (s *Server) serveUserinfo(w http.ResponseWriter, r *http.Request, e *Entry) {
	challenge := challengeBoth
	fail := func(status int, code, description string) {
		e.Error, e.Detail = code, description
		w.Header().Set("WWW-Authenticate", userinfoChallenge(challenge, code, description))
		writeError(w, newError(status, code, description))
	}
	raw, dpopScheme := "", false
	if authz := r.Header.Get("Authorization"); authz != "" {
		scheme, value, _ := strings.Cut(authz, " ")
		dpopScheme = strings.EqualFold(scheme, "DPoP")
		if !strings.EqualFold(scheme, "Bearer") && !dpopScheme || value == "" {
			fail(http.StatusUnauthorized, ErrInvalidRequest, "use Authorization: Bearer ACCESS_TOKEN, or DPoP ACCESS_TOKEN with a DPoP proof")
			return
		}
		raw = strings.TrimSpace(value)
		challenge = challengeBearer
		if dpopScheme {
			challenge = challengeDPoP
		}
	} else if r.Method == http.MethodPost && r.Header.Get("Content-Type") != "" {
		form, oerr := readForm(w, r)
		if oerr != nil {
			fail(http.StatusBadRequest, ErrInvalidRequest, oerr.description)
			return
		}
		raw = form.Get("access_token")
		if raw != "" {
			challenge = challengeBearer
		}
	}
	if raw == "" {
		fail(http.StatusUnauthorized, "", "an access token is required")
		return
	}
	p, _, err := s.ownToken(raw, "at+jwt")
	if err != nil {
		fail(http.StatusUnauthorized, ErrInvalidToken, "the access token is invalid: "+err.Error())
		return
	}
	if oerr := s.resourceDPoP(r, p.Payload, raw, dpopScheme); oerr != nil {
		// Every refusal here is about DPoP: a proof under the DPoP scheme, or a bound token
		// sent as Bearer, which must come back with DPoP.
		challenge = challengeDPoP
		fail(http.StatusUnauthorized, oerr.code, oerr.description)
		return
	}
	if oerr := resourceCert(r, p.Payload); oerr != nil {
		challenge = challengeBearer
		fail(http.StatusUnauthorized, oerr.code, oerr.description)
		return
	}
	scope, _ := p.Payload["scope"].(string)
	sub, _ := p.Payload["sub"].(string)
	if cid, _ := p.Payload["client_id"].(string); cid != "" {
		e.ClientID = Sanitize(cid, 100)
	}
	if !hasScope(scope, "openid") {
		fail(http.StatusForbidden, "insufficient_scope", "the access token's scope lacks openid")
		return
	}
	out := claims.NewObject()
	out.Set("sub", sub)
	cid, _ := p.Payload["client_id"].(string)
	released, oerr := userClaims(s.lookupUser(sub), scope, TemplateData{ClientID: cid, Scope: scope, Subject: sub}, s.cfg.Now())
	if oerr != nil {
		writeError(w, oerr)
		return
	}
	for _, kv := range released {
		out.Set(kv[0].(string), kv[1])
	}
	if jti, _ := p.Payload["jti"].(string); jti != "" {
		setLoginClaims(out, s.store.LoginClaims(jti, s.cfg.Now()))
	}
	body, err := out.MarshalJSON()
	if err != nil {
		writeError(w, serverError("encoding the claims failed"))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// challengeScheme is the scheme (or schemes) of a /userinfo challenge.
type challengeScheme int

// The schemes of a /userinfo challenge.
const (
	challengeBoth   challengeScheme = iota // no usable Authorization header: either scheme works (RFC 9449 §7.2)
	challengeBearer                        // the request used Bearer (RFC 6750 §3)
	challengeDPoP                          // the request used DPoP, or the token is DPoP-bound (RFC 9449 §7.1)
)

// userinfoChallenge is the WWW-Authenticate value of a refused /userinfo request: error and
// error_description (printable ASCII, RFC 6750 §3) under the scheme the request used, the
// DPoP one with the algs it accepts (RFC 9449 §7.1), and both schemes when the request had no
// token (RFC 9449 §7.2).
func userinfoChallenge(scheme challengeScheme, code, description string) string {
	params := ""
	if code != "" {
		params = `, error="` + code + `", error_description="` + printableASCII(description, 200) + `"`
	}
	bearer := `Bearer realm="jwtkit"`
	dpopChallenge := `DPoP realm="jwtkit"` + params + `, algs="` + strings.Join(dpopAlgs(), " ") + `"`
	switch scheme {
	case challengeBearer:
		return bearer + params
	case challengeDPoP:
		return dpopChallenge
	}
	return bearer + params + ", " + dpopChallenge
}

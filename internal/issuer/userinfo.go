package issuer

import (
	"net/http"
	"strings"

	"github.com/jwtkit/jwtkit/internal/claims"
)

// serveUserinfo is the UserInfo endpoint (OpenID Connect Core §5.3): a GET or POST with a
// Bearer access token (RFC 6750 §2.1, or access_token in a POST form, §2.2) of this issuer
// whose scope has openid. It answers sub and the user's claims the token's scope releases; a
// bad token gets 401 with a WWW-Authenticate Bearer challenge (RFC 6750 §3).
func (s *Server) serveUserinfo(w http.ResponseWriter, r *http.Request, e *Entry) {
	fail := func(status int, code, description string) {
		e.Error, e.Detail = code, description
		challenge := `Bearer realm="jwtkit"`
		if code != "" {
			challenge += `, error="` + code + `", error_description="` + printableASCII(description, 200) + `"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
		writeError(w, newError(status, code, description))
	}
	raw, dpopScheme := "", false
	if authz := r.Header.Get("Authorization"); authz != "" {
		scheme, value, _ := strings.Cut(authz, " ")
		dpopScheme = strings.EqualFold(scheme, "DPoP")
		if !strings.EqualFold(scheme, "Bearer") && !dpopScheme || value == "" {
			fail(http.StatusUnauthorized, ErrInvalidRequest, "use Authorization: Bearer ACCESS_TOKEN")
			return
		}
		raw = strings.TrimSpace(value)
	} else if r.Method == http.MethodPost && r.Header.Get("Content-Type") != "" {
		form, oerr := readForm(w, r)
		if oerr != nil {
			fail(http.StatusBadRequest, ErrInvalidRequest, oerr.description)
			return
		}
		raw = form.Get("access_token")
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

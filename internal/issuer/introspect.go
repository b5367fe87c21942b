package issuer

import (
	"net/http"

	"github.com/jwtkit/jwtkit/internal/claims"
)

// serveIntrospect is RFC 7662 token introspection, for authenticated clients. An access token
// of this issuer that verifies, is live and is not revoked is active, with its claims and
// token_type; a live current refresh token is active with its grant's client, subject and
// scope. Anything else — expired, revoked, replaced, signed by another issuer, garbage — is
// {"active":false} and nothing more (RFC 7662 §2.2).
func (s *Server) serveIntrospect(w http.ResponseWriter, r *http.Request, e *Entry) {
	form, oerr := readForm(w, r)
	if oerr == nil {
		_, oerr = s.authenticateRequest(r, form, e, false)
	}
	if oerr != nil {
		e.Error, e.Detail = oerr.code, oerr.detail
		writeError(w, oerr)
		return
	}
	raw := form.Get("token")
	if raw == "" {
		oerr = newError(http.StatusBadRequest, ErrInvalidRequest, "token is missing")
		e.Error, e.Detail = oerr.code, oerr.detail
		writeError(w, oerr)
		return
	}
	out := claims.NewObject()
	if p, _, err := s.ownToken(raw, "at+jwt"); err == nil {
		out.Set("active", true)
		for _, name := range []string{"scope", "client_id", "sub", "aud", "iss", "exp", "iat", "nbf", "jti", "auth_time", "cnf"} {
			if v, ok := p.Payload[name]; ok {
				out.Set(name, v)
			}
		}
		if cnf, _ := p.Payload["cnf"].(map[string]any); cnf["jkt"] != nil {
			out.Set("token_type", "DPoP")
		} else {
			out.Set("token_type", "Bearer")
		}
	} else if f, current, ok := s.store.Refresh(TokenHash(raw), s.cfg.Now()); ok && current {
		out.Set("active", true)
		out.Set("scope", f.Scope)
		out.Set("client_id", f.ClientID)
		out.Set("sub", f.Subject)
		out.Set("iss", s.cfg.Issuer)
		out.Set("exp", f.Expires.Unix())
		out.Set("token_type", "refresh_token")
	} else {
		out.Set("active", false)
		e.Detail = "inactive token"
	}
	body, _ := out.MarshalJSON()
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// serveRevoke is RFC 7009 token revocation, for authenticated clients: a refresh token of the
// client revokes its whole grant (the refresh tokens and the access tokens issued with them,
// RFC 7009 §2.1); an access token of the client is revoked by its jti until it expires. A
// token the server does not know, or one of another client, gets 200 as well and changes
// nothing (RFC 7009 §2.2: an invalid token is no error).
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request, e *Entry) {
	form, oerr := readForm(w, r)
	var client *Client
	if oerr == nil {
		client, oerr = s.authenticateRequest(r, form, e, true)
	}
	if oerr == nil && form.Get("token") == "" {
		oerr = newError(http.StatusBadRequest, ErrInvalidRequest, "token is missing")
	}
	if oerr != nil {
		e.Error, e.Detail = oerr.code, oerr.detail
		writeError(w, oerr)
		return
	}
	raw := form.Get("token")
	now := s.cfg.Now()
	e.Detail = "unknown token or another client's: nothing revoked"
	if f, _, ok := s.store.Refresh(TokenHash(raw), now); ok {
		if f.ClientID == client.ID {
			s.store.RevokeFamily(f.ID, now)
			e.Detail = "refresh token grant revoked"
		}
	} else if p, exp, err := s.ownToken(raw, ""); err == nil {
		cid, _ := p.Payload["client_id"].(string)
		jti, _ := p.Payload["jti"].(string)
		if cid == client.ID && jti != "" {
			if err := s.store.RevokeJTI(jti, exp, now); err != nil {
				oerr = storeFailed(err)
				e.Error, e.Detail = oerr.code, oerr.detail
				writeError(w, oerr)
				return
			}
			e.Detail = "access token revoked"
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

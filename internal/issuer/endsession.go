package issuer

import (
	"net/http"
	"net/url"

	"github.com/jwtkit/jwtkit/internal/htmlpage"
)

// signedOutPage is the page of a logout without a redirect, naming the issuer.
func signedOutPage(issuer string) []byte {
	var p htmlpage.Page
	p.Markup(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head>
<body><h1>Signed out</h1><p>You are signed out of `)
	p.Text(issuer)
	p.Markup(`.</p></body></html>
`)
	return p.Bytes()
}

// serveEndSession is the RP-initiated logout endpoint (OpenID Connect RP-Initiated Logout 1.0
// §2). The server keeps no login session (every login is headless), so there is nothing to end;
// it sends the browser to post_logout_redirect_uri, with state, when the client (client_id, or
// the aud of id_token_hint) registered that URI, and otherwise shows a small page. An
// unregistered URI never gets a redirect.
func (s *Server) serveEndSession(w http.ResponseWriter, r *http.Request, e *Entry) {
	params, problem := readAuthorizeParams(w, r)
	if problem != "" {
		s.authorizePage(w, r, e, ErrInvalidRequest, problem)
		return
	}
	clientID := params.Get("client_id")
	if hint := params.Get("id_token_hint"); hint != "" {
		// A hint that does not verify as a live ID token of this issuer is ignored.
		if p, _, err := s.ownToken(hint, "JWT"); err == nil {
			aud, _ := p.Payload["aud"].(string)
			if clientID != "" && clientID != aud {
				s.authorizePage(w, r, e, ErrInvalidRequest, "client_id differs from the aud of id_token_hint")
				return
			}
			clientID = aud
		}
	}
	if clientID != "" {
		e.ClientID = Sanitize(clientID, 100)
	}
	target := params.Get("post_logout_redirect_uri")
	if target != "" {
		c := s.clients[clientID]
		if c == nil || !contains(c.PostLogoutRedirectURIs, target) {
			s.authorizePage(w, r, e, ErrInvalidRequest, "post_logout_redirect_uri is not registered for the client (name it with client_id or id_token_hint)")
			return
		}
		u, _ := url.Parse(target)
		q := u.Query()
		if st := params.Get("state"); st != "" {
			q.Set("state", st)
		}
		u.RawQuery = q.Encode()
		w.Header().Set("Location", u.String())
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(signedOutPage(s.cfg.Issuer))
}

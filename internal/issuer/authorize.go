package issuer

import (
	"encoding/base64"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/htmlpage"
)

// authorizeError is an error at /authorize. Before the client and its redirect URI are known
// good it is shown on a page of this server (redirect false: RFC 6749 §4.1.2.1 forbids
// redirecting to an unverified URI); after, it goes back to the client in the redirect.
type authorizeError struct {
	code        string
	description string
}

// authorizeRequest is a checked authorization request.
type authorizeRequest struct {
	client      *Client
	redirectURI string
	state       string
	scope       string
	nonce       string
	challenge   string
	method      string
	user        *User
	// claims are the claims typed at the login page, nil for none.
	claims *claims.Object
}

// readAuthorizeParams reads the parameters of an authorization request: the query of a GET or
// the form body of a POST (OpenID Connect Core §3.1.2.1), each at most MaxParamBytes and none
// repeated (RFC 6749 §3.1).
func readAuthorizeParams(w http.ResponseWriter, r *http.Request) (url.Values, string) {
	var raw string
	if r.Method == http.MethodPost {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/x-www-form-urlencoded" {
			return nil, "a POST to the authorization endpoint must be application/x-www-form-urlencoded"
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxFormBytes))
		if err != nil {
			return nil, "the authorization request body is unreadable or larger than 64 KiB"
		}
		raw = string(body)
	} else {
		raw = r.URL.RawQuery
	}
	params, err := url.ParseQuery(raw)
	if err != nil {
		return nil, "the authorization request is not valid form encoding"
	}
	for name, values := range params {
		if len(values) > 1 {
			return nil, "parameter " + Sanitize(name, 50) + " is given more than once (RFC 6749 §3.1)"
		}
		if len(values[0]) > MaxParamBytes {
			return nil, "parameter " + Sanitize(name, 50) + " is longer than 2 KiB"
		}
	}
	return params, ""
}

// serveAuthorize is the authorization endpoint (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2).
// Without the login page (EnableLoginPage) the login is headless: the default user, or the one login_hint names, is logged in and the
// request approved at once, with a 302 to the redirect URI carrying code, state and iss
// (RFC 9207).
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request, e *Entry) {
	params, problem := readAuthorizeParams(w, r)
	if problem != "" {
		s.authorizePage(w, r, e, ErrInvalidRequest, problem)
		return
	}
	if s.login != nil && (params.Has("login_token") || params.Has("action")) {
		s.serveLogin(w, r, e, params)
		return
	}
	clientID := params.Get("client_id")
	c := s.clients[clientID]
	if clientID != "" {
		e.ClientID = Sanitize(clientID, 100)
	}
	switch {
	case clientID == "":
		s.authorizePage(w, r, e, ErrInvalidRequest, "client_id is missing")
		return
	case c == nil:
		s.authorizePage(w, r, e, ErrInvalidClient, "client "+Sanitize(clientID, 100)+" is not registered")
		return
	case len(c.RedirectURIs) == 0:
		s.authorizePage(w, r, e, ErrUnauthorizedClient, "client "+Sanitize(clientID, 100)+" has no redirect_uris registered, so it cannot use the authorization code grant")
		return
	}
	redirectURI := params.Get("redirect_uri")
	switch {
	case redirectURI == "":
		s.authorizePage(w, r, e, ErrInvalidRequest, "redirect_uri is missing; it is required and must be one the client registered")
		return
	case !redirectAllowed(redirectURI, c.RedirectURIs):
		s.authorizePage(w, r, e, ErrInvalidRequest, "redirect_uri "+Sanitize(redirectURI, 200)+" is not registered for client "+Sanitize(clientID, 100)+" (RFC 6749 §4.1.2.1: no redirect is made)")
		return
	}
	// From here on, errors go back to the client (RFC 6749 §4.1.2.1).
	state := params.Get("state")
	req, aerr := s.checkAuthorize(c, redirectURI, params)
	if aerr != nil {
		e.Error, e.Detail = aerr.code, aerr.description
		s.redirect(w, redirectURI, url.Values{"error": {aerr.code}, "error_description": {printableASCII(aerr.description, 400)}}, state)
		return
	}
	req.state = state
	if s.login != nil {
		if strings.Contains(params.Get("prompt"), "none") {
			e.Error, e.Detail = "login_required", "prompt=none with the login page"
			s.redirect(w, redirectURI, url.Values{"error": {"login_required"}, "error_description": {"no user is logged in and prompt=none forbids the login page (OpenID Connect Core 3.1.2.6)"}}, state)
			return
		}
		s.showLogin(w, e, req, nil)
		return
	}
	s.issueCode(w, e, req)
}

// issueCode stores an authorization code for req and redirects to the client with it.
func (s *Server) issueCode(w http.ResponseWriter, e *Entry, req *authorizeRequest) {
	c, redirectURI, state := req.client, req.redirectURI, req.state
	code := make([]byte, 32)
	if _, err := io.ReadFull(s.cfg.Rand, code); err != nil {
		s.redirect(w, redirectURI, url.Values{"error": {"server_error"}}, state)
		return
	}
	secret := base64.RawURLEncoding.EncodeToString(code)
	now := s.cfg.Now()
	err := s.store.PutCode(TokenHash(secret), AuthCode{
		ClientID:    c.ID,
		RedirectURI: redirectURI,
		Scope:       req.scope,
		Nonce:       req.nonce,
		Subject:     req.user.Subject,
		AuthTime:    now,
		Challenge:   req.challenge,
		Method:      req.method,
		Expires:     now.Add(s.codeTTL),
		Claims:      req.claims,
	}, now)
	if err != nil {
		e.Error, e.Detail = ErrTemporarilyUnavailable, err.Error()
		s.redirect(w, redirectURI, url.Values{"error": {ErrTemporarilyUnavailable}, "error_description": {"too many live authorization codes; retry in a minute"}}, state)
		return
	}
	e.Scope = Sanitize(req.scope, 200)
	s.redirect(w, redirectURI, url.Values{"code": {secret}}, state)
}

// checkAuthorize checks the parameters after the redirect URI: response_type, scope, PKCE,
// prompt and the user.
func (s *Server) checkAuthorize(c *Client, redirectURI string, params url.Values) (*authorizeRequest, *authorizeError) {
	switch rt := params.Get("response_type"); rt {
	case "code":
	case "":
		return nil, &authorizeError{ErrInvalidRequest, "response_type is missing; this server supports code"}
	default:
		return nil, &authorizeError{ErrUnsupportedResponseType, "response_type " + Sanitize(rt, 60) + " is not supported; use code"}
	}
	if rm := params.Get("response_mode"); rm != "" && rm != "query" {
		return nil, &authorizeError{ErrInvalidRequest, "response_mode " + Sanitize(rm, 60) + " is not supported; use query"}
	}
	if params.Has("request") || params.Has("request_uri") {
		return nil, &authorizeError{"request_not_supported", "request objects are not supported"}
	}
	scope, oerr := grantScope(c, params.Get("scope"))
	if oerr != nil {
		return nil, &authorizeError{ErrInvalidScope, oerr.description}
	}
	req := &authorizeRequest{client: c, redirectURI: redirectURI, scope: scope, nonce: params.Get("nonce")}
	req.challenge, req.method = params.Get("code_challenge"), params.Get("code_challenge_method")
	if aerr := checkChallenge(c, req.challenge, &req.method); aerr != nil {
		return nil, aerr
	}
	for _, p := range strings.Fields(params.Get("prompt")) {
		switch p {
		case "none", "login", "consent", "select_account":
		default:
			return nil, &authorizeError{ErrInvalidRequest, "prompt " + Sanitize(p, 40) + " is not one of none, login, consent, select_account"}
		}
	}
	if strings.Contains(params.Get("prompt"), "none") && len(strings.Fields(params.Get("prompt"))) > 1 {
		return nil, &authorizeError{ErrInvalidRequest, "prompt=none cannot be combined with other values (OpenID Connect Core §3.1.2.1)"}
	}
	u, ok := s.userFor(params.Get("login_hint"))
	if !ok {
		return nil, &authorizeError{"login_required", "login_hint does not name a user this server can log in"}
	}
	req.user = u
	return req, nil
}

// redirect answers 302 to uri with params, state (when given) and iss (RFC 9207) added to its
// query, keeping the query it already has (RFC 6749 §3.1.2).
func (s *Server) redirect(w http.ResponseWriter, uri string, params url.Values, state string) {
	u, _ := url.Parse(uri)
	q := u.Query()
	for name, values := range params {
		q[name] = values
	}
	if state != "" {
		q.Set("state", state)
	}
	q.Set("iss", s.cfg.Issuer)
	u.RawQuery = q.Encode()
	h := w.Header()
	h.Set("Location", u.String())
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusFound)
}

// errorPage is the page of an error at /authorize or at the login page: code and description
// are escaped by htmlpage, as every value of the pages of this package (not html/template,
// whose package init every run of jwtkit would pay: issue 17).
func errorPage(code, description string) []byte {
	var p htmlpage.Page
	p.Markup(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorization error</title></head>
<body><h1>Authorization error</h1><p><code>`)
	p.Text(code)
	p.Markup(`</code>: `)
	p.Text(description)
	p.Markup(`</p>
<p>No redirect was made.</p></body></html>
`)
	return p.Bytes()
}

// authorizePage answers 400 with the error on a page of this server, never a redirect: JSON
// when the caller prefers it (a test, curl -H 'Accept: application/json'), else HTML.
func (s *Server) authorizePage(w http.ResponseWriter, r *http.Request, e *Entry, code, description string) {
	e.Error, e.Detail = code, description
	if !strings.Contains(r.Header.Get("Accept"), "text/html") {
		writeError(w, newError(http.StatusBadRequest, code, description))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write(errorPage(code, printableASCII(description, 400)))
}

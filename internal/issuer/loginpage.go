package issuer

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/htmlpage"
)

const (
	// loginTTL is how long a login page stays good: its pending authorization is forgotten
	// after it.
	loginTTL = 5 * time.Minute
	// maxPendingLogins bounds the pending authorizations kept in memory.
	maxPendingLogins = 1000
	// maxLoginClaimsBytes bounds the claims typed at the login page (readAuthorizeParams
	// already caps every parameter at MaxParamBytes).
	maxLoginClaimsBytes = 2048
	// maxLoginClaimsDepth bounds their nesting: the object itself is depth 1.
	maxLoginClaimsDepth = 8
)

// pendingLogin is an authorization request that was checked and waits for the person at the
// login page. The POST of the page names it by its CSRF token alone, so nothing the form
// carries can change the client, redirect URI, state, nonce, PKCE challenge or scope.
type pendingLogin struct {
	req     authorizeRequest
	expires time.Time
}

// loginPages holds the pending authorizations of the login page (serve --login-page), by the
// hash of their CSRF token. Each is used once.
type loginPages struct {
	mu      sync.Mutex
	pending map[string]pendingLogin
}

// EnableLoginPage makes /authorize show a page where a person picks a configured user or
// types a subject, instead of approving at once (serve --login-page). With it, prompt=none is
// always answered login_required (OpenID Connect Core §3.1.2.6): the server keeps no session,
// so no user is ever logged in already, whatever the login_hint says.
func (s *Server) EnableLoginPage() {
	s.login = &loginPages{pending: make(map[string]pendingLogin)}
}

// put records req and returns its CSRF token, or "" when too many logins are pending.
func (l *loginPages) put(req authorizeRequest, token string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) >= maxPendingLogins {
		for k, p := range l.pending {
			if !now.Before(p.expires) {
				delete(l.pending, k)
			}
		}
		if len(l.pending) >= maxPendingLogins {
			return false
		}
	}
	l.pending[TokenHash(token)] = pendingLogin{req: req, expires: now.Add(loginTTL)}
	return true
}

// take removes and returns the pending authorization of token, if it is live.
func (l *loginPages) take(token string, now time.Time) (authorizeRequest, bool) {
	if token == "" {
		return authorizeRequest{}, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	k := TokenHash(token)
	p, ok := l.pending[k]
	if !ok {
		return authorizeRequest{}, false
	}
	delete(l.pending, k)
	return p.req, now.Before(p.expires)
}

// loginPage is the login page: pick a user or type a subject and claims. It runs no script and
// loads nothing.
func loginPage(d loginPageData) []byte {
	var p htmlpage.Page
	p.Markup(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Log in</title></head>
<body><h1>Log in to `)
	p.Text(d.Client)
	p.Markup(`</h1>
`)
	if d.Message != "" {
		p.Markup(`<p role="alert">`)
		p.Text(d.Message)
		p.Markup(`</p>`)
	}
	p.Markup(`
<form method="post" action="`)
	p.URL(d.Action)
	p.Markup(`">
<input type="hidden" name="login_token" value="`)
	p.Text(d.Token)
	p.Markup(`">
<p><label>User <select name="user" id="user">`)
	for _, u := range d.Users {
		p.Markup(`<option value="`)
		p.Text(u)
		p.Markup(`"`)
		if u == d.Selected {
			p.Markup(` selected`)
		}
		p.Markup(`>`)
		p.Text(u)
		p.Markup(`</option>`)
	}
	p.Markup(`</select></label></p>
<p><label>Or another subject <input name="sub" id="sub" value="`)
	p.Text(d.Sub)
	p.Markup(`" autocomplete="off" spellcheck="false"></label></p>
<p><label>Extra claims of the ID tokens and userinfo (a JSON object) <textarea name="claims" id="claims" rows="4" cols="60" maxlength="2048" spellcheck="false">`)
	p.Text(d.Claims)
	p.Markup(`</textarea></label></p>
<p>Scope: <code>`)
	p.Text(d.Scope)
	p.Markup(`</code></p>
<p><button name="action" value="login" id="login">Log in</button> <button name="action" value="cancel" id="cancel">Cancel</button></p>
</form>
</body></html>
`)
	return p.Bytes()
}

// loginPageData is what loginPage shows.
type loginPageData struct {
	Client, Message, Action, Token, Scope, Selected, Sub, Claims string
	Users                                                        []string
}

// loginForm is what the person entered at the login page, shown again when it was refused.
type loginForm struct {
	message, user, sub, claims string
}

// pageHeaders sets the headers of the pages a person uses (login, device): no caching, no framing, nothing loaded,
// forms posted only here and (since a browser checks the redirect a form post gets) to the
// origin of redirectURI.
func pageHeaders(w http.ResponseWriter, redirectURI string) {
	formAction := "'self'"
	if u, err := url.Parse(redirectURI); err == nil && u.Host != "" && cspSafe(u.Scheme+u.Host) {
		formAction += " " + u.Scheme + "://" + u.Host
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action "+formAction)
}

// cspSafe reports whether s can stand in a CSP source list as it is.
func cspSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".-:[]", c) >= 0) {
			return false
		}
	}
	return true
}

// showLogin records req as pending and shows the login page for it, with what form holds
// (nil for a first showing) filled in again and its message.
func (s *Server) showLogin(w http.ResponseWriter, e *Entry, req *authorizeRequest, form *loginForm) {
	raw := make([]byte, 32)
	if _, err := io.ReadFull(s.cfg.Rand, raw); err != nil {
		s.redirect(w, req.redirectURI, url.Values{"error": {"server_error"}}, req.state)
		return
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	if !s.login.put(*req, token, s.cfg.Now()) {
		e.Error, e.Detail = ErrTemporarilyUnavailable, "too many pending logins"
		s.redirect(w, req.redirectURI, url.Values{"error": {ErrTemporarilyUnavailable}, "error_description": {"too many pending logins; retry in a few minutes"}}, req.state)
		return
	}
	users := make([]string, 0, len(s.users))
	for sub := range s.users {
		users = append(users, sub)
	}
	sort.Strings(users)
	data := loginPageData{
		Client: req.client.ID, Action: s.basePath + PathAuthorize, Token: token,
		Scope: req.scope, Selected: req.user.Subject, Users: users,
	}
	if form != nil {
		data.Message, data.Sub, data.Claims = form.message, form.sub, form.claims
		if s.users[form.user] != nil {
			data.Selected = form.user
		}
	}
	pageHeaders(w, req.redirectURI)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(loginPage(data))
}

// parseLoginClaims reads the claims typed at the login page: empty (or only spaces) is none;
// else a JSON object of at most maxLoginClaimsBytes and maxLoginClaimsDepth levels, with
// unique member names and none of the claims the server sets itself (reservedUserClaims: iss,
// sub, aud, exp, iat, nonce, auth_time, at_hash, azp, …). A refusal is a message for the page.
func parseLoginClaims(text string) (*claims.Object, string) {
	if strings.TrimSpace(text) == "" {
		return nil, ""
	}
	if len(text) > maxLoginClaimsBytes {
		return nil, "the claims are longer than 2 KiB"
	}
	if depth := jsonDepth(text); depth > maxLoginClaimsDepth {
		return nil, "the claims are nested deeper than 8 levels"
	}
	obj, err := claims.ParseObject([]byte(text))
	if err != nil {
		return nil, "the claims are not a JSON object: " + Sanitize(err.Error(), 200)
	}
	for _, name := range obj.Keys() {
		if contains(reservedUserClaims, name) {
			return nil, "claim " + Sanitize(name, 60) + " is set by the server and cannot be typed"
		}
	}
	return obj, ""
}

// jsonDepth is the deepest nesting of objects and arrays in text, not counting brackets
// inside strings. It does not check that text is JSON.
func jsonDepth(text string) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// serveLogin takes the POST of the login page: the pending authorization its token names is
// approved for the picked or typed user, or, for cancel, answered access_denied. A missing,
// unknown, used or expired token is refused with 403 and no redirect.
func (s *Server) serveLogin(w http.ResponseWriter, r *http.Request, e *Entry, params url.Values) {
	req, ok := s.login.take(params.Get("login_token"), s.cfg.Now())
	if !ok || r.Method != http.MethodPost {
		e.Error, e.Detail = ErrAccessDenied, "login page posted without a live login token"
		pageHeaders(w, "")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write(errorPage(ErrAccessDenied,
			"this login form is unknown, used already or expired; start the login again from the application"))
		return
	}
	e.ClientID = Sanitize(req.client.ID, 100)
	switch params.Get("action") {
	case "cancel":
		e.Error, e.Detail = ErrAccessDenied, "the user cancelled the login"
		s.redirect(w, req.redirectURI, url.Values{"error": {ErrAccessDenied}, "error_description": {"the user cancelled the login"}}, req.state)
		return
	case "login":
	default:
		e.Error, e.Detail = ErrInvalidRequest, "login page action is neither login nor cancel"
		s.redirect(w, req.redirectURI, url.Values{"error": {ErrInvalidRequest}}, req.state)
		return
	}
	form := &loginForm{user: params.Get("user"), sub: params.Get("sub"), claims: params.Get("claims")}
	hint := strings.TrimSpace(form.sub)
	if hint == "" {
		hint = form.user
	}
	u, ok := s.userFor(hint)
	if !ok {
		e.Error, e.Detail = "login_required", "the subject typed at the login page is not a valid sub"
		s.redirect(w, req.redirectURI, url.Values{"error": {"login_required"}, "error_description": {"the subject typed is not a valid sub (printable ASCII, no spaces)"}}, req.state)
		return
	}
	typed, problem := parseLoginClaims(form.claims)
	if problem != "" {
		// The person can fix a typo: the same authorization, with a new login token.
		e.Detail = "login page claims refused: " + problem
		form.message = problem + "; correct them or leave the field empty"
		s.showLogin(w, e, &req, form)
		return
	}
	req.user, req.claims = u, typed
	s.issueCode(w, e, &req)
}

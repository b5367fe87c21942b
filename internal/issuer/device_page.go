package issuer

import (
	"net/http"
	"strings"

	"github.com/jwtkit/jwtkit/internal/htmlpage"
)

// devicePage is the verification page (RFC 8628 §3.3): a form to type the user code, and the
// outcome. It loads nothing from anywhere and runs no script.
func devicePage(d devicePageData) []byte {
	var p htmlpage.Page
	p.Markup(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Device login</title></head>
<body><h1>Device login</h1>
`)
	if d.Message != "" {
		p.Markup(`<p role="status">`)
		p.Text(d.Message)
		p.Markup(`</p>`)
	}
	p.Markup("\n")
	if d.Form {
		p.Markup(`<form method="post" action="`)
		p.URL(d.Action)
		p.Markup(`">
<p><label>Code shown on your device <input name="user_code" value="`)
		p.Text(d.UserCode)
		p.Markup(`" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus></label></p>
<p><label>User (empty for `)
		p.Text(d.DefaultUser)
		p.Markup(`) <input name="login_hint" autocomplete="username"></label></p>
<p><button name="action" value="approve">Approve</button> <button name="action" value="deny">Deny</button></p>
</form>`)
	}
	p.Markup(`
</body></html>
`)
	return p.Bytes()
}

// devicePageData is what devicePage shows.
type devicePageData struct {
	Message     string // the outcome or the refusal, none when empty
	Form        bool   // whether the form is shown
	UserCode    string // filled in from verification_uri_complete under the login page
	Action      string // where the form posts: a path of this server
	DefaultUser string
}

// deviceOutcome is the JSON answer of the verification endpoint to a caller that does not
// ask for HTML (a test driving the flow headlessly).
type deviceOutcome struct {
	Status   string `json:"status"`
	ClientID string `json:"client_id"`
	Scope    string `json:"scope,omitempty"`
	Subject  string `json:"sub,omitempty"`
}

// serveDevice is the verification endpoint. Without a user_code it shows the form. With one
// (the verification_uri_complete, or the form posted) it decides at once, like /authorize:
// approved for the default user or the one login_hint (or user) names, or denied when action
// is deny. With the login page (EnableLoginPage) only the posted form decides: following
// verification_uri_complete shows the form with the code filled in, so a person approves
// with a click of their own, and a link alone approves nothing.
func (s *Server) serveDevice(w http.ResponseWriter, r *http.Request, e *Entry) {
	wantHTML := strings.Contains(r.Header.Get("Accept"), "text/html")
	fail := func(status int, code, description string) {
		e.Error, e.Detail = code, description
		if !wantHTML {
			writeError(w, newError(status, code, description))
			return
		}
		s.writeDevicePage(w, status, devicePageData{Message: description, Form: true})
	}
	params, problem := readAuthorizeParams(w, r)
	if problem != "" {
		fail(http.StatusBadRequest, ErrInvalidRequest, problem)
		return
	}
	typed := params.Get("user_code")
	if typed == "" {
		if r.Method == http.MethodPost {
			fail(http.StatusBadRequest, ErrInvalidRequest, "user_code is missing")
			return
		}
		s.writeDevicePage(w, http.StatusOK, devicePageData{Form: true})
		return
	}
	code, ok := NormalizeUserCode(typed)
	if s.login != nil && r.Method != http.MethodPost {
		shown := ""
		if ok {
			shown = code[:4] + "-" + code[4:]
		}
		s.writeDevicePage(w, http.StatusOK, devicePageData{Form: true, UserCode: shown})
		return
	}
	if !ok {
		fail(http.StatusBadRequest, ErrInvalidRequest, "the code is not 8 letters shown as XXXX-XXXX; check it on the device")
		return
	}
	approve := true
	switch a := params.Get("action"); a {
	case "", "approve":
	case "deny":
		approve = false
	default:
		fail(http.StatusBadRequest, ErrInvalidRequest, "action is approve or deny")
		return
	}
	hint, user := params.Get("login_hint"), params.Get("user")
	if hint != "" && user != "" && hint != user {
		fail(http.StatusBadRequest, ErrInvalidRequest, "login_hint and user name different users")
		return
	}
	if hint == "" {
		hint = user
	}
	u, ok := s.userFor(hint)
	if !ok {
		fail(http.StatusBadRequest, ErrInvalidRequest, "the user name is not one this server can log in")
		return
	}
	now := s.cfg.Now()
	hash := TokenHash(code)
	// While blocked every lookup is refused, the right code too: else a guesser would learn
	// from the answers which guess hit.
	if s.codeGuesses.blocked(r.RemoteAddr, now) {
		fail(http.StatusTooManyRequests, ErrSlowDown, "too many wrong codes in the last minute; wait a minute and type the code again")
		return
	}
	d, ok := s.store.DeviceByUser(hash, now)
	if !ok {
		s.codeGuesses.fail(r.RemoteAddr, now)
		fail(http.StatusBadRequest, ErrInvalidRequest, "the code is unknown or has expired; start again on the device")
		return
	}
	e.ClientID = Sanitize(d.ClientID, 100)
	if _, ok := s.store.DecideDevice(hash, approve, u.Subject, now); !ok {
		fail(http.StatusBadRequest, ErrInvalidRequest, "the code was already approved or denied")
		return
	}
	e.Scope = Sanitize(d.Scope, 200)
	out := deviceOutcome{Status: "approved", ClientID: d.ClientID, Scope: d.Scope, Subject: u.Subject}
	msg := "Approved for " + u.Subject + ": return to your device."
	if !approve {
		out = deviceOutcome{Status: "denied", ClientID: d.ClientID, Scope: d.Scope}
		msg = "Denied: the device gets no access."
	}
	if !wantHTML {
		writeJSON(w, http.StatusOK, out)
		return
	}
	s.writeDevicePage(w, http.StatusOK, devicePageData{Message: msg})
}

// writeDevicePage renders the page with headers that keep it from being framed (a framed
// Approve button could be clicked by a trick) or loading anything.
func (s *Server) writeDevicePage(w http.ResponseWriter, status int, data devicePageData) {
	data.Action = s.basePath + PathDevice
	data.DefaultUser = s.user.Subject
	pageHeaders(w, "") // the form posts to this server alone
	w.WriteHeader(status)
	_, _ = w.Write(devicePage(data))
}

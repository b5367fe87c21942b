package issuer

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/token"
)

// tokenResponse is a successful token response (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope,omitempty"`
}

// grant is what a token request asks for, once checked.
type grant struct {
	client   *Client
	scope    string // space-separated granted scopes, "" for none
	audience []string
}

// serveToken is the token endpoint: the client-credentials grant.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, e *Entry) {
	g, oerr := s.checkTokenRequest(w, r, e)
	if oerr == nil {
		var tok string
		if tok, oerr = s.accessToken(g); oerr == nil {
			e.Scope = Sanitize(g.scope, 200)
			body, _ := json.Marshal(tokenResponse{
				AccessToken: tok,
				TokenType:   "Bearer",
				ExpiresIn:   int64(s.ttl.Seconds()),
				Scope:       g.scope,
			})
			h := w.Header()
			h.Set("Content-Type", "application/json;charset=UTF-8")
			h.Set("Cache-Control", "no-store")
			h.Set("Pragma", "no-cache")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(body)
			return
		}
	}
	e.Error, e.Detail = oerr.code, oerr.detail
	writeError(w, oerr)
}

// readForm reads a bounded application/x-www-form-urlencoded body. Parameters in the query
// string are refused: a secret there ends up in logs and browser history.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, *oauthError) {
	if r.URL.RawQuery != "" {
		return nil, newError(http.StatusBadRequest, ErrInvalidRequest,
			"token request parameters belong in the request body, not the query string (RFC 6749 §3.2)")
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, newError(http.StatusBadRequest, ErrInvalidRequest,
			"the token request must be application/x-www-form-urlencoded")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxFormBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, newError(http.StatusRequestEntityTooLarge, ErrInvalidRequest, "the token request body is larger than 64 KiB")
		}
		return nil, newError(http.StatusBadRequest, ErrInvalidRequest, "reading the token request body failed")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, newError(http.StatusBadRequest, ErrInvalidRequest, "the token request body is not valid form encoding")
	}
	for name, values := range form {
		if len(values) > 1 && name != "resource" {
			return nil, newError(http.StatusBadRequest, ErrInvalidRequest,
				"parameter "+Sanitize(name, 50)+" is given more than once (RFC 6749 §3.2)")
		}
	}
	return form, nil
}

// checkTokenRequest reads and checks a token request: form, grant type, client
// authentication, scope and audience.
func (s *Server) checkTokenRequest(w http.ResponseWriter, r *http.Request, e *Entry) (grant, *oauthError) {
	form, oerr := readForm(w, r)
	if oerr != nil {
		return grant{}, oerr
	}
	switch gt := form.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		return grant{}, newError(http.StatusBadRequest, ErrInvalidRequest, "grant_type is missing; use client_credentials")
	default:
		return grant{}, newError(http.StatusBadRequest, ErrUnsupportedGrantType,
			"grant type "+Sanitize(gt, 60)+" is not supported; this server issues tokens only with client_credentials")
	}
	client, method, oerr := s.authenticate(r, form)
	if client != nil {
		e.ClientID = Sanitize(client.ID, 100)
	} else if id := claimedClientID(r, form); id != "" {
		e.ClientID = Sanitize(id, 100)
	}
	e.AuthMethod = method
	if oerr != nil {
		return grant{}, oerr
	}
	scope, oerr := grantScope(client, form.Get("scope"))
	if oerr != nil {
		return grant{}, oerr
	}
	aud, oerr := s.requestedAudience(form)
	if oerr != nil {
		return grant{}, oerr
	}
	return grant{client: client, scope: scope, audience: aud}, nil
}

// grantScope decides the granted scope: the requested scopes, each of which the client must be
// allowed; with none requested, every scope the client is allowed.
func grantScope(c *Client, requested string) (string, *oauthError) {
	if requested == "" {
		return strings.Join(c.Scopes, " "), nil
	}
	var out []string
	for _, sc := range strings.Split(requested, " ") {
		if sc == "" {
			continue
		}
		if !validScopeToken(sc) {
			return "", newError(http.StatusBadRequest, ErrInvalidScope,
				"scope "+Sanitize(sc, 60)+" is not a valid scope token (RFC 6749 §3.3)")
		}
		if c.Scopes != nil && !contains(c.Scopes, sc) {
			return "", newError(http.StatusBadRequest, ErrInvalidScope,
				"scope "+Sanitize(sc, 60)+" is not allowed for this client")
		}
		if !contains(out, sc) {
			out = append(out, sc)
		}
	}
	return strings.Join(out, " "), nil
}

// requestedAudience reads the RFC 8707 resource parameters and the audience parameter (as Auth0
// and others name it); neither gives the default audience.
func (s *Server) requestedAudience(form url.Values) ([]string, *oauthError) {
	var aud []string
	for _, res := range form["resource"] {
		u, err := url.Parse(res)
		if err != nil || !u.IsAbs() || u.Fragment != "" || strings.Contains(res, "#") || len(res) > 500 {
			return nil, newError(http.StatusBadRequest, ErrInvalidTarget,
				"resource "+Sanitize(res, 100)+" is not an absolute URI without a fragment (RFC 8707 §2)")
		}
		if !contains(aud, res) {
			aud = append(aud, res)
		}
	}
	if a := form.Get("audience"); a != "" {
		if len(a) > 500 || Sanitize(a, 500) != a {
			return nil, newError(http.StatusBadRequest, ErrInvalidTarget, "audience must be printable ASCII, at most 500 bytes")
		}
		if !contains(aud, a) {
			aud = append(aud, a)
		}
	}
	if len(aud) == 0 {
		aud = []string{s.audience}
	}
	return aud, nil
}

// accessToken signs an RFC 9068 access token for g.
func (s *Server) accessToken(g grant) (string, *oauthError) {
	now := s.cfg.Now()
	jti := make([]byte, 16)
	if _, err := io.ReadFull(s.cfg.Rand, jti); err != nil {
		return "", serverError("reading randomness for the jti failed")
	}
	st := s.ring.current()
	header := claims.NewObject()
	header.Set("alg", st.signer.alg)
	header.Set("typ", "at+jwt")
	header.Set("kid", st.signer.kid)

	p := claims.NewObject()
	p.Set("iss", s.cfg.Issuer)
	p.Set("sub", g.client.ID)
	if len(g.audience) == 1 {
		p.Set("aud", g.audience[0])
	} else {
		p.Set("aud", g.audience)
	}
	p.Set("client_id", g.client.ID)
	if g.scope != "" {
		p.Set("scope", g.scope)
	}
	p.Set("iat", now.Unix())
	p.Set("exp", now.Add(s.ttl).Unix())
	p.Set("jti", base64.RawURLEncoding.EncodeToString(jti))
	return s.sign(st.signer, header, p)
}

// sign signs payload under header with sg.
func (s *Server) sign(sg signer, header, payload *claims.Object) (string, *oauthError) {
	hj, err := header.MarshalJSON()
	if err != nil {
		return "", serverError("encoding the token header failed")
	}
	pj, err := payload.MarshalJSON()
	if err != nil {
		return "", serverError("encoding the token claims failed")
	}
	tok, err := token.Sign(sg.alg, sg.key, hj, pj, s.cfg.Rand)
	if err != nil {
		return "", serverError("signing the token failed")
	}
	return tok, nil
}

func serverError(msg string) *oauthError {
	return newError(http.StatusInternalServerError, "server_error", msg)
}

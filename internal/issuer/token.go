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
	"time"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/dpop"
	"github.com/jwtkit/jwtkit/internal/token"
)

// tokenResponse is a successful token response (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	// IssuedTokenType is set by token exchange (RFC 8693 §2.2.1).
	IssuedTokenType string `json:"issued_token_type,omitempty"`
}

// grant is what a token request is granted, once checked.
type grant struct {
	// grantType is the grant_type of the request, which claim templates may use.
	grantType string
	client    *Client
	scope     string // space-separated granted scopes, "" for none
	audience  []string
	// subject is the sub of the access token: the user for the authorization code and
	// refresh grants, else the client.
	subject  string
	authTime int64 // 0 for none
	jti      string
	// binding is what the access token is bound to: a DPoP key, a client certificate.
	binding
	// act is the RFC 8693 §4.1 actor claim, nil for none; notAfter, when set, caps exp.
	act      map[string]any
	notAfter time.Time
	// loginClaims are the claims typed at the login page of the grant's login, which its ID
	// tokens carry and /userinfo answers for its access tokens; nil for none.
	loginClaims *claims.Object
}

// Grant types served at the token endpoint.
const (
	GrantClientCredentials = "client_credentials"
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
)

// grantTypes are the grant types the token endpoint serves, as discovery lists them.
var grantTypes = []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials, GrantTokenExchange, GrantDeviceCode, GrantJWTBearer}

// serveToken is the token endpoint.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, e *Entry) {
	proof, oerr := s.tokenDPoP(w, r)
	if oerr != nil {
		e.Error, e.Detail = oerr.code, oerr.detail
		writeError(w, oerr)
		return
	}
	resp, oerr := s.tokenRequest(w, r, e, proof)
	if oerr == nil && proof != nil {
		resp.TokenType = "DPoP"
	}
	if oerr != nil {
		e.Error, e.Detail = oerr.code, oerr.detail
		writeError(w, oerr)
		return
	}
	e.Scope = Sanitize(resp.Scope, 200)
	writeJSON(w, http.StatusOK, resp)
}

// writeJSON writes v as a JSON response that no cache may keep (RFC 6749 §5.1).
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// tokenRequest reads the form, authenticates the client and runs the grant.
// proof is the request's verified DPoP proof (nil without DPoP): the tokens are bound to its
// key, and its jti is recorded only once the client is authenticated.
func (s *Server) tokenRequest(w http.ResponseWriter, r *http.Request, e *Entry, proof *dpop.Verified) (tokenResponse, *oauthError) {
	form, oerr := readForm(w, r)
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	gt := form.Get("grant_type")
	switch gt {
	case GrantClientCredentials, GrantAuthorizationCode, GrantRefreshToken, GrantTokenExchange, GrantDeviceCode, GrantJWTBearer:
	case "":
		return tokenResponse{}, newError(http.StatusBadRequest, ErrInvalidRequest, "grant_type is missing; use one of "+strings.Join(grantTypes, ", "))
	default:
		return tokenResponse{}, newError(http.StatusBadRequest, ErrUnsupportedGrantType,
			"grant type "+Sanitize(gt, 60)+" is not supported; use one of "+strings.Join(grantTypes, ", "))
	}
	var client *Client
	if gt == GrantJWTBearer {
		client, oerr = s.bearerClient(r, form, e)
	} else {
		client, oerr = s.authenticateRequest(r, form, e, gt == GrantAuthorizationCode || gt == GrantRefreshToken || gt == GrantDeviceCode)
	}
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	if oerr := s.useProof(proof, http.StatusBadRequest); oerr != nil {
		return tokenResponse{}, oerr
	}
	b := binding{x5t: certBinding(r, client)}
	if proof != nil {
		b.jkt = proof.JKT
	}
	switch gt {
	case GrantAuthorizationCode:
		return s.codeGrant(client, form, b)
	case GrantRefreshToken:
		return s.refreshGrant(client, form, b)
	case GrantTokenExchange:
		return s.exchangeGrant(client, form, b)
	case GrantDeviceCode:
		return s.deviceGrant(client, form, b)
	case GrantJWTBearer:
		return s.jwtBearerGrant(client, form, b)
	}
	scope, oerr := grantScope(client, form.Get("scope"))
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	aud, oerr := s.requestedAudience(form)
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	g := grant{binding: b, grantType: GrantClientCredentials, client: client, scope: scope, audience: aud, subject: client.ID}
	tok, oerr := s.accessToken(&g)
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	return tokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int64(s.ttl.Seconds()), Scope: scope}, nil
}

// authenticateRequest authenticates the client of a token, introspection or revocation
// request and notes it in the log entry. allowNone lets a public client identify itself by
// client_id alone (RFC 6749 §2.1: it has no credentials).
func (s *Server) authenticateRequest(r *http.Request, form url.Values, e *Entry, allowNone bool) (*Client, *oauthError) {
	var client *Client
	var method string
	var oerr *oauthError
	if c := s.clients[form.Get("client_id")]; allowNone && c != nil && c.Public() &&
		r.Header.Get("Authorization") == "" && !form.Has("client_secret") && !form.Has("client_assertion") {
		client, method = c, "none"
	} else {
		client, method, oerr = s.authenticate(r, form)
	}
	if client != nil {
		e.ClientID = Sanitize(client.ID, 100)
	} else if id := claimedClientID(r, form); id != "" {
		e.ClientID = Sanitize(id, 100)
	}
	e.AuthMethod = method
	return client, oerr
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

// randomID returns n random bytes from the server's randomness, base64url-encoded.
func (s *Server) randomID(n int) (string, *oauthError) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		return "", serverError("reading randomness failed")
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// accessToken signs an RFC 9068 access token for g, filling g.jti when it is empty.
func (s *Server) accessToken(g *grant) (string, *oauthError) {
	now := s.cfg.Now()
	if g.jti == "" {
		var oerr *oauthError
		if g.jti, oerr = s.randomID(16); oerr != nil {
			return "", oerr
		}
	}
	st := s.ring.current()
	header := claims.NewObject()
	header.Set("alg", st.signer.alg)
	header.Set("typ", "at+jwt")
	header.Set("kid", st.signer.kid)

	p := claims.NewObject()
	p.Set("iss", s.cfg.Issuer)
	p.Set("sub", g.subject)
	if len(g.audience) == 1 {
		p.Set("aud", g.audience[0])
	} else {
		p.Set("aud", g.audience)
	}
	p.Set("client_id", g.client.ID)
	if g.scope != "" {
		p.Set("scope", g.scope)
	}
	if g.authTime != 0 {
		p.Set("auth_time", g.authTime)
	}
	if g.act != nil {
		p.Set("act", g.act)
	}
	if cnf := g.cnf(); cnf != nil {
		p.Set("cnf", cnf)
	}
	if oerr := s.addClientClaims(p, g, now); oerr != nil {
		return "", oerr
	}
	exp := now.Add(s.ttl)
	if !g.notAfter.IsZero() && g.notAfter.Before(exp) {
		exp = g.notAfter
	}
	p.Set("iat", now.Unix())
	p.Set("exp", exp.Unix())
	p.Set("jti", g.jti)
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

package issuer

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/keys"
)

// exchangeForm is a token exchange request for subject (an access token) with over applied.
func exchangeForm(subject string, over ...string) url.Values {
	v := url.Values{
		"grant_type":         {GrantTokenExchange},
		"subject_token":      {subject},
		"subject_token_type": {TokenTypeAccessToken},
	}
	for i := 0; i+1 < len(over); i += 2 {
		if over[i+1] == "" {
			v.Del(over[i])
		} else {
			v.Set(over[i], over[i+1])
		}
	}
	return v
}

// TestTokenExchange: RFC 8693 delegation — alice's token, exchanged by the service "any"
// acting with its own token, for a narrower scope and another audience.
func TestTokenExchange(t *testing.T) {
	f := newCodeFixture(t)
	user := tokens(t, f.exchange(f.codeFor(t, "scope", "openid email offline_access")))
	at := user["access_token"].(string)
	svc := tokens(t, f.postForm(formValues("grant_type", "client_credentials"), basicAuth("any", "any-secret")))
	resp := tokens(t, f.postForm(exchangeForm(at, "scope", "email", "audience", "https://orders.test",
		"actor_token", svc["access_token"].(string), "actor_token_type", TokenTypeAccessToken), basicAuth("any", "any-secret")))
	if resp["issued_token_type"] != TokenTypeAccessToken || resp["token_type"] != "Bearer" || resp["scope"] != "email" {
		t.Fatalf("response = %v", resp)
	}
	h, c := f.verifyToken(t, resp["access_token"].(string))
	if h["typ"] != "at+jwt" || c["sub"] != "alice" || c["aud"] != "https://orders.test" || c["client_id"] != "any" ||
		mustJSON(c["act"]) != `{"sub":"any"}` {
		t.Errorf("exchanged token header %v claims %v", h, c)
	}
	_, orig := f.verifyToken(t, at)
	if mustJSON(c["exp"]) > mustJSON(orig["exp"]) {
		t.Errorf("the exchanged token outlives its subject token: exp %v > %v", c["exp"], orig["exp"])
	}
	// A subject token whose act is not an object (as /mint can sign) is exchanged without
	// panicking, and without an act.
	mr := httptest.NewRequest(http.MethodPost, "https://issuer.test/mint?typ=at%2Bjwt", strings.NewReader(`{"sub":"carol","act":"not-an-object"}`))
	mr.Header.Set("Content-Type", "application/json")
	minted := f.do(mr).Body.String()
	mintResp := tokens(t, f.postForm(exchangeForm(minted), basicAuth("any", "any-secret")))
	if _, c := f.verifyToken(t, mintResp["access_token"].(string)); c["sub"] != "carol" || c["act"] != nil {
		t.Errorf("exchanged minted token: %v", c)
	}
	// An ID token is a subject token too, declared as such.
	idResp := tokens(t, f.postForm(exchangeForm(user["id_token"].(string), "subject_token_type", TokenTypeIDToken), basicAuth("any", "any-secret")))
	if _, c := f.verifyToken(t, idResp["access_token"].(string)); c["sub"] != "alice" {
		t.Errorf("exchanged ID token: %v", c)
	}
}

// TestTokenExchangeRefusals: each request is refused with RFC 8693 §2.2.2's codes and nothing
// is issued.
func TestTokenExchangeRefusals(t *testing.T) {
	f := newCodeFixture(t)
	user := tokens(t, f.exchange(f.codeFor(t, "scope", "openid email")))
	at := user["access_token"].(string)
	// A token of another issuer, signed by a key this server does not publish.
	foreignSrv, err := New(Config{Issuer: "https://other.test", Keys: []keys.Key{genKey(t, "ES256")},
		Clients: []Client{{ID: "x", Secret: []byte("y")}}, Now: func() time.Time { return testNow }, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	ff := &fixture{srv: foreignSrv}
	r := ff.postTo("/token", formValues("grant_type", "client_credentials"), basicAuth("x", "y"))
	foreign := decodeJSON(t, r.Body.Bytes())["access_token"].(string)
	revoked := tokens(t, f.postForm(formValues("grant_type", "client_credentials"), basicAuth("any", "any-secret")))["access_token"].(string)
	f.postTo("/revoke", url.Values{"token": {revoked}}, basicAuth("any", "any-secret"))

	for _, tc := range []struct {
		name   string
		form   url.Values
		auth   func(*http.Request)
		status int
		code   string
	}{
		{"foreign subject token", exchangeForm(foreign), basicAuth("any", "any-secret"), 400, ErrInvalidRequest},
		{"forged subject token", exchangeForm(flipSignature(at)), basicAuth("any", "any-secret"), 400, ErrInvalidRequest},
		{"revoked subject token", exchangeForm(revoked), basicAuth("any", "any-secret"), 400, ErrInvalidRequest},
		{"ID token declared as access token", exchangeForm(user["id_token"].(string)), basicAuth("any", "any-secret"), 400, ErrInvalidRequest},
		{"garbage subject token", exchangeForm("not-a-token"), basicAuth("any", "any-secret"), 400, ErrInvalidRequest},
		{"missing subject_token_type", exchangeForm(at, "subject_token_type", ""), basicAuth("any", "any-secret"), 400, ErrInvalidRequest},
		{"foreign actor token", exchangeForm(at, "actor_token", foreign, "actor_token_type", TokenTypeAccessToken), basicAuth("any", "any-secret"), 400, ErrInvalidRequest},
		{"actor type without actor", exchangeForm(at, "actor_token_type", TokenTypeAccessToken), basicAuth("any", "any-secret"), 400, ErrInvalidRequest},
		{"widened scope", exchangeForm(at, "scope", "email profile"), basicAuth("any", "any-secret"), 400, ErrInvalidScope},
		{"unsupported requested type", exchangeForm(at, "requested_token_type", "urn:ietf:params:oauth:token-type:saml2"), basicAuth("any", "any-secret"), 400, ErrInvalidRequest},
		{"public client", exchangeForm(at, "client_id", "app"), nil, 401, ErrInvalidClient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.postForm(tc.form, tc.auth)
			body := decodeJSON(t, w.Body.Bytes())
			if w.Code != tc.status || body["error"] != tc.code || body["access_token"] != nil {
				t.Errorf("%d %v, want %d %s and no token", w.Code, body, tc.status, tc.code)
			}
		})
	}
}

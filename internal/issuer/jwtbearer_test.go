package issuer

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/keys"
)

const trustedIdP = "https://idp.test"

// newBearerFixture is newFixture with a trusted issuer of jwt-bearer assertions; it returns
// the issuer's private key.
func newBearerFixture(t *testing.T) (*fixture, keys.Key) {
	t.Helper()
	idp := genKey(t, "ES256")
	f := newFixture(t, func(c *Config) {
		c.TrustedIssuers = []TrustedIssuer{{Issuer: trustedIdP, Keys: []keys.Key{idp.Public()}}}
	})
	return f, idp
}

func bearerForm(a string, extra ...string) url.Values {
	return formValues(append([]string{"grant_type", GrantJWTBearer, "assertion", a}, extra...)...)
}

func TestJWTBearerGrant(t *testing.T) {
	f, idp := newBearerFixture(t)
	es := f.clientKey["jwt-es"]
	anyAuth := basicAuth("any", "any-secret")
	tests := []struct {
		name      string
		form      url.Values
		auth      func(*http.Request)
		status    int
		wantError string
		wantDesc  string
		wantSub   string
		wantCID   string
	}{
		{"a client's own assertion, no other authentication",
			bearerForm(assertion(t, "jwt-es", es, map[string]any{"sub": "alice"}, nil)), nil, 200, "", "", "alice", "jwt-es"},
		{"a client's own assertion with private_key_jwt as well",
			func() url.Values {
				v := bearerForm(assertion(t, "jwt-es", es, map[string]any{"sub": "bob"}, nil))
				for k, vs := range assertionForm(assertion(t, "jwt-es", es, nil, nil)) {
					if k != "grant_type" {
						v[k] = vs
					}
				}
				return v
			}(), nil, 200, "", "", "bob", "jwt-es"},
		{"client_id naming the assertion's issuer",
			bearerForm(assertion(t, "jwt-es", es, map[string]any{"sub": "alice"}, nil), "client_id", "jwt-es"), nil, 200, "", "", "alice", "jwt-es"},
		{"client_id naming another client, without its credentials",
			bearerForm(assertion(t, "jwt-es", es, map[string]any{"sub": "alice"}, nil), "client_id", "ci"), nil, 401, ErrInvalidClient, "client authentication failed", "", ""},
		{"a trusted issuer's assertion presented by a client",
			bearerForm(assertion(t, trustedIdP, idp, map[string]any{"sub": "carol"}, nil), "scope", "read"), anyAuth, 200, "", "", "carol", "any"},
		{"aud the issuer",
			bearerForm(assertion(t, trustedIdP, idp, map[string]any{"sub": "carol", "aud": testIssuer}, nil)), anyAuth, 200, "", "", "carol", "any"},
		{"an hour-long assertion (service account libraries make these)",
			bearerForm(assertion(t, trustedIdP, idp, map[string]any{"exp": testNow.Add(time.Hour).Unix()}, nil)), anyAuth, 200, "", "", trustedIdP, "any"},

		{"a trusted issuer's assertion without client authentication",
			bearerForm(assertion(t, trustedIdP, idp, nil, nil)), nil, 401, ErrInvalidClient, "client authentication failed", "", ""},
		{"another client's assertion",
			bearerForm(assertion(t, "jwt-es", es, map[string]any{"sub": "alice"}, nil)), anyAuth, 400, ErrInvalidGrant, "only that client", "", ""},
		{"foreign key",
			bearerForm(assertion(t, trustedIdP, genKey(t, "ES256"), nil, map[string]any{"kid": nil})), anyAuth, 400, ErrInvalidGrant, "not signed by a key of " + trustedIdP, "", ""},
		{"a client's kid on a foreign key",
			bearerForm(assertion(t, "jwt-es", func() keys.Key { k := genKey(t, "ES256"); k.JWK.KeyID = es.JWK.KeyID; return k }(), nil, nil)), nil, 400, ErrInvalidGrant, "not signed by a key of jwt-es", "", ""},
		{"unknown issuer",
			bearerForm(assertion(t, "https://evil.test", idp, nil, nil)), anyAuth, 400, ErrInvalidGrant, "neither a client with registered keys nor a trusted issuer", "", ""},
		{"alg none",
			bearerForm(assertion(t, trustedIdP, idp, nil, map[string]any{"alg": "none"})), anyAuth, 400, ErrInvalidGrant, "algorithm must be one of", "", ""},
		{"HS256",
			bearerForm(assertion(t, trustedIdP, idp, nil, map[string]any{"alg": "HS256"})), anyAuth, 400, ErrInvalidGrant, "algorithm must be one of", "", ""},
		{"wrong aud",
			bearerForm(assertion(t, trustedIdP, idp, map[string]any{"aud": "https://other.test/token"}, nil)), anyAuth, 400, ErrInvalidGrant, "aud must be the token endpoint", "", ""},
		{"expired",
			bearerForm(assertion(t, trustedIdP, idp, map[string]any{"exp": testNow.Add(-time.Second).Unix()}, nil)), anyAuth, 400, ErrInvalidGrant, "expired at", "", ""},
		{"exp too far",
			bearerForm(assertion(t, trustedIdP, idp, map[string]any{"exp": testNow.Add(time.Hour + time.Second).Unix()}, nil)), anyAuth, 400, ErrInvalidGrant, "more than 1h0m0s away", "", ""},
		{"exp missing",
			bearerForm(assertion(t, trustedIdP, idp, map[string]any{"exp": nil}, nil)), anyAuth, 400, ErrInvalidGrant, "exp is missing", "", ""},
		{"nbf in the future",
			bearerForm(assertion(t, trustedIdP, idp, map[string]any{"nbf": testNow.Add(time.Minute).Unix()}, nil)), anyAuth, 400, ErrInvalidGrant, "nbf is in the future", "", ""},
		{"jti not a string",
			bearerForm(assertion(t, trustedIdP, idp, map[string]any{"jti": 7}, nil)), anyAuth, 400, ErrInvalidGrant, "jti is missing", "", ""},
		{"scope from the assertion's scope claim",
			bearerForm(assertion(t, "jwt-es", es, map[string]any{"scope": "write:users"}, nil)), nil, 400, ErrInvalidScope, "write:users", "", ""},
		{"sub missing",
			bearerForm(assertion(t, trustedIdP, idp, map[string]any{"sub": nil}, nil)), anyAuth, 400, ErrInvalidGrant, "must have iss", "", ""},
		{"sub with a space",
			bearerForm(assertion(t, trustedIdP, idp, map[string]any{"sub": "a b"}, nil)), anyAuth, 400, ErrInvalidGrant, "sub must be printable", "", ""},
		{"not a JWT", bearerForm("not.a.jwt!"), anyAuth, 400, ErrInvalidGrant, "not a well-formed JWT", "", ""},
		{"missing assertion", formValues("grant_type", GrantJWTBearer), anyAuth, 400, ErrInvalidRequest, "assertion is missing", "", ""},
		{"scope the client may not have",
			bearerForm(assertion(t, "jwt-es", es, nil, nil), "scope", "admin"), nil, 400, ErrInvalidScope, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.postForm(tt.form, tt.auth)
			body := decodeJSON(t, w.Body.Bytes())
			if w.Code != tt.status {
				t.Fatalf("status %d %v, want %d", w.Code, body, tt.status)
			}
			if tt.status != 200 {
				desc, _ := body["error_description"].(string)
				if body["error"] != tt.wantError || !strings.Contains(desc, tt.wantDesc) || body["access_token"] != nil {
					t.Errorf("got %v, want %s mentioning %q and no token", body, tt.wantError, tt.wantDesc)
				}
				return
			}
			h, c := f.verifyToken(t, body["access_token"].(string))
			if h["typ"] != "at+jwt" || c["sub"] != tt.wantSub || c["client_id"] != tt.wantCID || body["refresh_token"] != nil {
				t.Errorf("header %v claims %v response %v, want sub %s client_id %s", h, c, body, tt.wantSub, tt.wantCID)
			}
		})
	}
}

func TestJWTBearerReplay(t *testing.T) {
	f, idp := newBearerFixture(t)
	anyAuth := basicAuth("any", "any-secret")
	a := assertion(t, trustedIdP, idp, map[string]any{"jti": "once", "sub": "carol"}, nil)
	// A refused request (a bad scope) does not use the jti up.
	if w := f.postForm(bearerForm(a, "resource", "not a uri"), anyAuth); w.Code != http.StatusBadRequest {
		t.Fatalf("bad resource: %d %s", w.Code, w.Body)
	}
	if w := f.postForm(bearerForm(a), anyAuth); w.Code != http.StatusOK {
		t.Fatalf("first use: %d %s", w.Code, w.Body)
	}
	w := f.postForm(bearerForm(a), basicAuth("ci", basicSecret))
	if body := decodeJSON(t, w.Body.Bytes()); w.Code != http.StatusBadRequest || body["error"] != ErrInvalidGrant ||
		!strings.Contains(body["error_description"].(string), "already used") || body["access_token"] != nil {
		t.Fatalf("replay: %d %v", w.Code, body)
	}
	// The replay is kept in the Store, which a persistent Store keeps across restarts.
	if err := f.srv.store.UseJTI("jwt-bearer\x00"+trustedIdP+"\x00jti\x00once", testNow.Add(time.Minute), testNow); err == nil {
		t.Error("the jti is not in the store")
	}
	// Without a jti, the assertion itself works once.
	noJTI := assertion(t, trustedIdP, idp, map[string]any{"jti": nil}, nil)
	if w := f.postForm(bearerForm(noJTI), anyAuth); w.Code != http.StatusOK {
		t.Fatalf("assertion without jti: %d %s", w.Code, w.Body)
	}
	if w := f.postForm(bearerForm(noJTI), anyAuth); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "already used") {
		t.Fatalf("replayed assertion without jti: %d %s", w.Code, w.Body)
	}
	// The same jti from another issuer is another assertion.
	b := assertion(t, "jwt-es", f.clientKey["jwt-es"], map[string]any{"jti": "once"}, nil)
	if w := f.postForm(bearerForm(b), nil); w.Code != http.StatusOK {
		t.Fatalf("same jti, other issuer: %d %s", w.Code, w.Body)
	}
}

func TestTrustedIssuerConfig(t *testing.T) {
	idp := genKey(t, "ES256")
	for _, tc := range []struct {
		name string
		list []TrustedIssuer
		want string
	}{
		{"no keys", []TrustedIssuer{{Issuer: trustedIdP}}, "has no keys"},
		{"twice", []TrustedIssuer{{Issuer: trustedIdP, Keys: []keys.Key{idp}}, {Issuer: trustedIdP, Keys: []keys.Key{idp}}}, "listed twice"},
		{"a client id", []TrustedIssuer{{Issuer: "ci", Keys: []keys.Key{idp}}}, "also a client id"},
		{"empty", []TrustedIssuer{{Keys: []keys.Key{idp}}}, "printable ASCII"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Issuer: testIssuer, Keys: []keys.Key{genKey(t, "ES256")}, Now: func() time.Time { return testNow },
				Rand: strings.NewReader(""), Clients: []Client{{ID: "ci", Secret: []byte("s")}}, TrustedIssuers: tc.list}
			if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

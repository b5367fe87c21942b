package issuer

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/jwtkit/jwtkit/internal/keys"
)

func TestPrivateKeyJWT(t *testing.T) {
	f := newFixture(t, nil)
	es := f.clientKey["jwt-es"]
	rsaKey := f.clientKey["jwt-multi-rsa"]
	ed := f.clientKey["jwt-multi-ed"]
	other := genKey(t, "ES256")
	other.JWK.KeyID = es.JWK.KeyID // same kid, different key
	tokenURL := testIssuer + "/token"

	type tc struct {
		name      string
		form      func() url.Values
		wantOK    bool
		wantError string
		wantDesc  string
	}
	sign := func(id string, k keys.Key, over, header map[string]any) func() url.Values {
		return func() url.Values { return assertionForm(assertion(t, id, k, over, header)) }
	}
	tests := []tc{
		{"ES256, aud token endpoint", sign("jwt-es", es, nil, nil), true, "", ""},
		{"ES256, aud issuer", sign("jwt-es", es, map[string]any{"aud": testIssuer}, nil), true, "", ""},
		{"ES256, aud one-element array", sign("jwt-es", es, map[string]any{"aud": []string{tokenURL}}, nil), true, "", ""},
		{"ES256 without kid", sign("jwt-es", es, nil, map[string]any{"kid": nil}), true, "", ""},
		{"PS256 (salt = hash length)", sign("jwt-multi", rsaKey, nil, nil), true, "", ""},
		{"EdDSA", sign("jwt-multi", ed, nil, nil), true, "", ""},
		{"client_id matches iss", func() url.Values {
			v := assertionForm(assertion(t, "jwt-es", es, nil, nil))
			v.Set("client_id", "jwt-es")
			return v
		}, true, "", ""},
		{"nbf and iat within the skew", sign("jwt-es", es, map[string]any{"nbf": testNow.Add(20 * time.Second).Unix(), "iat": testNow.Add(20 * time.Second).Unix()}, nil), true, "", ""},

		{"client_id differs from iss", func() url.Values {
			v := assertionForm(assertion(t, "jwt-es", es, nil, nil))
			v.Set("client_id", "ci")
			return v
		}, false, ErrInvalidRequest, "differs"},
		{"aud another server", sign("jwt-es", es, map[string]any{"aud": "https://other.test/token"}, nil), false, ErrInvalidClient, "aud must be"},
		{"aud two values", sign("jwt-es", es, map[string]any{"aud": []string{tokenURL, "https://other.test"}}, nil), false, ErrInvalidClient, "single value"},
		{"aud missing", sign("jwt-es", es, map[string]any{"aud": nil}, nil), false, ErrInvalidClient, "aud must be"},
		{"exp missing", sign("jwt-es", es, map[string]any{"exp": nil}, nil), false, ErrInvalidClient, "exp is missing"},
		{"exp null", sign("jwt-es", es, map[string]any{"exp": json.RawMessage("null")}, nil), false, ErrInvalidClient, "NumericDate"},
		{"exp a string", sign("jwt-es", es, map[string]any{"exp": "1795600900"}, nil), false, ErrInvalidClient, "NumericDate"},
		{"expired", sign("jwt-es", es, map[string]any{"exp": testNow.Add(-time.Second).Unix()}, nil), false, ErrInvalidClient, "expired"},
		{"exp equal to now", sign("jwt-es", es, map[string]any{"exp": testNow.Unix()}, nil), false, ErrInvalidClient, "expired"},
		{"exp too far", sign("jwt-es", es, map[string]any{"exp": testNow.Add(5*time.Minute + time.Second).Unix()}, nil), false, ErrInvalidClient, "more than 5m0s away"},
		{"nbf in the future", sign("jwt-es", es, map[string]any{"nbf": testNow.Add(time.Minute).Unix(), "exp": testNow.Add(2 * time.Minute).Unix()}, nil), false, ErrInvalidClient, "nbf is in the future"},
		{"iat in the future", sign("jwt-es", es, map[string]any{"iat": testNow.Add(time.Minute).Unix()}, nil), false, ErrInvalidClient, "iat is in the future"},
		{"jti missing", sign("jwt-es", es, map[string]any{"jti": nil}, nil), false, ErrInvalidClient, "jti is missing"},
		{"jti not a string", sign("jwt-es", es, map[string]any{"jti": 42}, nil), false, ErrInvalidClient, "jti is missing"},
		{"iss differs from sub", sign("jwt-es", es, map[string]any{"sub": "someone"}, nil), false, ErrInvalidClient, "iss and sub"},
		{"unknown client", sign("nobody", es, nil, nil), false, ErrInvalidClient, "client authentication failed"},
		{"secret-only client", sign("any", es, nil, nil), false, ErrInvalidClient, "client authentication failed"},
		{"another key with the client's kid", sign("jwt-es", other, nil, nil), false, ErrInvalidClient, "client authentication failed"},
		{"another client's key", sign("jwt-es", rsaKey, nil, map[string]any{"kid": nil}), false, ErrInvalidClient, "client authentication failed"},
		{"unknown kid", sign("jwt-es", es, nil, map[string]any{"kid": "nope"}), false, ErrInvalidClient, "client authentication failed"},
		{"HS256 with a secret", sign("jwt-es", es, nil, map[string]any{"alg": "HS256"}), false, ErrInvalidClient, "algorithm must be one of"},
		{"alg none", sign("jwt-es", es, nil, map[string]any{"alg": "none"}), false, ErrInvalidClient, "algorithm must be one of"},
		{"alg ES384 header on an ES256 key", func() url.Values {
			tok := assertion(t, "jwt-es", es, nil, nil)
			parts := strings.Split(tok, ".")
			h := `{"alg":"ES384","kid":"` + es.JWK.KeyID + `"}`
			return assertionForm(b64(h) + "." + parts[1] + "." + parts[2])
		}, false, ErrInvalidClient, "client authentication failed"},
		{"flipped signature bit", func() url.Values {
			return assertionForm(flipSignature(assertion(t, "jwt-es", es, nil, nil)))
		}, false, ErrInvalidClient, "client authentication failed"},
		{"crit header", sign("jwt-es", es, nil, map[string]any{"crit": []string{"exp"}}), false, ErrInvalidClient, "crit"},
		{"b64 false", func() url.Values {
			parts := strings.Split(assertion(t, "jwt-es", es, nil, nil), ".")
			return assertionForm(b64(`{"alg":"ES256","b64":false}`) + "." + parts[1] + "." + parts[2])
		}, false, ErrInvalidClient, "signed JWT"},
		{"not a JWT", func() url.Values { return assertionForm("not.a.jwt!") }, false, ErrInvalidClient, "not a well-formed JWT"},
		{"too large", func() url.Values { return assertionForm(strings.Repeat("a", MaxAssertionBytes+1)) }, false, ErrInvalidClient, "not a well-formed JWT"},
		{"wrong assertion type", func() url.Values {
			v := assertionForm(assertion(t, "jwt-es", es, nil, nil))
			v.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
			return v
		}, false, ErrInvalidClient, "client_assertion_type must be"},
		{"assertion without type", func() url.Values {
			v := assertionForm(assertion(t, "jwt-es", es, nil, nil))
			v.Del("client_assertion_type")
			return v
		}, false, ErrInvalidRequest, "needs both"},
		{"assertion and a secret", func() url.Values {
			v := assertionForm(assertion(t, "jwt-es", es, nil, nil))
			v.Set("client_secret", "x")
			v.Set("client_id", "jwt-es")
			return v
		}, false, ErrInvalidRequest, "more than one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.form()
			v.Set("grant_type", "client_credentials")
			w := f.postForm(v, nil)
			body := decodeJSON(t, w.Body.Bytes())
			if tt.wantOK {
				if w.Code != http.StatusOK {
					t.Fatalf("status %d: %s", w.Code, w.Body)
				}
				_, claims := f.verifyToken(t, body["access_token"].(string))
				iss, _ := json.Marshal(claims["client_id"])
				if !strings.Contains(tt.name, "PS256") && !strings.Contains(tt.name, "EdDSA") && string(iss) != `"jwt-es"` {
					t.Errorf("client_id = %s", iss)
				}
				return
			}
			if body["error"] != tt.wantError {
				t.Fatalf("status %d, error = %v (%v), want %s", w.Code, body["error"], body["error_description"], tt.wantError)
			}
			desc, _ := body["error_description"].(string)
			if !strings.Contains(desc, tt.wantDesc) {
				t.Errorf("error_description = %q, want it to mention %q", desc, tt.wantDesc)
			}
			if (tt.wantError == ErrInvalidClient) != (w.Code == http.StatusUnauthorized) {
				t.Errorf("status = %d for %s", w.Code, tt.wantError)
			}
		})
	}
}

func TestAssertionReplay(t *testing.T) {
	f := newFixture(t, nil)
	a := assertion(t, "jwt-es", f.clientKey["jwt-es"], map[string]any{"jti": "once"}, nil)
	if w := f.postForm(assertionForm(a), nil); w.Code != http.StatusOK {
		t.Fatalf("first use: %d %s", w.Code, w.Body)
	}
	w := f.postForm(assertionForm(a), nil)
	if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "already used") {
		t.Fatalf("replay: %d %s", w.Code, w.Body)
	}
	// The same jti from another client is another assertion.
	b := assertion(t, "both", f.clientKey["both"], map[string]any{"jti": "once"}, nil)
	if w := f.postForm(assertionForm(b), nil); w.Code != http.StatusOK {
		t.Fatalf("same jti, other client: %d %s", w.Code, w.Body)
	}
	// A rejected assertion (bad signature) does not burn its jti.
	c := flipSignature(assertion(t, "jwt-es", f.clientKey["jwt-es"], map[string]any{"jti": "fresh"}, nil))
	if w := f.postForm(assertionForm(c), nil); w.Code != http.StatusUnauthorized {
		t.Fatalf("forged assertion: %d %s", w.Code, w.Body)
	}
	d := assertion(t, "jwt-es", f.clientKey["jwt-es"], map[string]any{"jti": "fresh"}, nil)
	if w := f.postForm(assertionForm(d), nil); w.Code != http.StatusOK {
		t.Fatalf("a forged assertion burned the jti: %d %s", w.Code, w.Body)
	}
}

func TestAssertionReplayCacheFull(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.ReplayCapacity = 2 })
	k := f.clientKey["jwt-es"]
	for i := range 2 {
		if w := f.postForm(assertionForm(assertion(t, "jwt-es", k, nil, nil)), nil); w.Code != 200 {
			t.Fatalf("assertion %d: %d %s", i, w.Code, w.Body)
		}
	}
	w := f.postForm(assertionForm(assertion(t, "jwt-es", k, nil, nil)), nil)
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), ErrTemporarilyUnavailable) {
		t.Fatalf("full cache: %d %s", w.Code, w.Body)
	}
}

// TestAssertionFromGoJose signs the client assertion with go-jose, an implementation
// independent of ours, as a third-party client library would.
func TestAssertionFromGoJose(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		client string
		key    string
		alg    jose.SignatureAlgorithm
	}{
		{"jwt-es", "jwt-es", jose.ES256},
		{"jwt-multi", "jwt-multi-rsa", jose.PS256},
		{"jwt-multi", "jwt-multi-ed", jose.EdDSA},
	} {
		t.Run(string(tc.alg), func(t *testing.T) {
			k := f.clientKey[tc.key]
			signer, err := jose.NewSigner(jose.SigningKey{Algorithm: tc.alg, Key: k.JWK.Key},
				(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.JWK.KeyID))
			if err != nil {
				t.Fatal(err)
			}
			jti := make([]byte, 8)
			_, _ = rand.Read(jti)
			a, err := jwt.Signed(signer).Claims(jwt.Claims{
				Issuer: tc.client, Subject: tc.client, Audience: jwt.Audience{testIssuer + "/token"},
				Expiry: jwt.NewNumericDate(testNow.Add(time.Minute)), IssuedAt: jwt.NewNumericDate(testNow),
				ID: b64(string(jti)),
			}).Serialize()
			if err != nil {
				t.Fatal(err)
			}
			w := f.postForm(assertionForm(a), nil)
			if w.Code != http.StatusOK {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
		})
	}
}

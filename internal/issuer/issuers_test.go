package issuer

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/keys"
)

func testIssuerSet(t *testing.T, seed []byte, auto bool) *IssuerSet {
	t.Helper()
	set, err := NewIssuerSet(IssuerSetConfig{
		Root: Config{
			Issuer:  testIssuer,
			Keys:    []keys.Key{genKey(t, "ES256")},
			Clients: []Client{{ID: "ci", Secret: []byte("ci-secret")}},
			Now:     func() time.Time { return testNow },
			Rand:    rand.Reader,
		},
		Issuers:    []IssuerSpec{{ID: "tenant-a", Clients: []Client{{ID: "a-app", Secret: []byte("a-secret")}}}},
		AutoCreate: auto,
		Seed:       seed,
		Max:        2,
	})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func setDo(set *IssuerSet, method, path string, form url.Values, id, secret string) *httptest.ResponseRecorder {
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, testIssuer+path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, testIssuer+path, nil)
	}
	if id != "" {
		r.SetBasicAuth(id, secret)
	}
	w := httptest.NewRecorder()
	set.ServeHTTP(w, r)
	return w
}

func setToken(t *testing.T, set *IssuerSet, prefix, id, secret string) string {
	t.Helper()
	w := setDo(set, http.MethodPost, prefix+PathToken, url.Values{"grant_type": {"client_credentials"}}, id, secret)
	if w.Code != http.StatusOK {
		t.Fatalf("%s token: %d %s", prefix, w.Code, w.Body)
	}
	var m map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &m)
	return m["access_token"].(string)
}

func setJWKS(t *testing.T, set *IssuerSet, prefix string) jose.JSONWebKeySet {
	t.Helper()
	w := setDo(set, http.MethodGet, prefix+PathJWKS, nil, "", "")
	var ks jose.JSONWebKeySet
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &ks) != nil || len(ks.Keys) == 0 {
		t.Fatalf("%s jwks: %d %s", prefix, w.Code, w.Body)
	}
	return ks
}

func verifiesWith(tok string, ks jose.JSONWebKeySet) bool {
	obj, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return false
	}
	for _, k := range ks.Keys {
		if _, err := obj.Verify(k.Key); err == nil {
			return true
		}
	}
	return false
}

func TestIssuerSetSeparatesIssuers(t *testing.T) {
	set := testIssuerSet(t, nil, true)
	a := setToken(t, set, "/tenant-a", "a-app", "a-secret")
	// tenant-b is made on first use, with the default issuer's clients.
	b := setToken(t, set, "/tenant-b", "ci", "ci-secret")
	root := setToken(t, set, "", "ci", "ci-secret")
	ka, kb, kr := setJWKS(t, set, "/tenant-a"), setJWKS(t, set, "/tenant-b"), setJWKS(t, set, "")
	if !verifiesWith(a, ka) || !verifiesWith(b, kb) || !verifiesWith(root, kr) {
		t.Fatal("an issuer's token does not verify with its own JWK Set")
	}
	if verifiesWith(a, kb) || verifiesWith(b, ka) || verifiesWith(a, kr) || verifiesWith(root, ka) {
		t.Fatal("a token verifies with another issuer's JWK Set")
	}
	w := setDo(set, http.MethodGet, "/tenant-a"+PathOpenIDConfiguration, nil, "", "")
	var d map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &d)
	if d["issuer"] != testIssuer+"/tenant-a" || d["token_endpoint"] != testIssuer+"/tenant-a/token" {
		t.Errorf("tenant-a discovery: %v", d)
	}
	// tenant-a's clients are its own: the default issuer's client is unknown there.
	if w := setDo(set, http.MethodPost, "/tenant-a/token", url.Values{"grant_type": {"client_credentials"}}, "ci", "ci-secret"); w.Code != http.StatusUnauthorized {
		t.Errorf("the default issuer's client at tenant-a: %d", w.Code)
	}
	// Max 2: a third named issuer is not made; the path falls to the default issuer (404).
	if w := setDo(set, http.MethodGet, "/tenant-c"+PathJWKS, nil, "", ""); w.Code != http.StatusNotFound {
		t.Errorf("an issuer past the bound: %d", w.Code)
	}
	// Endpoint names are never issuer ids.
	if ValidIssuerID("token") || ValidIssuerID(".well-known") || ValidIssuerID("a/b") || !ValidIssuerID("t_1-x") {
		t.Error("ValidIssuerID")
	}
}

func TestIssuerSetNoAutoCreate(t *testing.T) {
	set := testIssuerSet(t, nil, false)
	if w := setDo(set, http.MethodGet, "/tenant-b"+PathJWKS, nil, "", ""); w.Code != http.StatusNotFound {
		t.Errorf("an unconfigured issuer without AutoCreate: %d", w.Code)
	}
}

func TestIssuerSetDerivedKeys(t *testing.T) {
	seed := []byte("seed from the first --key")
	one, two := testIssuerSet(t, seed, true), testIssuerSet(t, seed, true)
	tok := setToken(t, one, "/tenant-b", "ci", "ci-secret")
	if !verifiesWith(tok, setJWKS(t, two, "/tenant-b")) {
		t.Error("the same seed gave another key: a restarted serve would disown its tokens")
	}
	if verifiesWith(tok, setJWKS(t, two, "/tenant-a")) {
		t.Error("two ids derived the same key")
	}
	other := testIssuerSet(t, []byte("another seed"), true)
	if verifiesWith(tok, setJWKS(t, other, "/tenant-b")) {
		t.Error("another seed derived the same key")
	}
}

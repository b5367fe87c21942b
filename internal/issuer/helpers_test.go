package issuer

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

// testNow is the fixed clock of every test server.
var testNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

const testIssuer = "https://issuer.test"

// A secret with every character that client_secret_basic must form-urlencode.
const basicSecret = "s3cr:t%+é &="

// genKey makes a fresh private key for alg.
// RSA keys reuse one 2048-bit key, because generating RSA keys is slow.
func genKey(t testing.TB, alg string) keys.Key {
	kind, size, curve, err := keys.KeyForAlg(alg)
	if err == nil && kind == "RSA" {
		k := rsaKey()
		k.JWK.Algorithm = alg
		return k
	}
	if err == nil {
		var k keys.Key
		if k, err = keys.Generate(rand.Reader, kind, size, curve, alg); err == nil {
			return k
		}
	}
	if t == nil {
		panic(err)
	}
	t.Helper()
	t.Fatal(err)
	return keys.Key{}
}

// rsaKey is the one RSA key of the tests.
var rsaKey = sync.OnceValue(func() keys.Key {
	k, err := keys.Generate(rand.Reader, "RSA", 2048, "", "")
	if err != nil {
		panic(err)
	}
	return k
})

// flipSignature changes one character in the middle of tok's signature to another valid
// base64url character, so that the token still parses but no longer verifies.
func flipSignature(tok string) string {
	b := []byte(tok)
	i := len(b) - 20
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// clientKeys are the private keys of the fixture's private_key_jwt clients, made once per test
// binary because RSA generation is slow.
var clientKeys = sync.OnceValue(func() []keys.Key {
	var out []keys.Key
	for _, alg := range []string{"ES256", "PS256", "EdDSA", "ES256"} {
		out = append(out, genKey(nil, alg))
	}
	return out
})

// fixture is a test server with its clients' private keys and a log of its requests.
type fixture struct {
	srv       *Server
	clientKey map[string]keys.Key // private keys of the private_key_jwt clients, by client id
	mu        sync.Mutex
	log       []Entry
}

func (f *fixture) entries() []Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Entry(nil), f.log...)
}

// newFixture starts a server for testIssuer with an ES256 key and these clients:
// "ci" (secret basicSecret, scopes read:users write:users), "any" (secret "any-secret", any
// scope), "jwt-es" (an ES256 key, scope read:users), "jwt-multi" (RSA for PS256 and Ed25519
// keys, any scope), and "both" (a secret and an ES256 key).
func newFixture(t testing.TB, mod func(*Config)) *fixture {
	t.Helper()
	f := &fixture{clientKey: map[string]keys.Key{}}
	ck := clientKeys()
	es, rsaKey, ed, both := ck[0], ck[1], ck[2], ck[3]
	f.clientKey["jwt-es"] = es
	f.clientKey["jwt-multi-rsa"] = rsaKey
	f.clientKey["jwt-multi-ed"] = ed
	f.clientKey["both"] = both
	cfg := Config{
		Issuer: testIssuer,
		Keys:   []keys.Key{genKey(t, "ES256")},
		Clients: []Client{
			{ID: "ci", Secret: []byte(basicSecret), Scopes: []string{"read:users", "write:users"}},
			{ID: "any", Secret: []byte("any-secret")},
			{ID: "jwt-es", Scopes: []string{"read:users"}, Keys: []keys.Key{es.Public()}},
			{ID: "jwt-multi", Keys: []keys.Key{rsaKey.Public(), ed.Public()}},
			{ID: "both", Secret: []byte("both-secret"), Keys: []keys.Key{both}},
		},
		TokenTTL:  15 * time.Minute,
		AllowMint: true,
		Now:       func() time.Time { return testNow },
		Rand:      rand.Reader,
		Log: func(e Entry) {
			f.mu.Lock()
			f.log = append(f.log, e)
			f.mu.Unlock()
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	return f
}

// do runs one request through the server.
func (f *fixture) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	return w
}

// get requests path (relative to the host) with GET.
func (f *fixture) get(path string) *httptest.ResponseRecorder {
	return f.do(httptest.NewRequest(http.MethodGet, "https://issuer.test"+path, nil))
}

// postForm posts form to /token; setup may add headers.
func (f *fixture) postForm(form url.Values, setup func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "https://issuer.test/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if setup != nil {
		setup(r)
	}
	return f.do(r)
}

// basicAuth sets client_secret_basic credentials, form-urlencoded as RFC 6749 §2.3.1 says.
func basicAuth(id, secret string) func(*http.Request) {
	return func(r *http.Request) {
		r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
}

// decodeJSON decodes a response body.
func decodeJSON(t testing.TB, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, body)
	}
	return m
}

// jwks returns the server's published key set, as go-jose reads it.
func (f *fixture) jwks(t testing.TB) jose.JSONWebKeySet {
	t.Helper()
	w := f.get("/jwks.json")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /jwks.json: %d %s", w.Code, w.Body)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(w.Body.Bytes(), &set); err != nil {
		t.Fatalf("jwks.json: %v", err)
	}
	return set
}

// verifyToken verifies tok with go-jose (an implementation independent of ours) against the
// published JWK Set and returns its header and claims.
func (f *fixture) verifyToken(t testing.TB, tok string) (header, claims map[string]any) {
	t.Helper()
	set := f.jwks(t)
	algs := []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.ES512, jose.RS256, jose.PS256, jose.EdDSA}
	obj, err := jose.ParseSignedCompact(tok, algs)
	if err != nil {
		t.Fatalf("go-jose cannot parse the token: %v", err)
	}
	kid := obj.Signatures[0].Header.KeyID
	found := set.Key(kid)
	if len(found) != 1 {
		t.Fatalf("kid %q is not in the JWK Set once (found %d)", kid, len(found))
	}
	payload, err := obj.Verify(found[0].Key)
	if err != nil {
		t.Fatalf("go-jose: the signature does not verify with the published key: %v", err)
	}
	p, err := token.Parse(tok, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.PayloadJSON, payload) {
		t.Fatal("payloads differ between parsers")
	}
	return p.Header, p.Payload
}

// assertion builds a client assertion signed by k (alg from k) with the given claims, applied
// over defaults iss = sub = clientID, aud = the token endpoint, exp = now + 2m, iat = now and a
// random jti. A nil value in over deletes the claim.
func assertion(t testing.TB, clientID string, k keys.Key, over map[string]any, header map[string]any) string {
	t.Helper()
	jti := make([]byte, 12)
	_, _ = rand.Read(jti)
	c := map[string]any{
		"iss": clientID,
		"sub": clientID,
		"aud": testIssuer + "/token",
		"exp": testNow.Add(2 * time.Minute).Unix(),
		"iat": testNow.Unix(),
		"jti": base64.RawURLEncoding.EncodeToString(jti),
	}
	for name, v := range over {
		if v == nil {
			delete(c, name)
		} else {
			c[name] = v
		}
	}
	alg := k.JWK.Algorithm
	h := map[string]any{"alg": alg, "kid": k.JWK.KeyID}
	for name, v := range header {
		if v == nil {
			delete(h, name)
		} else {
			h[name] = v
		}
	}
	hj, _ := json.Marshal(h)
	pj, _ := json.Marshal(c)
	sigAlg, _ := h["alg"].(string)
	var key any = k.JWK.Key
	if strings.HasPrefix(sigAlg, "HS") {
		key = []byte("a-shared-secret-of-at-least-32-bytes!!")
	}
	if sigAlg == "none" {
		key = nil
		sigAlg = "none"
	}
	tok, err := token.Sign(sigAlg, key, hj, pj, rand.Reader)
	if err != nil {
		t.Fatalf("signing the assertion: %v", err)
	}
	return tok
}

// assertionForm is a private_key_jwt token request.
func assertionForm(a string) url.Values {
	return url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {AssertionType},
		"client_assertion":      {a},
	}
}

// decodeSegment decodes one base64url token segment.
func decodeSegment(seg string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	return string(b), err
}

// b64 encodes s as one base64url token segment.
func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// formValues builds a form from name, value pairs.
func formValues(pairs ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return v
}

// verifyTokenAt is verifyToken with the JWK Set at another path.
func (f *fixture) verifyTokenAt(t testing.TB, tok, jwksPath string) (header, claims map[string]any) {
	t.Helper()
	w := f.get(jwksPath)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(w.Body.Bytes(), &set); err != nil {
		t.Fatalf("%s: %v", jwksPath, err)
	}
	obj, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	found := set.Key(obj.Signatures[0].Header.KeyID)
	if len(found) != 1 {
		t.Fatal("kid not published")
	}
	if _, err := obj.Verify(found[0].Key); err != nil {
		t.Fatal(err)
	}
	p, err := token.Parse(tok, 0)
	if err != nil {
		t.Fatal(err)
	}
	return p.Header, p.Payload
}

package issuer

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/dpop"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

func dpopSigner(t *testing.T, k keys.Key) *dpop.Signer {
	t.Helper()
	s, err := dpop.NewSigner(k, "", func() time.Time { return testNow }, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func proofFor(t *testing.T, s *dpop.Signer, p dpop.Proof) string {
	t.Helper()
	proof, err := s.Sign(p)
	if err != nil {
		t.Fatal(err)
	}
	return proof
}

func withDPoP(proof string, more func(*http.Request)) func(*http.Request) {
	return func(r *http.Request) {
		r.Header.Set("DPoP", proof)
		if more != nil {
			more(r)
		}
	}
}

var ccForm = url.Values{"grant_type": {"client_credentials"}}

// TestDPoPClientCredentials: a valid proof gets a DPoP token bound to the proof's key
// (cnf.jkt, RFC 9449 §6.1) that introspects with its cnf; discovery announces the algorithms.
func TestDPoPClientCredentials(t *testing.T) {
	f := newFixture(t, nil)
	s := dpopSigner(t, genKey(t, "ES256"))
	w := f.postForm(ccForm, withDPoP(proofFor(t, s, dpop.Proof{Method: "POST", URL: testIssuer + "/token"}), basicAuth("ci", basicSecret)))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	resp := decodeJSON(t, w.Body.Bytes())
	if resp["token_type"] != "DPoP" {
		t.Fatalf("token_type %v, want DPoP", resp["token_type"])
	}
	_, c := f.verifyToken(t, resp["access_token"].(string))
	cnf, _ := c["cnf"].(map[string]any)
	if cnf["jkt"] != s.Thumbprint() {
		t.Fatalf("cnf %v, want jkt %s", c["cnf"], s.Thumbprint())
	}
	in := f.introspect(t, resp["access_token"].(string))
	if in["token_type"] != "DPoP" || in["cnf"] == nil {
		t.Fatalf("introspection %v lacks cnf or token_type DPoP", in)
	}
	// Without a proof the same client still gets a Bearer token with no cnf.
	w = f.postForm(ccForm, basicAuth("ci", basicSecret))
	if resp := decodeJSON(t, w.Body.Bytes()); resp["token_type"] != "Bearer" {
		t.Fatalf("without DPoP: %v", resp)
	}
	var meta map[string]any
	_ = json.Unmarshal(f.get("/.well-known/openid-configuration").Body.Bytes(), &meta)
	if algs, _ := meta["dpop_signing_alg_values_supported"].([]any); len(algs) == 0 {
		t.Fatalf("discovery has no dpop_signing_alg_values_supported: %v", meta["dpop_signing_alg_values_supported"])
	}
}

// TestDPoPTokenAttacks: each bad proof is refused with invalid_dpop_proof and nothing issued.
func TestDPoPTokenAttacks(t *testing.T) {
	f := newFixture(t, nil)
	k := genKey(t, "ES256")
	s := dpopSigner(t, k)
	other := genKey(t, "ES256")
	good := proofFor(t, s, dpop.Proof{Method: "POST", URL: testIssuer + "/token"})
	if w := f.postForm(ccForm, withDPoP(good, basicAuth("ci", basicSecret))); w.Code != http.StatusOK {
		t.Fatalf("first use refused: %s", w.Body)
	}
	jwk, _ := dpop.PublicJWK(k)
	forged := func(alg string, key any) string {
		h, _ := json.Marshal(map[string]any{"typ": "dpop+jwt", "alg": alg, "jwk": jwk})
		p, _ := json.Marshal(map[string]any{"jti": "forged-1", "htm": "POST", "htu": testIssuer + "/token", "iat": testNow.Unix()})
		tok, err := token.Sign(alg, key, h, p, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	for _, tt := range []struct{ name, proof string }{
		{"replayed jti", good},
		{"wrong htu", proofFor(t, s, dpop.Proof{Method: "POST", URL: "https://other.test/token"})},
		{"wrong htm", proofFor(t, s, dpop.Proof{Method: "GET", URL: testIssuer + "/token"})},
		{"signed by another key", forged("ES256", other.JWK.Key)},
		{"HS256", forged("HS256", []byte("0123456789abcdef0123456789abcdef"))},
		{"ath at the token endpoint", proofFor(t, s, dpop.Proof{Method: "POST", URL: testIssuer + "/token", AccessToken: "x"})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := f.postForm(ccForm, withDPoP(tt.proof, basicAuth("ci", basicSecret)))
			resp := decodeJSON(t, w.Body.Bytes())
			if w.Code != http.StatusBadRequest || resp["error"] != "invalid_dpop_proof" || resp["access_token"] != nil {
				t.Fatalf("status %d, %v; want 400 invalid_dpop_proof and no token", w.Code, resp)
			}
		})
	}
}

// TestDPoPRefreshAndUserinfo: a public client's refresh token is bound to the DPoP key
// (RFC 9449 §5); the bound access token works at /userinfo only as DPoP with a proof by that
// key and the token's ath, never as Bearer.
func TestDPoPRefreshAndUserinfo(t *testing.T) {
	f := newCodeFixture(t)
	s := dpopSigner(t, genKey(t, "ES256"))
	other := dpopSigner(t, genKey(t, "EdDSA"))
	tokenProof := func(s *dpop.Signer) func(*http.Request) {
		return withDPoP(proofFor(t, s, dpop.Proof{Method: "POST", URL: testIssuer + "/token"}), nil)
	}
	code := f.codeFor(t)
	w := f.postForm(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {"app"},
		"redirect_uri": {appRedirect}, "code_verifier": {testVerifier}}, tokenProof(s))
	resp := decodeJSON(t, w.Body.Bytes())
	if w.Code != http.StatusOK || resp["token_type"] != "DPoP" || resp["refresh_token"] == nil {
		t.Fatalf("code exchange: %d %v", w.Code, resp)
	}
	at, rt := resp["access_token"].(string), resp["refresh_token"].(string)
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {"app"}}
	for name, setup := range map[string]func(*http.Request){"no proof": nil, "another key": tokenProof(other)} {
		w := f.postForm(refresh, setup)
		if r := decodeJSON(t, w.Body.Bytes()); r["error"] != "invalid_dpop_proof" || r["access_token"] != nil {
			t.Fatalf("refresh with %s: %d %v", name, w.Code, r)
		}
	}
	w = f.postForm(refresh, tokenProof(s))
	if r := decodeJSON(t, w.Body.Bytes()); w.Code != http.StatusOK || r["token_type"] != "DPoP" {
		t.Fatalf("refresh with the bound key: %d %v", w.Code, r)
	}

	userinfo := func(scheme string, proof string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, testIssuer+"/userinfo", nil)
		r.Header.Set("Authorization", scheme+" "+at)
		if proof != "" {
			r.Header.Set("DPoP", proof)
		}
		return f.do(r)
	}
	if w := userinfo("Bearer", ""); w.Code != http.StatusUnauthorized || decodeJSON(t, w.Body.Bytes())["error"] != "invalid_token" {
		t.Fatalf("bound token as Bearer: %d %s", w.Code, w.Body)
	}
	ui := dpop.Proof{Method: "GET", URL: testIssuer + "/userinfo", AccessToken: at}
	if w := userinfo("DPoP", proofFor(t, other, ui)); w.Code != http.StatusUnauthorized {
		t.Fatalf("proof by another key: %d %s", w.Code, w.Body)
	}
	if w := userinfo("DPoP", proofFor(t, s, dpop.Proof{Method: "GET", URL: testIssuer + "/userinfo", AccessToken: "other"})); w.Code != http.StatusUnauthorized {
		t.Fatalf("proof with another ath: %d %s", w.Code, w.Body)
	}
	good := proofFor(t, s, ui)
	if w := userinfo("DPoP", good); w.Code != http.StatusOK || decodeJSON(t, w.Body.Bytes())["sub"] != "alice" {
		t.Fatalf("DPoP userinfo: %d %s", w.Code, w.Body)
	}
	if w := userinfo("DPoP", good); w.Code != http.StatusUnauthorized {
		t.Fatalf("replayed userinfo proof: %d %s", w.Code, w.Body)
	}
}

// TestDPoPNonce: with DPoPNonce a proof without the server's nonce gets use_dpop_nonce and a
// DPoP-Nonce header (RFC 9449 §8); a proof with it gets the token; a made-up nonce does not.
func TestDPoPNonce(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.DPoPNonce = true })
	s := dpopSigner(t, genKey(t, "ES256"))
	w := f.postForm(ccForm, withDPoP(proofFor(t, s, dpop.Proof{Method: "POST", URL: testIssuer + "/token"}), basicAuth("ci", basicSecret)))
	nonce := w.Header().Get("DPoP-Nonce")
	if r := decodeJSON(t, w.Body.Bytes()); w.Code != http.StatusBadRequest || r["error"] != "use_dpop_nonce" || nonce == "" || r["access_token"] != nil {
		t.Fatalf("without nonce: %d %v, DPoP-Nonce %q", w.Code, r, nonce)
	}
	w = f.postForm(ccForm, withDPoP(proofFor(t, s, dpop.Proof{Method: "POST", URL: testIssuer + "/token", Nonce: "made-up"}), basicAuth("ci", basicSecret)))
	if r := decodeJSON(t, w.Body.Bytes()); r["error"] != "use_dpop_nonce" {
		t.Fatalf("made-up nonce: %d %v", w.Code, r)
	}
	w = f.postForm(ccForm, withDPoP(proofFor(t, s, dpop.Proof{Method: "POST", URL: testIssuer + "/token", Nonce: nonce}), basicAuth("ci", basicSecret)))
	if r := decodeJSON(t, w.Body.Bytes()); w.Code != http.StatusOK || r["token_type"] != "DPoP" {
		t.Fatalf("with the nonce: %d %v", w.Code, r)
	}
}

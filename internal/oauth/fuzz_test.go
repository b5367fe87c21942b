package oauth

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/safehttp"
)

func FuzzParseToken(f *testing.F) {
	f.Add([]byte(goodBody))
	f.Add([]byte(`{"access_token":"a","token_type":"bearer","expires_in":"12.5"}`))
	f.Add([]byte(`{"access_token":"a","token_type":"DPoP"}`))
	f.Add([]byte(`{"access_token":"a","token_type":"N_A","issued_token_type":"urn:ietf:params:oauth:token-type:id_token"}`))
	f.Add([]byte(`{"error":"invalid_client","error_description":"x"}`))
	f.Add([]byte(`{"access_token":null,"token_type":"Bearer","expires_in":1e9}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		resp := &safehttp.Response{Status: 200, Header: http.Header{}, Body: body}
		tok, err := parseToken(resp, "https://idp.example/token", clock, false, GrantTokenExchange)
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r\x1b") || len(msg) > 1000 {
				t.Fatalf("unclean error %q", msg)
			}
			return
		}
		if tok.AccessToken == "" || !isTokenText(tok.AccessToken) || (tok.TokenType != "Bearer" && tok.TokenType != TokenTypeNA) {
			t.Fatalf("bad token accepted: %+v", tok)
		}
		if tok.ExpiresIn < 0 || tok.ExpiresIn > maxExpiresIn ||
			(tok.ExpiresIn > 0) != !tok.ExpiresAt.IsZero() ||
			(tok.ExpiresIn > 0 && !tok.ExpiresAt.Equal(t0.Add(time.Duration(tok.ExpiresIn)*time.Second))) {
			t.Fatalf("inconsistent expiry: %+v", tok)
		}
		if strings.Contains(string(tok.Raw), `"refresh_token"`) {
			t.Fatalf("refresh token kept: %s", tok.Raw)
		}
	})
}

func FuzzParseError(f *testing.F) {
	f.Add(400, []byte(`{"error":"invalid_scope","error_description":"nope","error_uri":"https://x"}`))
	f.Add(502, []byte("<html>\x1b[2J bad gateway</html>"))
	f.Add(401, []byte(`{"error":""}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		resp := &safehttp.Response{Status: status, Header: http.Header{}, Body: body}
		e := parseError(resp, "https://idp.example/token")
		msg := e.Error()
		for i := 0; i < len(msg); i++ {
			if msg[i] < 0x20 || msg[i] > 0x7e {
				t.Fatalf("non-printable byte %#x in %q", msg[i], msg)
			}
		}
		if len(msg) > 800 {
			t.Fatalf("message of %d bytes", len(msg))
		}
	})
}

package oauth

import (
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/safehttp"
)

func TestTokenExchangeGrantParams(t *testing.T) {
	for _, tt := range []struct {
		name string
		x    TokenExchange
		want string // the encoded form, or the error's text
	}{
		{"subject only", TokenExchange{SubjectToken: "s.t.x"},
			"subject_token=s.t.x&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"},
		{"actor and types", TokenExchange{SubjectToken: "s", SubjectTokenType: TokenTypeIDToken, ActorToken: "a", RequestedTokenType: TokenTypeJWT},
			"actor_token=a&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt&subject_token=s&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token"},
		{"no subject", TokenExchange{}, "needs the subject token"},
		{"subject with a space", TokenExchange{SubjectToken: "a b"}, "the subject token contains spaces"},
		{"actor with a newline", TokenExchange{SubjectToken: "subject-token-value", ActorToken: "a\nb"}, "the actor token contains spaces"},
		{"actor type alone", TokenExchange{SubjectToken: "subject-token-value", ActorTokenType: TokenTypeJWT}, "--actor-token-type needs --actor-token"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.x.GrantParams()
			got := ""
			if err != nil {
				got = err.Error()
				if strings.Contains(got, tt.x.SubjectToken) && tt.x.SubjectToken != "" {
					t.Errorf("the error shows the token: %q", got)
				}
			} else {
				got = v.Encode()
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIssuedTokenType(t *testing.T) {
	for _, tt := range []struct{ body, want, err string }{
		{`{"issued_token_type":"urn:ietf:params:oauth:token-type:jwt"}`, TokenTypeJWT, ""},
		{`{"access_token":"x"}`, "", ""},
		{`{"issued_token_type":["x"]}`, "", "is not a string"},
		{`{"issued_token_type":"plain"}`, "", "is not an absolute URI"},
		{`nope`, "", "not a JSON object"},
	} {
		got, err := IssuedTokenType([]byte(tt.body))
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("IssuedTokenType(%s) = %q, %v; want %q, %q", tt.body, got, err, tt.want, tt.err)
		}
	}
	if ShortTokenType(TokenTypeAccessToken) != "access_token" || ShortTokenType("urn:x") != "urn:x" {
		t.Error("ShortTokenType")
	}
}

func TestJWTBearerParams(t *testing.T) {
	if v, err := JWTBearerParams("aGVhZA.Ym9keQ.c2ln"); err != nil || v.Get("assertion") != "aGVhZA.Ym9keQ.c2ln" {
		t.Errorf("a compact JWS: %v, %v", v, err)
	}
	for _, bad := range []string{"", "opaque-value", "a.b", "a.b.c.d.e", "a..c", "a.b.c d"} {
		if _, err := JWTBearerParams(bad); err == nil || strings.Contains(err.Error(), bad) && bad != "" {
			t.Errorf("JWTBearerParams(%q) = %v", bad, err)
		}
	}
}

// TestParseTokenNA: token_type N_A is accepted, as is, only for a token exchange whose
// issued_token_type is not an access token (RFC 8693 §2.2.1).
func TestParseTokenNA(t *testing.T) {
	const idt = `"issued_token_type":"urn:ietf:params:oauth:token-type:id_token"`
	for _, tt := range []struct {
		name, grant, body, want string
	}{
		{"id token by exchange", GrantTokenExchange, `{"access_token":"x.y.z","token_type":"N_A",` + idt + `}`, "N_A"},
		{"jwt by exchange", GrantTokenExchange, `{"access_token":"x.y.z","token_type":"N_A","issued_token_type":"urn:ietf:params:oauth:token-type:jwt"}`, "N_A"},
		{"bearer by exchange", GrantTokenExchange, `{"access_token":"x.y.z","token_type":"bearer",` + idt + `}`, "Bearer"},
		{"access token as N_A", GrantTokenExchange, `{"access_token":"x.y.z","token_type":"N_A","issued_token_type":"urn:ietf:params:oauth:token-type:access_token"}`, "allows N_A only"},
		{"N_A without issued type", GrantTokenExchange, `{"access_token":"x.y.z","token_type":"N_A"}`, "allows N_A only"},
		{"N_A for client credentials", GrantClientCredentials, `{"access_token":"x.y.z","token_type":"N_A",` + idt + `}`, "accepts only Bearer"},
		{"lower-case n_a", GrantTokenExchange, `{"access_token":"x.y.z","token_type":"n_a",` + idt + `}`, "accepts only Bearer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := &safehttp.Response{Status: 200, Body: []byte(tt.body)}
			tok, err := parseToken(resp, "https://as.example/token", nil, false, tt.grant)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = tok.TokenType
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

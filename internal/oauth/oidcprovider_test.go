package oauth_test

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/jwtkit/jwtkit/internal/discovery"
	"github.com/jwtkit/jwtkit/internal/diskcache"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/oauth"
	"github.com/jwtkit/jwtkit/internal/safehttp"
	"github.com/jwtkit/jwtkit/internal/testenv"
)

// assertionSigner returns a private_key_jwt callback signing with the client's key file:
// iss = sub = client id, the given aud, a fresh jti, iat now and exp two minutes later.
func assertionSigner(t *testing.T, c testenv.OIDCClient) func(aud string) (string, error) {
	t.Helper()
	raw, err := os.ReadFile(c.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		t.Fatalf("%s holds no PEM", c.KeyFile)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(c.Alg), Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", c.KeyID))
	if err != nil {
		t.Fatal(err)
	}
	return func(aud string) (string, error) {
		jti := make([]byte, 16)
		rand.Read(jti)
		now := time.Now()
		return jwt.Signed(signer).Claims(jwt.Claims{
			Issuer: c.ID, Subject: c.ID, Audience: jwt.Audience{aud}, ID: hex.EncodeToString(jti),
			IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(2 * time.Minute)),
		}).Serialize()
	}
}

type accessClaims struct {
	jwt.Claims
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
}

func TestOIDCProvider(t *testing.T) {
	srv := testenv.OIDCProvider(t)
	ctx := context.Background()
	c := safehttp.New(safehttp.Options{Timeout: 10 * time.Second})

	doc, err := discovery.Fetch(ctx, c, srv.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Issuer != srv.Issuer || doc.TokenEndpoint != srv.Issuer+"/token" || doc.JWKSURI != srv.Issuer+"/jwks" {
		t.Fatalf("discovery document %+v", doc)
	}
	for _, m := range []string{oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost, oauth.AuthPrivateKeyJWT} {
		if !slices.Contains(doc.TokenEndpointAuthMethodsSupported, m) {
			t.Errorf("%s not advertised: %v", m, doc.TokenEndpointAuthMethodsSupported)
		}
	}
	if !slices.Contains(doc.GrantTypesSupported, "client_credentials") || !slices.Contains(doc.ScopesSupported, "read:users") {
		t.Errorf("grant types %v, scopes %v", doc.GrantTypesSupported, doc.ScopesSupported)
	}
	// The issuer as people type it, with a trailing slash, matches too.
	if _, err := discovery.Fetch(ctx, c, srv.Issuer+"/"); err != nil {
		t.Errorf("issuer with a trailing slash: %v", err)
	}

	resp, err := c.Get(ctx, doc.JWKSURI)
	if err != nil {
		t.Fatal(err)
	}
	var jwks jose.JSONWebKeySet
	if err := json.Unmarshal(resp.Body, &jwks); err != nil || len(jwks.Keys) == 0 {
		t.Fatalf("JWKS %s: %v", resp.Body, err)
	}

	tests := []struct {
		name        string
		method      string
		issuerAsAud bool
		scopes      []string
	}{
		{"client_secret_basic", oauth.AuthClientSecretBasic, false, srv.AllowedScopes},
		{"client_secret_post", oauth.AuthClientSecretPost, false, srv.AllowedScopes[:1]},
		{"private_key_jwt, aud token endpoint", oauth.AuthPrivateKeyJWT, false, srv.AllowedScopes},
		{"private_key_jwt, aud issuer", oauth.AuthPrivateKeyJWT, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := srv.Client(t, tt.method)
			r := oauth.Request{TokenURL: doc.TokenEndpoint, ClientID: client.ID, AuthMethod: tt.method,
				Scopes: tt.scopes, Now: time.Now}
			if client.Secret != "" {
				r.ClientSecret = []byte(client.Secret)
			}
			if tt.method == oauth.AuthPrivateKeyJWT {
				r.Assertion = assertionSigner(t, client)
				if tt.issuerAsAud {
					r.AssertionAudience = doc.Issuer
				}
			}
			tok, err := oauth.ClientCredentials(ctx, c, r)
			if err != nil {
				t.Fatal(err)
			}
			if tok.TokenType != "Bearer" || tok.ExpiresIn != 300 || tok.Scope != strings.Join(tt.scopes, " ") {
				t.Errorf("token %+v", tok)
			}
			// The access token is a JWT signed by the server's key, for the default resource.
			parsed, err := jwt.ParseSigned(tok.AccessToken, []jose.SignatureAlgorithm{jose.ES256})
			if err != nil {
				t.Fatalf("access token is not a JWT: %v", err)
			}
			if typ := parsed.Headers[0].ExtraHeaders["typ"]; typ != "at+jwt" {
				t.Errorf("typ %v", typ)
			}
			var claims accessClaims
			if err := parsed.Claims(&jwks, &claims); err != nil {
				t.Fatalf("access token does not verify with the JWKS: %v", err)
			}
			if claims.Issuer != srv.Issuer || !claims.Audience.Contains(srv.Resource) || claims.ClientID != client.ID ||
				claims.Subject != client.ID || claims.Scope != strings.Join(tt.scopes, " ") {
				t.Errorf("claims %+v", claims)
			}
		})
	}

	t.Run("server errors", func(t *testing.T) {
		basic := srv.Client(t, oauth.AuthClientSecretBasic)
		post := srv.Client(t, oauth.AuthClientSecretPost)
		errTests := []struct {
			name   string
			r      oauth.Request
			code   string
			status int
			want   string
		}{
			{"unknown client", oauth.Request{ClientID: "no-such-client", ClientSecret: []byte("x")},
				"invalid_client", 401, "invalid_client: client authentication failed (HTTP 401 Unauthorized from " + doc.TokenEndpoint + ")"},
			{"wrong secret", oauth.Request{ClientID: basic.ID, ClientSecret: []byte(basic.Secret + "x")},
				"invalid_client", 401, "invalid_client: client authentication failed"},
			{"disallowed scope", oauth.Request{ClientID: post.ID, ClientSecret: []byte(post.Secret), AuthMethod: oauth.AuthClientSecretPost,
				Scopes: []string{srv.DisallowedScope}},
				"invalid_scope", 400, "invalid_scope: requested scope is not allowed (HTTP 400 Bad Request from " + doc.TokenEndpoint + ")"},
			{"unknown resource", oauth.Request{ClientID: post.ID, ClientSecret: []byte(post.Secret), AuthMethod: oauth.AuthClientSecretPost,
				Resources: []string{"https://other.example"}},
				"invalid_target", 400, "invalid_target"},
		}
		for _, tt := range errTests {
			t.Run(tt.name, func(t *testing.T) {
				r := tt.r
				r.TokenURL = doc.TokenEndpoint
				_, err := oauth.ClientCredentials(ctx, c, r)
				var te *oauth.TokenError
				if !errors.As(err, &te) {
					t.Fatalf("error %v is not a token error", err)
				}
				if te.Code != tt.code || te.Status != tt.status || te.Attempts != 1 {
					t.Errorf("token error %+v", te)
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %q\nwant %q", err, tt.want)
				}
				if failure.KindOf(err) != failure.KindRemote {
					t.Errorf("kind %v", failure.KindOf(err))
				}
				if len(r.ClientSecret) > 0 && strings.Contains(err.Error(), string(r.ClientSecret)) {
					t.Error("error shows the secret")
				}
			})
		}
	})

	t.Run("replayed assertion", func(t *testing.T) {
		client := srv.Client(t, oauth.AuthPrivateKeyJWT)
		assertion, err := assertionSigner(t, client)(doc.TokenEndpoint)
		if err != nil {
			t.Fatal(err)
		}
		r := oauth.Request{TokenURL: doc.TokenEndpoint, ClientID: client.ID, AuthMethod: oauth.AuthPrivateKeyJWT,
			Assertion: func(string) (string, error) { return assertion, nil }}
		if _, err := oauth.ClientCredentials(ctx, c, r); err != nil {
			t.Fatal(err)
		}
		_, err = oauth.ClientCredentials(ctx, c, r)
		var te *oauth.TokenError
		if !errors.As(err, &te) || te.Code != "invalid_client" {
			t.Fatalf("replayed assertion: %v", err)
		}
	})

	t.Run("cache", func(t *testing.T) {
		cache := diskcache.Open(filepath.Join(t.TempDir(), "cache"), time.Now)
		client := srv.Client(t, oauth.AuthClientSecretBasic)
		r := oauth.Request{TokenURL: doc.TokenEndpoint, ClientID: client.ID, ClientSecret: []byte(client.Secret), Now: time.Now}
		tok, err := oauth.ClientCredentials(ctx, c, r)
		if err != nil {
			t.Fatal(err)
		}
		if err := oauth.Store(cache, r, tok); err != nil {
			t.Fatal(err)
		}
		got, ok, warn := oauth.Cached(cache, r)
		if !ok || warn != "" || got.AccessToken != tok.AccessToken {
			t.Errorf("cache: ok=%v warn=%q", ok, warn)
		}
	})
}

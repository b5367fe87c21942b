package issuer

import (
	"encoding/json"
	"net/http"
)

// authMethods are the token endpoint client authentication methods the server supports.
var authMethods = []string{"client_secret_basic", "client_secret_post", "private_key_jwt"}

// assertionAlgs are the algorithms a private_key_jwt client assertion may use: every asymmetric
// one (client_secret_jwt, HS*, is not supported; none never is).
var assertionAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// Metadata is the discovery document: RFC 8414 authorization server metadata, with the OpenID
// Connect Discovery 1.0 fields added for /.well-known/openid-configuration. It lists exactly
// what the server implements.
type Metadata struct {
	Issuer                                     string   `json:"issuer"`
	AuthorizationEndpoint                      string   `json:"authorization_endpoint"`
	TokenEndpoint                              string   `json:"token_endpoint"`
	JWKSURI                                    string   `json:"jwks_uri"`
	UserinfoEndpoint                           string   `json:"userinfo_endpoint,omitempty"`
	IntrospectionEndpoint                      string   `json:"introspection_endpoint"`
	RevocationEndpoint                         string   `json:"revocation_endpoint"`
	EndSessionEndpoint                         string   `json:"end_session_endpoint,omitempty"`
	DeviceAuthorizationEndpoint                string   `json:"device_authorization_endpoint"`
	ScopesSupported                            []string `json:"scopes_supported,omitempty"`
	ResponseTypesSupported                     []string `json:"response_types_supported"`
	ResponseModesSupported                     []string `json:"response_modes_supported"`
	GrantTypesSupported                        []string `json:"grant_types_supported"`
	CodeChallengeMethodsSupported              []string `json:"code_challenge_methods_supported"`
	TokenEndpointAuthMethodsSupported          []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgValuesSupported []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	IntrospectionEndpointAuthMethodsSupported  []string `json:"introspection_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported     []string `json:"revocation_endpoint_auth_methods_supported"`
	AuthorizationResponseIssParameterSupported bool     `json:"authorization_response_iss_parameter_supported"`
	DPoPSigningAlgValuesSupported              []string `json:"dpop_signing_alg_values_supported"`
	TLSClientCertificateBoundAccessTokens      bool     `json:"tls_client_certificate_bound_access_tokens,omitempty"`
	SubjectTypesSupported                      []string `json:"subject_types_supported,omitempty"`
	IDTokenSigningAlgValuesSupported           []string `json:"id_token_signing_alg_values_supported,omitempty"`
	ClaimsSupported                            []string `json:"claims_supported,omitempty"`
	PromptValuesSupported                      []string `json:"prompt_values_supported,omitempty"`
}

// oidcScopes are the OpenID Connect scopes the server understands.
var oidcScopes = []string{"openid", "profile", "email", "address", "phone", "offline_access"}

// Metadata returns the discovery document; oidc adds the OpenID Connect fields.
func (s *Server) Metadata(oidc bool) Metadata {
	pkce := []string{"S256"}
	if s.plainPKCE {
		pkce = append(pkce, "plain")
	}
	confidential := authMethods
	if s.cfg.MTLS {
		confidential = append(append([]string(nil), authMethods...), MethodTLS, MethodSelfSignedTLS)
	}
	tokenAuth := confidential
	if s.public {
		tokenAuth = append(append([]string(nil), confidential...), "none")
	}
	scopes := append([]string(nil), oidcScopes...)
	for _, sc := range s.scopes {
		if !contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	m := Metadata{
		Issuer:                                     s.cfg.Issuer,
		AuthorizationEndpoint:                      s.URL(PathAuthorize),
		TokenEndpoint:                              s.URL(PathToken),
		JWKSURI:                                    s.URL(PathJWKS),
		IntrospectionEndpoint:                      s.URL(PathIntrospect),
		RevocationEndpoint:                         s.URL(PathRevoke),
		DeviceAuthorizationEndpoint:                s.URL(PathDeviceAuthorization),
		ScopesSupported:                            scopes,
		ResponseTypesSupported:                     []string{"code"},
		ResponseModesSupported:                     []string{"query"},
		GrantTypesSupported:                        grantTypes,
		CodeChallengeMethodsSupported:              pkce,
		TokenEndpointAuthMethodsSupported:          tokenAuth,
		TokenEndpointAuthSigningAlgValuesSupported: assertionAlgs,
		IntrospectionEndpointAuthMethodsSupported:  confidential,
		RevocationEndpointAuthMethodsSupported:     tokenAuth,
		AuthorizationResponseIssParameterSupported: true,
		DPoPSigningAlgValuesSupported:              dpopAlgs(),
		TLSClientCertificateBoundAccessTokens:      s.cfg.MTLS,
	}
	if oidc {
		m.UserinfoEndpoint = s.URL(PathUserinfo)
		m.EndSessionEndpoint = s.URL(PathEndSession)
		m.SubjectTypesSupported = []string{"public"}
		m.IDTokenSigningAlgValuesSupported = s.ring.current().algs
		m.ClaimsSupported = s.claimsSupported()
		m.PromptValuesSupported = []string{"none", "login", "consent", "select_account"}
	}
	return m
}

// claimsSupported lists the claims the ID token and UserInfo may carry: the ones the server
// sets and every claim of the configured users.
func (s *Server) claimsSupported() []string {
	out := []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp", "at_hash"}
	for _, u := range s.cfg.Users {
		if u.Claims == nil {
			continue
		}
		for _, name := range u.Claims.Keys() {
			if !contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// publicHeaders sets what the public documents share: JSON, readable from any origin (a
// browser app under test may fetch them), and not to be cached, since an issuer started
// without --key has new keys every run.
func publicHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Access-Control-Allow-Origin", "*")
}

func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request, oidc bool) {
	body, err := json.MarshalIndent(s.Metadata(oidc), "", "  ")
	if err != nil {
		writeError(w, newError(http.StatusInternalServerError, "server_error", "encoding the discovery document failed"))
		return
	}
	publicHeaders(w)
	writeBody(w, r, append(body, '\n'))
}

func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	publicHeaders(w)
	writeBody(w, r, s.ring.current().jwks)
}

// writeBody writes body, or only its headers for HEAD.
func writeBody(w http.ResponseWriter, r *http.Request, body []byte) {
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

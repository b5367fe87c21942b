package issuer

import (
	"encoding/json"
	"net/http"
)

// AuthMethods are the token endpoint client authentication methods the server supports.
var authMethods = []string{"client_secret_basic", "client_secret_post", "private_key_jwt"}

// assertionAlgs are the algorithms a private_key_jwt client assertion may use: every asymmetric
// one (client_secret_jwt, HS*, is not supported; none never is).
var assertionAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// Metadata is the discovery document: RFC 8414 authorization server metadata, with the OpenID
// Connect Discovery 1.0 fields added for /.well-known/openid-configuration. The server has no
// authorization endpoint (it serves only the client-credentials grant), so
// authorization_endpoint is absent and response_types_supported, which both specifications
// require, is empty.
type Metadata struct {
	Issuer                                     string   `json:"issuer"`
	TokenEndpoint                              string   `json:"token_endpoint"`
	JWKSURI                                    string   `json:"jwks_uri"`
	ScopesSupported                            []string `json:"scopes_supported,omitempty"`
	ResponseTypesSupported                     []string `json:"response_types_supported"`
	GrantTypesSupported                        []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported          []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgValuesSupported []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	SubjectTypesSupported                      []string `json:"subject_types_supported,omitempty"`
	IDTokenSigningAlgValuesSupported           []string `json:"id_token_signing_alg_values_supported,omitempty"`
}

// Metadata returns the discovery document; oidc adds the OpenID Connect fields.
func (s *Server) Metadata(oidc bool) Metadata {
	m := Metadata{
		Issuer:                            s.cfg.Issuer,
		TokenEndpoint:                     s.URL(PathToken),
		JWKSURI:                           s.URL(PathJWKS),
		ScopesSupported:                   s.scopes,
		ResponseTypesSupported:            []string{},
		GrantTypesSupported:               []string{"client_credentials"},
		TokenEndpointAuthMethodsSupported: authMethods,
		TokenEndpointAuthSigningAlgValuesSupported: assertionAlgs,
	}
	if oidc {
		m.SubjectTypesSupported = []string{"public"}
		m.IDTokenSigningAlgValuesSupported = s.ring.current().algs
	}
	return m
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

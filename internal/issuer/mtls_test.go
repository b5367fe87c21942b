package issuer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/keys"
)

// mtlsPKI is a throwaway CA for the mutual TLS tests.
type mtlsPKI struct {
	ca   *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newMTLSPKI(t *testing.T) *mtlsPKI {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &mtlsPKI{ca: ca, key: key, pool: pool}
}

// cert makes a client certificate from tmpl's subject and SANs, signed by the CA, or
// self-signed when p is nil. It returns the parsed certificate and its key.
func (p *mtlsPKI) cert(t *testing.T, tmpl x509.Certificate) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	parent, signer := &tmpl, key
	if p != nil {
		parent, signer = p.ca, p.key
	}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}

// withCert presents cert as the connection's TLS client certificate (nil: TLS without one).
func withCert(cert *x509.Certificate) func(*http.Request) {
	return func(r *http.Request) {
		r.TLS = &tls.ConnectionState{Version: tls.VersionTLS13}
		if cert != nil {
			r.TLS.PeerCertificates = []*x509.Certificate{cert}
		}
	}
}

func TestMTLSClientAuth(t *testing.T) {
	pki := newMTLSPKI(t)
	good, _ := pki.cert(t, x509.Certificate{Subject: pkix.Name{CommonName: "ci", Organization: []string{"Example"}}})
	wrongDN, _ := pki.cert(t, x509.Certificate{Subject: pkix.Name{CommonName: "intruder", Organization: []string{"Example"}}})
	san, _ := pki.cert(t, x509.Certificate{Subject: pkix.Name{CommonName: "x"}, DNSNames: []string{"svc.example.test"},
		IPAddresses: []net.IP{net.ParseIP("10.0.0.7")}, EmailAddresses: []string{"ops@example.test"},
		URIs: []*url.URL{{Scheme: "spiffe", Host: "example.test", Path: "/svc"}}})
	selfCert, _ := (*mtlsPKI)(nil).cert(t, x509.Certificate{Subject: pkix.Name{CommonName: "ci"}})
	otherSelf, _ := (*mtlsPKI)(nil).cert(t, x509.Certificate{Subject: pkix.Name{CommonName: "ci", Organization: []string{"Example"}}})
	selfKey := keys.Key{JWK: jose.JSONWebKey{Key: selfCert.PublicKey}, Source: "self.crt"}

	f := newFixture(t, func(c *Config) {
		c.MTLS, c.ClientCAs = true, pki.pool
		c.Clients = append(c.Clients,
			Client{ID: "pki", TLSAuth: MethodTLS, TLSSubject: TLSSubject{SubjectDN, "CN=ci,O=Example"}, Scopes: []string{"read:users"}},
			Client{ID: "dns", TLSAuth: MethodTLS, TLSSubject: TLSSubject{SubjectSANDNS, "SVC.example.test"}},
			Client{ID: "ip", TLSAuth: MethodTLS, TLSSubject: TLSSubject{SubjectSANIP, "10.0.0.7"}},
			Client{ID: "email", TLSAuth: MethodTLS, TLSSubject: TLSSubject{SubjectSANEmail, "ops@example.test"}},
			Client{ID: "uri", TLSAuth: MethodTLS, TLSSubject: TLSSubject{SubjectSANURI, "spiffe://example.test/svc"}},
			Client{ID: "self", TLSAuth: MethodSelfSignedTLS, TLSKeys: []keys.Key{selfKey}},
		)
	})
	cc := func(id string) url.Values { return formValues("grant_type", "client_credentials", "client_id", id) }
	for _, tc := range []struct {
		name   string
		client string
		cert   *x509.Certificate
		setup  func(*http.Request)
		status int
	}{
		{"subject DN", "pki", good, nil, 200},
		{"SAN DNS, any case", "dns", san, nil, 200},
		{"SAN IP", "ip", san, nil, 200},
		{"SAN email", "email", san, nil, 200},
		{"SAN URI", "uri", san, nil, 200},
		{"self-signed registered", "self", selfCert, nil, 200},
		{"wrong subject DN", "pki", wrongDN, nil, 401},
		{"SAN of another field", "dns", good, nil, 401},
		{"no certificate", "pki", nil, nil, 401},
		{"no certificate, self-signed client", "self", nil, nil, 401},
		{"self-signed with the right DN but no CA", "pki", otherSelf, nil, 401},
		{"self-signed, not registered", "self", otherSelf, nil, 401},
		{"a CA certificate for a self-signed client", "self", good, nil, 401},
		{"a secret as well", "pki", good, basicAuth("pki", "x"), 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := cc(tc.client)
			if tc.setup != nil {
				form.Del("client_id")
			}
			w := f.postForm(form, func(r *http.Request) {
				withCert(tc.cert)(r)
				if tc.setup != nil {
					tc.setup(r)
				}
			})
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			body := decodeJSON(t, w.Body.Bytes())
			if tc.status != 200 {
				if body["error"] != ErrInvalidClient || strings.Contains(w.Body.String(), "CN=") || strings.Contains(w.Body.String(), "example.test") {
					t.Errorf("refusal %s: want invalid_client naming no subject", w.Body)
				}
				return
			}
			_, claims := f.verifyToken(t, body["access_token"].(string))
			cnf, _ := claims["cnf"].(map[string]any)
			if cnf["x5t#S256"] != CertThumbprint(tc.cert.Raw) {
				t.Errorf("cnf %v, want x5t#S256 of the client certificate %s", cnf, CertThumbprint(tc.cert.Raw))
			}
		})
	}
	// A client with a secret presenting a certificate gets an unbound token.
	w := f.postForm(formValues("grant_type", "client_credentials"), func(r *http.Request) {
		withCert(good)(r)
		basicAuth("ci", basicSecret)(r)
	})
	if w.Code != 200 {
		t.Fatalf("secret client over mTLS: %d %s", w.Code, w.Body)
	}
	if _, claims := f.verifyToken(t, decodeJSON(t, w.Body.Bytes())["access_token"].(string)); claims["cnf"] != nil {
		t.Errorf("a token of a client_secret_basic client is bound: %v", claims["cnf"])
	}
	// The log says why, the response does not.
	var logged []string
	for _, e := range f.entries() {
		logged = append(logged, e.Detail)
	}
	if !strings.Contains(strings.Join(logged, "\n"), "does not have the registered tls_client_auth_subject_dn") {
		t.Errorf("the log does not say the subject did not match: %q", logged)
	}
}

func TestMTLSBoundTokenAtResources(t *testing.T) {
	pki := newMTLSPKI(t)
	cert, _ := pki.cert(t, x509.Certificate{Subject: pkix.Name{CommonName: "ci"}})
	other, _ := pki.cert(t, x509.Certificate{Subject: pkix.Name{CommonName: "other"}})
	f := newFixture(t, func(c *Config) {
		c.MTLS, c.ClientCAs = true, pki.pool
		c.Clients = append(c.Clients, Client{ID: "pki", TLSAuth: MethodTLS, TLSSubject: TLSSubject{SubjectDN, "CN=ci"}})
	})
	w := f.postForm(formValues("grant_type", "client_credentials", "client_id", "pki", "scope", "openid"), withCert(cert))
	if w.Code != 200 {
		t.Fatalf("token: %d %s", w.Code, w.Body)
	}
	at := decodeJSON(t, w.Body.Bytes())["access_token"].(string)

	// /introspect, authenticated by the certificate, answers the cnf.
	r := httptest.NewRequest(http.MethodPost, "https://issuer.test/introspect", strings.NewReader(formValues("token", at, "client_id", "pki").Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	withCert(cert)(r)
	w = f.do(r)
	intro := decodeJSON(t, w.Body.Bytes())
	if cnf, _ := intro["cnf"].(map[string]any); w.Code != 200 || intro["active"] != true || cnf["x5t#S256"] != CertThumbprint(cert.Raw) {
		t.Fatalf("introspect: %d %s", w.Code, w.Body)
	}
	// /introspect without the certificate is invalid_client.
	r = httptest.NewRequest(http.MethodPost, "https://issuer.test/introspect", strings.NewReader(formValues("token", at, "client_id", "pki").Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if w = f.do(r); w.Code != 401 {
		t.Errorf("introspect without the certificate: %d", w.Code)
	}

	for _, tc := range []struct {
		name   string
		cert   *x509.Certificate
		status int
	}{
		{"same certificate", cert, 200},
		{"another certificate", other, 401},
		{"no certificate", nil, 401},
	} {
		r := httptest.NewRequest(http.MethodGet, "https://issuer.test/userinfo", nil)
		r.Header.Set("Authorization", "Bearer "+at)
		withCert(tc.cert)(r)
		w := f.do(r)
		if w.Code != tc.status {
			t.Errorf("userinfo, %s: %d, want %d: %s", tc.name, w.Code, tc.status, w.Body)
		}
		if tc.status == 401 && !strings.Contains(w.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("userinfo, %s: challenge %q", tc.name, w.Header().Get("WWW-Authenticate"))
		}
	}
}

func TestMTLSDiscoveryAndConfigChecks(t *testing.T) {
	pki := newMTLSPKI(t)
	f := newFixture(t, func(c *Config) { c.MTLS, c.ClientCAs = true, pki.pool })
	var m map[string]any
	if err := json.Unmarshal(f.get(PathOpenIDConfiguration).Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	methods, _ := json.Marshal(m["token_endpoint_auth_methods_supported"])
	if !strings.Contains(string(methods), `"tls_client_auth","self_signed_tls_client_auth"`) || m["tls_client_certificate_bound_access_tokens"] != true {
		t.Errorf("discovery over mTLS: methods %s, bound %v", methods, m["tls_client_certificate_bound_access_tokens"])
	}
	if _, ok := m["mtls_endpoint_aliases"]; ok {
		t.Error("discovery names mtls_endpoint_aliases; the plain endpoints are the mTLS ones")
	}
	plain := newFixture(t, nil)
	if body := plain.get(PathOpenIDConfiguration).Body.String(); strings.Contains(body, "tls_client") {
		t.Errorf("discovery without TLS names mutual TLS: %s", body)
	}

	for _, tc := range []struct {
		name   string
		mtls   bool
		cas    *x509.CertPool
		client Client
		want   string
	}{
		{"no TLS", false, pki.pool, Client{ID: "a", TLSAuth: MethodTLS, TLSSubject: TLSSubject{SubjectDN, "CN=a"}}, "needs serve over TLS"},
		{"no CA", true, nil, Client{ID: "a", TLSAuth: MethodTLS, TLSSubject: TLSSubject{SubjectDN, "CN=a"}}, "--tls-client-ca"},
		{"no subject", true, pki.pool, Client{ID: "a", TLSAuth: MethodTLS}, "exactly one of"},
		{"bad IP", true, pki.pool, Client{ID: "a", TLSAuth: MethodTLS, TLSSubject: TLSSubject{SubjectSANIP, "ten"}}, "not an IP address"},
		{"a secret too", true, pki.pool, Client{ID: "a", Secret: []byte("s"), TLSAuth: MethodTLS, TLSSubject: TLSSubject{SubjectDN, "CN=a"}}, "drop its secret"},
		{"self-signed without keys", true, nil, Client{ID: "a", TLSAuth: MethodSelfSignedTLS}, "needs its certificate"},
		{"self-signed with a subject", true, nil, Client{ID: "a", TLSAuth: MethodSelfSignedTLS, TLSSubject: TLSSubject{SubjectDN, "CN=a"}}, "not a subject"},
		{"unknown method", true, nil, Client{ID: "a", TLSAuth: "tls_magic"}, "is not tls_client_auth"},
	} {
		_, err := New(Config{Issuer: testIssuer, Keys: []keys.Key{genKey(t, "ES256")}, Clients: []Client{tc.client},
			MTLS: tc.mtls, ClientCAs: tc.cas, Now: func() time.Time { return testNow }, Rand: rand.Reader})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestMTLSTOMLClients(t *testing.T) {
	cfg, warnings, err := ParseTOMLConfig([]byte(`
[[client]]
id = "pki"
token_endpoint_auth_method = "tls_client_auth"
tls_client_auth_subject_dn = "CN=ci,O=Example"
[[client]]
id = "self"
token_endpoint_auth_method = "self_signed_tls_client_auth"
jwks = "self.crt"
[[client]]
id = "two-subjects"
token_endpoint_auth_method = "tls_client_auth"
tls_client_auth_subject_dn = "CN=a"
tls_client_auth_san_dns = "a.test"
[[client]]
id = "no-subject"
token_endpoint_auth_method = "tls_client_auth"
[[client]]
id = "self-no-jwks"
token_endpoint_auth_method = "self_signed_tls_client_auth"
[[client]]
id = "other-method"
secret = "s"
token_endpoint_auth_method = "client_secret_basic"
[[client]]
id = "subject-alone"
secret = "s"
tls_client_auth_san_dns = "a.test"
[[client]]
id = "with-secret"
secret = "s"
token_endpoint_auth_method = "tls_client_auth"
tls_client_auth_san_email = "a@b.test"
`), "serve.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Clients) != 2 {
		t.Fatalf("clients %+v, want pki and self", cfg.Clients)
	}
	if c := cfg.Clients[0]; c.AuthMethod != MethodTLS || c.TLSSubject != (TLSSubject{SubjectDN, "CN=ci,O=Example"}) {
		t.Errorf("pki: %+v", c)
	}
	if c := cfg.Clients[1]; c.AuthMethod != MethodSelfSignedTLS || c.JWKS != "self.crt" {
		t.Errorf("self: %+v", c)
	}
	var text []string
	for _, w := range warnings {
		text = append(text, w.Text)
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{"exactly one certificate subject", "needs exactly one of", "needs jwks", "registers tls_client_auth or", "needs token_endpoint_auth_method", "drop the secret"} {
		if !strings.Contains(all, want) {
			t.Errorf("no warning %q in:\n%s", want, all)
		}
	}
	if len(warnings) != 6 {
		t.Errorf("%d warnings, want 6:\n%s", len(warnings), all)
	}
}

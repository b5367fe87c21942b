package hardening

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/jwtkit/jwtkit/internal/cli"
	"github.com/jwtkit/jwtkit/internal/iostreams"
	"github.com/jwtkit/jwtkit/internal/issuer"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

// The known secrets of the flows' leak test, besides those of TestNoSecretLeaks.
const (
	dpopPassCanary    = "canary-dpop-pass-Vb3Nm6Qw9Ez"
	subjectCanary     = "eyJhbGciOiJub25lIn0.Y2FuYXJ5LXN1YmplY3Q.canary-subject-sig-Kt4Lp7Ws2Xe"
	actorCanary       = "eyJhbGciOiJub25lIn0.Y2FuYXJ5LWFjdG9y.canary-actor-sig-Jh8Gf5Dd3Ss"
	assertionCanary   = "eyJhbGciOiJub25lIn0.Y2FuYXJ5LWFzc2VydGlvbg.canary-assertion-sig-Pm2Nb4Vc6"
	flowClientCanary  = "canary-flow-client-Rr5Tt8Yy1Uu"
	refreshFlagCanary = "canary-refresh-flag-Ii9Oo2Pp4"
)

// recorder is the transport of the flows' leak test: it passes each request on and keeps every
// credential that crossed the wire, sent (form fields, the DPoP header) or received (token
// response members), so the test knows the secrets made at run time: authorization codes, PKCE
// verifiers, device codes, refresh tokens, client and grant assertions, DPoP proofs, tokens.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	// secrets are values that must appear nowhere; products are tokens that may appear on
	// stdout as a command's product, never on stderr.
	secrets  map[string]string
	products map[string]string
}

// secretFields are the request form fields and response members that hold a credential.
var secretFields = []string{"code", "code_verifier", "device_code", "refresh_token", "subject_token", "actor_token",
	"assertion", "client_assertion", "client_secret", "token"}

// productFields are the response members that are a command's product on stdout.
var productFields = []string{"access_token", "id_token"}

func newRecorder() *recorder {
	return &recorder{next: http.DefaultTransport, secrets: map[string]string{}, products: map[string]string{}}
}

func (rec *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if form, err := url.ParseQuery(string(body)); err == nil {
			for _, f := range secretFields {
				rec.keep(rec.secrets, "the sent "+f, form.Get(f))
			}
		}
	}
	for _, f := range []string{"code", "device_code"} { // a browser's callback request, should one pass here
		rec.keep(rec.secrets, "the sent "+f, req.URL.Query().Get(f))
	}
	rec.keep(rec.secrets, "a DPoP proof", req.Header.Get("DPoP"))
	resp, err := rec.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		for _, f := range []string{"refresh_token", "device_code"} {
			s, _ := m[f].(string)
			rec.keep(rec.secrets, "the received "+f, s)
		}
		for _, f := range productFields {
			s, _ := m[f].(string)
			rec.keep(rec.products, "the received "+f, s)
		}
	}
	return resp, nil
}

func (rec *recorder) keep(into map[string]string, what, v string) {
	if len(v) < 8 {
		return
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	into[what+" "+v[len(v)-6:]] = v
}

func (rec *recorder) snapshot() (secrets, products map[string]string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return maps(rec.secrets), maps(rec.products)
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// leaksValue is leaks for a value that may be a JWT: the header of a JWT is shared by every
// token of its algorithm (and the start of its payload by every token of its issuer), so a JWT
// is looked for by its payload whole and by any 12 characters of its signature; another value
// by leaks.
func leaksValue(out, v string) string {
	parts := strings.Split(v, ".")
	if len(parts) != 3 || len(parts[2]) < 16 {
		return leaks(out, v)
	}
	if strings.Contains(out, parts[1]) {
		return "its payload"
	}
	if how := leaks(out, parts[2]); how != "" {
		return "its signature " + how
	}
	return ""
}

// headlessBrowser is the Deps.OpenBrowser of the flows: it GETs the sign-in or verification
// URL and follows the redirects, so jwtkit serve's headless login redirects to fetch's
// loopback listener, or approves the device code.
func headlessBrowser(u string) error {
	go func() {
		c := &http.Client{Timeout: 10 * time.Second}
		if resp, err := c.Get(u); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	return nil
}

// runWith is world.run with a browser, for the login flows.
func (w *world) runWith(browser func(string) error, stdin io.Reader, args ...string) result {
	streams, _, out, errOut := iostreams.Test()
	if stdin != nil {
		streams.In = stdin
	}
	deps := w.deps(streams)
	deps.OpenBrowser = browser
	code := cli.Execute(args, deps)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// flowIssuer runs jwtkit serve's issuer in-process, on loopback, at the tests' clock.
func flowIssuer(t *testing.T, clients []issuer.Client, trusted []issuer.TrustedIssuer) string {
	t.Helper()
	key, err := keys.Generate(rand.Reader, "EC", 0, "P-256", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	iss := "http://" + ts.Listener.Addr().String()
	idp, err := issuer.New(issuer.Config{Issuer: iss, Keys: []keys.Key{key}, Clients: clients, TrustedIssuers: trusted,
		Users: []issuer.User{{Subject: "alice"}}, DeviceInterval: time.Second, Now: func() time.Time { return testNow }, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = idp
	ts.Start()
	t.Cleanup(ts.Close)
	return iss
}

// writeKeyPEM writes k as PEM, encrypted with pass when it is not empty (legacy PEM encryption,
// what the passphrases open).
func writeKeyPEM(t *testing.T, w *world, name string, k keys.Key, pass string) string {
	t.Helper()
	data, err := keys.EncodePEM(k)
	if err != nil {
		t.Fatal(err)
	}
	if pass != "" {
		block, _ := pem.Decode(data)
		var der []byte
		typ := "PRIVATE KEY"
		switch priv := k.JWK.Key.(type) {
		case *rsa.PrivateKey:
			der, typ = x509.MarshalPKCS1PrivateKey(priv), "RSA PRIVATE KEY"
		default:
			if der, err = x509.MarshalPKCS8PrivateKey(priv); err != nil {
				t.Fatal(err)
			}
			_ = block
		}
		//nolint:staticcheck // legacy encrypted PEM is what the passphrases open
		enc, err := x509.EncryptPEMBlock(rand.Reader, typ, der, []byte(pass), x509.PEMCipherAES256)
		if err != nil {
			t.Fatal(err)
		}
		data = pem.EncodeToMemory(enc)
	}
	return w.write(name, data, 0o600)
}

// flowLeakCase is one run of the flows' leak test.
type flowLeakCase struct {
	name string
	args []string
	env  map[string]string
	code int // the exit code that shows the path ran; -1 for any
	// browser is the sign-in browser; nil means none (fetch prints the URL).
	browser func(string) error
	// noTokenOnStdout: stdout is not the token (exec: the child's output), so no token
	// may appear there either.
	noTokenOnStdout bool
	// check, when set, looks at the result beyond the leak checks (that the path ran).
	check func(t *testing.T, r result)
}

// TestNoSecretLeaksFlows extends TestNoSecretLeaks to the flags and flows of issue 14: the DPoP
// key (plain, encrypted with its own passphrase, a wrong passphrase) and its proofs, token
// exchange's subject and actor tokens, jwt-bearer's ready and minted assertions, the
// client_secret_jwt assertion, the authorization code and PKCE verifier of the login against
// jwtkit serve, the device code, refresh tokens kept with --keep-refresh and given with
// --refresh-token, --logout's revocation, jwtkit header --verbose and jwtkit exec (whose child
// must not get the token in argv: /proc/PID/cmdline). Each in success and failure paths (server
// errors, servers that echo the request, bad keys), in text and --json error modes, mostly with
// --verbose. Secrets made at run time are recorded by the transport and looked for too.
func TestNoSecretLeaksFlows(t *testing.T) {
	w := newWorld(t)
	rec := newRecorder()
	w.transport = rec
	ts := newTokenServer(t)
	for k, v := range map[string]string{"CLIENT": clientCanary, "FLOW": flowClientCanary, "PASS": passphraseCanary,
		"DPOP_PASS": dpopPassCanary, "WRONG": wrongPassCanary, "SUBJ_CANARY": subjectCanary, "ACT_CANARY": actorCanary,
		"ASSERT_CANARY": assertionCanary, "RT_CANARY": refreshFlagCanary} {
		w.env[k] = v
	}

	ecKey, err := keys.Generate(rand.Reader, "EC", 0, "P-256", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := keys.Generate(rand.Reader, "RSA", 2048, "", "RS256")
	if err != nil {
		t.Fatal(err)
	}
	dpopKey, err := keys.Generate(rand.Reader, "EC", 0, "P-256", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	ecFile := writeKeyPEM(t, w, "svc.key", ecKey, "")
	rsaEncFile := writeKeyPEM(t, w, "partner.key", rsaKey, passphraseCanary)
	dpopFile := writeKeyPEM(t, w, "dpop.key", dpopKey, "")
	dpopEncFile := writeKeyPEM(t, w, "dpop-enc.key", dpopKey, dpopPassCanary)
	dpopPub, err := keys.MarshalJWK(dpopKey, false)
	if err != nil {
		t.Fatal(err)
	}
	dpopPubFile := w.write("dpop.pub.jwk", dpopPub, 0o644)
	privateParts := map[string]string{}
	for name, k := range map[string]keys.Key{"svc": ecKey, "partner": rsaKey, "dpop": dpopKey} {
		jwk, err := keys.MarshalJWK(k, true)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		json.Unmarshal(jwk, &m)
		privateParts["the private part of the "+name+" key"] = m["d"]
	}

	const partner = "https://idp.partner.test"
	iss := flowIssuer(t, []issuer.Client{
		{ID: "app", RedirectURIs: []string{"http://127.0.0.1/callback"}, RefreshTokens: true},
		{ID: "tv", Device: true, RefreshTokens: true},
		{ID: "svc", Keys: []keys.Key{ecKey}},
		{ID: "gw", Secret: []byte(flowClientCanary)},
	}, []issuer.TrustedIssuer{{Issuer: partner, Keys: []keys.Key{rsaKey}}})

	// The subject and actor tokens of the exchanges, and a ready jwt-bearer assertion.
	get := func(args ...string) string {
		t.Helper()
		r := w.run(nil, append([]string{"fetch", "--no-cache", "--issuer", iss}, args...)...)
		if r.code != 0 {
			t.Fatalf("fetch %v: exit %d: %s", args, r.code, r.stderr)
		}
		return strings.TrimSpace(r.stdout)
	}
	w.env["SUBJ"] = get("--client-id", "svc", "--assertion-key", ecFile)
	w.env["ACT"] = get("--client-id", "gw", "--client-secret", "env:FLOW")
	payload := fmt.Sprintf(`{"iss":%q,"sub":"alice","aud":%q,"iat":%d,"exp":%d,"jti":"ready-1"}`, partner, iss+"/token", testNow.Unix(), testNow.Add(10*time.Minute).Unix())
	ready, err := token.Sign("RS256", rsaKey.JWK.Key, []byte(`{"alg":"RS256","typ":"JWT"}`), []byte(payload), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	w.env["READY"] = ready

	fetch := func(path string, extra ...string) []string {
		return append([]string{"fetch", "--no-cache", "--retries", "0", "--token-url", ts.URL + path, "--client-id", "c"}, extra...)
	}
	serve := func(cmd string, extra ...string) []string {
		return append([]string{cmd, "--retries", "0", "--issuer", iss}, extra...)
	}
	exchange := []string{"--client-id", "gw", "--client-secret", "env:FLOW", "--grant", "token-exchange"}
	bearer := []string{"--client-id", "gw", "--client-secret", "env:FLOW", "--grant", "jwt-bearer"}
	login := []string{"--client-id", "app", "--grant", "authorization_code", "--scope", "openid"}
	device := []string{"--client-id", "tv", "--grant", "device_code", "--scope", "openid offline_access"}
	tokenOut := filepath.Join(w.dir, "child-token.out")
	child := []string{"--", "sh", "-c", `printf %s "$JWTKIT_TOKEN" >"$0"; tr '\0' ' ' </proc/$$/cmdline`, tokenOut}
	childGotToken := func(t *testing.T, r result) {
		data, err := os.ReadFile(tokenOut)
		os.Remove(tokenOut)
		_, products := rec.snapshot()
		found := false
		for _, p := range products {
			found = found || (len(data) > 0 && string(data) == p)
		}
		if err != nil || !found {
			t.Errorf("the child did not get an issued token in $JWTKIT_TOKEN (%v): %q", err, data)
		}
		if !strings.Contains(r.stdout, "sh -c printf") {
			t.Errorf("the child printed no command line: %q", r.stdout)
		}
	}
	hasProofLine := func(t *testing.T, r result) {
		if !strings.Contains(r.stderr, "* DPoP: proofs signed ES256") {
			t.Errorf("the DPoP key was not used: %s", r.stderr)
		}
	}

	cases := []flowLeakCase{
		// DPoP: the key, encrypted with its own passphrase, and the proofs.
		{name: "fetch --dpop-key --verbose", args: fetch("/dpop", "--client-secret", "env:CLIENT", "--dpop-key", dpopFile, "--verbose"), check: hasProofLine},
		{name: "fetch --dpop-key encrypted --dpop-key-passphrase --verbose", args: fetch("/dpop", "--client-secret", "env:CLIENT", "--dpop-key", dpopEncFile, "--dpop-key-passphrase", "env:DPOP_PASS", "--verbose"), check: hasProofLine},
		{name: "fetch --dpop-key encrypted JWTKIT_DPOP_KEY_PASSPHRASE --json", args: fetch("/dpop", "--client-secret", "env:CLIENT", "--dpop-key", dpopEncFile, "--json"), env: map[string]string{"JWTKIT_DPOP_KEY_PASSPHRASE": dpopPassCanary}},
		{name: "fetch --dpop-key encrypted, wrong passphrase", args: fetch("/dpop", "--client-secret", "env:CLIENT", "--dpop-key", dpopEncFile, "--dpop-key-passphrase", wrongPassCanary), code: 2},
		{name: "fetch --dpop-key encrypted, wrong passphrase --json", args: fetch("/dpop", "--json", "--client-secret", "env:CLIENT", "--dpop-key", dpopEncFile, "--dpop-key-passphrase", "env:WRONG"), code: 2},
		{name: "fetch --dpop-key encrypted, the assertion passphrase", args: fetch("/dpop", "--client-secret", "env:CLIENT", "--dpop-key", dpopEncFile, "--passphrase", "env:DPOP_PASS"), code: 2},
		{name: "fetch --dpop-key an HMAC secret", args: fetch("/dpop", "--client-secret", "env:CLIENT", "--dpop-key", "b64:"+base64.StdEncoding.EncodeToString([]byte(hmacCanary))), code: 2},
		{name: "fetch --dpop-key a public key --json", args: fetch("/dpop", "--json", "--client-secret", "env:CLIENT", "--dpop-key", dpopPubFile), code: 2},
		{name: "fetch --dpop-key, a Bearer answer --verbose", args: fetch("/ok", "--client-secret", "env:CLIENT", "--dpop-key", dpopFile, "--verbose"), code: 3},
		{name: "fetch --dpop-key, server echoes the proof", args: fetch("/echo-json", "--client-secret", "env:CLIENT", "--dpop-key", dpopFile), code: 3},
		{name: "fetch --dpop-key, server echoes the proof --json", args: fetch("/echo-text", "--json", "--client-secret", "env:CLIENT", "--dpop-key", dpopFile, "--verbose"), code: 3},
		{name: "fetch --dpop-key at serve --verbose", args: serve("fetch", "--no-cache", "--client-id", "gw", "--client-secret", "env:FLOW", "--dpop-key", dpopFile, "--verbose")},

		// client_secret_jwt: the secret and the HMAC assertion.
		{name: "fetch client_secret_jwt --verbose", args: fetch("/ok", "--auth-method", "client_secret_jwt", "--client-secret", "env:CLIENT", "--verbose")},
		{name: "fetch client_secret_jwt literal secret --json", args: fetch("/ok", "--json", "--auth-method", "client_secret_jwt", "--client-secret", clientCanary)},
		{name: "fetch client_secret_jwt invalid_client --verbose", args: fetch("/invalid_client", "--auth-method", "client_secret_jwt", "--client-secret", "env:CLIENT", "--verbose"), code: 3},
		{name: "fetch client_secret_jwt server echoes", args: fetch("/echo-json", "--auth-method", "client_secret_jwt", "--client-secret", "env:CLIENT"), code: 3},
		{name: "fetch client_secret_jwt server echoes --json", args: fetch("/echo-text", "--json", "--auth-method", "client_secret_jwt", "--client-secret", "env:CLIENT"), code: 3},

		// private_key_jwt and the assertion key against jwtkit serve.
		{name: "fetch private_key_jwt at serve --verbose", args: serve("fetch", "--no-cache", "--client-id", "svc", "--assertion-key", ecFile, "--verbose")},
		{name: "fetch private_key_jwt at serve, unknown client --json", args: serve("fetch", "--no-cache", "--json", "--client-id", "nobody", "--assertion-key", ecFile, "--verbose"), code: 3},

		// Token exchange: the subject and actor tokens.
		{name: "fetch token-exchange --verbose", args: serve("fetch", append(exchange, "--subject-token", "env:SUBJ", "--actor-token", "env:ACT", "--verbose")...)},
		{name: "fetch token-exchange --json", args: serve("fetch", append(exchange, "--json", "--subject-token", "env:SUBJ")...)},
		{name: "fetch token-exchange, subject token from stdin", args: serve("fetch", append(exchange, "--subject-token", "-", "--verbose")...), env: map[string]string{"STDIN": "SUBJ"}},
		{name: "fetch token-exchange, literal subject token", args: serve("fetch", append(exchange, "--subject-token", subjectCanary, "--verbose")...), code: 3},
		{name: "fetch token-exchange, refused tokens --json", args: serve("fetch", append(exchange, "--json", "--subject-token", "env:SUBJ_CANARY", "--actor-token", "env:ACT_CANARY")...), code: 3},
		{name: "fetch token-exchange, server echoes", args: fetch("/echo-json", "--client-secret", "env:CLIENT", "--auth-method", "client_secret_post", "--grant", "token-exchange", "--subject-token", "env:SUBJ_CANARY", "--actor-token", "env:ACT_CANARY"), code: 3},
		{name: "fetch token-exchange, server echoes --verbose --json", args: fetch("/echo-text", "--json", "--verbose", "--client-secret", "env:CLIENT", "--grant", "token-exchange", "--subject-token", "env:SUBJ_CANARY", "--actor-token", "env:ACT_CANARY"), code: 3},
		{name: "fetch token-exchange, 503", args: fetch("/unavailable", "--client-secret", "env:CLIENT", "--grant", "token-exchange", "--subject-token", "env:SUBJ_CANARY", "--verbose"), code: 3},
		{name: "fetch token-exchange, unset subject variable", args: fetch("/ok", "--client-secret", "env:CLIENT", "--grant", "token-exchange", "--subject-token", "env:NOPE"), code: 2},

		// jwt-bearer: a ready assertion, and one minted from an encrypted key.
		{name: "fetch jwt-bearer --assertion --verbose", args: serve("fetch", append(bearer, "--assertion", "env:READY", "--verbose")...)},
		{name: "fetch jwt-bearer --assertion replayed --json", args: serve("fetch", append(bearer, "--json", "--assertion", "env:READY", "--verbose")...), code: 3},
		{name: "fetch jwt-bearer --assertion-key encrypted --verbose", args: serve("fetch", append(bearer, "--assertion-key", rsaEncFile, "--passphrase", "env:PASS", "--assertion-iss", partner, "--assertion-sub", "alice", "--verbose")...)},
		{name: "fetch jwt-bearer --assertion-key, wrong passphrase", args: serve("fetch", append(bearer, "--assertion-key", rsaEncFile, "--passphrase", wrongPassCanary, "--assertion-iss", partner, "--assertion-sub", "alice")...), code: 2},
		{name: "fetch jwt-bearer --assertion-key, untrusted issuer --json", args: serve("fetch", append(bearer, "--json", "--assertion-key", rsaEncFile, "--passphrase", "env:PASS", "--assertion-sub", "alice", "--verbose")...), code: 3},
		{name: "fetch jwt-bearer, refused assertion", args: serve("fetch", append(bearer, "--assertion", "env:ASSERT_CANARY", "--verbose")...), code: 3},
		{name: "fetch jwt-bearer, server echoes", args: fetch("/echo-json", "--client-secret", "env:CLIENT", "--auth-method", "client_secret_post", "--grant", "jwt-bearer", "--assertion", "env:ASSERT_CANARY"), code: 3},
		{name: "fetch jwt-bearer, server echoes in text --json", args: fetch("/echo-text", "--json", "--client-secret", "env:CLIENT", "--grant", "jwt-bearer", "--assertion", "env:ASSERT_CANARY", "--verbose"), code: 3},

		// The login against jwtkit serve: code, verifier, ID token, refresh token kept, used,
		// refused and revoked.
		{name: "fetch authorization_code --keep-refresh --verbose", args: serve("fetch", append(login, "--keep-refresh", "--verbose")...), browser: headlessBrowser},
		{name: "fetch authorization_code, the kept refresh token --verbose", args: serve("fetch", append(login, "--keep-refresh", "--refresh", "--verbose")...), browser: headlessBrowser,
			check: func(t *testing.T, r result) {
				if !strings.Contains(r.stderr, "* using the kept refresh token") {
					t.Errorf("the kept refresh token was not used: %s", r.stderr)
				}
			}},
		{name: "fetch authorization_code --json", args: serve("fetch", append(login, "--no-cache", "--json", "--verbose")...), browser: headlessBrowser},
		{name: "fetch authorization_code, no browser, wrong client --json", args: serve("fetch", "--no-cache", "--json", "--client-id", "nobody", "--grant", "authorization_code", "--login-timeout", "1s", "--verbose"), code: -1},
		{name: "fetch refresh_token --refresh-token refused --verbose", args: serve("fetch", "--no-cache", "--client-id", "app", "--grant", "refresh_token", "--refresh-token", "env:RT_CANARY", "--verbose"), code: 3},
		{name: "fetch refresh_token --refresh-token refused --json", args: serve("fetch", "--no-cache", "--json", "--client-id", "app", "--grant", "refresh_token", "--refresh-token", "env:RT_CANARY"), code: 3},
		{name: "fetch --logout --verbose", args: serve("fetch", append(login, "--logout", "--verbose")...)},
		{name: "fetch device_code --verbose", args: serve("fetch", append(device, "--no-cache", "--verbose")...), browser: headlessBrowser},
		{name: "fetch device_code --keep-refresh --json", args: serve("fetch", append(device, "--keep-refresh", "--json")...), browser: headlessBrowser},
		{name: "fetch device_code, the kept refresh token --verbose", args: serve("fetch", append(device, "--keep-refresh", "--refresh", "--verbose")...), browser: headlessBrowser,
			check: func(t *testing.T, r result) {
				if !strings.Contains(r.stderr, "* using the kept refresh token") {
					t.Errorf("the kept refresh token was not used: %s", r.stderr)
				}
			}},
		{name: "fetch device_code, unknown client --json", args: serve("fetch", append(device[2:], "--client-id", "nobody", "--no-cache", "--json", "--verbose")...), code: 3},

		// jwtkit header: the token is the product on stdout, never on stderr.
		{name: "header --verbose", args: serve("header", "--no-cache", "--client-id", "gw", "--client-secret", "env:FLOW", "--verbose")},
		{name: "header --dpop-key --verbose", args: fetch("/dpop", "--client-secret", "env:CLIENT", "--dpop-key", dpopEncFile, "--dpop-key-passphrase", "env:DPOP_PASS", "--verbose", "--url", "https://api.example/x")[1:], check: hasProofLine},
		{name: "header token-exchange --verbose", args: serve("header", append(exchange, "--subject-token", "env:SUBJ", "--verbose")...)},
		{name: "header invalid_client --verbose", args: fetch("/invalid_client", "--client-secret", "env:CLIENT", "--verbose")[1:], code: 3},
		{name: "header server echoes --json", args: fetch("/echo-json", "--json", "--client-secret", "env:CLIENT", "--auth-method", "client_secret_jwt", "--verbose")[1:], code: 3},
		{name: "header DPoP-bound, no --url", args: fetch("/dpop", "--client-secret", "env:CLIENT", "--dpop-key", dpopFile)[1:], code: 2},

		// jwtkit exec: the token in the child's environment, not in its argv.
		{name: "exec --verbose", args: append(serve("exec", "--no-cache", "--client-id", "gw", "--client-secret", "env:FLOW", "--verbose"), child...), noTokenOnStdout: true, check: childGotToken},
		{name: "exec token-exchange", args: append(serve("exec", append(exchange, "--subject-token", "env:SUBJ", "--actor-token", "env:ACT")...), child...), noTokenOnStdout: true, check: childGotToken},
		{name: "exec --dpop-key --verbose", args: append(fetch("/dpop", "--client-secret", "env:CLIENT", "--dpop-key", dpopFile, "--verbose")[1:], child...), noTokenOnStdout: true, check: childGotToken},
		{name: "exec login, the kept refresh token", args: append(serve("exec", append(login, "--keep-refresh", "--refresh")...), child...), browser: headlessBrowser, noTokenOnStdout: true, check: childGotToken},
		{name: "exec invalid_client --verbose", args: append(fetch("/invalid_client", "--client-secret", "env:CLIENT", "--verbose")[1:], child...), code: 3, noTokenOnStdout: true},
		{name: "exec server echoes --json", args: append(fetch("/echo-json", "--json", "--client-secret", "env:CLIENT", "--grant", "jwt-bearer", "--assertion", "env:ASSERT_CANARY")[1:], child...), code: 3, noTokenOnStdout: true},
	}
	// header and exec cases built from fetch(...)[1:] need their command name back.
	for i := range cases {
		switch {
		case strings.HasPrefix(cases[i].name, "header ") && cases[i].args[0] != "header":
			cases[i].args = append([]string{"header"}, cases[i].args...)
		case strings.HasPrefix(cases[i].name, "exec ") && cases[i].args[0] != "exec":
			cases[i].args = append([]string{"exec"}, cases[i].args...)
		}
	}
	checkFlagsCovered(t, cases)

	static := map[string]string{
		"the HMAC secret": hmacCanary, "the client secret": clientCanary, "the flow client's secret": flowClientCanary, "the passphrase": passphraseCanary,
		"the DPoP key's passphrase": dpopPassCanary, "the wrong passphrase": wrongPassCanary,
		"the canary subject token": subjectCanary, "the canary actor token": actorCanary, "the canary assertion": assertionCanary,
		"the ready assertion": ready, "the canary refresh token": refreshFlagCanary, "the test server's refresh token": "refresh-Pq8Wz3",
	}
	for k, v := range privateParts {
		static[k] = v
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w.setEnv(t, tc.env)
			var stdin io.Reader
			if name := tc.env["STDIN"]; name != "" {
				stdin = strings.NewReader(w.env[name] + "\n")
			}
			r := w.runWith(tc.browser, stdin, tc.args...)
			if tc.code >= 0 && r.code != tc.code {
				t.Fatalf("exit %d, want %d; the case does not run the path it means to:\nstdout: %.600s\nstderr: %.1200s", r.code, tc.code, r.stdout, r.stderr)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
			secrets, products := rec.snapshot()
			ts.mu.Lock()
			for i, a := range ts.assertions {
				secrets[fmt.Sprintf("client assertion %d", i+1)] = a
			}
			for i, p := range ts.proofs {
				secrets[fmt.Sprintf("DPoP proof %d", i+1)] = p
			}
			for i, tok := range ts.issued {
				products[fmt.Sprintf("test server access token %d", i+1)] = tok
			}
			ts.mu.Unlock()
			problem := ""
			for _, what := range sortedKeys(merge(static, secrets)) {
				s := merge(static, secrets)[what]
				if how := leaksValue(r.stdout+"\n"+r.stderr, s); how != "" {
					problem += fmt.Sprintf("%s appears (%s); ", what, how)
				}
			}
			for _, what := range sortedKeys(products) {
				if how := leaksValue(r.stderr, products[what]); how != "" {
					problem += fmt.Sprintf("%s appears on stderr (%s); ", what, how)
				}
				if how := leaksValue(r.stdout, products[what]); how != "" && tc.noTokenOnStdout {
					problem += fmt.Sprintf("%s appears on stdout, which is not the token here (%s); ", what, how)
				}
			}
			reportLeak(t, tc.name, problem, r)
		})
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// secretFlagsElsewhere are flags of fetch, header and exec that take a secret and whose leak
// cases live elsewhere, with where.
var secretFlagsElsewhere = map[string]string{
	"client-cert": "the mutual TLS entry's own leak cases",
	"client-key":  "the mutual TLS entry's own leak cases",
}

// checkFlagsCovered fails when fetch, header or exec has a flag that takes a secret, a key, a
// token or an assertion that neither TestNoSecretLeaks nor the flows' cases use, so a new
// secret flag cannot go untested: a flag takes one when its help names the secret or key
// grammar (env:NAME, @FILE) or a passphrase.
func checkFlagsCovered(t *testing.T, cases []flowLeakCase) {
	t.Helper()
	streams, _, _, _ := iostreams.Test()
	root := cli.NewRoot(&cli.Deps{IO: streams, Getenv: func(string) string { return "" }})
	used := map[string]bool{"client-secret": true, "passphrase": true, "assertion-key": true} // TestNoSecretLeaks's
	for _, tc := range cases {
		for _, a := range tc.args {
			if name, ok := strings.CutPrefix(a, "--"); ok {
				used[name] = true
			}
		}
	}
	for _, name := range []string{"fetch", "header", "exec"} {
		cmd, _, err := root.Find([]string{name})
		if err != nil {
			t.Fatal(err)
		}
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			u := strings.ToLower(f.Usage)
			takesSecret := strings.Contains(u, "env:name") || strings.Contains(u, "secret grammar") || strings.Contains(u, "passphrase") ||
				strings.Contains(u, "private key")
			if !takesSecret || used[f.Name] || f.Hidden {
				return
			}
			if _, ok := secretFlagsElsewhere[f.Name]; ok {
				return
			}
			t.Errorf("jwtkit %s --%s takes a secret, but no leak case uses it; add cases (success and failure) to TestNoSecretLeaksFlows", name, f.Name)
		})
	}
}

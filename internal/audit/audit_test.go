package audit

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/attacks/forge"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// flaw is one deliberate defect of the test verifier.
type flaw int

const (
	correct          flaw = iota
	acceptsNone           // takes alg none as "no signature needed"
	algFromHeader         // lets the header pick HMAC and keys it with the RSA public key PEM
	kidAsPath             // reads the HMAC key from the file the kid names
	fetchesJKU            // fetches the key set the jku names
	trustsJWK             // verifies with the key embedded in the header
	psychicECDSA          // accepts an all-zero ECDSA signature, as Java 15-18 did
	ignoresExp            // checks the signature but not exp
	ignoresSignature      // decodes the claims and checks exp only
	fetchesJKUOnly        // fetches the key set the jku names, then verifies with its own key
)

// verifier is an HTTP endpoint that checks bearer tokens signed RS256 by key, with one flaw.
type verifier struct {
	t    *testing.T
	key  *rsa.PrivateKey
	flaw flaw
	dir  string // the directory kid paths are read from
}

func (v *verifier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok && v.valid(tok) {
		_, _ = io.WriteString(w, `{"ok":true}`)
		return
	}
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}

func (v *verifier) valid(tok string) bool {
	p := strings.Split(tok, ".")
	if len(p) != 3 {
		return false
	}
	var h struct {
		Alg, Kid, Jku string
		Jwk           json.RawMessage
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(p[0])
	pb, err2 := base64.RawURLEncoding.DecodeString(p[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(p[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &h) != nil {
		return false
	}
	var c struct {
		Exp, Nbf *float64
		Aud, Iss string
	}
	if json.Unmarshal(pb, &c) != nil {
		return false
	}
	input := []byte(p[0] + "." + p[1])
	sum := sha256.Sum256(input)
	mac := func(key []byte) bool {
		m := hmac.New(sha256.New, key)
		m.Write(input)
		return hmac.Equal(m.Sum(nil), sig)
	}
	now := float64(testNow.Unix())
	expOK := c.Exp != nil && now < *c.Exp
	claimsOK := (c.Nbf == nil || *c.Nbf <= now) && c.Aud == "api" && c.Iss == "https://issuer.example"
	var sigOK bool
	switch {
	case v.flaw == ignoresSignature:
		sigOK = true
	case v.flaw == acceptsNone && strings.EqualFold(h.Alg, "none"):
		sigOK = true
	case v.flaw == algFromHeader && h.Alg == "HS256":
		der, _ := x509.MarshalPKIXPublicKey(&v.key.PublicKey)
		sigOK = mac(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	case v.flaw == kidAsPath && h.Alg == "HS256" && h.Kid != "":
		path := h.Kid
		if !filepath.IsAbs(path) {
			path = filepath.Join(v.dir, path)
		}
		key, err := os.ReadFile(path)
		sigOK = err == nil && mac(key)
	case v.flaw == fetchesJKUOnly && h.Jku != "":
		if resp, err := http.Get(h.Jku); err == nil {
			resp.Body.Close()
		}
		sigOK = h.Alg == "RS256" && rsa.VerifyPKCS1v15(&v.key.PublicKey, crypto.SHA256, sum[:], sig) == nil
	case v.flaw == fetchesJKU && h.Jku != "":
		resp, err := http.Get(h.Jku)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var set struct{ Keys []json.RawMessage }
		if json.NewDecoder(resp.Body).Decode(&set) != nil || len(set.Keys) == 0 {
			return false
		}
		sigOK = verifyES(set.Keys[0], sum[:], sig)
	case v.flaw == trustsJWK && len(h.Jwk) > 0:
		sigOK = verifyES(h.Jwk, sum[:], sig)
	case v.flaw == psychicECDSA && h.Alg == "ES256":
		sigOK = len(sig) == 64 && strings.Trim(string(sig), "\x00") == ""
	case h.Alg == "RS256":
		sigOK = rsa.VerifyPKCS1v15(&v.key.PublicKey, crypto.SHA256, sum[:], sig) == nil
	}
	if v.flaw == ignoresExp {
		expOK = true
	}
	return sigOK && expOK && claimsOK
}

func verifyES(jwk json.RawMessage, digest, sig []byte) bool {
	var k struct{ X, Y string }
	if json.Unmarshal(jwk, &k) != nil || len(sig) != 64 {
		return false
	}
	x, _ := base64.RawURLEncoding.DecodeString(k.X)
	y, _ := base64.RawURLEncoding.DecodeString(k.Y)
	pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
	return ecdsa.Verify(pub, digest, new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
}

type fixture struct {
	key     *rsa.PrivateKey
	genuine forge.Genuine
	header  forge.Object
}

func newFixture(t *testing.T) *fixture {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	h := forge.MustParseObject(`{"alg":"RS256","typ":"JWT","kid":"rsa-1"}`)
	claims := `{"iss":"https://issuer.example","sub":"alice","aud":"api","exp":` + itoa(testNow.Add(time.Hour).Unix()) + `}`
	tok, err := forge.Sign(h, claims, key)
	if err != nil {
		t.Fatal(err)
	}
	g, err := forge.ParseGenuine(tok)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{key: key, genuine: g, header: h}
}

func itoa(n int64) string { return big.NewInt(n).String() }

// audit runs the whole audit against the verifier with the flaw, with the RSA key known for
// key confusion and, when resign, the signing key for the claim probes.
func (f *fixture) audit(t *testing.T, fl flaw, resign bool) *Report {
	t.Helper()
	dir := t.TempDir()
	srv := httptest.NewServer(&verifier{t: t, key: f.key, flaw: fl, dir: dir})
	defer srv.Close()
	atk, err := forge.NewAttacker(testNow)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Listen("", atk)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	vs, err := forge.Forge(f.genuine, forge.Options{Attacker: atk, KeyURL: l.URL(),
		PublicKeys: []forge.PublicKey{{Kid: "rsa-1", Key: &f.key.PublicKey}}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Target:   &HTTPTarget{Client: safehttp.New(safehttp.Options{Timeout: 5 * time.Second}), URL: srv.URL, Headers: []string{"Authorization: Bearer {token}"}},
		Genuine:  f.genuine,
		Variants: vs,
		Probes:   forge.ClaimProbes(),
		Listener: l,
		Now:      testNow,
	}
	if resign {
		cfg.Resign = func(p string) (string, error) { return forge.Sign(f.header, p, f.key) }
	}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func failedNames(rep *Report) []string {
	var out []string
	for _, r := range rep.Results {
		if r.Counts {
			out = append(out, r.Name)
		}
	}
	return out
}

// TestWeakVerifiersAreCaught checks that each deliberately weak verifier is caught by the
// attack that targets it, and a correct one has no finding.
func TestWeakVerifiersAreCaught(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name   string
		flaw   flaw
		resign bool
		want   []string // among the failing results
	}{
		{"correct", correct, true, nil},
		{"correct without key", correct, false, nil},
		{"accepts none", acceptsNone, false, []string{"alg-none-lower", "alg-none-capitalised", "alg-none-upper", "alg-none-mixed", "alg-none-with-signature"}},
		{"alg from header", algFromHeader, false, []string{"confusion-hs256-pem"}},
		{"kid as path", kidAsPath, false, []string{"kid-path-traversal", "kid-dev-null"}},
		{"fetches jku", fetchesJKU, false, []string{"jku-elsewhere"}},
		{"trusts embedded jwk", trustsJWK, false, []string{"embedded-jwk", "embedded-jwk-victim-kid"}},
		{"psychic ECDSA", psychicECDSA, false, []string{"ecdsa-psychic-es256"}},
		{"ignores exp", ignoresExp, true, []string{"claim-expired"}},
		{"ignores signature", ignoresSignature, false, []string{"signature-stripped", "tampered-payload"}},
		{"fetches jku, then refuses", fetchesJKUOnly, true, []string{"jku-elsewhere"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := f.audit(t, tc.flaw, tc.resign)
			got := failedNames(rep)
			if len(tc.want) == 0 && len(got) > 0 {
				t.Fatalf("a correct verifier has findings: %v", got)
			}
			for _, w := range tc.want {
				found := false
				for _, g := range got {
					found = found || g == w
				}
				if !found {
					t.Errorf("%s not caught; failing results: %v", w, got)
				}
			}
			if rep.Genuine.Code != 200 || rep.Invalid.Code != 401 {
				t.Errorf("genuine %s, invalid %s", rep.Genuine.Text, rep.Invalid.Text)
			}
		})
	}
}

// TestProbesUnderAcceptedForgery checks that, without a key, claim probes run under a forgery
// the service accepted and are reported, but do not count twice.
func TestProbesUnderAcceptedForgery(t *testing.T) {
	f := newFixture(t)
	rep := f.audit(t, acceptsNone, false)
	var under, skipped int
	for _, r := range rep.Results {
		if r.Kind == KindClaimForged {
			under++
			if r.Counts {
				t.Errorf("%s counts", r.Name)
			}
			if r.Name == "claim-expired@alg-none-lower" && r.Verdict != Refused {
				t.Errorf("the verifier checks exp under alg none, got %s", r.Verdict)
			}
		}
		if r.Verdict == Skipped {
			skipped++
		}
	}
	if under == 0 || skipped != 0 {
		t.Errorf("%d probes under forgeries, %d skipped", under, skipped)
	}
	rep = f.audit(t, correct, false)
	for _, r := range rep.Results {
		if r.Kind == KindClaim && r.Verdict != Skipped {
			t.Errorf("%s: %s without a key or an accepted forgery", r.Name, r.Verdict)
		}
	}
}

// TestMeaninglessAudits checks the two refusals to judge: a refused genuine token and an
// endpoint that accepts anything.
func TestMeaninglessAudits(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		code    string
	}{
		{"genuine refused", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }, "genuine_refused"},
		{"anything accepted", func(w http.ResponseWriter, _ *http.Request) {}, "invalid_accepted"},
	} {
		srv := httptest.NewServer(tc.handler)
		_, err := Run(context.Background(), Config{
			Target:  &HTTPTarget{Client: safehttp.New(safehttp.Options{}), URL: srv.URL, Headers: []string{"Authorization: Bearer {token}"}},
			Genuine: f.genuine,
		})
		srv.Close()
		if failure.ExitCode(err) != 2 || !strings.Contains(err.Error(), "") || failure.CodeOf(err) != tc.code {
			t.Errorf("%s: %v (exit %d)", tc.name, err, failure.ExitCode(err))
		}
	}
	// An unreachable target is a remote failure.
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := Run(context.Background(), Config{
		Target:  &HTTPTarget{Client: safehttp.New(safehttp.Options{Timeout: time.Second}), URL: url, Headers: []string{"Authorization: Bearer {token}"}},
		Genuine: f.genuine,
	})
	if failure.ExitCode(err) != 3 {
		t.Errorf("unreachable: %v (exit %d)", err, failure.ExitCode(err))
	}
}

// TestJudge checks the status lists and the body pattern.
func TestJudge(t *testing.T) {
	h := &HTTPTarget{}
	genuine := Answer{Code: 200, Body: []byte("welcome alice")}
	for _, tc := range []struct {
		j    Judge
		a    Answer
		want bool
	}{
		{Judge{}, Answer{Code: 200}, true},
		{Judge{}, Answer{Code: 401}, false},
		{Judge{}, Answer{Code: 302}, false},
		{Judge{AcceptStatus: []int{200, 204}}, Answer{Code: 204}, true},
		{Judge{AcceptStatus: []int{200}, RejectStatus: []int{200}}, Answer{Code: 200}, true},
		{Judge{RejectStatus: []int{401, 403}}, Answer{Code: 302}, true},
		{Judge{RejectStatus: []int{401, 403}}, Answer{Code: 403}, false},
		{Judge{AcceptBody: regexp.MustCompile(`welcome`)}, Answer{Code: 200, Body: []byte("please log in")}, false},
		{Judge{AcceptBody: regexp.MustCompile(`welcome`)}, Answer{Code: 200, Body: []byte("welcome bob")}, true},
	} {
		if got := tc.j.Accepted(h, tc.a, genuine); got != tc.want {
			t.Errorf("%+v on %d %q: got %v", tc.j, tc.a.Code, tc.a.Body, got)
		}
	}
	c := &CommandTarget{}
	if !(Judge{}).Accepted(c, Answer{Code: 0}, Answer{Code: 0}) || (Judge{}).Accepted(c, Answer{Code: 1}, Answer{Code: 0}) {
		t.Error("a command accepts with exit 0 only")
	}
}

// TestCommandTarget checks that the token reaches the command through its environment, never
// as shell text, and that exit 0 is acceptance.
func TestCommandTarget(t *testing.T) {
	dir := t.TempDir()
	c := &CommandTarget{Command: `test {token} = "$WANT"`, Env: []string{"WANT=good.to.ken", "PATH=/usr/bin:/bin"}, Timeout: 5 * time.Second, Dir: dir}
	for _, tc := range []struct {
		tok  string
		code int
	}{
		{"good.to.ken", 0},
		{"bad.to.ken", 1},
		{"$(touch pwned); `touch pwned2`", 1},
		{"x' ; touch pwned3 ; '", 1},
	} {
		a, err := c.Send(context.Background(), tc.tok)
		if err != nil {
			t.Fatal(err)
		}
		if a.Code != tc.code {
			t.Errorf("%q: %s", tc.tok, a.Text)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "pwned*")); len(m) > 0 {
		t.Errorf("the token ran as shell text: %v", m)
	}
	slow := &CommandTarget{Command: "sleep 5", Env: []string{"PATH=/usr/bin:/bin"}, Timeout: 200 * time.Millisecond}
	start := time.Now()
	if _, err := slow.Send(context.Background(), "t"); failure.ExitCode(err) != 3 || time.Since(start) > 3*time.Second {
		t.Errorf("timeout: %v after %s", err, time.Since(start))
	}
}

func TestParseHeaders(t *testing.T) {
	for _, tc := range []struct {
		headers []string
		body    string
		ok      bool
	}{
		{[]string{"Authorization: Bearer {token}"}, "", true},
		{[]string{"X-Api: 1"}, "token={token}", true},
		{[]string{"X-Api: 1"}, "", false},
		{[]string{"no colon {token}"}, "", false},
		{[]string{"Bad Name: {token}"}, "", false},
	} {
		if err := ParseHeaders(tc.headers, tc.body); (err == nil) != tc.ok {
			t.Errorf("%v %q: %v", tc.headers, tc.body, err)
		}
	}
}

// TestFetchedIsAFinding checks that a service which fetches the jku URL but refuses the token
// is reported FETCHED, and fails the audit.
func TestFetchedIsAFinding(t *testing.T) {
	f := newFixture(t)
	rep := f.audit(t, fetchesJKUOnly, false)
	for _, r := range rep.Results {
		if r.Name == "jku-elsewhere" && (r.Verdict != Fetched || !r.Fetched || r.Accepted || !r.Counts) {
			t.Errorf("%+v", r)
		}
		if r.Name == "x5u-elsewhere" && r.Fetched {
			t.Errorf("x5u was not fetched: %+v", r)
		}
	}
}

// countingTarget answers 200 to the genuine token and 401 to anything else, and records when.
type countingTarget struct {
	genuine string
	at      []time.Time
}

func (c *countingTarget) Send(_ context.Context, tok string) (Answer, error) {
	c.at = append(c.at, time.Now())
	if tok == c.genuine {
		return Answer{Code: 200, Text: "HTTP 200"}, nil
	}
	return Answer{Code: 401, Text: "HTTP 401"}, nil
}
func (c *countingTarget) Accepts(a, g Answer) bool { return a.Code == g.Code }
func (c *countingTarget) Success(a Answer) bool    { return a.Code == 200 }

// TestRateAndOneRequestPerCase checks that every token is sent exactly once and that --rate
// spaces the requests.
func TestRateAndOneRequestPerCase(t *testing.T) {
	f := newFixture(t)
	atk, err := forge.NewAttacker(testNow)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := forge.Forge(f.genuine, forge.Options{Attacker: atk})
	if err != nil {
		t.Fatal(err)
	}
	vs = vs[:4]
	target := &countingTarget{genuine: f.genuine.Token}
	start := time.Now()
	rep, err := Run(context.Background(), Config{Target: target, Genuine: f.genuine, Variants: vs, Rate: 20, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(target.at) != 2+len(vs) || len(rep.Results) != len(vs) {
		t.Fatalf("%d requests for %d variants", len(target.at), len(vs))
	}
	// 6 requests at 20 a second: at least 5 gaps of 50 ms.
	if el := time.Since(start); el < 240*time.Millisecond {
		t.Errorf("6 requests at --rate 20 took %s", el)
	}
	for i := 1; i < len(target.at); i++ {
		if gap := target.at[i].Sub(target.at[i-1]); gap < 45*time.Millisecond {
			t.Errorf("request %d came %s after the one before", i, gap)
		}
	}
}

package audit

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/attacks/forge"
	"github.com/jwtkit/jwtkit/internal/issuer"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/safehttp"
	"github.com/jwtkit/jwtkit/internal/testenv"
)

// TestNodeJoseServiceHasNoFinding audits a correct verifier: node's jose behind a tiny HTTP
// server (testdata/interop/verify-server.mjs), checking access tokens issued by jwtkit serve's
// issuer against its discovery document and JWK Set. Every forged variant, including the key
// confusion made with the published key, and every claim probe that must fail is refused.
func TestNodeJoseServiceHasNoFinding(t *testing.T) {
	if testenv.NodeJose(t) == nil {
		return
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal(err)
	}
	key, err := keys.Generate(rand.Reader, "RSA", 2048, "", "RS256")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	issuerURL := "http://" + ts.Listener.Addr().String()
	srv, err := issuer.New(issuer.Config{
		Issuer:  issuerURL,
		Keys:    []keys.Key{key},
		Clients: []issuer.Client{{ID: "ci", Secret: []byte("ci-secret"), Scopes: []string{"read:users"}}},
		Now:     time.Now,
		Rand:    rand.Reader,
	})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	defer ts.Close()

	form := url.Values{"grant_type": {"client_credentials"}, "resource": {"https://api.test"}}
	req, _ := http.NewRequest(http.MethodPost, issuerURL+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("ci", "ci-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || body.AccessToken == "" {
		t.Fatalf("no access token: %v", err)
	}
	genuine, err := forge.ParseGenuine(body.AccessToken)
	if err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(testenv.RepoRoot(t), "testdata", "interop")
	cmd := exec.Command(node, filepath.Join(dir, "verify-server.mjs"), issuerURL, "https://api.test")
	cmd.Dir = dir
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("verify-server.mjs did not start: %v: %s", err, stderr.String())
	}
	serviceURL := strings.TrimSpace(line)

	atk, err := forge.NewAttacker(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	l, err := Listen("", atk)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	priv := key.JWK.Key.(*rsa.PrivateKey)
	vs, err := forge.Forge(genuine, forge.Options{Attacker: atk, KeyURL: l.URL(),
		PublicKeys: []forge.PublicKey{{Kid: key.JWK.KeyID, Key: &priv.PublicKey}}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Config{
		Target:   &HTTPTarget{Client: safehttp.New(safehttp.Options{Timeout: 10 * time.Second}), URL: serviceURL, Headers: []string{"Authorization: Bearer {token}"}},
		Genuine:  genuine,
		Variants: vs,
		Probes:   forge.ClaimProbes(),
		Resign:   func(p string) (string, error) { return forge.Sign(genuine.Header, p, priv) },
		Listener: l,
		Now:      time.Now(),
	})
	if err != nil {
		t.Fatalf("%v (node: %s)", err, stderr.String())
	}
	if names := failedNames(rep); len(names) > 0 {
		t.Errorf("node jose accepted: %v", names)
	}
	var refused int
	for _, r := range rep.Results {
		if r.Verdict == Refused {
			refused++
		}
		if r.Name == "claim-sub-changed" && r.Verdict != AcceptedInfo {
			t.Errorf("a re-signed token for another subject is valid, got %s", r.Verdict)
		}
	}
	if refused < len(vs)+4 {
		t.Errorf("only %d of %d tokens refused", refused, len(rep.Results))
	}
}

package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// OpenIDClient is panva/openid-client, pinned in testdata/openid-client, run as a relying
// party by rp.mjs.
type OpenIDClient struct {
	node string
	dir  string
}

// NewOpenIDClient locates node and testdata/openid-client/node_modules. It skips the test when
// either is missing, but fails it when CI=true.
func NewOpenIDClient(t testing.TB) *OpenIDClient {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "openid-client: node is not on PATH")
		return nil
	}
	dir := filepath.Join(RepoRoot(t), "testdata", "openid-client")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "openid-client", "package.json")); err != nil {
		missing(t, "openid-client: testdata/openid-client/node_modules has no openid-client")
		return nil
	}
	return &OpenIDClient{node: node, dir: dir}
}

// RunFlows runs rp.mjs against issuer (every flow, see testdata/openid-client/rp.mjs) and
// returns its one line of JSON; it fails t when a flow fails.
func (c *OpenIDClient) RunFlows(t testing.TB, issuer string) []byte {
	t.Helper()
	return c.RunFlowsInput(t, issuer, nil)
}

// RunFlowsInput is RunFlows with input on rp.mjs's stdin: a JSON object of test keys for the
// flows that need them (see rp.mjs), kept off the command line.
func (c *OpenIDClient) RunFlowsInput(t testing.TB, issuer string, input []byte) []byte {
	t.Helper()
	res := Run(t, c.dir, input, c.node, filepath.Join(c.dir, "rp.mjs"), issuer)
	if res.Code != 0 {
		t.Fatalf("openid-client against %s: exit %d: %s", issuer, res.Code, bytes.TrimSpace(res.Stderr))
	}
	return bytes.TrimSpace(res.Stdout)
}

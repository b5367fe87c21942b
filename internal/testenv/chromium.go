package testenv

import (
	"bytes"
	"os"
	"testing"
)

// ChromiumPath is where Debian's chromium package puts the browser, which .ci/install-peers
// installs.
const ChromiumPath = "/usr/bin/chromium"

// ChromiumFlags are the command-line flags a headless Chromium needs in this project's
// containers, for the tests that drive one: no sandbox (it needs user namespaces a container
// rarely grants), no GPU.
var ChromiumFlags = []string{"--headless", "--no-sandbox", "--disable-gpu"}

// Chromium locates Debian's Chromium at ChromiumPath and checks that it starts (`--version`
// says Chromium), returning its path. It skips the test when it is missing, but fails it when
// CI=true.
func Chromium(t testing.TB) string {
	t.Helper()
	fi, err := os.Stat(ChromiumPath)
	if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		missing(t, "chromium: %s is not installed (Debian package chromium)", ChromiumPath)
		return ""
	}
	res := Run(t, "", nil, ChromiumPath, append(ChromiumFlags[:len(ChromiumFlags):len(ChromiumFlags)], "--version")...)
	if res.Code != 0 || !bytes.Contains(res.Stdout, []byte("Chromium")) {
		missing(t, "chromium: %s --version exits %d without naming Chromium: %s", ChromiumPath, res.Code, bytes.TrimSpace(res.Stderr))
		return ""
	}
	return ChromiumPath
}

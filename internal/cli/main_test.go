package cli

import (
	"os"
	"testing"

	"github.com/jwtkit/jwtkit/internal/testenv"
)

// TestMain says in one line which tests were skipped for a missing peer (node's jose, Debian's
// jose, npm's oidc-provider) and how to install them: go test hides a passing package's output.
func TestMain(m *testing.M) {
	code := m.Run()
	testenv.ReportSkipped("internal/cli")
	os.Exit(code)
}

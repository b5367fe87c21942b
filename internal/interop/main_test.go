package interop_test

import (
	"os"
	"testing"

	"github.com/jwtkit/jwtkit/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemoveBuilds()
	testenv.ReportSkipped("internal/interop")
	os.Exit(code)
}

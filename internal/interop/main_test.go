package interop_test

import (
	"os"
	"testing"

	"github.com/jwtkit/jwtkit/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemoveBuilds()
	os.Exit(code)
}

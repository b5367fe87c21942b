package main

import (
	"flag"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the golden files that testscript scripts compare with cmp")

// TestMain lets the test binary act as the jwtkit binary inside testscript scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"jwtkit": main,
	})
}

// TestScripts runs the end-to-end scripts in testdata/script, one per command and case. Each
// runs the real jwtkit main in a fresh process with a fixed clock-free environment.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"httpserve":  cmdHTTPServe,
			"mkcert":     cmdMkcert,
			"startserve": cmdStartServe,
			"stopserve":  cmdStopServe,
		},
		Setup: func(env *testscript.Env) error {
			// A private home so the real user's cache and config are never touched.
			home := env.WorkDir + "/home"
			if err := os.MkdirAll(home, 0o700); err != nil {
				return err
			}
			env.Setenv("HOME", home)
			env.Setenv("XDG_CACHE_HOME", home+"/.cache")
			env.Setenv("XDG_CONFIG_HOME", home+"/.config")
			env.Setenv("NO_COLOR", "")
			env.Setenv("JWTKIT_NOW", "")
			return nil
		},
	})
}

package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run this package's main as the polytomic-mcp
// command, in-process and with the embedded snapshot.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"polytomic-mcp": func() { os.Exit(run()) },
	})
}

// TestCLI runs the end-to-end CLI scripts in testdata/script.
func TestCLI(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			// Scripts must not see a developer's real key or config.
			e.Setenv("POLYTOMIC_API_KEY", "")
			e.Setenv("XDG_CONFIG_HOME", e.WorkDir+"/config")
			e.Setenv("XDG_STATE_HOME", e.WorkDir+"/state")
			e.Setenv("HOME", e.WorkDir+"/home")
			return nil
		},
	})
}

// Package testspec gives tests the search index over the hand-written
// testdata/specs/mini.json, loaded the way the build loads the real
// snapshot (with libopenapi). Only tests import it.
package testspec

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
	"github.com/polytomic-mcp/polytomic-mcp/spec/openapi"
)

// MiniPath is the hand-written spec, found from this file so that any
// package's tests can use it.
func MiniPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "specs", "mini.json")
}

// Mini loads mini.json and indexes it.
func Mini(t testing.TB) *spec.Index {
	t.Helper()
	data, err := os.ReadFile(MiniPath())
	if err != nil {
		t.Fatal(err)
	}
	api, err := openapi.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	return spec.NewIndex(api)
}

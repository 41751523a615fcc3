package xdg

import (
	"path/filepath"
	"runtime"
	"testing"
)

func TestDirs(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if d, _ := ConfigDir(env(map[string]string{"XDG_CONFIG_HOME": "/x"})); d != filepath.Join("/x", "polytomic-mcp") {
		t.Errorf("XDG_CONFIG_HOME: %s", d)
	}
	if d, _ := StateDir(env(map[string]string{"XDG_STATE_HOME": "/s"})); d != filepath.Join("/s", "polytomic-mcp") {
		t.Errorf("XDG_STATE_HOME: %s", d)
	}
	if runtime.GOOS == "linux" {
		if d, _ := ConfigDir(env(map[string]string{"HOME": "/h"})); d != "/h/.config/polytomic-mcp" {
			t.Errorf("HOME config: %s", d)
		}
		if d, _ := StateDir(env(map[string]string{"HOME": "/h"})); d != "/h/.local/state/polytomic-mcp" {
			t.Errorf("HOME state: %s", d)
		}
	}
	if _, err := ConfigDir(env(nil)); err == nil {
		t.Error("no HOME: no error")
	}
}

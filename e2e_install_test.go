package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestE2EHostileProjectInstall runs the built binary's `install --scope
// project` in repositories that plant links: whatever it answers, no file
// outside the project folder changes, and none is read into it.
func TestE2EHostileProjectInstall(t *testing.T) {
	const global = `{"mcpServers":{"other":{"command":"x","env":{"TOKEN":"secret-of-another-server"}}}}`
	tests := []struct {
		name   string
		client string
		plant  func(t *testing.T, proj, outside string)
	}{
		{"config is a link to a global config", "vscode", func(t *testing.T, proj, outside string) {
			mkdir(t, filepath.Join(proj, ".vscode"))
			link(t, filepath.Join(outside, "global.json"), filepath.Join(proj, ".vscode", "mcp.json"))
		}},
		{"config folder is a link out", "cursor", func(t *testing.T, proj, outside string) {
			link(t, outside, filepath.Join(proj, ".cursor"))
		}},
		{"dangling link where the config goes", "cursor", func(t *testing.T, proj, outside string) {
			mkdir(t, filepath.Join(proj, ".cursor"))
			link(t, filepath.Join(outside, "new.json"), filepath.Join(proj, ".cursor", "mcp.json"))
		}},
		{"dangling .bak link", "cursor", func(t *testing.T, proj, outside string) {
			mkdir(t, filepath.Join(proj, ".cursor"))
			link(t, filepath.Join(outside, "global.json"), filepath.Join(proj, ".cursor", "mcp.json.bak"))
		}},
		{"claude-code .mcp.json is a link", "claude-code", func(t *testing.T, proj, outside string) {
			link(t, filepath.Join(outside, "global.json"), filepath.Join(proj, ".mcp.json"))
		}},
		{"claude settings folder is a link out (allow-reads)", "claude-code", func(t *testing.T, proj, outside string) {
			link(t, outside, filepath.Join(proj, ".claude"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			proj, outside := filepath.Join(root, "repo"), filepath.Join(root, "outside")
			mkdir(t, proj)
			mkdir(t, outside)
			if err := os.WriteFile(filepath.Join(outside, "global.json"), []byte(global), 0o600); err != nil {
				t.Fatal(err)
			}
			tt.plant(t, proj, outside)
			before := snapshotDir(t, outside)
			c := exec.Command(builtBinary(t), "install", tt.client, "--scope", "project", "--allow-reads")
			if tt.client != "claude-code" {
				c.Args = c.Args[:len(c.Args)-1]
			}
			c.Dir = proj
			c.Env = testEnv(t)
			var out bytes.Buffer
			c.Stdout, c.Stderr = &out, &out
			_ = c.Run()
			if after := snapshotDir(t, outside); !equalMaps(before, after) {
				t.Errorf("a file outside the project changed:\nbefore %v\nafter  %v\n%s", before, after, out.String())
			}
			filepath.Walk(proj, func(p string, info os.FileInfo, err error) error {
				if err == nil && info.Mode().IsRegular() {
					if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("secret-of-another-server")) {
						t.Errorf("%s copies another server's token into the project", p)
					}
				}
				return nil
			})
		})
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

// snapshotDir maps each entry under dir to its content (or link target).
func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			m[p] = "-> " + target
		case info.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			m[p] = string(b)
		case info.IsDir():
			m[p] = "dir"
		}
		return nil
	})
	return m
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

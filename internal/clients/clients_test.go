package clients

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/install")

func testEnv(t *testing.T, goos string) Env {
	home := t.TempDir()
	return Env{
		GOOS: goos,
		Getenv: func(k string) string {
			return map[string]string{"HOME": home, "APPDATA": filepath.Join(home, "AppData")}[k]
		},
		Dir:      t.TempDir(),
		LookPath: func(string) (string, error) { return "", errors.New("not found") },
		Run:      func(context.Context, []string) ([]byte, error) { return nil, errors.New("not allowed in tests") },
	}
}

var spec = Spec{Name: "polytomic", Command: "/usr/local/bin/polytomic-mcp", Args: []string{"serve", "--read-only"}}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "install", "golden", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/clients -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file (go test ./internal/clients -update if intended):\n%s", name, got)
	}
}

func fixture(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "install", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// For each client, from an empty folder, from a file with other servers and
// from a malformed file.
func TestInstallGolden(t *testing.T) {
	scopes := map[string]string{"claude-code": ScopeProject, "codex": ScopeUser, "cursor": ScopeUser, "vscode": ScopeProject, "claude-desktop": ScopeUser}
	for _, c := range All {
		ext := ".json"
		if c.ID == "codex" {
			ext = ".toml"
		}
		for _, start := range []string{"empty", "others", "malformed"} {
			t.Run(c.ID+"/"+start, func(t *testing.T) {
				env := testEnv(t, "linux")
				scope := scopes[c.ID]
				path, err := ConfigPath(c, scope, env)
				if err != nil {
					t.Fatal(err)
				}
				var orig []byte
				if start != "empty" {
					orig = fixture(t, start+ext)
					os.MkdirAll(filepath.Dir(path), 0o755)
					os.WriteFile(path, orig, 0o600)
				}
				res, err := Install(context.Background(), c, scope, spec, env, false)
				if start == "malformed" {
					if err == nil || !strings.Contains(err.Error(), "does not parse, so it was left untouched") {
						t.Fatalf("err = %v", err)
					}
					if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
						t.Error("a malformed file was changed")
					}
					if _, err := os.Stat(path + ".bak"); err == nil {
						t.Error("a backup was written for a refused edit")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got, _ := os.ReadFile(path)
				golden(t, c.ID+"-"+start+ext, got)
				if start == "others" {
					if bak, err := os.ReadFile(path + ".bak"); err != nil || !bytes.Equal(bak, orig) || res.Backup == "" {
						t.Errorf("backup: %v", err)
					}
					if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
						t.Errorf("mode changed to %v", st.Mode())
					}
				}
				// Idempotent: a second run changes nothing.
				res2, err := Install(context.Background(), c, scope, spec, env, false)
				if err != nil || res2.Changed {
					t.Errorf("second install changed the file (%v)", err)
				}
				if again, _ := os.ReadFile(path); !bytes.Equal(again, got) {
					t.Error("second install rewrote the file")
				}
				// Uninstall removes only our entry.
				if _, err := Uninstall(context.Background(), c, scope, "polytomic", env, false); err != nil {
					t.Fatal(err)
				}
				after, _ := os.ReadFile(path)
				golden(t, c.ID+"-"+start+"-uninstalled"+ext, after)
				if bytes.Contains(after, []byte("polytomic-mcp\"")) && !bytes.Contains(after, []byte("/old/path")) {
					t.Error("our entry is still there after uninstall")
				}
				res3, err := Uninstall(context.Background(), c, scope, "polytomic", env, false)
				if err != nil || res3.Changed || !strings.Contains(res3.Note, "nothing to remove") {
					t.Errorf("second uninstall: %+v %v", res3, err)
				}
			})
		}
	}
}

func TestInstallPrintChangesNothing(t *testing.T) {
	c, _ := Find("cursor")
	env := testEnv(t, "linux")
	res, err := Install(context.Background(), c, ScopeUser, spec, env, true)
	if err != nil || !res.Changed || !bytes.Contains(res.After, []byte(spec.Command)) {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := os.Stat(res.Path); !os.IsNotExist(err) {
		t.Error("--print wrote the file")
	}
}

func TestClaudeCodeUsesCLI(t *testing.T) {
	c, _ := Find("claude-code")
	env := testEnv(t, "linux")
	var ran [][]string
	env.LookPath = func(string) (string, error) { return "/opt/bin/claude", nil }
	env.Run = func(_ context.Context, argv []string) ([]byte, error) { ran = append(ran, argv); return nil, nil }
	if _, err := Install(context.Background(), c, ScopeUser, spec, env, false); err != nil {
		t.Fatal(err)
	}
	want := "/opt/bin/claude mcp add --transport stdio --scope user polytomic -- /usr/local/bin/polytomic-mcp serve --read-only"
	if len(ran) != 2 || strings.Join(ran[1], " ") != want || ran[0][2] != "remove" {
		t.Errorf("ran %q", ran)
	}
}

func TestConfigPaths(t *testing.T) {
	for _, tt := range []struct{ client, goos, scope, suffix string }{
		{"claude-desktop", "darwin", ScopeUser, "Library/Application Support/Claude/claude_desktop_config.json"},
		{"claude-desktop", "windows", ScopeUser, filepath.Join("AppData", "Claude", "claude_desktop_config.json")},
		{"claude-desktop", "linux", ScopeUser, ".config/Claude/claude_desktop_config.json"},
		{"vscode", "darwin", ScopeUser, "Library/Application Support/Code/User/mcp.json"},
		{"vscode", "linux", ScopeProject, ".vscode/mcp.json"},
		{"cursor", "linux", ScopeUser, ".cursor/mcp.json"},
		{"codex", "linux", ScopeUser, ".codex/config.toml"},
	} {
		c, _ := Find(tt.client)
		p, err := ConfigPath(c, tt.scope, testEnv(t, tt.goos))
		if err != nil || !strings.HasSuffix(filepath.ToSlash(p), filepath.ToSlash(tt.suffix)) {
			t.Errorf("%s on %s: %s %v", tt.client, tt.goos, p, err)
		}
	}
	c, _ := Find("codex")
	if _, err := Install(context.Background(), c, ScopeProject, spec, testEnv(t, "linux"), false); err == nil || !strings.Contains(err.Error(), "no project scope") {
		t.Errorf("codex project scope: %v", err)
	}
	if _, err := Find("emacs"); err == nil || !strings.Contains(err.Error(), "choose one of") {
		t.Errorf("unknown client: %v", err)
	}
}

package clients

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"runtime"
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
		Dir:       t.TempDir(),
		BackupDir: filepath.Join(t.TempDir(), "backups"),
		LookPath:  func(string) (string, error) { return "", errors.New("not found") },
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

func readFixture(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("..", "..", "testdata", "install", name))
}

func fixture(t *testing.T, name string) []byte {
	b, err := readFixture(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ext(c Client) string {
	if c.Format == FormatTOML {
		return ".toml"
	}
	return ".json"
}

// goldenScope is the scope each client's golden files use: project where
// the client has one (the repository shape), else user.
func goldenScope(c Client) string {
	s := c.Scopes()
	return s[len(s)-1]
}

// For each client: from an empty folder, from a file with other servers,
// and from a file whose entry the user changed by hand.
func TestInstallGolden(t *testing.T) {
	for _, c := range All {
		for _, start := range []string{"empty", "others", "modified"} {
			t.Run(c.ID+"/"+start, func(t *testing.T) {
				env := testEnv(t, "linux")
				scope := goldenScope(c)
				path, err := ConfigPath(c, scope, env)
				if err != nil {
					t.Fatal(err)
				}
				var orig []byte
				if start != "empty" {
					orig = fixture(t, start+ext(c))
					os.MkdirAll(filepath.Dir(path), 0o755)
					os.WriteFile(path, orig, 0o640)
				}
				s := spec
				if start == "modified" {
					s.Env = map[string]string{"POLYTOMIC_ACCESS_MODE": "read-only"}
				}
				res, err := Install(c, scope, s, env, false)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := os.ReadFile(path)
				golden(t, c.ID+"-"+start+ext(c), got)
				// others.* holds an old polytomic entry under "mcpServers".
				wantAction := Updated
				if start == "empty" || start == "others" && c.Container != "mcpServers" && c.Format == FormatJSON {
					wantAction = Added
				}
				if res.Entry.Action != wantAction {
					t.Errorf("action %s, want %s", res.Entry.Action, wantAction)
				}
				if orig != nil {
					if bak, err := os.ReadFile(res.Entry.Backup); err != nil || !bytes.Equal(bak, orig) {
						t.Errorf("backup %q: %v", res.Entry.Backup, err)
					}
					if !strings.HasPrefix(res.Entry.Backup, env.BackupDir) {
						t.Errorf("backup %s is not in the backup folder", res.Entry.Backup)
					}
					if st, _ := os.Stat(path); runtime.GOOS != "windows" && st.Mode().Perm() != 0o640 {
						t.Errorf("mode changed to %v", st.Mode())
					}
				}
				assertNoLeftovers(t, filepath.Dir(path))
				// Idempotent: a second run changes nothing.
				res2, err := Install(c, scope, s, env, false)
				if err != nil || res2.Entry.Action != Unchanged || res2.Entry.Changed() {
					t.Errorf("second install: %+v %v", res2, err)
				}
				if again, _ := os.ReadFile(path); !bytes.Equal(again, got) {
					t.Error("second install rewrote the file")
				}
				// Uninstall removes only our entry.
				res3, err := Uninstall(c, scope, "polytomic", env, false)
				if err != nil || res3.Entry.Action != Removed {
					t.Fatalf("uninstall: %+v %v", res3, err)
				}
				after, _ := os.ReadFile(path)
				golden(t, c.ID+"-"+start+"-uninstalled"+ext(c), after)
				if bak, _ := os.ReadFile(res3.Entry.Backup); !bytes.Equal(bak, got) {
					t.Error("the backup does not rotate to the previous content")
				}
				res4, err := Uninstall(c, scope, "polytomic", env, false)
				if err != nil || res4.Entry.Action != Absent || res4.Entry.Changed() {
					t.Errorf("second uninstall: %+v %v", res4, err)
				}
			})
		}
	}
}

func assertNoLeftovers(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") || strings.HasSuffix(e.Name(), ".bak") {
			t.Errorf("%s left in %s", e.Name(), dir)
		}
	}
}

// A file that does not parse is left alone, and the error quotes the
// parser; JSON that is not an object says so.
func TestMalformedFiles(t *testing.T) {
	for _, c := range All {
		starts := []string{"malformed"}
		if c.Format == FormatJSON {
			starts = append(starts, "notobject")
		}
		for _, start := range starts {
			t.Run(c.ID+"/"+start, func(t *testing.T) {
				env := testEnv(t, "linux")
				scope := goldenScope(c)
				path, _ := ConfigPath(c, scope, env)
				orig := fixture(t, start+ext(c))
				os.MkdirAll(filepath.Dir(path), 0o755)
				os.WriteFile(path, orig, 0o600)
				for _, run := range []func() error{
					func() error { _, err := Install(c, scope, spec, env, false); return err },
					func() error { _, err := Uninstall(c, scope, "polytomic", env, false); return err },
				} {
					err := run()
					want := []string{path, "does not parse, so it was left untouched", "line ", "column "}
					if start == "notobject" {
						want = []string{path, "is not a JSON object, so it was left untouched"}
					}
					for _, w := range want {
						if err == nil || !strings.Contains(err.Error(), w) {
							t.Errorf("err = %v, want %q", err, w)
						}
					}
				}
				if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
					t.Error("a malformed file was changed")
				}
				if _, err := os.Stat(env.BackupDir); err == nil {
					t.Error("a backup was written for a refused edit")
				}
			})
		}
	}
}

// Install/uninstall cycles leave the Codex file as it was, byte for byte.
func TestCodexCyclesDoNotGrow(t *testing.T) {
	c, _ := Find("codex")
	env := testEnv(t, "linux")
	path, _ := ConfigPath(c, ScopeUser, env)
	os.MkdirAll(filepath.Dir(path), 0o755)
	orig := []byte("model = \"o4-mini\"\n\n[mcp_servers.github]\ncommand = \"gh\"\n")
	os.WriteFile(path, orig, 0o600)
	for i := 0; i < 3; i++ {
		if _, err := Install(c, ScopeUser, spec, env, false); err != nil {
			t.Fatal(err)
		}
		if _, err := Uninstall(c, ScopeUser, "polytomic", env, false); err != nil {
			t.Fatal(err)
		}
		if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
			t.Fatalf("cycle %d changed the file:\n%s", i, now)
		}
	}
}

// A comment trailing the last server stays on that server's line.
func TestTrailingCommentStaysPut(t *testing.T) {
	c, _ := Find("cursor")
	env := testEnv(t, "linux")
	path, _ := ConfigPath(c, ScopeProject, env)
	os.MkdirAll(filepath.Dir(path), 0o755)
	orig := "{\n  \"mcpServers\": {\n    \"github\": {\"command\": \"gh\"} // the GitHub server\n  }\n}\n"
	os.WriteFile(path, []byte(orig), 0o644)
	if _, err := Install(c, ScopeProject, spec, env, false); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if !strings.Contains(string(got), `"github": {"command": "gh"}, // the GitHub server`) {
		t.Errorf("the comment moved:\n%s", got)
	}
	if _, err := Uninstall(c, ScopeProject, "polytomic", env, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); !strings.Contains(string(got), "// the GitHub server") {
		t.Errorf("uninstall dropped the comment:\n%s", got)
	}
}

func TestCodexInlineEnv(t *testing.T) {
	c, _ := Find("codex")
	env := testEnv(t, "linux")
	path, _ := ConfigPath(c, ScopeUser, env)
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, fixture(t, "inline-env.toml"), 0o600)
	s := spec
	s.Env = map[string]string{"POLYTOMIC_API_URL": "https://x.example"}
	if _, err := Install(c, ScopeUser, s, env, false); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	golden(t, "codex-inline-env.toml", got)
}

func TestAllowReads(t *testing.T) {
	reads := []string{"search", "execute"}
	t.Run("claude-code", func(t *testing.T) {
		c, _ := Find("claude-code")
		env := testEnv(t, "linux")
		settings := filepath.Join(env.Dir, ".claude", "settings.json")
		os.MkdirAll(filepath.Dir(settings), 0o755)
		os.WriteFile(settings, fixture(t, "settings.json"), 0o644)
		s := spec
		s.AllowReads = reads
		res, err := Install(c, ScopeProject, s, env, false)
		if err != nil || res.Approval == nil || res.Approval.Action != Updated || res.Approval.Path != settings {
			t.Fatalf("%+v %v", res, err)
		}
		got, _ := os.ReadFile(settings)
		golden(t, "claude-code-settings.json", got)
		res, err = Install(c, ScopeProject, s, env, false)
		if err != nil || res.Approval.Action != Unchanged || res.Entry.Action != Unchanged {
			t.Errorf("again: %+v %v", res, err)
		}
		// User scope: ~/.claude/settings.json, created when missing.
		res, err = Install(c, ScopeUser, s, env, false)
		home := env.Getenv("HOME")
		if err != nil || res.Approval.Path != filepath.Join(home, ".claude", "settings.json") || res.Entry.Path != filepath.Join(home, ".claude.json") {
			t.Fatalf("user scope: %+v %v", res, err)
		}
		got, _ = os.ReadFile(res.Approval.Path)
		golden(t, "claude-code-settings-new.json", got)
	})
	t.Run("codex", func(t *testing.T) {
		c, _ := Find("codex")
		env := testEnv(t, "linux")
		path, _ := ConfigPath(c, ScopeUser, env)
		os.MkdirAll(filepath.Dir(path), 0o755)
		os.WriteFile(path, fixture(t, "modified.toml"), 0o600)
		s := spec
		s.AllowReads = reads
		if _, err := Install(c, ScopeUser, s, env, false); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		golden(t, "codex-allow-reads.toml", got)
	})
	for _, id := range []string{"cursor", "vscode", "claude-desktop"} {
		t.Run(id, func(t *testing.T) {
			c, _ := Find(id)
			s := spec
			s.AllowReads = reads
			_, err := Install(c, ScopeUser, s, testEnv(t, "linux"), false)
			if err == nil || !strings.Contains(err.Error(), "cannot pre-approve search and execute") {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestNeverWritesTheKey(t *testing.T) {
	c, _ := Find("cursor")
	s := spec
	s.Env = map[string]string{KeyEnv: "pk_x"}
	if _, err := Install(c, ScopeUser, s, testEnv(t, "linux"), false); err == nil {
		t.Error("the key was accepted")
	}
}

// A hostile repository: links in the project folder must not carry a read
// or a write outside it.
func TestHostileProject(t *testing.T) {
	outside := t.TempDir()
	global := filepath.Join(outside, "global.json")
	globalContent := []byte(`{"mcpServers": {"other": {"command": "x", "env": {"TOKEN": "secret"}}}}`)
	for _, tt := range []struct {
		client string
		setup  func(t *testing.T, dir string)
		want   string // "" means the install succeeds
		reads  bool   // --allow-reads
	}{
		{"cursor", func(t *testing.T, dir string) {
			// A dangling .bak link: backups no longer go into the project.
			os.MkdirAll(filepath.Join(dir, ".cursor"), 0o755)
			symlinkOrSkip(t, filepath.Join(outside, "planted.json"), filepath.Join(dir, ".cursor", "mcp.json.bak"))
		}, "", false},
		{"vscode", func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(dir, ".vscode"), 0o755)
			symlinkOrSkip(t, global, filepath.Join(dir, ".vscode", "mcp.json"))
		}, "outside", false},
		{"cursor", func(t *testing.T, dir string) {
			symlinkOrSkip(t, outside, filepath.Join(dir, ".cursor"))
		}, "outside", false},
		{"claude-code", func(t *testing.T, dir string) {
			symlinkOrSkip(t, filepath.Join(outside, "planted.json"), filepath.Join(dir, ".mcp.json"))
		}, "does not exist", false},
		{"claude-code", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "real.json"), []byte("{}"), 0o644)
			symlinkOrSkip(t, "real.json", filepath.Join(dir, ".mcp.json"))
		}, "refusing to write through it", false},
		{"claude-code", func(t *testing.T, dir string) {
			// The settings file leads out: the entry is not written either.
			symlinkOrSkip(t, outside, filepath.Join(dir, ".claude"))
		}, "outside", true},
	} {
		t.Run(tt.client, func(t *testing.T) {
			os.WriteFile(global, globalContent, 0o600)
			c, _ := Find(tt.client)
			env := testEnv(t, "linux")
			tt.setup(t, env.Dir)
			s := spec
			if tt.reads {
				s.AllowReads = []string{"search", "execute"}
			}
			_, err := Install(c, ScopeProject, s, env, false)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if got, _ := os.ReadFile(global); !bytes.Equal(got, globalContent) {
				t.Error("a file outside the project changed")
			}
			entries, _ := os.ReadDir(outside)
			if len(entries) != 1 {
				t.Errorf("files appeared outside the project: %v", entries)
			}
			if _, err := os.Stat(filepath.Join(env.Dir, ".mcp.json")); tt.reads && err == nil {
				t.Error("the entry was written though the settings file was refused")
			}
		})
	}
}

func symlinkOrSkip(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

func TestInstallPrintChangesNothing(t *testing.T) {
	c, _ := Find("cursor")
	env := testEnv(t, "linux")
	res, err := Install(c, ScopeUser, spec, env, true)
	if err != nil || !res.Entry.Changed() || res.Entry.Action != Added || !bytes.Contains(res.Entry.After, []byte(spec.Command)) {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := os.Stat(res.Entry.Path); !os.IsNotExist(err) {
		t.Error("--print wrote the file")
	}
}

func TestConfigPaths(t *testing.T) {
	for _, tt := range []struct {
		client, goos, scope, suffix string
		env                         map[string]string
	}{
		{"claude-desktop", "darwin", ScopeUser, "Library/Application Support/Claude/claude_desktop_config.json", nil},
		{"claude-desktop", "windows", ScopeUser, filepath.Join("AppData", "Claude", "claude_desktop_config.json"), nil},
		{"claude-desktop", "linux", ScopeUser, ".config/Claude/claude_desktop_config.json", nil},
		{"vscode", "darwin", ScopeUser, "Library/Application Support/Code/User/mcp.json", nil},
		{"vscode", "linux", ScopeProject, ".vscode/mcp.json", nil},
		{"cursor", "linux", ScopeUser, ".cursor/mcp.json", nil},
		{"codex", "linux", ScopeUser, ".codex/config.toml", nil},
		{"codex", "linux", ScopeUser, "/x/codex/config.toml", map[string]string{"CODEX_HOME": "/x/codex"}},
		{"claude-code", "linux", ScopeUser, "/.claude.json", nil},
		{"claude-code", "linux", ScopeUser, "/x/claude/.claude.json", map[string]string{"CLAUDE_CONFIG_DIR": "/x/claude"}},
		{"claude-code", "linux", ScopeProject, ".mcp.json", nil},
	} {
		c, _ := Find(tt.client)
		env := testEnv(t, tt.goos)
		base := env.Getenv
		env.Getenv = func(k string) string {
			if v, ok := tt.env[k]; ok {
				return v
			}
			return base(k)
		}
		p, err := ConfigPath(c, tt.scope, env)
		if err != nil || !strings.HasSuffix(filepath.ToSlash(p), filepath.ToSlash(tt.suffix)) {
			t.Errorf("%s on %s: %s %v", tt.client, tt.goos, p, err)
		}
	}
	c, _ := Find("codex")
	if _, err := Install(c, ScopeProject, spec, testEnv(t, "linux"), false); err == nil || !strings.Contains(err.Error(), "no project scope") {
		t.Errorf("codex project scope: %v", err)
	}
	if _, err := Find("emacs"); err == nil || !strings.Contains(err.Error(), "choose one of claude-code, codex") {
		t.Errorf("unknown client: %v", err)
	}
}

func TestTOMLForms(t *testing.T) {
	e := tomlEntry{Command: "/bin/p", Args: []string{"serve"}}
	for _, tt := range []struct{ name, doc, want, wantErr string }{
		{"quoted header", "[mcp_servers.\"polytomic\"]\ncommand = \"x\"\nargs = []\nstartup_timeout_sec = 9\n",
			"[mcp_servers.\"polytomic\"]\ncommand = \"/bin/p\"\nargs = [\"serve\"]\nstartup_timeout_sec = 9\n", ""},
		{"missing args, no final newline", "[mcp_servers.polytomic]\ncommand = \"x\"",
			"[mcp_servers.polytomic]\ncommand = \"/bin/p\"\nargs = [\"serve\"]\n", ""},
		{"inline entry", "[mcp_servers]\npolytomic = { command = \"x\" }\n", "", "change it by hand"},
		{"dotted keys", "mcp_servers.polytomic.command = \"x\"\n", "", "change it by hand"},
		{"not a table", "[mcp_servers]\npolytomic = 1\n", "", "not a table"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := tomlUpsert([]byte(tt.doc), "mcp_servers", "polytomic", e)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || string(out) != tt.want {
				t.Fatalf("got %q, %v", out, err)
			}
		})
	}
}

func TestClaudeSettingsPath(t *testing.T) {
	c, _ := Find("claude-code")
	env := testEnv(t, "linux")
	home := env.Getenv("HOME")
	for _, tt := range []struct{ dir, want string }{
		{"", filepath.Join(home, ".claude", "settings.json")},
		{"/x/claude", filepath.Join("/x/claude", "settings.json")},
	} {
		e := env
		e.Getenv = func(k string) string {
			if k == "CLAUDE_CONFIG_DIR" {
				return tt.dir
			}
			return env.Getenv(k)
		}
		if p, err := c.Approval.Files[ScopeUser].Path(e); err != nil || p != tt.want {
			t.Errorf("CLAUDE_CONFIG_DIR=%q: %s %v, want %s", tt.dir, p, err, tt.want)
		}
	}
}

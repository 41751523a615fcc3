package cmd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polytomic-mcp/polytomic-mcp/internal/clients"
)

// Flags reach the options (through runF) or are refused before anything
// is read or written.
func TestNewCmdInstall(t *testing.T) {
	for _, tt := range []struct {
		name    string
		args    string
		remove  bool
		want    InstallOptions
		wantErr string
	}{
		{name: "defaults", args: "cursor", want: InstallOptions{Client: "cursor", Scope: "user", Name: "polytomic"}},
		{name: "settings", args: "codex --api-url https://x.example --auth-mode Partner --partner-org-id o1 --access-mode read-only --allow-reads --profile lab",
			want: InstallOptions{Client: "codex", Scope: "user", Name: "polytomic", APIURL: "https://x.example", AuthMode: "partner", PartnerOrgID: "o1", AccessMode: "read-only", AllowReads: true, Profile: "lab"}},
		{name: "read-write is full-access", args: "vscode --access-mode read-write", want: InstallOptions{Client: "vscode", Scope: "user", Name: "polytomic", AccessMode: "full-access"}},
		{name: "bad access mode", args: "cursor --access-mode rw", wantErr: "use read-only or full-access"},
		{name: "contradiction", args: "cursor --read-only --access-mode full-access", wantErr: "contradict"},
		{name: "bad auth mode", args: "cursor --auth-mode admin", wantErr: "use user or partner"},
		{name: "org without partner", args: "cursor --partner-org-id o1", wantErr: "needs --auth-mode partner"},
		{name: "bad url", args: "cursor --api-url polytomic.example", wantErr: "invalid API URL"},
		{name: "bad name", args: "cursor --name my.server", wantErr: "invalid --name"},
		{name: "bad profile", args: "cursor --profile ../x", wantErr: "invalid profile name"},
		{name: "uninstall has no settings", args: "cursor --api-url https://x.example", remove: true, wantErr: "unknown flag: --api-url"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := testFactory(t, "", false)
			var got *InstallOptions
			cmd := NewCmdInstall(f, tt.remove, func(_ context.Context, o *InstallOptions) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tt.args))
			cmd.SetOut(&strings.Builder{})
			cmd.SetErr(&strings.Builder{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if got != nil {
					t.Error("ran despite the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.IO, got.Factory = nil, nil
			if *got != tt.want {
				t.Errorf("options\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func installEnv(t *testing.T, onPath bool) (*Factory, *strings.Builder, *strings.Builder, clients.Env) {
	t.Helper()
	f, _, _ := testFactory(t, "", false)
	var out, errOut strings.Builder
	f.IO.Out, f.IO.ErrOut = &out, &errOut
	home := t.TempDir()
	env := clients.Env{GOOS: "linux", Dir: t.TempDir(), BackupDir: filepath.Join(t.TempDir(), "backups"),
		Getenv: func(k string) string { return map[string]string{"HOME": home}[k] },
		LookPath: func(string) (string, error) {
			if onPath {
				return "/usr/local/bin/polytomic-mcp", nil
			}
			return "", errors.New("not found")
		}}
	f.Executable = func() (string, error) { return "/opt/polytomic/bin/polytomic-mcp", nil }
	f.ClientEnv = func() clients.Env { return env }
	return f, &out, &errOut, env
}

// Project scope writes a portable command, and warns when it would not
// start here.
func TestInstallProjectIsPortable(t *testing.T) {
	for _, onPath := range []bool{true, false} {
		f, out, errOut, env := installEnv(t, onPath)
		opts := &InstallOptions{IO: f.IO, Factory: f, Client: "cursor", Scope: "project", Name: "polytomic"}
		if err := installRun(opts); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(env.Dir, ".cursor", "mcp.json"))
		if !strings.Contains(string(b), `"command": "polytomic-mcp"`) || strings.Contains(string(b), "/opt/") {
			t.Errorf("not portable:\n%s", b)
		}
		if warned := strings.Contains(errOut.String(), "polytomic-mcp is not on PATH"); warned == onPath {
			t.Errorf("on PATH %v, stderr %q", onPath, errOut.String())
		}
		if !strings.Contains(out.String(), "Added \"polytomic\" to Cursor in ") {
			t.Errorf("out %q", out.String())
		}
		entries, _ := os.ReadDir(filepath.Join(env.Dir, ".cursor"))
		if len(entries) != 1 {
			t.Errorf("the project holds more than the config: %v", entries)
		}
	}
}

// Added, then Unchanged, then Updated with a backup; settings go into env.
func TestInstallMessages(t *testing.T) {
	f, out, _, env := installEnv(t, true)
	opts := &InstallOptions{IO: f.IO, Factory: f, Client: "claude-code", Scope: "user", Name: "polytomic"}
	steps := []struct {
		change func()
		want   []string
	}{
		{func() {}, []string{`Added "polytomic" to Claude Code in `, "Restart Claude Code"}},
		{func() {}, []string{`Unchanged: Claude Code already has "polytomic" configured this way`}},
		{func() { opts.APIURL, opts.AccessMode = "https://x.example", "read-only" }, []string{`Updated "polytomic" for Claude Code`, "The previous content is saved as " + env.BackupDir}},
		{func() { opts.AllowReads = true }, []string{"Unchanged: Claude Code", "Pre-approved reads in ", "search and execute run without asking; execute_write still asks"}},
	}
	for i, st := range steps {
		out.Reset()
		st.change()
		if err := installRun(opts); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		for _, w := range st.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("step %d: output %q lacks %q", i, out.String(), w)
			}
		}
	}
	b, _ := os.ReadFile(filepath.Join(env.Getenv("HOME"), ".claude.json"))
	for _, w := range []string{`"POLYTOMIC_API_URL": "https://x.example"`, `"POLYTOMIC_ACCESS_MODE": "read-only"`, `"command": "/opt/polytomic/bin/polytomic-mcp"`} {
		if !strings.Contains(string(b), w) {
			t.Errorf("~/.claude.json lacks %s:\n%s", w, b)
		}
	}
	s, _ := os.ReadFile(filepath.Join(env.Getenv("HOME"), ".claude", "settings.json"))
	if !strings.Contains(string(s), "mcp__polytomic__search") || strings.Contains(string(s), "execute_write") {
		t.Errorf("settings:\n%s", s)
	}
	opts.Client = "cursor"
	if err := installRun(opts); err == nil || !strings.Contains(err.Error(), "cannot pre-approve") {
		t.Errorf("cursor --allow-reads: %v", err)
	}
}

package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/polytomic-mcp/polytomic-mcp/internal/testspec"

	"github.com/polytomic-mcp/polytomic-mcp/auth"
	"github.com/polytomic-mcp/polytomic-mcp/internal/clients"
	"github.com/polytomic-mcp/polytomic-mcp/internal/keyring"
	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// testFactory is a Factory over the hand-written mini spec and in-memory
// streams.
func testFactory(t *testing.T, stdin string, tty bool) (*Factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	ix := testspec.Mini(t)
	var out, errOut bytes.Buffer
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "XDG_STATE_HOME": t.TempDir()}
	return &Factory{
		IO:       &IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut, StdinIsTTY: func() bool { return tty }},
		Build:    BuildInfo{Version: "1.2.3", Commit: "abc1234", Date: "2026-11-26"},
		Getenv:   func(k string) string { return env[k] },
		Index:    func() (*spec.Index, error) { return ix, nil },
		Keychain: &keyring.Keyring{Backend: keyring.NewMemory(), Timeout: time.Second},
	}, &out, &errOut
}

func TestSearchRun(t *testing.T) {
	tests := []struct {
		name    string
		opts    SearchOptions
		wantOut []string
		wantErr string
	}{
		{name: "text", opts: SearchOptions{Query: "list widgets", Limit: 2}, wantOut: []string{"1. GET /api/widgets  [widgets_list] List widgets", "paging: repeat the call with page_token"}},
		{name: "json", opts: SearchOptions{Query: "delete widget", Limit: 1, JSON: true}, wantOut: []string{`"results": [`, `"operation_id": "widgets_delete"`}},
		{name: "json no hits", opts: SearchOptions{Query: "zzzz qqqq", Limit: 1, JSON: true}, wantOut: []string{`"results": []`}},
		{name: "detail", opts: SearchOptions{Operation: "widgets_create", Limit: 5}, wantOut: []string{"POST /api/widgets", "Request body (required):", "name*: string"}},
		{name: "limit zero", opts: SearchOptions{Query: "widgets", Limit: 0}, wantErr: "--limit must be between 1 and 20"},
		{name: "limit high", opts: SearchOptions{Query: "widgets", Limit: 50}, wantErr: "limit must be between 1 and 20"},
		{name: "unknown op", opts: SearchOptions{Operation: "widgets_gte", Limit: 5}, wantErr: `nearest: widgets_get`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, out, _ := testFactory(t, "", false)
			opts := tt.opts
			opts.IO, opts.Factory = f.IO, f
			err := searchRun(&opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if opts.JSON && !json.Valid(out.Bytes()) {
				t.Errorf("not JSON: %s", out)
			}
		})
	}
}

func TestVersionRun(t *testing.T) {
	f, _, _ := testFactory(t, "", false)
	ix, _ := f.Index()
	api := ix.API()
	tests := []struct {
		json bool
		want string
	}{
		{false, fmt.Sprintf("polytomic-mcp 1.2.3 (commit abc1234, built 2026-11-26)\nPolytomic API %s snapshot, %d operations\n", api.Version, len(api.Operations))},
		{true, fmt.Sprintf(`"api_version": %q,`+"\n"+`  "operations": %d`, api.Version, len(api.Operations))},
	}
	for _, tt := range tests {
		f, out, _ := testFactory(t, "", false)
		if err := versionRun(&VersionOptions{IO: f.IO, Factory: f, JSON: tt.json}); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); !strings.Contains(got, tt.want) {
			t.Errorf("json=%v: got %q, want %q", tt.json, got, tt.want)
		}
	}
}

func TestRootNoArgs(t *testing.T) {
	// On a terminal: help, not a server waiting for JSON-RPC.
	f, out, _ := testFactory(t, "", true)
	root := NewCmdRoot(f)
	root.SetArgs(nil)
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Usage:") {
		t.Errorf("no help on a terminal:\n%s", out)
	}

	// From a client (stdin not a terminal): serve.
	f, out, _ = testFactory(t, `{"jsonrpc":"2.0","id":1,"method":"ping"}`+"\n", false)
	root = NewCmdRoot(f)
	root.SetArgs(nil)
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"id":1,"result":{}`) {
		t.Errorf("did not serve: %q", out)
	}
}

func TestLogLevel(t *testing.T) {
	for _, tt := range []struct {
		flag, env, want string
	}{
		{"", "", "warn"},
		{"", "debug", "debug"},
		{"error", "debug", "error"},
	} {
		f, _, _ := testFactory(t, "", false)
		f.Getenv = func(k string) string {
			if k == "POLYTOMIC_MCP_LOG_LEVEL" {
				return tt.env
			}
			return ""
		}
		ro := &rootOptions{LogLevel: tt.flag}
		if got := ro.logLevel(f); got != tt.want {
			t.Errorf("flag %q env %q: %q, want %q", tt.flag, tt.env, got, tt.want)
		}
	}
	if _, err := newLogger(&bytes.Buffer{}, "loud"); err == nil {
		t.Error("accepted log level loud")
	}
}

func TestAPIFlagPrecedence(t *testing.T) {
	dir := t.TempDir()
	ro := true
	if err := auth.SaveProfile(dir, "lab", auth.Profile{APIURL: "https://lab.example", ReadOnly: &ro}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantURL  string
		wantRO   bool
		wantMode string
		wantErr  string
	}{
		{name: "defaults", wantURL: "https://app.polytomic.com", wantMode: "user"},
		{name: "env", env: map[string]string{"POLYTOMIC_API_URL": "https://env.example", "POLYTOMIC_ACCESS_MODE": "read-only"}, wantURL: "https://env.example", wantRO: true, wantMode: "user"},
		{name: "flag beats env", args: []string{"--api-url", "https://flag.example"}, env: map[string]string{"POLYTOMIC_API_URL": "https://env.example"}, wantURL: "https://flag.example", wantMode: "user"},
		{name: "profile", args: []string{"--profile", "lab"}, wantURL: "https://lab.example", wantRO: true, wantMode: "user"},
		{name: "profile via env", env: map[string]string{"POLYTOMIC_PROFILE": "lab"}, wantURL: "https://lab.example", wantRO: true, wantMode: "user"},
		{name: "env beats profile", args: []string{"--profile", "lab"}, env: map[string]string{"POLYTOMIC_ACCESS_MODE": "read-write"}, wantURL: "https://lab.example", wantMode: "user"},
		{name: "bundle checkbox", env: map[string]string{"POLYTOMIC_READ_ONLY": "true"}, wantURL: "https://app.polytomic.com", wantRO: true, wantMode: "user"},
		{name: "unfilled bundle fields", env: map[string]string{"POLYTOMIC_API_URL": "${user_config.api_url}"}, wantURL: "https://app.polytomic.com", wantMode: "user"},
		{name: "partner", args: []string{"--auth-mode", "partner", "--partner-org-id", "o1"}, wantURL: "https://app.polytomic.com", wantMode: "partner"},
		{name: "org without partner", args: []string{"--partner-org-id", "o1"}, wantErr: "needs --auth-mode partner"},
		{name: "http not loopback", args: []string{"--api-url", "http://example.com"}, wantErr: "must use https"},
		{name: "bad access mode", env: map[string]string{"POLYTOMIC_ACCESS_MODE": "sometimes"}, wantErr: "POLYTOMIC_ACCESS_MODE"},
		{name: "bad profile name", args: []string{"--profile", "../x"}, wantErr: "invalid profile name"},
		// The hosted server's values (X-Polytomic-Access-Mode).
		{name: "hosted full-access", env: map[string]string{"POLYTOMIC_ACCESS_MODE": "full-access"}, wantURL: "https://app.polytomic.com", wantMode: "user"},
		{name: "hosted read-only", env: map[string]string{"POLYTOMIC_ACCESS_MODE": "Read-Only"}, wantURL: "https://app.polytomic.com", wantRO: true, wantMode: "user"},
		{name: "access-mode flag", args: []string{"--access-mode", "read-only"}, wantURL: "https://app.polytomic.com", wantRO: true, wantMode: "user"},
		{name: "access-mode flag beats env", args: []string{"--access-mode", "full-access"}, env: map[string]string{"POLYTOMIC_ACCESS_MODE": "read-only"}, wantURL: "https://app.polytomic.com", wantMode: "user"},
		{name: "bad access-mode flag lists values", args: []string{"--access-mode", "rw"}, wantErr: "use read-only or full-access"},
		{name: "both access flags", args: []string{"--access-mode", "read-only", "--read-only"}, wantErr: "not both"},
		// An unticked bundle checkbox must not widen a read-only profile;
		// only an explicit choice does.
		{name: "bundle default keeps a read-only profile", args: []string{"--profile", "lab"}, env: map[string]string{"POLYTOMIC_READ_ONLY": "false"}, wantURL: "https://lab.example", wantRO: true, wantMode: "user"},
		{name: "explicit flag widens a read-only profile", args: []string{"--profile", "lab", "--access-mode", "full-access"}, wantURL: "https://lab.example", wantMode: "user"},
		{name: "bundle checkbox narrows", env: map[string]string{"POLYTOMIC_ACCESS_MODE": "full-access", "POLYTOMIC_READ_ONLY": "true"}, wantURL: "https://app.polytomic.com", wantRO: true, wantMode: "user"},
		{name: "bad bundle checkbox", env: map[string]string{"POLYTOMIC_READ_ONLY": "maybe"}, wantErr: "POLYTOMIC_READ_ONLY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a apiFlags
			cmd := &cobra.Command{}
			addAPIFlags(cmd.Flags(), &a)
			if err := cmd.Flags().Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			getenv := withoutPlaceholders(func(k string) string { return tt.env[k] })
			err := a.resolve(cmd.Flags(), getenv, dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.APIURL != tt.wantURL || a.ReadOnly != tt.wantRO || a.AuthMode != tt.wantMode {
				t.Errorf("got url=%s ro=%v mode=%s", a.APIURL, a.ReadOnly, a.AuthMode)
			}
		})
	}
}

// The real factory reads the environment without Claude Desktop's unfilled
// placeholders, so a blank bundle field is unset, not a value.
func TestFactoryGetenvDropsUnfilledPlaceholders(t *testing.T) {
	t.Setenv("POLYTOMIC_TEST_X", "${user_config.api_url}")
	t.Setenv("POLYTOMIC_TEST_Y", "https://x.example")
	f := NewFactory(BuildInfo{}, nil, nil)
	if f.Getenv("POLYTOMIC_TEST_X") != "" || f.Getenv("POLYTOMIC_TEST_Y") != "https://x.example" {
		t.Error("placeholder handling is wrong")
	}
}

// The key never reaches a client's config, a backup or the output,
// even when it is in the environment.
func TestInstallNeverCarriesTheKey(t *testing.T) {
	const secret = "pk_live_do_not_leak_1234"
	for _, client := range clients.IDs() {
		t.Run(client, func(t *testing.T) {
			f, out, _ := testFactory(t, "", false)
			home := t.TempDir()
			env := map[string]string{"POLYTOMIC_API_KEY": secret, "HOME": home}
			f.Getenv = func(k string) string { return env[k] }
			f.Executable = func() (string, error) { return "/usr/local/bin/polytomic-mcp", nil }
			f.ClientEnv = func() clients.Env {
				return clients.Env{GOOS: "linux", Getenv: f.Getenv, Dir: home, BackupDir: filepath.Join(home, "backups"),
					LookPath: func(string) (string, error) { return "/usr/bin/polytomic-mcp", nil }}
			}
			opts := &InstallOptions{IO: f.IO, Factory: f, Client: client, Scope: "user", Name: "polytomic", Profile: "work", ReadOnly: true,
				APIURL: "https://x.example", AccessMode: "read-only"}
			if err := installRun(opts); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out.String(), secret) {
				t.Error("output carries the key")
			}
			filepath.Walk(home, func(p string, info os.FileInfo, err error) error {
				if err == nil && !info.IsDir() {
					if b, _ := os.ReadFile(p); strings.Contains(string(b), secret) {
						t.Errorf("%s carries the key", p)
					}
				}
				return nil
			})
		})
	}
}

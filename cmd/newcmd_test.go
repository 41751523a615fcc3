package cmd

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// runNewCmd runs a command built by a NewCmdX constructor with args and
// env, as cobra would from the command line; its runF captures the options.
func runNewCmd(t *testing.T, env map[string]string, build func(*Factory) *cobra.Command, args ...string) error {
	t.Helper()
	f, _, _ := testFactory(t, "", false)
	base := f.Getenv
	f.Getenv = func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return base(k)
	}
	c := build(f)
	c.SetArgs(args)
	c.SetOut(f.IO.Out)
	c.SetErr(f.IO.ErrOut)
	c.SilenceErrors, c.SilenceUsage = true, true
	c.SetFlagErrorFunc(flagError)
	return c.ExecuteContext(context.Background())
}

// checkUsageErr checks err against a table's wantErr: a usage error with
// that text when wantErr is set, else no error. It reports whether the
// options should be checked too.
func checkUsageErr(t *testing.T, err error, wantErr string) bool {
	t.Helper()
	if wantErr != "" {
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("err = %v, want a usage error with %q", err, wantErr)
		}
		return false
	}
	if err != nil {
		t.Fatalf("err = %v", err)
	}
	return true
}

func TestNewCmdServe(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want func(*ServeOptions) string // "" when the options are right
	}{
		{"defaults", nil, nil, func(o *ServeOptions) string {
			if o.API.ReadOnly || o.API.AuthMode != "user" || o.LogLevel != "warn" || o.API.Timeout != 60*time.Second {
				return "defaults"
			}
			return ""
		}},
		{"hosted env values", nil, map[string]string{"POLYTOMIC_ACCESS_MODE": "read-only", "POLYTOMIC_MCP_LOG_LEVEL": "debug"}, func(o *ServeOptions) string {
			if !o.API.ReadOnly || o.LogLevel != "debug" {
				return "env not applied"
			}
			return ""
		}},
		{"flags beat env", []string{"--access-mode", "full-access", "--timeout", "5s", "--log-level", "error"}, map[string]string{"POLYTOMIC_ACCESS_MODE": "read-only", "POLYTOMIC_TIMEOUT": "9s"}, func(o *ServeOptions) string {
			if o.API.ReadOnly || o.API.Timeout != 5*time.Second || o.LogLevel != "error" {
				return "flags lost"
			}
			return ""
		}},
		{"feedback off", []string{"--feedback-url", "off"}, nil, func(o *ServeOptions) string {
			if o.API.FeedbackURL != "off" {
				return "feedback url " + o.API.FeedbackURL
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *ServeOptions
			err := runNewCmd(t, tt.env, func(f *Factory) *cobra.Command {
				ro := &rootOptions{}
				c := NewCmdServe(f, ro, func(_ context.Context, o *ServeOptions) error { got = o; return nil })
				c.PersistentFlags().StringVar(&ro.LogLevel, "log-level", "", "")
				return c
			}, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if msg := tt.want(got); msg != "" {
				t.Errorf("%s: %+v", msg, got.API)
			}
		})
	}
}

func TestNewCmdCall(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    func(*CallOptions) bool
		wantErr string
	}{
		{"operation id and params", []string{"bulkSync_get", "-p", "id=1", "--filter", "data.id"}, func(o *CallOptions) bool {
			return len(o.Args) == 1 && o.Args[0] == "bulkSync_get" && o.Params[0] == "id=1" && o.Filter == "data.id"
		}, ""},
		{"method and path", []string{"POST", "/api/x", "-d", "{}", "--idempotency-key", "k"}, func(o *CallOptions) bool {
			return len(o.Args) == 2 && o.Body == "{}" && o.IdempotencyKey == "k"
		}, ""},
		{"read-only flag", []string{"x", "--read-only"}, func(o *CallOptions) bool { return o.API.ReadOnly }, ""},
		{"no arguments", nil, nil, "accepts between 1 and 2 arg"},
		{"bad int", []string{"x", "--max-pages", "many"}, nil, "invalid argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *CallOptions
			err := runNewCmd(t, nil, func(f *Factory) *cobra.Command {
				return NewCmdCall(f, &rootOptions{}, func(_ context.Context, o *CallOptions) error { got = o; return nil })
			}, tt.args...)
			if checkUsageErr(t, err, tt.wantErr) && !tt.want(got) {
				t.Errorf("options %+v", got)
			}
		})
	}
}

// login's runF sees the same options loginRun would: the profile settings
// to save are decided before it.
func TestNewCmdLogin(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want LoginOptions
	}{
		{"plain", nil, LoginOptions{}},
		{"read-only is remembered", []string{"--read-only"}, LoginOptions{SaveAccess: true}},
		{"access mode is remembered", []string{"--access-mode", "full-access"}, LoginOptions{SaveAccess: true}},
		{"api url", []string{"--api-url", "https://polytomic.example.com"}, LoginOptions{URLGiven: true}},
		{"partner", []string{"--partner", "--partner-org-id", "o1", "--with-key"}, LoginOptions{Partner: true, WithKey: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *LoginOptions
			err := runNewCmd(t, nil, func(f *Factory) *cobra.Command {
				return NewCmdLogin(f, func(_ context.Context, o *LoginOptions) error { got = o; return nil })
			}, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if got.SaveAccess != tt.want.SaveAccess || got.URLGiven != tt.want.URLGiven || got.Partner != tt.want.Partner || got.WithKey != tt.want.WithKey {
				t.Errorf("got %+v", got)
			}
			if got.Partner && (got.API.AuthMode != "partner" || got.API.PartnerOrgID != "o1") {
				t.Errorf("--partner did not set partner mode: %+v", got.API)
			}
		})
	}
}

func TestNewCmdProfileCommands(t *testing.T) {
	env := map[string]string{"POLYTOMIC_PROFILE": "env-prof"}
	var logout *LogoutOptions
	var token *TokenOptions
	var status *StatusOptions
	builds := map[string]func(*Factory) *cobra.Command{
		"logout": func(f *Factory) *cobra.Command {
			return NewCmdLogout(f, func(_ context.Context, o *LogoutOptions) error { logout = o; return nil })
		},
		"token": func(f *Factory) *cobra.Command {
			return NewCmdAuthToken(f, func(_ context.Context, o *TokenOptions) error { token = o; return nil })
		},
		"status": func(f *Factory) *cobra.Command {
			return NewCmdAuthStatus(f, func(_ context.Context, o *StatusOptions) error { status = o; return nil })
		},
	}
	for name, build := range builds {
		if err := runNewCmd(t, env, build); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if logout.Profile != "env-prof" || token.Profile != "env-prof" || status.API.Profile != "env-prof" {
		t.Errorf("POLYTOMIC_PROFILE not applied: %s %s %s", logout.Profile, token.Profile, status.API.Profile)
	}
	if err := runNewCmd(t, env, builds["token"], "--profile", "flag-prof"); err != nil || token.Profile != "flag-prof" {
		t.Errorf("--profile does not win: %v %s", err, token.Profile)
	}
	err := runNewCmd(t, nil, builds["logout"], "--profile", "../x")
	if err == nil || !strings.Contains(err.Error(), "invalid profile name") {
		t.Errorf("bad profile: %v", err)
	}
}

func TestNewCmdVersion(t *testing.T) {
	var got *VersionOptions
	err := runNewCmd(t, nil, func(f *Factory) *cobra.Command {
		return NewCmdVersion(f, func(o *VersionOptions) error { got = o; return nil })
	}, "--json")
	if err != nil || !got.JSON {
		t.Errorf("err %v, json %v", err, got != nil && got.JSON)
	}
}

// Run by hand in a terminal, serve says on stderr that it waits for an MCP
// client; stdout stays JSON-RPC only.
func TestServeRunTerminalHint(t *testing.T) {
	for _, tty := range []bool{true, false} {
		f, out, errOut := testFactory(t, "", tty)
		opts, err := defaultServeOptions(f, "warn")
		if err != nil {
			t.Fatal(err)
		}
		if err := serveRun(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		if hinted := strings.Contains(errOut.String(), "waiting for an MCP client"); hinted != tty || out.Len() != 0 {
			t.Errorf("tty=%v: stderr %q, stdout %q", tty, errOut.String(), out.String())
		}
	}
}

func TestNewCmdSearch(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    func(*SearchOptions) bool
		wantErr string
	}{
		{"words join into one query", []string{"list", "bulk", "syncs", "-n", "3"}, func(o *SearchOptions) bool { return o.Query == "list bulk syncs" && o.Limit == 3 }, ""},
		{"detail", []string{"--operation", "bulkSync_get", "--json"}, func(o *SearchOptions) bool { return o.Operation == "bulkSync_get" && o.JSON }, ""},
		{"catalogue", []string{"--catalog"}, func(o *SearchOptions) bool { return o.Catalog && o.Query == "" }, ""},
		{"nothing to search for", nil, nil, "nothing to search for"},
		{"limit not a number", []string{"--limit", "abc", "x"}, nil, "invalid argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *SearchOptions
			err := runNewCmd(t, nil, func(f *Factory) *cobra.Command {
				return NewCmdSearch(f, func(o *SearchOptions) error { got = o; return nil })
			}, tt.args...)
			if checkUsageErr(t, err, tt.wantErr) && !tt.want(got) {
				t.Errorf("options %+v", got)
			}
		})
	}
}

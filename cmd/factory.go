// Package cmd is the command-line interface: thin cobra wiring around the
// proxy, spec and auth packages. Each command has an options struct, a
// NewCmdX constructor and an xRun function that holds its behaviour, so
// tests drive xRun directly.
package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/polytomic-mcp/polytomic-mcp/auth"
	"github.com/polytomic-mcp/polytomic-mcp/internal/clients"
	"github.com/polytomic-mcp/polytomic-mcp/internal/keyring"
	"github.com/polytomic-mcp/polytomic-mcp/internal/xdg"
	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// IOStreams are the process's standard streams, injectable for tests.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// StdinIsTTY reports whether In is an interactive terminal.
	StdinIsTTY func() bool
	// ReadSecret shows prompt on the terminal and reads a line without
	// echoing it.
	ReadSecret func(ctx context.Context, prompt string) (string, error)
}

// BuildInfo is stamped into the binary by the linker.
type BuildInfo struct {
	Version string
	Commit  string
	Date    string
}

// Factory carries what commands need from the outside world.
type Factory struct {
	IO     *IOStreams
	Build  BuildInfo
	Getenv func(string) string
	// Index returns the search index over the embedded API snapshot.
	Index func() (*spec.Index, error)
	// Keychain is the OS keychain (an in-memory one in tests).
	Keychain auth.Keychain
	// HTTPClient makes API calls; nil means a default client.
	HTTPClient *http.Client
	// Executable is the path MCP clients should start.
	Executable func() (string, error)
	// ClientEnv, when set, replaces the environment install edits in.
	ClientEnv func() clients.Env
}

// AuthStore is the key store over the user config folder.
func (f *Factory) AuthStore() (*auth.Store, error) {
	dir, err := xdg.ConfigDir(f.Getenv)
	if err != nil {
		return nil, err
	}
	return &auth.Store{Keychain: f.Keychain, Dir: dir, Getenv: f.Getenv}, nil
}

// ConfigDir is the user config folder.
func (f *Factory) ConfigDir() (string, error) { return xdg.ConfigDir(f.Getenv) }

// NewFactory wires the real process environment.
func NewFactory(build BuildInfo, stdinIsTTY func() bool, readSecret func(context.Context, string) (string, error)) *Factory {
	return &Factory{
		IO:         &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, StdinIsTTY: stdinIsTTY, ReadSecret: readSecret},
		Build:      build,
		Getenv:     withoutPlaceholders(os.Getenv),
		Index:      spec.Embedded,
		Keychain:   keyring.New(),
		Executable: executablePath,
	}
}

// newLogger builds the stderr logger for a --log-level value.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(level))); err != nil {
		return nil, fmt.Errorf("invalid log level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// KeySource is the key lookup for a profile, shared by every call of one
// command run.
func (f *Factory) KeySource(profile string) (*auth.Resolver, error) {
	store, err := f.AuthStore()
	if err != nil {
		return nil, err
	}
	return &auth.Resolver{Store: store, Profile: profile}, nil
}

// withoutPlaceholders reads the environment through getenv, treating a
// Claude Desktop placeholder that was never filled in
// ("${user_config.api_url}" for a blank optional field) as unset.
func withoutPlaceholders(getenv func(string) string) func(string) string {
	return func(key string) string {
		v := getenv(key)
		if strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") {
			return ""
		}
		return v
	}
}

// writeJSON prints v as indented JSON: every --json output looks the same.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Package clients wires polytomic-mcp into MCP clients' configuration:
// Claude Code, Codex, Cursor, VS Code and Claude Desktop. Each edit keeps
// the rest of the user's file byte for byte, is idempotent, leaves a .bak of
// the original once, is written atomically, and is refused when the
// existing file does not parse. The entry never holds the API key: the
// binary reads the keychain itself.
package clients

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// ErrMalformed means the client's existing config file does not parse.
var ErrMalformed = errors.New("the file does not parse")

// Scopes.
const (
	ScopeUser    = "user"
	ScopeProject = "project"
)

// Spec is what to install.
type Spec struct {
	Name    string   // the server's name in the client, e.g. "polytomic"
	Command string   // absolute path of the binary
	Args    []string // "serve" and options
}

// Env is the outside world the edits depend on.
type Env struct {
	GOOS     string
	Getenv   func(string) string
	Dir      string                                                   // the project folder (cwd)
	LookPath func(string) (string, error)                             // finds `claude`
	Run      func(ctx context.Context, argv []string) ([]byte, error) // runs it
}

// Client is one MCP client.
type Client struct {
	ID     string
	Title  string
	Scopes []string
}

// All lists the supported clients.
var All = []Client{
	{"claude-code", "Claude Code", []string{ScopeUser, ScopeProject}},
	{"codex", "Codex", []string{ScopeUser}},
	{"cursor", "Cursor", []string{ScopeUser, ScopeProject}},
	{"vscode", "VS Code", []string{ScopeUser, ScopeProject}},
	{"claude-desktop", "Claude Desktop", []string{ScopeUser}},
}

// Find returns a client by id.
func Find(id string) (Client, error) {
	var ids []string
	for _, c := range All {
		if c.ID == id {
			return c, nil
		}
		ids = append(ids, c.ID)
	}
	return Client{}, fmt.Errorf("unknown client %q: choose one of %s", id, strings.Join(ids, ", "))
}

// Result says what an install or uninstall did (or, with dry run, would do).
type Result struct {
	Path    string   // the file edited, if any
	Argv    []string // the command run, if any
	Before  []byte
	After   []byte
	Changed bool
	Backup  string // the .bak written, if any
	Note    string
}

// Install adds or updates the entry; with dryRun it changes nothing.
func Install(ctx context.Context, c Client, scope string, s Spec, env Env, dryRun bool) (*Result, error) {
	if err := checkScope(c, scope); err != nil {
		return nil, err
	}
	if c.ID == "claude-code" {
		if claude, err := env.LookPath("claude"); err == nil {
			argv := append([]string{claude, "mcp", "add", "--transport", "stdio", "--scope", scope, s.Name, "--", s.Command}, s.Args...)
			return runClaude(ctx, env, argv, []string{claude, "mcp", "remove", "--scope", scope, s.Name}, dryRun)
		}
		if scope == ScopeUser {
			argv := append([]string{"claude", "mcp", "add", "--transport", "stdio", "--scope", "user", s.Name, "--", s.Command}, s.Args...)
			return &Result{Argv: argv, Note: "claude is not on PATH; once Claude Code is installed, run the command above (or use --scope project to write .mcp.json)"}, nil
		}
	}
	path, err := ConfigPath(c, scope, env)
	if err != nil {
		return nil, err
	}
	before, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	var after []byte
	switch c.ID {
	case "codex":
		after, err = tomlSet(before, s.Name, map[string]any{"command": s.Command, "args": s.Args})
	default:
		after, err = jsonSet(before, container(c), s.Name, entry(c, s))
	}
	if err != nil {
		return nil, fileError(path, err)
	}
	return commit(path, before, after, dryRun)
}

// Uninstall removes only our entry.
func Uninstall(ctx context.Context, c Client, scope, name string, env Env, dryRun bool) (*Result, error) {
	if err := checkScope(c, scope); err != nil {
		return nil, err
	}
	if c.ID == "claude-code" {
		if claude, err := env.LookPath("claude"); err == nil {
			argv := []string{claude, "mcp", "remove", "--scope", scope, name}
			if dryRun {
				return &Result{Argv: argv}, nil
			}
			out, err := env.Run(ctx, argv)
			if err != nil {
				return &Result{Argv: argv, Note: strings.TrimSpace(string(out))}, nil
			}
			return &Result{Argv: argv, Changed: true}, nil
		}
		if scope == ScopeUser {
			return &Result{Argv: []string{"claude", "mcp", "remove", "--scope", "user", name}, Note: "claude is not on PATH; run the command above once it is"}, nil
		}
	}
	path, err := ConfigPath(c, scope, env)
	if err != nil {
		return nil, err
	}
	before, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	if before == nil {
		return &Result{Path: path, Note: "no config file; nothing to remove"}, nil
	}
	var after []byte
	var found bool
	switch c.ID {
	case "codex":
		after, found, err = tomlRemove(before, name)
	default:
		after, found, err = jsonRemove(before, container(c), name)
	}
	if err != nil {
		return nil, fileError(path, err)
	}
	if !found {
		return &Result{Path: path, Before: before, After: before, Note: fmt.Sprintf("no entry named %q; nothing to remove", name)}, nil
	}
	return commit(path, before, after, dryRun)
}

func checkScope(c Client, scope string) error {
	for _, s := range c.Scopes {
		if s == scope {
			return nil
		}
	}
	return fmt.Errorf("%s has no %s scope: use --scope %s", c.Title, scope, strings.Join(c.Scopes, " or --scope "))
}

// container is the key that holds a client's servers.
func container(c Client) string {
	if c.ID == "vscode" {
		return "servers"
	}
	return "mcpServers"
}

// jsonEntry is the server entry in a client's JSON config, fields in the
// order people write them.
type jsonEntry struct {
	Type    string   `json:"type,omitempty"`
	Command string   `json:"command"`
	Args    []string `json:"args"`
}

func entry(c Client, s Spec) jsonEntry {
	e := jsonEntry{Command: s.Command, Args: s.Args}
	if c.ID == "vscode" || c.ID == "claude-code" {
		e.Type = "stdio"
	}
	return e
}

// ConfigPath is the file a client reads for a scope.
func ConfigPath(c Client, scope string, env Env) (string, error) {
	home := env.Getenv("HOME")
	if env.GOOS == "windows" && home == "" {
		home = env.Getenv("USERPROFILE")
	}
	need := func(v, name string) error {
		if v == "" {
			return fmt.Errorf("cannot locate the %s config: %s is not set", c.Title, name)
		}
		return nil
	}
	switch {
	case c.ID == "claude-code" && scope == ScopeProject:
		return filepath.Join(env.Dir, ".mcp.json"), nil
	case c.ID == "cursor" && scope == ScopeProject:
		return filepath.Join(env.Dir, ".cursor", "mcp.json"), nil
	case c.ID == "vscode" && scope == ScopeProject:
		return filepath.Join(env.Dir, ".vscode", "mcp.json"), nil
	case c.ID == "cursor":
		return filepath.Join(home, ".cursor", "mcp.json"), need(home, "HOME")
	case c.ID == "codex":
		if d := env.Getenv("CODEX_HOME"); d != "" {
			return filepath.Join(d, "config.toml"), nil
		}
		return filepath.Join(home, ".codex", "config.toml"), need(home, "HOME")
	case c.ID == "vscode":
		return appDir(env, home, "Code", "User", "mcp.json")
	case c.ID == "claude-desktop":
		return appDir(env, home, "Claude", "claude_desktop_config.json")
	}
	return "", fmt.Errorf("%s: no config file for scope %s", c.Title, scope)
}

// appDir is a desktop app's per-user folder on each OS.
func appDir(env Env, home string, parts ...string) (string, error) {
	switch env.GOOS {
	case "darwin":
		return filepath.Join(append([]string{home, "Library", "Application Support"}, parts...)...), nil
	case "windows":
		d := env.Getenv("APPDATA")
		if d == "" {
			return "", errors.New("APPDATA is not set")
		}
		return filepath.Join(append([]string{d}, parts...)...), nil
	}
	d := env.Getenv("XDG_CONFIG_HOME")
	if d == "" {
		if home == "" {
			return "", errors.New("HOME is not set")
		}
		d = filepath.Join(home, ".config")
	}
	return filepath.Join(append([]string{d}, parts...)...), nil
}

func readConfig(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

func fileError(path string, err error) error {
	if errors.Is(err, ErrMalformed) {
		return fmt.Errorf("%s does not parse, so it was left untouched: %v; fix it (or move it away) and run again", path, errors.Unwrap(err))
	}
	return fmt.Errorf("%s: %w", path, err)
}

// commit writes after over path, with a one-time .bak of the original.
func commit(path string, before, after []byte, dryRun bool) (*Result, error) {
	r := &Result{Path: path, Before: before, After: after, Changed: !bytes.Equal(before, after)}
	if dryRun || !r.Changed {
		return r, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
		bak := path + ".bak"
		if _, err := os.Stat(bak); errors.Is(err, fs.ErrNotExist) {
			if err := os.WriteFile(bak, before, mode); err != nil {
				return nil, fmt.Errorf("writing the backup %s: %w", bak, err)
			}
			r.Backup = bak
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(after); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	return r, nil
}

// runClaude re-registers the server with the claude CLI: remove (ignoring
// "not found"), then add, so that running twice leaves one entry.
func runClaude(ctx context.Context, env Env, add, remove []string, dryRun bool) (*Result, error) {
	r := &Result{Argv: add}
	if dryRun {
		return r, nil
	}
	_, _ = env.Run(ctx, remove)
	if out, err := env.Run(ctx, add); err != nil {
		return nil, fmt.Errorf("%s failed: %v: %s", strings.Join(add[:3], " "), err, strings.TrimSpace(string(out)))
	}
	r.Changed = true
	return r, nil
}

// RunCommand runs argv and returns its combined output.
func RunCommand(ctx context.Context, argv []string) ([]byte, error) {
	return exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
}

// IDs lists the client ids, sorted.
func IDs() []string {
	var out []string
	for _, c := range All {
		out = append(out, c.ID)
	}
	sort.Strings(out)
	return out
}

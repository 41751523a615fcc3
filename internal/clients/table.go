package clients

import (
	"errors"
	"fmt"
	"path/filepath"
)

// Scopes.
const (
	ScopeUser    = "user"
	ScopeProject = "project"
)

// Format is a config file's syntax.
type Format int

const (
	// FormatJSON also accepts comments and trailing commas (JSONC).
	FormatJSON Format = iota
	FormatTOML
)

// ApprovalKind is how a client lets the user approve one tool for good.
type ApprovalKind int

const (
	// ApprovalNone: no documented setting in a file install can write.
	ApprovalNone ApprovalKind = iota
	// ApprovalPermissions: Claude Code's "permissions.allow" list of
	// "mcp__SERVER__TOOL" rules in its settings file.
	ApprovalPermissions
	// ApprovalEntryTools: Codex's per-tool table in the server entry,
	// [mcp_servers.NAME.tools.TOOL] approval_mode = "approve".
	ApprovalEntryTools
)

// Approval describes a client's per-tool approval setting.
type Approval struct {
	Kind ApprovalKind
	// Files is the settings file per scope (ApprovalPermissions).
	Files map[string]Location
	// Why says why there is none (Kind ApprovalNone).
	Why string
}

// Client describes one MCP client: everything install needs to know about
// it is here, so adding a client means adding one entry to All.
type Client struct {
	ID    string
	Title string
	// Files is the config file per scope; the scopes a client has are the
	// keys.
	Files  map[string]Location
	Format Format
	// Container holds the servers: a JSON key, or the TOML table.
	Container string
	// Type is the entry's "type" value, when the client wants one.
	Type     string
	Approval Approval
}

// All lists the supported clients, in the order help shows them.
var All = []Client{
	{
		ID: "claude-code", Title: "Claude Code", Format: FormatJSON, Container: "mcpServers", Type: "stdio",
		// User scope is the top-level "mcpServers" of ~/.claude.json, as
		// `claude mcp add --scope user` writes it.
		Files: map[string]Location{
			ScopeUser:    underEnvOrHome("CLAUDE_CONFIG_DIR", []string{".claude.json"}, ".claude.json"),
			ScopeProject: inProject(".mcp.json"),
		},
		Approval: Approval{Kind: ApprovalPermissions, Files: map[string]Location{
			ScopeUser:    underEnvOrHome("CLAUDE_CONFIG_DIR", []string{"settings.json"}, ".claude", "settings.json"),
			ScopeProject: inProject(".claude", "settings.json"),
		}},
	},
	{
		ID: "codex", Title: "Codex", Format: FormatTOML, Container: "mcp_servers",
		Files: map[string]Location{
			ScopeUser: underEnvOrHome("CODEX_HOME", []string{"config.toml"}, ".codex", "config.toml"),
		},
		Approval: Approval{Kind: ApprovalEntryTools},
	},
	{
		ID: "cursor", Title: "Cursor", Format: FormatJSON, Container: "mcpServers",
		Files: map[string]Location{
			ScopeUser:    inHome(".cursor", "mcp.json"),
			ScopeProject: inProject(".cursor", "mcp.json"),
		},
		Approval: Approval{Why: "Cursor has no documented per-tool approval setting in mcp.json"},
	},
	{
		ID: "vscode", Title: "VS Code", Format: FormatJSON, Container: "servers", Type: "stdio",
		Files: map[string]Location{
			ScopeUser:    inAppConfig("Code", "User", "mcp.json"),
			ScopeProject: inProject(".vscode", "mcp.json"),
		},
		Approval: Approval{Why: "VS Code has no documented per-tool approval setting in mcp.json"},
	},
	{
		ID: "claude-desktop", Title: "Claude Desktop", Format: FormatJSON, Container: "mcpServers",
		Files: map[string]Location{
			ScopeUser: inAppConfig("Claude", "claude_desktop_config.json"),
		},
		Approval: Approval{Why: "Claude Desktop has no documented per-tool approval setting in claude_desktop_config.json"},
	},
}

// Scopes lists the client's scopes, user first.
func (c Client) Scopes() []string {
	var out []string
	for _, s := range []string{ScopeUser, ScopeProject} {
		if _, ok := c.Files[s]; ok {
			out = append(out, s)
		}
	}
	return out
}

// Location finds a file for an environment.
type Location struct {
	// Project: the file is in the project folder, which the user may not
	// control (a cloned repository): no link may lead out of it.
	Project bool
	resolve func(Env) (string, error)
}

// Path is the file's path in env.
func (l Location) Path(env Env) (string, error) { return l.resolve(env) }

func inProject(parts ...string) Location {
	return Location{Project: true, resolve: func(e Env) (string, error) {
		if e.Dir == "" {
			return "", errors.New("no project folder")
		}
		return filepath.Join(append([]string{e.Dir}, parts...)...), nil
	}}
}

func inHome(parts ...string) Location {
	return Location{resolve: func(e Env) (string, error) {
		h, err := e.home()
		if err != nil {
			return "", err
		}
		return filepath.Join(append([]string{h}, parts...)...), nil
	}}
}

// underEnvOrHome is a file under the folder an environment variable names
// (CODEX_HOME, CLAUDE_CONFIG_DIR), else under the home folder.
func underEnvOrHome(name string, underVar []string, underHome ...string) Location {
	home := inHome(underHome...)
	return Location{resolve: func(e Env) (string, error) {
		if d := e.Getenv(name); d != "" {
			return filepath.Join(append([]string{d}, underVar...)...), nil
		}
		return home.resolve(e)
	}}
}

// inAppConfig is a desktop app's per-user folder on each OS.
func inAppConfig(parts ...string) Location {
	return Location{resolve: func(e Env) (string, error) {
		var base string
		switch e.GOOS {
		case "darwin":
			h, err := e.home()
			if err != nil {
				return "", err
			}
			base = filepath.Join(h, "Library", "Application Support")
		case "windows":
			if base = e.Getenv("APPDATA"); base == "" {
				return "", errors.New("APPDATA is not set")
			}
		default:
			if base = e.Getenv("XDG_CONFIG_HOME"); base == "" {
				h, err := e.home()
				if err != nil {
					return "", err
				}
				base = filepath.Join(h, ".config")
			}
		}
		return filepath.Join(append([]string{base}, parts...)...), nil
	}}
}

func (e Env) home() (string, error) {
	h := e.Getenv("HOME")
	if e.GOOS == "windows" && h == "" {
		h = e.Getenv("USERPROFILE")
	}
	if h == "" {
		return "", fmt.Errorf("cannot find the home folder: HOME is not set")
	}
	return h, nil
}

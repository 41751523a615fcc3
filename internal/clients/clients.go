// Package clients wires polytomic-mcp into MCP clients' configuration:
// Claude Code, Codex, Cursor, VS Code and Claude Desktop, each described
// once in All. An install owns only the entry's command, args, type and the
// env keys it writes; everything else in the entry and the file is kept
// (byte for byte where the format allows). Each change is written with
// safefile (never through a link; in a project folder, never through one
// that leaves it), after a backup of the previous content in the user's
// state folder. A file that does not parse is left alone. The entry never
// holds the API key: the binary reads the keychain itself.
package clients

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/polytomic-mcp/polytomic-mcp/internal/safefile"
)

// KeyEnv is the variable that holds the API key: never written to a client.
const KeyEnv = "POLYTOMIC_API_KEY"

// Spec is what to install.
type Spec struct {
	Name    string   // the server's name in the client, e.g. "polytomic"
	Command string   // the binary: a path, or a bare name found on PATH
	Args    []string // "serve" and options
	// Env holds non-secret settings (POLYTOMIC_API_URL, ...); only these
	// keys of the entry's env are touched.
	Env map[string]string
	// AllowReads names the tools to pre-approve (the read tools); empty
	// leaves approvals alone.
	AllowReads []string
}

// Env is the outside world the edits depend on.
type Env struct {
	GOOS   string
	Getenv func(string) string
	// Dir is the project folder (the working directory).
	Dir string
	// BackupDir is where backups go: the user's state folder, never the
	// project.
	BackupDir string
	// LookPath finds a command on PATH.
	LookPath func(string) (string, error)
}

// Action is what happened to an entry or setting.
type Action string

const (
	Added     Action = "Added"
	Updated   Action = "Updated"
	Unchanged Action = "Unchanged"
	Removed   Action = "Removed"
	Absent    Action = "Absent" // uninstall found nothing to remove
)

// File is one file's change (or, with dry run, the change it would get).
type File struct {
	Path   string
	Before []byte // nil: the file did not exist
	After  []byte
	Action Action
	Backup string // the backup written, if any
}

// Changed reports whether the file's content changes.
func (f File) Changed() bool { return !bytes.Equal(f.Before, f.After) }

// Result says what an install or uninstall did.
type Result struct {
	Entry File
	// Approval is the settings file that pre-approves reads, when the
	// client keeps that outside the entry (Claude Code).
	Approval *File
}

// ParseError is a config file that does not parse.
type ParseError struct {
	Path      string
	Detail    string // the parser's message, with line and column
	NotObject bool   // it parses, but is not a JSON object
}

func (e *ParseError) Error() string {
	what := "does not parse"
	if e.NotObject {
		what = "is not a JSON object"
	}
	return fmt.Sprintf("%s %s, so it was left untouched: %s; fix it (or move it away) and run again", e.Path, what, e.Detail)
}

// Find returns a client by id.
func Find(id string) (Client, error) {
	for _, c := range All {
		if c.ID == id {
			return c, nil
		}
	}
	return Client{}, fmt.Errorf("unknown client %q: choose one of %s", id, strings.Join(IDs(), ", "))
}

// IDs lists the client ids, in the order of All.
func IDs() []string {
	out := make([]string, len(All))
	for i, c := range All {
		out[i] = c.ID
	}
	return out
}

func (c Client) location(scope string) (Location, error) {
	loc, ok := c.Files[scope]
	if !ok {
		return Location{}, fmt.Errorf("%s has no %s scope: use --scope %s", c.Title, scope, strings.Join(c.Scopes(), " or --scope "))
	}
	return loc, nil
}

// ConfigPath is the file a client reads for a scope.
func ConfigPath(c Client, scope string, env Env) (string, error) {
	loc, err := c.location(scope)
	if err != nil {
		return "", err
	}
	p, err := loc.Path(env)
	if err != nil {
		return "", fmt.Errorf("cannot locate the %s config: %w", c.Title, err)
	}
	return p, nil
}

// Install adds or updates the entry (and, with s.AllowReads, the client's
// pre-approval of those tools); with dryRun it changes nothing.
func Install(c Client, scope string, s Spec, env Env, dryRun bool) (*Result, error) {
	loc, err := c.location(scope)
	if err != nil {
		return nil, err
	}
	if _, ok := s.Env[KeyEnv]; ok {
		return nil, fmt.Errorf("refusing to write %s into a client's config: run polytomic-mcp login instead", KeyEnv)
	}
	if len(s.AllowReads) > 0 && c.Approval.Kind == ApprovalNone {
		return nil, fmt.Errorf("%s, so --allow-reads cannot pre-approve %s: approve them when %s first asks, and never approve the other tools for good", c.Approval.Why, strings.Join(s.AllowReads, " and "), c.Title)
	}
	entry, err := prepare(c, loc, env, func(before []byte) ([]byte, Action, error) {
		return c.upsert(before, s)
	})
	if err != nil {
		return nil, err
	}
	res := &Result{Entry: *entry}
	var approvalLoc Location
	if len(s.AllowReads) > 0 && c.Approval.Kind == ApprovalPermissions {
		rules := make([]string, len(s.AllowReads))
		for i, t := range s.AllowReads {
			rules[i] = "mcp__" + s.Name + "__" + t
		}
		approvalLoc = c.Approval.Files[scope]
		res.Approval, err = prepare(c, approvalLoc, env, func(before []byte) ([]byte, Action, error) {
			return jsonAllow(before, rules)
		})
		if err != nil {
			return nil, err
		}
	}
	if dryRun {
		return res, nil
	}
	if err := commit(c, loc, env, &res.Entry); err != nil {
		return nil, err
	}
	if err := commit(c, approvalLoc, env, res.Approval); err != nil {
		return res, fmt.Errorf("the entry is written, but pre-approving reads failed: %w", err)
	}
	return res, nil
}

// upsert is the edit of one format.
func (c Client) upsert(before []byte, s Spec) ([]byte, Action, error) {
	if c.Format == FormatTOML {
		var approve []string
		if c.Approval.Kind == ApprovalEntryTools {
			approve = s.AllowReads
		}
		return tomlUpsert(before, c.Container, s.Name, tomlEntry{Command: s.Command, Args: s.Args, Env: s.Env, Approve: approve})
	}
	return jsonUpsert(before, c.Container, s.Name, jsonEntry{Type: c.Type, Command: s.Command, Args: s.Args, Env: s.Env})
}

// Uninstall removes only our entry.
func Uninstall(c Client, scope, name string, env Env, dryRun bool) (*Result, error) {
	loc, err := c.location(scope)
	if err != nil {
		return nil, err
	}
	entry, err := prepare(c, loc, env, func(before []byte) ([]byte, Action, error) {
		if before == nil {
			return nil, Absent, nil
		}
		remove := func() ([]byte, bool, error) { return jsonRemove(before, c.Container, name) }
		if c.Format == FormatTOML {
			remove = func() ([]byte, bool, error) { return tomlRemove(before, c.Container, name) }
		}
		after, found, err := remove()
		if !found {
			return before, Absent, err
		}
		return after, Removed, err
	})
	if err != nil {
		return nil, err
	}
	if !dryRun {
		if err := commit(c, loc, env, entry); err != nil {
			return nil, err
		}
	}
	return &Result{Entry: *entry}, nil
}

// prepare reads a file and computes its change, writing nothing; a file
// that could not be written afterwards (a link) is refused now, so that an
// install touching two files changes neither when one is refused.
func prepare(c Client, loc Location, env Env, change func([]byte) ([]byte, Action, error)) (*File, error) {
	path, err := loc.Path(env)
	if err != nil {
		return nil, fmt.Errorf("cannot locate the %s config: %w", c.Title, err)
	}
	before, err := read(loc, env, path)
	if err != nil {
		return nil, err
	}
	after, action, err := change(before)
	var pe *ParseError
	if errors.As(err, &pe) {
		pe.Path = path
		return nil, pe
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f := &File{Path: path, Before: before, After: after, Action: action}
	if f.Changed() {
		if err := safefile.CheckWritable(path); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// commit writes a prepared change, after a backup of the previous content.
func commit(c Client, loc Location, env Env, f *File) error {
	if f == nil || !f.Changed() {
		return nil
	}
	if f.Before != nil {
		var err error
		if f.Backup, err = backup(c, env, f.Path, f.Before); err != nil {
			return err
		}
	}
	return write(loc, env, f.Path, f.After)
}

// read returns the file's content, nil when it does not exist. A project
// file is never read through a link that leaves the project.
func read(loc Location, env Env, path string) ([]byte, error) {
	var b []byte
	var err error
	if loc.Project {
		b, err = safefile.ReadIn(env.Dir, path)
	} else {
		b, err = os.ReadFile(path)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// write replaces the file. Project files are meant to be committed (0644);
// a user's config may hold other servers' tokens (0600, folders 0700).
func write(loc Location, env Env, path string, data []byte) error {
	if loc.Project {
		return safefile.WriteIn(env.Dir, path, data, 0o644, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return safefile.Write(path, data, 0o600)
}

// backup saves the previous content in the user's backup folder: one
// rotating file per config file, named after the client, the file and a
// hash of its path (two projects' .mcp.json files do not collide).
func backup(c Client, env Env, path string, data []byte) (string, error) {
	if env.BackupDir == "" {
		return "", errors.New("no folder for backups: set XDG_STATE_HOME or HOME")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(abs))
	bak := filepath.Join(env.BackupDir, fmt.Sprintf("%s-%s-%x.bak", c.ID, filepath.Base(path), sum[:4]))
	if err := safefile.MkdirPrivate(env.BackupDir); err != nil {
		return "", err
	}
	if err := safefile.Backup(bak, data); err != nil {
		return "", err
	}
	return bak, nil
}

package cmd

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/polytomic-mcp/polytomic-mcp/auth"
	"github.com/polytomic-mcp/polytomic-mcp/forward"
	"github.com/polytomic-mcp/polytomic-mcp/internal/clients"
	"github.com/polytomic-mcp/polytomic-mcp/internal/xdg"
	"github.com/polytomic-mcp/polytomic-mcp/proxy"
)

// portableCommand is what a project-scope entry runs: a name found on
// PATH, so that a committed file works for every teammate.
const portableCommand = "polytomic-mcp"

var serverName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// InstallOptions configure `polytomic-mcp install` and `uninstall`.
type InstallOptions struct {
	IO       *IOStreams
	Factory  *Factory
	Client   string
	Scope    string
	Name     string
	Profile  string
	ReadOnly bool
	Print    bool
	Remove   bool
	// Non-secret settings written to the entry's env (empty: not written).
	APIURL       string
	AuthMode     string
	PartnerOrgID string
	AccessMode   string
	// AllowReads pre-approves the read tools where the client can.
	AllowReads bool
}

// NewCmdInstall builds `polytomic-mcp install` (remove=false) and
// `polytomic-mcp uninstall` (remove=true).
func NewCmdInstall(f *Factory, remove bool, runF func(context.Context, *InstallOptions) error) *cobra.Command {
	opts := &InstallOptions{IO: f.IO, Factory: f, Remove: remove}
	use, short := "install CLIENT", "Add polytomic-mcp to an MCP client's configuration"
	if remove {
		use, short = "uninstall CLIENT", "Remove polytomic-mcp from an MCP client's configuration"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long: short + `.

Clients: ` + strings.Join(clients.IDs(), ", ") + `. The entry starts this binary
with "serve" (by absolute path; with --scope project by the name
polytomic-mcp, found on PATH, so the file can be committed). It never
contains the API key: run polytomic-mcp login once. install owns only the
entry's command, args, type and the env keys it writes; every other key, entry
and setting is kept. Each change saves the previous file in the state folder
(one rotating backup per file); a file that does not parse is left alone.`,
		Example: `  polytomic-mcp install claude-code --allow-reads
  polytomic-mcp install cursor --scope project --access-mode read-only
  polytomic-mcp install codex --profile staging --name polytomic-staging
  polytomic-mcp install vscode --api-url https://polytomic.internal.example.com
  polytomic-mcp install claude-desktop --print`,
		Args:      usageArgs(cobra.ExactArgs(1)),
		ValidArgs: clients.IDs(),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Client = args[0]
			if _, err := clients.Find(opts.Client); err != nil {
				return &UsageError{Err: err}
			}
			if err := opts.validate(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return installRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Scope, "scope", clients.ScopeUser, "user or project (where the client has both)")
	fl.StringVar(&opts.Name, "name", "polytomic", "the server's name in the client")
	fl.BoolVar(&opts.Print, "print", false, "show what would be written; change nothing")
	if !remove {
		fl.StringVar(&opts.Profile, "profile", "", "credentials profile the server uses")
		fl.BoolVar(&opts.ReadOnly, "read-only", false, "the server refuses every call but GET")
		fl.StringVar(&opts.APIURL, "api-url", "", "write POLYTOMIC_API_URL into the entry")
		fl.StringVar(&opts.AuthMode, "auth-mode", "", "write POLYTOMIC_AUTH_MODE (user or partner) into the entry")
		fl.StringVar(&opts.PartnerOrgID, "partner-org-id", "", "write POLYTOMIC_PARTNER_ORG_ID into the entry (needs --auth-mode partner)")
		fl.StringVar(&opts.AccessMode, "access-mode", "", "write POLYTOMIC_ACCESS_MODE (read-only or full-access) into the entry")
		fl.BoolVar(&opts.AllowReads, "allow-reads", false, "pre-approve the read tools in the client, where it has a setting for that; writes still ask")
	}
	return cmd
}

// validate checks the flags before anything is read or written.
func (o *InstallOptions) validate(cmd *cobra.Command) error {
	if o.Remove {
		return nil
	}
	// Clients build tool names from it (Claude Code: mcp__NAME__search), and
	// Codex accepts only these characters in a server name.
	if !serverName.MatchString(o.Name) {
		return usageErrorf("invalid --name %q: use up to 64 letters, digits, '_' or '-'", o.Name)
	}
	if cmd.Flags().Changed("profile") {
		if err := auth.ValidateProfile(o.Profile); err != nil {
			return &UsageError{Err: err}
		}
	}
	if o.AccessMode != "" {
		ro, err := parseAccessMode(o.AccessMode)
		switch {
		case err != nil:
			return usageErrorf("--access-mode: %v", err)
		case ro:
			o.AccessMode = AccessReadOnly
		case o.ReadOnly:
			return usageErrorf("--read-only and --access-mode %s contradict each other: choose one", o.AccessMode)
		default:
			o.AccessMode = AccessFullAccess
		}
	}
	if o.AuthMode != "" {
		mode, err := parseAuthMode(o.AuthMode)
		if err != nil {
			return usageErrorf("--auth-mode: %v", err)
		}
		o.AuthMode = mode
	}
	if o.PartnerOrgID != "" && o.AuthMode != AuthPartner {
		return usageErrorf("--partner-org-id needs --auth-mode %s", AuthPartner)
	}
	if o.APIURL != "" {
		if _, err := forward.ValidateAPIURL(o.APIURL); err != nil {
			return &UsageError{Err: err}
		}
	}
	return nil
}

// settings are the entry's env keys, from the flags given.
func (o *InstallOptions) settings() map[string]string {
	env := map[string]string{}
	for k, v := range map[string]string{
		"POLYTOMIC_API_URL":        o.APIURL,
		"POLYTOMIC_AUTH_MODE":      o.AuthMode,
		"POLYTOMIC_PARTNER_ORG_ID": o.PartnerOrgID,
		"POLYTOMIC_ACCESS_MODE":    o.AccessMode,
	} {
		if v != "" {
			env[k] = v
		}
	}
	return env
}

func (f *Factory) clientEnv() (clients.Env, error) {
	if f.ClientEnv != nil {
		return f.ClientEnv(), nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return clients.Env{}, err
	}
	env := clients.Env{GOOS: runtime.GOOS, Getenv: f.Getenv, Dir: dir, LookPath: exec.LookPath}
	if state, err := xdg.StateDir(f.Getenv); err == nil {
		env.BackupDir = filepath.Join(state, "backups")
	}
	return env, nil
}

func installRun(opts *InstallOptions) error {
	c, err := clients.Find(opts.Client)
	if err != nil {
		return err
	}
	f := opts.Factory
	env, err := f.clientEnv()
	if err != nil {
		return err
	}
	if opts.Remove {
		res, err := clients.Uninstall(c, opts.Scope, opts.Name, env, opts.Print)
		if err != nil {
			return err
		}
		reportInstall(opts, c, res)
		return nil
	}
	spec := clients.Spec{Name: opts.Name, Args: []string{"serve"}, Env: opts.settings()}
	if opts.Profile != "" {
		spec.Args = append(spec.Args, "--profile", opts.Profile)
	}
	if opts.ReadOnly {
		spec.Args = append(spec.Args, "--read-only")
	}
	if opts.AllowReads {
		spec.AllowReads = []string{proxy.ToolSearch, proxy.ToolExecute}
	}
	if opts.Scope == clients.ScopeProject {
		spec.Command = portableCommand
		if _, err := env.LookPath(portableCommand); err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "warning: %s is not on PATH here; the project entry runs it by name, so put it on PATH (e.g. brew install polytomic-mcp/tap/polytomic-mcp) for %s to start it\n", portableCommand, c.Title)
		}
	} else if spec.Command, err = f.Executable(); err != nil {
		return fmt.Errorf("cannot tell where this binary is: %w", err)
	}
	res, err := clients.Install(c, opts.Scope, spec, env, opts.Print)
	if err != nil {
		return err
	}
	reportInstall(opts, c, res)
	return nil
}

func reportInstall(opts *InstallOptions, c clients.Client, r *clients.Result) {
	out := opts.IO.Out
	if opts.Print {
		for _, fl := range []*clients.File{&r.Entry, r.Approval} {
			if fl == nil {
				continue
			}
			fmt.Fprintf(out, "Would write %s:\n%s", fl.Path, fl.After)
			if !fl.Changed() {
				fmt.Fprintln(out, "(no change: it is already configured this way)")
			}
		}
		return
	}
	e := r.Entry
	switch e.Action {
	case clients.Added:
		fmt.Fprintf(out, "Added %q to %s in %s.\n", opts.Name, c.Title, e.Path)
	case clients.Updated:
		fmt.Fprintf(out, "Updated %q for %s in %s.\n", opts.Name, c.Title, e.Path)
	case clients.Unchanged:
		fmt.Fprintf(out, "Unchanged: %s already has %q configured this way in %s.\n", c.Title, opts.Name, e.Path)
	case clients.Removed:
		fmt.Fprintf(out, "Removed %q from %s in %s.\n", opts.Name, c.Title, e.Path)
	case clients.Absent:
		fmt.Fprintf(out, "%s has no %q in %s; nothing to remove.\n", c.Title, opts.Name, e.Path)
	}
	if e.Backup != "" {
		fmt.Fprintf(out, "The previous content is saved as %s.\n", e.Backup)
	}
	if a := r.Approval; a != nil {
		verb := map[clients.Action]string{clients.Unchanged: "Unchanged: reads were already pre-approved"}[a.Action]
		if verb == "" {
			verb = "Pre-approved reads"
		}
		fmt.Fprintf(out, "%s in %s.\n", verb, a.Path)
		if a.Backup != "" {
			fmt.Fprintf(out, "The previous content is saved as %s.\n", a.Backup)
		}
	}
	if opts.AllowReads {
		fmt.Fprintf(out, "%s and %s run without asking; %s still asks every time.\n", proxy.ToolSearch, proxy.ToolExecute, proxy.ToolExecuteWrite)
	}
	if !opts.Remove && (e.Action == clients.Added || e.Action == clients.Updated) {
		fmt.Fprintf(out, "Restart %s to load it. If you have not yet, run: polytomic-mcp login\n", c.Title)
	}
}

// executablePath is the path clients should start: the name on PATH when it
// leads to this binary (a Homebrew symlink survives upgrades; the Cellar
// path it points to does not), else this binary's own path.
func executablePath() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	if onPath, err := exec.LookPath("polytomic-mcp"); err == nil {
		if abs, err := filepath.Abs(onPath); err == nil && sameFile(abs, self) {
			return abs, nil
		}
	}
	return filepath.Abs(self)
}

func sameFile(a, b string) bool {
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	return err1 == nil && err2 == nil && ra == rb
}

package cmd

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/polytomic-mcp/polytomic-mcp/auth"
	"github.com/polytomic-mcp/polytomic-mcp/internal/clients"
)

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

Clients: ` + strings.Join(clients.IDs(), ", ") + `. The entry starts this binary by
absolute path with "serve"; it never contains the API key (run
polytomic-mcp login once). Other entries and settings are kept as they are; a
.bak of the original file is written once; a file that does not parse is
left alone.`,
		Example: `  polytomic-mcp install claude-code
  polytomic-mcp install cursor --scope project --read-only
  polytomic-mcp install codex --profile staging --name polytomic-staging
  polytomic-mcp install claude-desktop --print`,
		Args:      usageArgs(cobra.ExactArgs(1)),
		ValidArgs: clients.IDs(),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Client = args[0]
			if !remove && cmd.Flags().Changed("profile") {
				if err := auth.ValidateProfile(opts.Profile); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return installRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Scope, "scope", clients.ScopeUser, "user or project (where the client has both)")
	fl.StringVar(&opts.Name, "name", "polytomic", "the server's name in the client")
	fl.BoolVar(&opts.Print, "print", false, "show what would be written or run; change nothing")
	if !remove {
		fl.StringVar(&opts.Profile, "profile", "", "credentials profile the server uses")
		fl.BoolVar(&opts.ReadOnly, "read-only", false, "the server refuses every call but GET")
	}
	return cmd
}

func installRun(ctx context.Context, opts *InstallOptions) error {
	c, err := clients.Find(opts.Client)
	if err != nil {
		return err
	}
	f := opts.Factory
	dir, err := os.Getwd()
	if err != nil {
		return err
	}
	env := clients.Env{GOOS: runtime.GOOS, Getenv: f.Getenv, Dir: dir, LookPath: exec.LookPath, Run: clients.RunCommand}
	if f.ClientEnv != nil {
		env = f.ClientEnv()
	}
	var res *clients.Result
	if opts.Remove {
		res, err = clients.Uninstall(ctx, c, opts.Scope, opts.Name, env, opts.Print)
	} else {
		bin, berr := f.Executable()
		if berr != nil {
			return fmt.Errorf("cannot tell where this binary is: %w", berr)
		}
		args := []string{"serve"}
		if opts.Profile != "" {
			args = append(args, "--profile", opts.Profile)
		}
		if opts.ReadOnly {
			args = append(args, "--read-only")
		}
		res, err = clients.Install(ctx, c, opts.Scope, clients.Spec{Name: opts.Name, Command: bin, Args: args}, env, opts.Print)
	}
	if err != nil {
		return err
	}
	reportInstall(opts, c, res)
	return nil
}

func reportInstall(opts *InstallOptions, c clients.Client, r *clients.Result) {
	out := opts.IO.Out
	verb := "Added"
	if opts.Remove {
		verb = "Removed"
	}
	switch {
	case r.Argv != nil && r.Note != "":
		fmt.Fprintf(out, "%s\n%s\n", shellJoin(r.Argv), r.Note)
	case r.Argv != nil && opts.Print:
		fmt.Fprintf(out, "Would run: %s\n", shellJoin(r.Argv))
	case r.Argv != nil:
		fmt.Fprintf(out, "%s %q for %s: ran %s\n", verb, opts.Name, c.Title, shellJoin(r.Argv))
	case r.Note != "":
		fmt.Fprintf(out, "%s: %s\n", r.Path, r.Note)
	case opts.Print:
		fmt.Fprintf(out, "Would write %s:\n%s", r.Path, r.After)
		if !r.Changed {
			fmt.Fprintln(out, "(no change: it is already configured this way)")
		}
	case !r.Changed:
		fmt.Fprintf(out, "%s already has %q configured this way in %s; nothing changed.\n", c.Title, opts.Name, r.Path)
	default:
		fmt.Fprintf(out, "%s %q for %s in %s.\n", verb, opts.Name, c.Title, r.Path)
		if r.Backup != "" {
			fmt.Fprintf(out, "The original is saved as %s.\n", r.Backup)
		}
		if !opts.Remove {
			fmt.Fprintf(out, "Restart %s to load it. If you have not yet, run: polytomic-mcp login\n", c.Title)
		}
	}
}

// shellJoin quotes argv for display.
func shellJoin(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		if a == "" || strings.ContainsAny(a, " \t\"'$\\") {
			parts[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		} else {
			parts[i] = a
		}
	}
	return strings.Join(parts, " ")
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

package cmd

import (
	"github.com/spf13/cobra"
)

// rootOptions are flags shared by every command.
type rootOptions struct {
	LogLevel string
}

// NewCmdRoot builds the command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	ro := &rootOptions{}
	root := &cobra.Command{
		Use:   "polytomic-mcp",
		Short: "Polytomic's REST API for AI agents, as a local MCP server",
		Long: `polytomic-mcp gives AI agents the whole Polytomic REST API through MCP
tools: search (find the operation), execute (make a read), execute_write
(make a write; not offered in read-only mode) and submit_mcp_feedback.

MCP clients start it as "polytomic-mcp serve". Run with no arguments from a
client (stdin not a terminal), it serves; from a terminal it prints this help.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       f.Build.Version,
		Args:          usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.IO.StdinIsTTY != nil && f.IO.StdinIsTTY() {
				return cmd.Help()
			}
			opts, err := defaultServeOptions(f, ro.logLevel(f))
			if err != nil {
				return err
			}
			return serveRun(cmd.Context(), opts)
		},
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(flagError)
	root.SetVersionTemplate("{{.Version}}\n")
	root.PersistentFlags().StringVar(&ro.LogLevel, "log-level", "", "log level on stderr: debug, info, warn, error (env POLYTOMIC_MCP_LOG_LEVEL; default warn)")

	root.AddCommand(NewCmdServe(f, ro, nil))
	root.AddCommand(NewCmdSearch(f, nil))
	root.AddCommand(NewCmdVersion(f, nil))
	root.AddCommand(NewCmdCall(f, ro, nil))
	root.AddCommand(NewCmdLogin(f, nil))
	root.AddCommand(NewCmdLogout(f, nil))
	root.AddCommand(NewCmdAuth(f))
	root.AddCommand(NewCmdInstall(f, false, nil))
	root.AddCommand(NewCmdInstall(f, true, nil))
	return root
}

func (ro *rootOptions) logLevel(f *Factory) string {
	if ro.LogLevel != "" {
		return ro.LogLevel
	}
	if v := f.Getenv("POLYTOMIC_MCP_LOG_LEVEL"); v != "" {
		return v
	}
	return "warn"
}

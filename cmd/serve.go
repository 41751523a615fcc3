package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/polytomic-mcp/polytomic-mcp/proxy"
)

// ServeOptions configure `polytomic-mcp serve`.
type ServeOptions struct {
	IO       *IOStreams
	Factory  *Factory
	LogLevel string
	ReadOnly bool
}

// NewCmdServe builds `polytomic-mcp serve`. runF replaces the behaviour in
// tests.
func NewCmdServe(f *Factory, ro *rootOptions, runF func(context.Context, *ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve MCP over stdio (what MCP clients start)",
		Long: `Serve the Model Context Protocol over stdin/stdout. Stdout carries only
JSON-RPC; logs go to stderr.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.LogLevel = ro.logLevel(f)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return serveRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func serveRun(ctx context.Context, opts *ServeOptions) error {
	logger, err := newLogger(opts.IO.ErrOut, opts.LogLevel)
	if err != nil {
		return err
	}
	f := opts.Factory
	s := proxy.NewServer(proxy.Options{
		Version:  f.Build.Version,
		Index:    f.Index,
		ReadOnly: opts.ReadOnly,
		Logger:   logger,
	})
	logger.Info("serving MCP on stdio", "version", f.Build.Version)
	return proxy.Serve(ctx, s, opts.IO.In, opts.IO.Out, logger)
}

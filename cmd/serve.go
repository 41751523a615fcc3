package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/polytomic-mcp/polytomic-mcp/proxy"
)

// ServeOptions configure `polytomic-mcp serve`.
type ServeOptions struct {
	IO       *IOStreams
	Factory  *Factory
	LogLevel string
	API      apiFlags
}

// NewCmdServe builds `polytomic-mcp serve`. runF replaces the behaviour in
// tests.
func NewCmdServe(f *Factory, ro *rootOptions, runF func(context.Context, *ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve MCP over stdio (what MCP clients start)",
		Long: `Serve the Model Context Protocol over stdin/stdout. Stdout carries only
JSON-RPC; logs go to stderr.

The API key comes from POLYTOMIC_API_KEY or the keychain (polytomic-mcp
login); without one, search still works and execute explains how to log in.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.LogLevel = ro.logLevel(f)
			if err := opts.API.load(cmd.Flags(), f); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return serveRun(cmd.Context(), opts)
		},
	}
	addAPIFlags(cmd.Flags(), &opts.API)
	addFeedbackFlag(cmd.Flags(), &opts.API)
	return cmd
}

// defaultServeOptions are what `polytomic-mcp` with no arguments serves
// with: flag defaults, then the environment.
func defaultServeOptions(f *Factory, logLevel string) (*ServeOptions, error) {
	opts := &ServeOptions{IO: f.IO, Factory: f, LogLevel: logLevel}
	cmd := &cobra.Command{}
	addAPIFlags(cmd.Flags(), &opts.API)
	addFeedbackFlag(cmd.Flags(), &opts.API)
	return opts, opts.API.load(cmd.Flags(), f)
}

func serveRun(ctx context.Context, opts *ServeOptions) error {
	logger, err := newLogger(opts.IO.ErrOut, opts.LogLevel)
	if err != nil {
		return err
	}
	f := opts.Factory
	fwd, keys, err := opts.API.forwarder(f, logger)
	if err != nil {
		return err
	}
	route, err := proxy.RouteFeedback(opts.API.APIURL, opts.API.FeedbackURL)
	if err != nil {
		return err
	}
	fb := &proxy.Feedback{Route: route, Keys: keys, Version: f.Build.Version, HTTP: f.HTTPClient, Logger: logger}
	if fb.QueuePath, err = feedbackQueuePath(f.Getenv); err != nil {
		return err
	}
	s := proxy.NewServer(proxy.Options{
		Version:   f.Build.Version,
		Index:     f.Index,
		ReadOnly:  opts.API.ReadOnly,
		Logger:    logger,
		Forwarder: fwd,
		Feedback:  fb,
		// Read the key at start, right after the first answer: a keychain
		// that asks the user for permission asks once, at launch, not in
		// the middle of a call. Without a key, search still works.
		AfterFirstReply: func() {
			if _, err := keys.APIKey(ctx); err != nil {
				logger.Info("execute will need an API key", "reason", err.Error())
			}
		},
	})
	if opts.IO.StdinIsTTY != nil && opts.IO.StdinIsTTY() {
		// Someone ran serve by hand: say why nothing happens.
		fmt.Fprintln(opts.IO.ErrOut, `polytomic-mcp is serving MCP on stdin/stdout, waiting for an MCP client (Ctrl-D or Ctrl-C to stop); by hand, try: polytomic-mcp search "list bulk syncs"`)
	}
	logger.Info("serving MCP on stdio", "version", f.Build.Version, "api_url", opts.API.APIURL, "read_only", opts.API.ReadOnly, "auth_mode", opts.API.AuthMode)
	return proxy.Serve(ctx, s, opts.IO.In, opts.IO.Out, logger)
}

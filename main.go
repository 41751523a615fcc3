// Command polytomic-mcp is a local MCP server that gives AI agents the
// Polytomic REST API: search, execute and feedback tools over stdio, plus a
// CLI for people.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/polytomic-mcp/polytomic-mcp/cmd"
)

// Set by the linker (see Makefile and .goreleaser.yaml).
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := cmd.NewFactory(cmd.BuildInfo{Version: version, Commit: commit, Date: date},
		func() bool { return term.IsTerminal(int(os.Stdin.Fd())) })
	root := cmd.NewCmdRoot(f)
	err := root.ExecuteContext(ctx)
	return exitCode(err, f.IO.ErrOut)
}

// exitCode is the one place errors become exit codes: 0 success, 1 failure,
// 2 bad usage, or what an ExitError says.
func exitCode(err error, stderr interface{ Write([]byte) (int, error) }) int {
	if err == nil {
		return 0
	}
	var ee *cmd.ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil && !errors.Is(ee.Err, cmd.ErrSilent) {
			fmt.Fprintln(stderr, "error:", ee.Err)
		}
		return ee.Code
	}
	if errors.Is(err, cmd.ErrSilent) {
		return 1
	}
	fmt.Fprintln(stderr, "error:", err)
	if cmd.IsUsageError(err) {
		return 2
	}
	return 1
}

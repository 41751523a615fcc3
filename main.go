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

func run() int { return runWith(nil) }

// runWith runs the CLI; adjust, if set, replaces parts of the environment
// (tests swap in a fake keychain).
func runWith(adjust func(*cmd.Factory)) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := cmd.NewFactory(cmd.BuildInfo{Version: version, Commit: commit, Date: date},
		func() bool { return term.IsTerminal(int(os.Stdin.Fd())) }, readSecret)
	if adjust != nil {
		adjust(f)
	}
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

// readSecret prompts on stderr and reads a line from the terminal without
// echo. Ctrl-C cancels ctx (see run); the terminal is restored either way.
func readSecret(ctx context.Context, prompt string) (string, error) {
	fd := int(os.Stdin.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("reading the key from the terminal: %w", err)
	}
	defer term.Restore(fd, state)
	fmt.Fprint(os.Stderr, prompt)
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		fmt.Fprintln(os.Stderr)
		return string(r.b), r.err
	case <-ctx.Done():
		_ = term.Restore(fd, state)
		fmt.Fprintln(os.Stderr)
		return "", fmt.Errorf("login cancelled")
	}
}

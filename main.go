// Command polytomic-mcp is a local MCP server that gives AI agents the
// Polytomic REST API: search, execute and feedback tools over stdio, plus a
// CLI for people.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// runWith runs the CLI and returns its exit code; adjust, if set, replaces parts of the environment
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
	return exitCode(ctx, err, f.IO.ErrOut)
}

// Exit codes: what scripts and MCP clients can tell apart.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130 // 128 + SIGINT, as shells report it
)

// exitCode is the one place errors become exit codes and are printed.
func exitCode(ctx context.Context, err error, stderr io.Writer) int {
	var usage *cmd.UsageError
	switch {
	case err == nil:
		return exitOK
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "error: interrupted")
		return exitInterrupted
	case errors.Is(err, cmd.ErrSilent):
		return exitFailure
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "error: %v\nrun `polytomic-mcp --help` for usage\n", err)
		return exitUsage
	}
	fmt.Fprintln(stderr, "error:", err)
	return exitFailure
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

package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// UsageError is a command line that cannot run as given: an unknown
// command or flag, a missing argument, a value a flag does not take. main
// exits 2 for it, as Unix tools do.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// usageArgs makes a cobra argument check report a UsageError.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := check(c, args); err != nil {
			return &UsageError{Err: err}
		}
		return nil
	}
}

// flagError is cobra's hook for flags that do not parse.
func flagError(_ *cobra.Command, err error) error { return &UsageError{Err: err} }

// ErrSilent is a failure whose explanation has already been printed: main
// exits 1 without adding a message.
var ErrSilent = errors.New("silent error")

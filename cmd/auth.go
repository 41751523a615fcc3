package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/polytomic-mcp/polytomic-mcp/auth"
)

// NewCmdAuth groups `auth status` and `auth token`.
func NewCmdAuth(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Inspect the stored credentials",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			return usageErrorf("auth needs a subcommand: status or token")
		},
	}
	cmd.AddCommand(NewCmdAuthStatus(f, nil))
	cmd.AddCommand(NewCmdAuthToken(f, nil))
	return cmd
}

// StatusOptions configure `polytomic-mcp auth status`.
type StatusOptions struct {
	IO      *IOStreams
	Factory *Factory
	API     apiFlags
	JSON    bool
}

// NewCmdAuthStatus builds `polytomic-mcp auth status`.
func NewCmdAuthStatus(f *Factory, runF func(context.Context, *StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show which key is used, from where, and whom it belongs to",
		Long:  "Show the key's source, the key masked, the identity the API reports for it, the API URL, version and modes. Exits 1 when the key is not usable.",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.API.load(cmd.Flags(), f); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
	addAPIFlags(cmd.Flags(), &opts.API)
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print as JSON")
	return cmd
}

type statusReport struct {
	Profile    string    `json:"profile"`
	APIURL     string    `json:"api_url"`
	APIVersion string    `json:"api_version"`
	AuthMode   string    `json:"auth_mode"`
	ReadOnly   bool      `json:"read_only"`
	KeySource  string    `json:"key_source,omitempty"`
	KeyWhere   string    `json:"key_location,omitempty"`
	KeyMasked  string    `json:"key,omitempty"`
	Insecure   bool      `json:"insecure_storage,omitempty"`
	Identity   *identity `json:"identity,omitempty"`
	Usable     bool      `json:"usable"`
	Problem    string    `json:"problem,omitempty"`
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	f := opts.Factory
	r := statusReport{Profile: opts.API.Profile, APIURL: opts.API.APIURL, AuthMode: opts.API.AuthMode, ReadOnly: opts.API.ReadOnly, APIVersion: opts.API.APIVersion}
	if r.APIVersion == "" {
		if ix, err := f.Index(); err == nil {
			r.APIVersion = ix.API().Version
		}
	}
	keys, err := f.KeySource(opts.API.Profile, opts.API.APIURL)
	if err != nil {
		return err
	}
	cred, err := keys.Credential(ctx)
	switch {
	case errors.Is(err, auth.ErrKeychainTimeout):
		r.Problem = "the system keychain timed out: " + err.Error()
	case errors.Is(err, auth.ErrKeychainUnavailable):
		r.Problem = err.Error()
	case err != nil:
		r.Problem = err.Error()
	default:
		r.KeySource, r.KeyWhere, r.KeyMasked, r.Insecure = string(cred.Source), cred.Where, cred.Masked(), cred.Source == auth.SourceFile
		r.Identity, err = whoAmI(ctx, f, &opts.API, cred.Key)
		if err != nil {
			r.Problem = err.Error()
		}
		r.Usable = err == nil
	}
	if opts.JSON {
		if err := writeJSON(opts.IO.Out, r); err != nil {
			return err
		}
	} else {
		printStatus(opts.IO.Out, r)
	}
	if !r.Usable {
		return ErrSilent
	}
	return nil
}

func printStatus(w io.Writer, r statusReport) {
	mode := r.AuthMode
	if r.ReadOnly {
		mode += ", read-only"
	} else {
		mode += ", full-access"
	}
	fmt.Fprintf(w, "Profile:     %s\nAPI URL:     %s\nAPI version: %s\nModes:       %s\n", r.Profile, r.APIURL, r.APIVersion, mode)
	if r.KeySource != "" {
		fmt.Fprintf(w, "Key:         %s (from %s)\n", r.KeyMasked, r.KeyWhere)
	}
	if r.Insecure {
		fmt.Fprintln(w, "WARNING:     the key is stored in PLAIN TEXT (login --insecure-storage)")
	}
	if r.Identity != nil {
		fmt.Fprintf(w, "Identity:    %s\n", r.Identity)
	}
	if r.Problem != "" {
		fmt.Fprintf(w, "Problem:     %s\n", r.Problem)
	}
}

// TokenOptions configure `polytomic-mcp auth token`.
type TokenOptions struct {
	IO      *IOStreams
	Factory *Factory
	Profile string
}

// NewCmdAuthToken builds `polytomic-mcp auth token`.
func NewCmdAuthToken(f *Factory, runF func(context.Context, *TokenOptions) error) *cobra.Command {
	opts := &TokenOptions{IO: f.IO, Factory: f}
	return profileCommand(f, "token", "Print the API key, for scripts", &opts.Profile, func(ctx context.Context) error {
		if runF != nil {
			return runF(ctx, opts)
		}
		return tokenRun(ctx, opts)
	})
}

func tokenRun(ctx context.Context, opts *TokenOptions) error {
	store, err := opts.Factory.AuthStore()
	if err != nil {
		return err
	}
	cred, err := store.Lookup(ctx, opts.Profile)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(opts.IO.Out, cred.Key)
	return err
}

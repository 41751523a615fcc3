package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/polytomic-mcp/polytomic-mcp/forward"

	"github.com/spf13/cobra"

	"github.com/polytomic-mcp/polytomic-mcp/auth"
)

// LoginOptions configure `polytomic-mcp login`.
type LoginOptions struct {
	IO              *IOStreams
	Factory         *Factory
	API             apiFlags
	Partner         bool
	WithKey         bool
	InsecureStorage bool
	// SaveAccess: --access-mode or --read-only was given, so the profile
	// remembers the mode; URLGiven: --api-url was given.
	SaveAccess bool
	URLGiven   bool
}

// NewCmdLogin builds `polytomic-mcp login`.
func NewCmdLogin(f *Factory, runF func(context.Context, *LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Verify an API key and store it in the system keychain",
		Long: `Store a Polytomic API key for polytomic-mcp, after checking it against the
API (GET /api/me, or GET /api/organizations for a partner key).

The key is read from a masked prompt, or from standard input with --with-key;
it is never taken as a flag, so it stays out of shell history and process
lists. It goes into the system keychain (service polytomic-mcp, account = the
profile name). Where no keychain works (no D-Bus session, WSL), set
POLYTOMIC_API_KEY instead, or pass --insecure-storage to keep it in a file
readable only by you.`,
		Example: `  polytomic-mcp login
  polytomic-mcp login --profile staging --api-url https://polytomic.internal.example.com
  polytomic-mcp login --partner --partner-org-id ORG_ID
  op read op://vault/polytomic/key | polytomic-mcp login --with-key`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Partner {
				_ = cmd.Flags().Set("auth-mode", "partner")
			}
			if err := opts.API.load(cmd.Flags(), f); err != nil {
				return err
			}
			opts.SaveAccess = cmd.Flags().Changed("read-only") || cmd.Flags().Changed("access-mode")
			opts.URLGiven = cmd.Flags().Changed("api-url")
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return loginRun(cmd.Context(), opts)
		},
	}
	addAPIFlags(cmd.Flags(), &opts.API)
	for _, hidden := range []string{"timeout", "max-response-bytes", "allow-unlisted", "api-version", "auth-mode"} {
		_ = cmd.Flags().MarkHidden(hidden)
	}
	cmd.Flags().BoolVar(&opts.Partner, "partner", false, "the key is a partner key")
	cmd.Flags().BoolVar(&opts.WithKey, "with-key", false, "read the key from standard input")
	cmd.Flags().BoolVar(&opts.InsecureStorage, "insecure-storage", false, "store the key in a plain-text file (mode 0600) instead of the keychain")
	return cmd
}

func loginRun(ctx context.Context, opts *LoginOptions) error {
	f := opts.Factory
	key, err := readKey(ctx, opts.IO, opts.WithKey)
	if err != nil {
		return err
	}
	who, err := whoAmI(ctx, f, &opts.API, key)
	if err != nil {
		return fmt.Errorf("the key was not stored: %w", err)
	}
	store, err := f.AuthStore()
	if err != nil {
		return err
	}
	where, err := store.Save(ctx, opts.API.Profile, key, opts.InsecureStorage)
	if err != nil {
		return err
	}
	prof := auth.Profile{InsecureStorage: opts.InsecureStorage, PartnerOrgID: opts.API.PartnerOrgID}
	if opts.SaveAccess {
		ro := opts.API.ReadOnly
		prof.ReadOnly = &ro
	}
	if opts.API.AuthMode == "partner" {
		prof.AuthMode = "partner"
	}
	if opts.URLGiven || opts.API.APIURL != forward.DefaultAPIURL {
		prof.APIURL = opts.API.APIURL
	}
	if err := auth.SaveProfile(store.Dir, opts.API.Profile, prof); err != nil {
		return fmt.Errorf("the key is stored, but the profile settings could not be saved: %w", err)
	}
	fmt.Fprintf(opts.IO.Out, "Logged in to %s as %s.\n", hostOf(opts.API.APIURL), who)
	fmt.Fprintf(opts.IO.Out, "Key %s stored in %s (profile %s).\n", auth.Mask(key), where, opts.API.Profile)
	if opts.InsecureStorage {
		fmt.Fprintf(opts.IO.ErrOut, "WARNING: the API key is stored in PLAIN TEXT in %s (readable only by you). Prefer the system keychain where one works; `polytomic-mcp logout` removes it.\n", where)
	}
	if f.Getenv(auth.EnvKey) != "" {
		fmt.Fprintf(opts.IO.ErrOut, "note: %s is set in this environment and takes precedence over the stored key.\n", auth.EnvKey)
	}
	return nil
}

// readKey reads the key from stdin (--with-key) or a masked prompt.
func readKey(ctx context.Context, streams *IOStreams, withKey bool) (string, error) {
	var key string
	switch {
	case withKey:
		line, err := bufio.NewReader(io.LimitReader(streams.In, 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading the key from standard input: %w", err)
		}
		key = line
	case streams.StdinIsTTY != nil && streams.StdinIsTTY() && streams.ReadSecret != nil:
		k, err := streams.ReadSecret(ctx, "Paste your Polytomic API key (input is hidden): ")
		if err != nil {
			return "", err
		}
		key = k
	default:
		return "", errors.New("standard input is not a terminal: pipe the key in with --with-key")
	}
	key = strings.TrimSpace(key)
	if key == "" {
		return "", errors.New("no key given")
	}
	for _, r := range key {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r > unicode.MaxASCII {
			return "", errors.New("that does not look like an API key: it has spaces or control characters")
		}
	}
	return key, nil
}

// LogoutOptions configure `polytomic-mcp logout`.
type LogoutOptions struct {
	IO      *IOStreams
	Factory *Factory
	Profile string
}

// NewCmdLogout builds `polytomic-mcp logout`.
func NewCmdLogout(f *Factory, runF func(context.Context, *LogoutOptions) error) *cobra.Command {
	opts := &LogoutOptions{IO: f.IO, Factory: f}
	return profileCommand(f, "logout", "Remove the stored API key (keychain and file)", &opts.Profile, func(ctx context.Context) error {
		if runF != nil {
			return runF(ctx, opts)
		}
		return logoutRun(ctx, opts)
	})
}

// profileCommand builds a command whose only flag is --profile (with
// POLYTOMIC_PROFILE), settled before run.
func profileCommand(f *Factory, use, short string, profile *string, run func(context.Context) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := resolveProfile(cmd.Flags(), f.Getenv, profile); err != nil {
				return err
			}
			return run(cmd.Context())
		},
	}
	addProfileFlag(cmd.Flags(), profile)
	return cmd
}

func logoutRun(ctx context.Context, opts *LogoutOptions) error {
	store, err := opts.Factory.AuthStore()
	if err != nil {
		return err
	}
	removed, err := store.Remove(ctx, opts.Profile)
	for _, r := range removed {
		fmt.Fprintf(opts.IO.Out, "Removed the key of profile %s from %s.\n", opts.Profile, r)
	}
	if err != nil {
		if len(removed) == 0 {
			return err
		}
		// The key that was found is gone; the keychain could not be asked.
		fmt.Fprintf(opts.IO.ErrOut, "warning: %v\n", err)
		return nil
	}
	if len(removed) == 0 {
		fmt.Fprintf(opts.IO.Out, "No key was stored for profile %s; nothing to remove.\n", opts.Profile)
	}
	if opts.Factory.Getenv(auth.EnvKey) != "" {
		fmt.Fprintf(opts.IO.ErrOut, "note: %s is still set in this environment.\n", auth.EnvKey)
	}
	return nil
}

package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode"

	"github.com/polytomic-mcp/polytomic-mcp/forward"

	"github.com/spf13/cobra"

	"github.com/polytomic-mcp/polytomic-mcp/auth"
	"github.com/polytomic-mcp/polytomic-mcp/internal/keyring"
)

// staticKey is a KeySource for a key not stored yet (login verifies it).
type staticKey string

func (k staticKey) APIKey(context.Context) (string, error) { return string(k), nil }
func (k staticKey) Reload(context.Context) (string, error) { return string(k), nil }

// LoginOptions configure `polytomic-mcp login`.
type LoginOptions struct {
	IO              *IOStreams
	Factory         *Factory
	API             apiFlags
	Partner         bool
	WithKey         bool
	InsecureStorage bool
	// SaveReadOnly: --read-only was given, so the profile remembers it.
	SaveReadOnly bool
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
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			opts.SaveReadOnly = cmd.Flags().Changed("read-only")
			return loginRun(cmd.Context(), opts, cmd.Flags().Changed("api-url"))
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

func loginRun(ctx context.Context, opts *LoginOptions, urlGiven bool) error {
	f := opts.Factory
	key, err := readKey(ctx, opts.IO, opts.WithKey)
	if err != nil {
		return err
	}
	who, err := verifyKey(ctx, f, &opts.API, key)
	if err != nil {
		return err
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
	if opts.SaveReadOnly {
		ro := opts.API.ReadOnly
		prof.ReadOnly = &ro
	}
	if opts.API.AuthMode == "partner" {
		prof.AuthMode = "partner"
	}
	if urlGiven || opts.API.APIURL != forward.DefaultAPIURL {
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

// verifyKey checks the key against the API and says whom it belongs to.
func verifyKey(ctx context.Context, f *Factory, api *apiFlags, key string) (string, error) {
	cfg := api.forwarderConfig(f)
	cfg.ReadOnly = true // verification only reads
	fwd, err := forward.New(cfg, staticKey(key), f.Index, f.HTTPClient, nil)
	if err != nil {
		return "", err
	}
	op := "identity_get"
	if api.AuthMode == "partner" {
		op = "organization_list"
	}
	res, err := fwd.Execute(ctx, forward.Request{OperationID: op})
	if err != nil {
		return "", fmt.Errorf("could not verify the key, so it was not stored: %w", err)
	}
	switch {
	case res.Status == 401:
		return "", fmt.Errorf("%s rejected the key (HTTP 401), so it was not stored: check it and try again", hostOf(api.APIURL))
	case res.Status == 403 && api.AuthMode == "partner":
		return "", errors.New("the key is not a partner key (HTTP 403 on GET /api/organizations), so it was not stored: drop --partner for a user or organization key")
	case res.IsError():
		return "", fmt.Errorf("could not verify the key (HTTP %d), so it was not stored", res.Status)
	}
	if api.AuthMode == "partner" {
		n := 0
		if m, ok := res.Body.(map[string]any); ok {
			if d, ok := m["data"].([]any); ok {
				n = len(d)
			}
		}
		return fmt.Sprintf("a partner (%d organizations)", n), nil
	}
	return describeIdentity(res.Body), nil
}

// identity is what /api/me says about the caller.
type identity struct {
	Email            string `json:"email,omitempty"`
	ID               string `json:"id,omitempty"`
	OrganizationID   string `json:"organization_id,omitempty"`
	OrganizationName string `json:"organization_name,omitempty"`
	IsPartner        bool   `json:"is_partner,omitempty"`
}

func parseIdentity(body any) identity {
	var id identity
	if m, ok := body.(map[string]any); ok {
		if d, ok := m["data"]; ok {
			b, _ := json.Marshal(d)
			_ = json.Unmarshal(b, &id)
		}
	}
	return id
}

func describeIdentity(body any) string {
	id := parseIdentity(body)
	who := id.Email
	if who == "" {
		who = "an organization key"
	}
	if id.OrganizationName != "" {
		who += " (" + id.OrganizationName + ")"
	}
	return who
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
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
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Remove the stored API key (keychain and file)",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := resolveProfile(cmd.Flags(), f.Getenv, &opts.Profile); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return logoutRun(cmd.Context(), opts)
		},
	}
	addProfileFlag(cmd.Flags(), &opts.Profile)
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

// NewCmdAuth groups `auth status` and `auth token`.
func NewCmdAuth(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Inspect the stored credentials",
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
	store, err := f.AuthStore()
	if err != nil {
		return err
	}
	cred, err := store.Lookup(ctx, opts.API.Profile)
	switch {
	case errors.Is(err, keyring.ErrTimeout):
		r.Problem = "the system keychain timed out: " + err.Error()
	case errors.Is(err, keyring.ErrUnavailable):
		r.Problem = err.Error()
	case err != nil:
		r.Problem = "not logged in: run `polytomic-mcp login` or set " + auth.EnvKey
	default:
		r.KeySource, r.KeyWhere, r.KeyMasked, r.Insecure = string(cred.Source), cred.Where, cred.Masked(), cred.Source == auth.SourceFile
		r.Identity, r.Problem = checkIdentity(ctx, f, &opts.API, cred.Key)
		r.Usable = r.Problem == ""
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
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

// checkIdentity asks /api/me who the key belongs to, or says why it could
// not: an invalid key is not a network error.
func checkIdentity(ctx context.Context, f *Factory, api *apiFlags, key string) (*identity, string) {
	cfg := api.forwarderConfig(f)
	cfg.ReadOnly = true
	fwd, err := forward.New(cfg, staticKey(key), f.Index, f.HTTPClient, nil)
	if err != nil {
		return nil, err.Error()
	}
	res, err := fwd.Execute(ctx, forward.Request{OperationID: "identity_get"})
	switch {
	case err != nil:
		return nil, "could not reach the API: " + err.Error()
	case res.Status == 401:
		return nil, "the key is invalid (HTTP 401): run `polytomic-mcp login` with a valid key"
	case res.IsError():
		return nil, fmt.Sprintf("GET /api/me failed with HTTP %d", res.Status)
	}
	id := parseIdentity(res.Body)
	return &id, ""
}

func printStatus(w io.Writer, r statusReport) {
	mode := r.AuthMode
	if r.ReadOnly {
		mode += ", read-only"
	} else {
		mode += ", read-write"
	}
	fmt.Fprintf(w, "Profile:     %s\nAPI URL:     %s\nAPI version: %s\nModes:       %s\n", r.Profile, r.APIURL, r.APIVersion, mode)
	if r.KeySource != "" {
		fmt.Fprintf(w, "Key:         %s (from %s)\n", r.KeyMasked, r.KeyWhere)
	}
	if r.Insecure {
		fmt.Fprintln(w, "WARNING:     the key is stored in PLAIN TEXT (login --insecure-storage)")
	}
	if r.Identity != nil {
		who := r.Identity.Email
		if who == "" {
			who = "organization key"
		}
		if r.Identity.OrganizationName != "" {
			who += " — " + r.Identity.OrganizationName
		}
		if r.Identity.OrganizationID != "" {
			who += " (" + r.Identity.OrganizationID + ")"
		}
		fmt.Fprintf(w, "Identity:    %s\n", who)
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
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print the API key, for scripts",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := resolveProfile(cmd.Flags(), f.Getenv, &opts.Profile); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return tokenRun(cmd.Context(), opts)
		},
	}
	addProfileFlag(cmd.Flags(), &opts.Profile)
	return cmd
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

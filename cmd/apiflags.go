package cmd

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/polytomic-mcp/polytomic-mcp/forward"

	"github.com/spf13/pflag"

	"github.com/polytomic-mcp/polytomic-mcp/auth"
	"github.com/polytomic-mcp/polytomic-mcp/internal/xdg"
	"github.com/polytomic-mcp/polytomic-mcp/proxy"
)

// apiFlags are the settings shared by serve and call. Each has an
// environment variable; a flag given on the command line wins.
type apiFlags struct {
	Profile          string
	APIURL           string
	APIVersion       string
	ReadOnly         bool
	AccessMode       string // the --access-mode flag; ReadOnly is the result
	AuthMode         string
	PartnerOrgID     string
	Timeout          time.Duration
	MaxResponseBytes int
	AllowUnlisted    bool
	FeedbackURL      string
}

func addAPIFlags(fs *pflag.FlagSet, a *apiFlags) {
	addProfileFlag(fs, &a.Profile)
	fs.StringVar(&a.APIURL, "api-url", forward.DefaultAPIURL, "Polytomic API base URL, https (env POLYTOMIC_API_URL)")
	fs.StringVar(&a.APIVersion, "api-version", "", "X-Polytomic-Version to send (env POLYTOMIC_API_VERSION; default the snapshot's)")
	fs.StringVar(&a.AccessMode, "access-mode", "", "read-only or full-access (default; read-write is the same) (env POLYTOMIC_ACCESS_MODE)")
	fs.BoolVar(&a.ReadOnly, "read-only", false, "short for --access-mode read-only")
	fs.StringVar(&a.AuthMode, "auth-mode", "user", "user or partner (env POLYTOMIC_AUTH_MODE)")
	fs.StringVar(&a.PartnerOrgID, "partner-org-id", "", "partner mode: organization to act in (env POLYTOMIC_PARTNER_ORG_ID)")
	fs.DurationVar(&a.Timeout, "timeout", forward.DefaultTimeout, "time limit per API call (env POLYTOMIC_TIMEOUT)")
	fs.IntVar(&a.MaxResponseBytes, "max-response-bytes", forward.DefaultMaxResponseBytes, "reply text returned to the model, in bytes (env POLYTOMIC_MAX_RESPONSE_BYTES)")
	fs.BoolVar(&a.AllowUnlisted, "allow-unlisted", false, "allow /api/ paths missing from the snapshot (env POLYTOMIC_ALLOW_UNLISTED)")
}

func addProfileFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "profile", auth.DefaultProfile, "credentials and settings profile (env POLYTOMIC_PROFILE)")
}

// resolveProfile applies POLYTOMIC_PROFILE unless --profile was given.
func resolveProfile(fs *pflag.FlagSet, getenv func(string) string, p *string) error {
	if !fs.Changed("profile") {
		if v := strings.TrimSpace(getenv("POLYTOMIC_PROFILE")); v != "" {
			*p = v
		}
	}
	return auth.ValidateProfile(*p)
}

func addFeedbackFlag(fs *pflag.FlagSet, a *apiFlags) {
	// Empty means automatic (proxy.RouteFeedback): the Polytomic endpoint,
	// with the key, only when the API is Polytomic cloud.
	fs.StringVar(&a.FeedbackURL, "feedback-url", "", "where submit_mcp_feedback forwards feedback: an https URL, or off to keep it local (env POLYTOMIC_FEEDBACK_URL; default "+proxy.DefaultFeedbackURL+" when --api-url is Polytomic cloud, else local)")
}

// resolve settles each setting: a flag given on the command line, else its
// environment variable, else the profile's saved value, else the default.
func (a *apiFlags) resolve(fs *pflag.FlagSet, getenv func(string) string, configDir string) error {
	if err := resolveProfile(fs, getenv, &a.Profile); err != nil {
		return err
	}
	cfg, err := auth.LoadConfig(configDir)
	if err != nil {
		return err
	}
	prof := cfg.Profile(a.Profile)
	fromProfile := map[string]string{"api-url": prof.APIURL, "auth-mode": prof.AuthMode, "partner-org-id": prof.PartnerOrgID}
	env := func(flag, name string, apply func(string) error) error {
		if fs.Changed(flag) {
			return nil
		}
		v, from := strings.TrimSpace(getenv(name)), name
		if v == "" {
			v, from = fromProfile[flag], "profile "+a.Profile+" "+flag
		}
		if v != "" {
			if err := apply(v); err != nil {
				return fmt.Errorf("%s=%q: %w", from, v, err)
			}
		}
		return nil
	}
	set := func(dst *string) func(string) error { return func(v string) error { *dst = v; return nil } }
	steps := []error{
		env("api-url", "POLYTOMIC_API_URL", set(&a.APIURL)),
		env("api-version", "POLYTOMIC_API_VERSION", set(&a.APIVersion)),
		env("auth-mode", "POLYTOMIC_AUTH_MODE", set(&a.AuthMode)),
		env("partner-org-id", "POLYTOMIC_PARTNER_ORG_ID", set(&a.PartnerOrgID)),
		env("feedback-url", "POLYTOMIC_FEEDBACK_URL", set(&a.FeedbackURL)),
		env("timeout", "POLYTOMIC_TIMEOUT", func(v string) (err error) { a.Timeout, err = time.ParseDuration(v); return }),
		env("max-response-bytes", "POLYTOMIC_MAX_RESPONSE_BYTES", func(v string) (err error) { a.MaxResponseBytes, err = strconv.Atoi(v); return }),
		env("allow-unlisted", "POLYTOMIC_ALLOW_UNLISTED", func(v string) (err error) { a.AllowUnlisted, err = strconv.ParseBool(v); return }),
	}
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	if err := a.resolveAccess(fs, getenv, prof.ReadOnly); err != nil {
		return err
	}
	if a.AuthMode, err = parseAuthMode(a.AuthMode); err != nil {
		return fmt.Errorf("--auth-mode: %w", err)
	}
	if a.PartnerOrgID != "" && a.AuthMode != AuthPartner {
		return fmt.Errorf("--partner-org-id needs --auth-mode %s", AuthPartner)
	}
	if a.Timeout <= 0 {
		return fmt.Errorf("--timeout must be positive")
	}
	if a.MaxResponseBytes < 1024 {
		return fmt.Errorf("--max-response-bytes must be at least 1024")
	}
	if _, err := forward.ValidateAPIURL(a.APIURL); err != nil {
		return err
	}
	return nil
}

// Access modes, as Polytomic's hosted MCP server names them
// (X-Polytomic-Access-Mode); read-write is this binary's older name.
const (
	AccessReadOnly   = "read-only"
	AccessFullAccess = "full-access"
)

// Auth modes: a user or organization key, or a partner key acting for the
// organizations it manages.
const (
	AuthUser    = "user"
	AuthPartner = "partner"
)

func parseAuthMode(v string) (string, error) {
	switch m := strings.ToLower(strings.TrimSpace(v)); m {
	case AuthUser, AuthPartner:
		return m, nil
	}
	return "", fmt.Errorf("unknown auth mode %q: use %s or %s", v, AuthUser, AuthPartner)
}

// parseAccessMode maps a flag or environment value to read-only or not.
func parseAccessMode(v string) (readOnly bool, err error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case AccessReadOnly:
		return true, nil
	case AccessFullAccess, "read-write":
		return false, nil
	}
	return false, fmt.Errorf("unknown access mode %q: use %s or %s", v, AccessReadOnly, AccessFullAccess)
}

// resolveAccess settles read-only mode. --access-mode or --read-only wins,
// then POLYTOMIC_ACCESS_MODE, then the profile, then full access. The
// Claude Desktop bundle's checkbox (POLYTOMIC_READ_ONLY) can only narrow:
// its unticked default ("false") must not widen a profile saved with
// `login --read-only`.
func (a *apiFlags) resolveAccess(fs *pflag.FlagSet, getenv func(string) string, saved *bool) error {
	explicitFull := false
	switch {
	case fs.Changed("access-mode") && fs.Changed("read-only"):
		return usageErrorf("give --access-mode or --read-only, not both")
	case fs.Changed("access-mode"):
		ro, err := parseAccessMode(a.AccessMode)
		if err != nil {
			return usageErrorf("--access-mode: %v", err)
		}
		a.ReadOnly, explicitFull = ro, !ro
	case fs.Changed("read-only"):
	case strings.TrimSpace(getenv("POLYTOMIC_ACCESS_MODE")) != "":
		ro, err := parseAccessMode(getenv("POLYTOMIC_ACCESS_MODE"))
		if err != nil {
			return fmt.Errorf("POLYTOMIC_ACCESS_MODE: %w", err)
		}
		a.ReadOnly = ro
	case saved != nil:
		a.ReadOnly = *saved
	}
	if v := strings.TrimSpace(getenv("POLYTOMIC_READ_ONLY")); v != "" {
		ro, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("POLYTOMIC_READ_ONLY=%q: use true or false", v)
		}
		if ro && !explicitFull {
			a.ReadOnly = true
		}
	}
	return nil
}

// forwarderConfig is the forwarder's view of the settings.
func (a *apiFlags) forwarderConfig(f *Factory) forward.Config {
	return forward.Config{
		APIURL:           a.APIURL,
		APIVersion:       a.APIVersion, // empty: the snapshot's
		UserAgent:        "polytomic-mcp/" + f.Build.Version,
		ReadOnly:         a.ReadOnly,
		PartnerMode:      a.AuthMode == "partner",
		PartnerOrgID:     a.PartnerOrgID,
		Timeout:          a.Timeout,
		MaxResponseBytes: a.MaxResponseBytes,
		AllowUnlisted:    a.AllowUnlisted,
	}
}

// feedbackQueuePath is where feedback waits for delivery.
func feedbackQueuePath(getenv func(string) string) (string, error) {
	dir, err := xdg.StateDir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "feedback.jsonl"), nil
}

// load resolves the settings for a command run from f.
func (a *apiFlags) load(fs *pflag.FlagSet, f *Factory) error {
	dir, err := f.ConfigDir()
	if err != nil {
		return err
	}
	return a.resolve(fs, f.Getenv, dir)
}

// forwarder builds the forwarder for these settings, with the profile's key
// lookup, which it also returns for other users of the key.
func (a *apiFlags) forwarder(f *Factory, logger *slog.Logger) (*forward.Forwarder, forward.KeySource, error) {
	keys, err := f.KeySource(a.Profile)
	if err != nil {
		return nil, nil, err
	}
	fwd, err := forward.New(a.forwarderConfig(f), keys, f.Index, f.HTTPClient, logger)
	return fwd, keys, err
}

// Package auth holds credentials: the API key in the OS keychain (or, only
// if the user chose it, a plain-text file), the lookup order that decides
// which key a command uses, and the non-secret per-profile settings.
package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode"

	"github.com/polytomic-mcp/polytomic-mcp/internal/keyring"
)

// Service is the keychain service name; the account is the profile name.
const (
	Service        = "polytomic-mcp"
	DefaultProfile = "default"
	EnvKey         = "POLYTOMIC_API_KEY"
	credFile       = "credentials.json"
)

// ErrNoKey means no API key is configured for the profile.
var ErrNoKey = errors.New("no API key: run `polytomic-mcp login` or set " + EnvKey)

// noKey is ErrNoKey for a profile, naming it when it is not the default so
// that the fix is exact.
func noKey(profile string) error {
	if profile == DefaultProfile {
		return ErrNoKey
	}
	return &profileError{profile}
}

type profileError struct{ profile string }

func (e *profileError) Error() string {
	return fmt.Sprintf("no API key for profile %q: run `polytomic-mcp login --profile %s` or set %s", e.profile, e.profile, EnvKey)
}

func (e *profileError) Is(target error) bool { return target == ErrNoKey }

// Keychain is the part of the OS keychain auth uses.
type Keychain interface {
	Get(ctx context.Context, service, user string) (string, error)
	Set(ctx context.Context, service, user, secret string) error
	Delete(ctx context.Context, service, user string) error
}

// Source is where a key came from.
type Source string

const (
	SourceEnv      Source = "env"
	SourceKeychain Source = "keychain"
	SourceFile     Source = "file"
)

// Credential is a key and where it was found.
type Credential struct {
	Key    string
	Source Source
	Where  string // the variable name, the keychain item, or the file path
}

// Masked shows only the key's last four characters.
func (c Credential) Masked() string { return Mask(c.Key) }

// Mask hides all but the last four characters of a key.
func Mask(key string) string {
	if len(key) <= 4 {
		return strings.Repeat("*", len(key))
	}
	return strings.Repeat("*", min(len(key)-4, 8)) + key[len(key)-4:]
}

// LookupError is a failed lookup that did not end at "not logged in": the
// keychain could not be asked. It matches ErrNoKey and the keychain error.
type LookupError struct {
	Keychain error
}

func (e *LookupError) Error() string {
	return fmt.Sprintf("no API key: %v; set %s, or run `polytomic-mcp login --insecure-storage` to keep the key in a file", e.Keychain, EnvKey)
}

func (e *LookupError) Is(target error) bool { return target == ErrNoKey }
func (e *LookupError) Unwrap() error        { return e.Keychain }

// ValidateProfile checks a profile name: up to 64 ASCII letters, digits,
// '.', '_' and '-', starting with a letter or digit (it names a keychain
// account and a JSON key, never a path).
func ValidateProfile(p string) error {
	ok := p != "" && len(p) <= 64
	for i, r := range p {
		alnum := r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
		ok = ok && (alnum || (i > 0 && (r == '.' || r == '_' || r == '-')))
	}
	if !ok {
		return fmt.Errorf("invalid profile name %q: use letters, digits, '.', '_' or '-'", p)
	}
	return nil
}

// Store reads and writes keys.
type Store struct {
	Keychain Keychain
	// Dir is the user config folder (for the plain-text key file).
	Dir    string
	Getenv func(string) string
}

// Lookup finds the key for a profile, in this order and nowhere else:
// POLYTOMIC_API_KEY (then the keychain is not touched at all), the
// keychain, and the plain-text file that `login --insecure-storage` writes.
// A profile saved with --insecure-storage skips the keychain: it holds no
// item, and asking a broken keychain can take seconds.
func (s *Store) Lookup(ctx context.Context, profile string) (Credential, error) {
	if k := strings.TrimSpace(s.Getenv(EnvKey)); k != "" {
		return Credential{Key: k, Source: SourceEnv, Where: EnvKey}, nil
	}
	cfg, _ := LoadConfig(s.Dir)
	var kcErr error = keyring.ErrNotFound
	if !cfg.Profile(profile).InsecureStorage {
		k, err := s.Keychain.Get(ctx, Service, profile)
		if err == nil && k != "" {
			return Credential{Key: k, Source: SourceKeychain, Where: keychainWhere(profile)}, nil
		}
		if err != nil {
			kcErr = err
		}
	}
	k, ferr := s.readFile(profile)
	if k != "" {
		return Credential{Key: k, Source: SourceFile, Where: s.filePath()}, nil
	}
	if ferr != nil {
		return Credential{}, fmt.Errorf("%w: %w", noKey(profile), ferr)
	}
	if errors.Is(kcErr, keyring.ErrNotFound) {
		return Credential{}, noKey(profile)
	}
	return Credential{}, &LookupError{Keychain: kcErr}
}

func keychainWhere(profile string) string {
	return fmt.Sprintf("system keychain (service %s, account %s)", Service, profile)
}

// Save stores a key: in the keychain, or in a 0600 file with insecure. It
// returns where the key went.
func (s *Store) Save(ctx context.Context, profile, key string, insecure bool) (string, error) {
	if insecure {
		if err := s.writeFile(profile, key); err != nil {
			return "", err
		}
		// A stale keychain item would shadow the new file for other tools.
		_ = s.Keychain.Delete(ctx, Service, profile)
		return s.filePath(), nil
	}
	if err := s.Keychain.Set(ctx, Service, profile, key); err != nil {
		if errors.Is(err, keyring.ErrUnavailable) || errors.Is(err, keyring.ErrTimeout) {
			return "", fmt.Errorf("could not store the key: %w; set %s instead, or run login again with --insecure-storage to keep the key in a file (%s, mode 0600)", err, EnvKey, s.filePath())
		}
		return "", fmt.Errorf("could not store the key in the keychain: %w", err)
	}
	// Best effort: a stale copy in the file is shadowed by the keychain.
	_, _ = s.removeFromFile(profile)
	return keychainWhere(profile), nil
}

// Remove deletes the profile's key from the keychain and the file; it is
// idempotent and reports what it removed.
func (s *Store) Remove(ctx context.Context, profile string) ([]string, error) {
	var removed []string
	err := s.Keychain.Delete(ctx, Service, profile)
	switch {
	case err == nil:
		removed = append(removed, keychainWhere(profile))
	case errors.Is(err, keyring.ErrNotFound):
		err = nil
	}
	inFile, ferr := s.removeFromFile(profile)
	if inFile {
		removed = append(removed, s.filePath())
	}
	if ferr != nil {
		return removed, fmt.Errorf("could not remove the key from %s: %w", s.filePath(), ferr)
	}
	if err != nil {
		return removed, fmt.Errorf("could not remove the key from the keychain: %w", err)
	}
	return removed, nil
}

func (s *Store) filePath() string { return filepath.Join(s.Dir, credFile) }

// credentials is the plain-text key file: profile -> key.
type credentials struct {
	Warning string            `json:"warning"`
	Keys    map[string]string `json:"keys"`
}

var fileMu sync.Mutex

// readCreds reads the key file; a file that does not parse is a
// *CorruptError (and no keys).
func (s *Store) readCreds() (credentials, error) {
	var c credentials
	_, err := decodeFile(s.filePath(), &c)
	if c.Keys == nil || err != nil {
		c.Keys = map[string]string{}
	}
	return c, err
}

func (s *Store) readFile(profile string) (string, error) {
	fileMu.Lock()
	defer fileMu.Unlock()
	c, err := s.readCreds()
	return c.Keys[profile], err
}

func (s *Store) writeFile(profile, key string) error {
	fileMu.Lock()
	defer fileMu.Unlock()
	c, err := s.readCreds()
	var ce *CorruptError
	if errors.As(err, &ce) {
		return moveAside(ce)
	}
	if err != nil {
		return err
	}
	c.Keys[profile] = key
	c.Warning = "Polytomic API keys in plain text, written by `polytomic-mcp login --insecure-storage`. Remove with `polytomic-mcp logout`."
	return writeJSON(s.filePath(), c)
}

// removeFromFile drops the profile's key from the file. A file that does
// not parse is left as it is (and reported).
func (s *Store) removeFromFile(profile string) (bool, error) {
	fileMu.Lock()
	defer fileMu.Unlock()
	c, err := s.readCreds()
	if err != nil {
		return false, err
	}
	if _, ok := c.Keys[profile]; !ok {
		return false, nil
	}
	delete(c.Keys, profile)
	if len(c.Keys) == 0 {
		return true, os.Remove(s.filePath())
	}
	return true, writeJSON(s.filePath(), c)
}

// Resolver is the key source of a running command: it looks the key up once
// and again only when asked to reload (after a 401).
type Resolver struct {
	Store   *Store
	Profile string

	mu     sync.Mutex
	cred   Credential
	err    error
	loaded bool
}

// Credential returns the profile's key and its source.
func (r *Resolver) Credential(ctx context.Context) (Credential, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.loaded {
		r.cred, r.err = r.Store.Lookup(ctx, r.Profile)
		r.loaded = r.err == nil
	}
	return r.cred, r.err
}

// APIKey implements proxy.KeySource.
func (r *Resolver) APIKey(ctx context.Context) (string, error) {
	c, err := r.Credential(ctx)
	return c.Key, err
}

// Reload implements proxy.KeySource: read the store again.
func (r *Resolver) Reload(ctx context.Context) (string, error) {
	r.mu.Lock()
	r.loaded = false
	r.mu.Unlock()
	return r.APIKey(ctx)
}

package auth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polytomic-mcp/polytomic-mcp/auth"
	"github.com/polytomic-mcp/polytomic-mcp/internal/keyring"
)

// countingBackend wraps a backend, counting calls and optionally failing or
// blocking.
type countingBackend struct {
	inner keyring.Backend
	calls atomic.Int64
	fail  error
	block bool
}

func (c *countingBackend) do() error {
	c.calls.Add(1)
	if c.block {
		select {}
	}
	return c.fail
}

func (c *countingBackend) Get(s, u string) (string, error) {
	if err := c.do(); err != nil {
		return "", err
	}
	return c.inner.Get(s, u)
}

func (c *countingBackend) Set(s, u, p string) error {
	if err := c.do(); err != nil {
		return err
	}
	return c.inner.Set(s, u, p)
}

func (c *countingBackend) Delete(s, u string) error {
	if err := c.do(); err != nil {
		return err
	}
	return c.inner.Delete(s, u)
}

func newStore(t *testing.T, b keyring.Backend, env map[string]string) *auth.Store {
	t.Helper()
	return &auth.Store{
		Keychain: &keyring.Keyring{Backend: b, Timeout: 200 * time.Millisecond},
		Dir:      t.TempDir(),
		Getenv:   func(k string) string { return env[k] },
	}
}

func TestLookupOrder(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		env        map[string]string
		keychain   map[string]string // profile -> key
		file       map[string]string // profile -> key, via Save(insecure)
		fail       error
		wantKey    string
		wantSource auth.Source
		wantErr    error
	}{
		{name: "nothing", wantErr: auth.ErrNoKey},
		{name: "env wins", env: map[string]string{"POLYTOMIC_API_KEY": " env-key "}, keychain: map[string]string{"default": "kc"}, wantKey: "env-key", wantSource: auth.SourceEnv},
		{name: "keychain", keychain: map[string]string{"default": "kc"}, wantKey: "kc", wantSource: auth.SourceKeychain},
		{name: "file", file: map[string]string{"default": "f"}, wantKey: "f", wantSource: auth.SourceFile},
		{name: "other profile only", keychain: map[string]string{"staging": "kc"}, wantErr: auth.ErrNoKey},
		{name: "keychain broken", fail: errors.New("no dbus"), wantErr: keyring.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := keyring.NewMemory()
			for p, k := range tt.keychain {
				mem.Set(auth.Service, p, k)
			}
			b := &countingBackend{inner: mem}
			s := newStore(t, b, tt.env)
			for p, k := range tt.file {
				if _, err := s.Save(ctx, p, k, true); err != nil {
					t.Fatal(err)
				}
			}
			b.fail = tt.fail
			c, err := s.Lookup(ctx, "default")
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || c.Key != tt.wantKey || c.Source != tt.wantSource {
				t.Fatalf("got %+v, %v; want %s from %s", c, err, tt.wantKey, tt.wantSource)
			}
		})
	}
}

// With POLYTOMIC_API_KEY set the keychain is never called.
func TestEnvKeyNeverTouchesKeychain(t *testing.T) {
	b := &countingBackend{inner: keyring.NewMemory(), block: true}
	s := newStore(t, b, map[string]string{"POLYTOMIC_API_KEY": "k"})
	r := &auth.Resolver{Store: s, Profile: "default"}
	for i := 0; i < 3; i++ {
		if k, err := r.APIKey(context.Background()); err != nil || k != "k" {
			t.Fatal(k, err)
		}
		if _, err := r.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := b.calls.Load(); n != 0 {
		t.Errorf("keychain called %d times", n)
	}
}

// A keychain that never answers: the lookup gives up with ErrTimeout, well
// before a user would.
func TestHungKeychainTimesOut(t *testing.T) {
	s := newStore(t, &countingBackend{inner: keyring.NewMemory(), block: true}, nil)
	done := make(chan error, 1)
	go func() { _, err := s.Lookup(context.Background(), "default"); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, keyring.ErrTimeout) || !errors.Is(err, auth.ErrNoKey) {
			t.Errorf("err = %v", err)
		}
		if !strings.Contains(err.Error(), "POLYTOMIC_API_KEY") || !strings.Contains(err.Error(), "--insecure-storage") {
			t.Errorf("message does not offer the ways out: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("lookup did not give up on a hung keychain")
	}
}

func TestSaveFailsWithoutKeychainUnlessInsecure(t *testing.T) {
	ctx := context.Background()
	b := &countingBackend{inner: keyring.NewMemory(), fail: errors.New("no dbus")}
	s := newStore(t, b, nil)
	_, err := s.Save(ctx, "default", "secret-key-1234", false)
	if err == nil || !strings.Contains(err.Error(), "POLYTOMIC_API_KEY") || !strings.Contains(err.Error(), "--insecure-storage") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "secret-key-1234") {
		t.Error("error message contains the key")
	}
	where, err := s.Save(ctx, "default", "secret-key-1234", true)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(where)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file %s: %v %v", where, st, err)
	}
	removed, err := s.Remove(ctx, "default")
	if len(removed) != 1 || removed[0] != where {
		t.Errorf("removed %v (%v)", removed, err)
	}
	if _, err := os.Stat(where); !os.IsNotExist(err) {
		t.Error("key file still there")
	}
}

func TestConfigNeverHoldsKey(t *testing.T) {
	dir := t.TempDir()
	ro := true
	if err := auth.SaveProfile(dir, "default", auth.Profile{APIURL: "https://x.example", ReadOnly: &ro}); err != nil {
		t.Fatal(err)
	}
	if err := auth.SaveProfile(dir, "p2", auth.Profile{AuthMode: "partner"}); err != nil {
		t.Fatal(err)
	}
	c, err := auth.LoadConfig(dir)
	if err != nil || c.Profile("default").APIURL != "https://x.example" || c.Profile("p2").AuthMode != "partner" || !*c.Profile("default").ReadOnly {
		t.Fatalf("%+v %v", c, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.LoadConfig(dir); err == nil || !strings.Contains(err.Error(), "fix or delete it") {
		t.Errorf("corrupt config: %v", err)
	}
}

func TestResolverReload(t *testing.T) {
	mem := keyring.NewMemory()
	mem.Set(auth.Service, "default", "old")
	s := newStore(t, mem, nil)
	r := &auth.Resolver{Store: s, Profile: "default"}
	if k, _ := r.APIKey(context.Background()); k != "old" {
		t.Fatal(k)
	}
	mem.Set(auth.Service, "default", "new") // a login while serving
	if k, _ := r.APIKey(context.Background()); k != "old" {
		t.Errorf("cached key changed without a reload: %s", k)
	}
	if k, _ := r.Reload(context.Background()); k != "new" {
		t.Errorf("reload = %s", k)
	}
}

func TestMaskAndProfileNames(t *testing.T) {
	if got := auth.Mask("pk_live_abcdefgh1234"); got != "********1234" {
		t.Errorf("Mask = %q", got)
	}
	if got := auth.Mask("abc"); got != "***" {
		t.Errorf("Mask short = %q", got)
	}
	for p, ok := range map[string]bool{"default": true, "staging-2": true, "a.b_c": true, "": false, "../x": false, "a b": false, strings.Repeat("a", 65): false} {
		if (auth.ValidateProfile(p) == nil) != ok {
			t.Errorf("ValidateProfile(%q) ok=%v", p, !ok)
		}
	}
}

package auth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
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
	if _, err := auth.LoadConfig(dir); err == nil || !strings.Contains(err.Error(), "line 1, column 2") {
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

// A key or settings file that does not parse is never overwritten: reads
// say where it breaks, writes move it aside first.
func TestCorruptFilesAreMovedAside(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct{ name, content, want string }{
		{"syntax", "{\n  \"keys\": {\"other\": \"pk_other\",\n", "line 3, column 1"},
		{"not an object", `["x"]`, "not a JSON object"},
		{"wrong type", `{"keys": ["x"]}`, "line 1, column 1"},
		// Another shape (a hand-written file, a newer version) would lose
		// its keys on rewrite: it is moved aside too.
		{"unknown fields", `{"default": "pk_other_KEEP"}`, `unknown field "default"`},
	} {
		t.Run("credentials/"+tt.name, func(t *testing.T) {
			s := newStore(t, keyring.NewMemory(), nil)
			path := filepath.Join(s.Dir, "credentials.json")
			os.WriteFile(path, []byte(tt.content), 0o600)
			_, err := s.Lookup(ctx, "default")
			if !errors.Is(err, auth.ErrNoKey) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("lookup: %v", err)
			}
			if _, err := s.Remove(ctx, "default"); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("remove: %v", err)
			}
			_, err = s.Save(ctx, "default", "pk_new", true)
			var ce *auth.CorruptError
			if !errors.As(err, &ce) || ce.MovedTo == "" || !strings.Contains(err.Error(), "moved to") {
				t.Fatalf("save: %v", err)
			}
			if b, _ := os.ReadFile(ce.MovedTo); string(b) != tt.content {
				t.Errorf("the moved-aside file holds %q", b)
			}
			// Run again: a fresh file.
			if _, err := s.Save(ctx, "default", "pk_new", true); err != nil {
				t.Fatal(err)
			}
			if c, err := s.Lookup(ctx, "default"); err != nil || c.Key != "pk_new" {
				t.Errorf("%+v %v", c, err)
			}
		})
		t.Run("config/"+tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "config.json")
			os.WriteFile(path, []byte(strings.ReplaceAll(tt.content, "keys", "profiles")), 0o600)
			if _, err := auth.LoadConfig(dir); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("load: %v", err)
			}
			err := auth.SaveProfile(dir, "default", auth.Profile{AuthMode: "partner"})
			var ce *auth.CorruptError
			if !errors.As(err, &ce) || ce.MovedTo == "" {
				t.Fatalf("save: %v", err)
			}
			if err := auth.SaveProfile(dir, "default", auth.Profile{AuthMode: "partner"}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The config folder matters only to commands that read or write it.
func TestConfigFolderThatIsAFile(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "polytomic-mcp")
	os.WriteFile(file, []byte("x"), 0o600)
	if c, err := auth.LoadConfig(file); err != nil || len(c.Profiles) != 0 {
		t.Errorf("load: %+v %v", c, err)
	}
	s := &auth.Store{Keychain: &keyring.Keyring{Backend: keyring.NewMemory(), Timeout: time.Second}, Dir: file, Getenv: func(k string) string {
		return map[string]string{auth.EnvKey: "pk_env"}[k]
	}}
	if c, err := s.Lookup(context.Background(), "default"); err != nil || c.Key != "pk_env" {
		t.Errorf("env key: %+v %v", c, err)
	}
	if err := auth.SaveProfile(file, "default", auth.Profile{}); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("save into a file: %v", err)
	}
}

func TestKeyFileIsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows folders are private by ACL")
	}
	s := newStore(t, keyring.NewMemory(), nil)
	os.Chmod(s.Dir, 0o777)
	where, err := s.Save(context.Background(), "default", "pk_x", true)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(s.Dir); st.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v: the message says readable only by you", st.Mode().Perm())
	}
	if st, _ := os.Stat(where); st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v", st.Mode().Perm())
	}
}

func TestKeyFileNeverWrittenThroughALink(t *testing.T) {
	s := newStore(t, keyring.NewMemory(), nil)
	elsewhere := filepath.Join(t.TempDir(), "stolen.json")
	if err := os.Symlink(elsewhere, filepath.Join(s.Dir, "credentials.json")); err != nil {
		t.Skip(err)
	}
	if _, err := s.Save(context.Background(), "default", "pk_x", true); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("save through a link: %v", err)
	}
	if _, err := os.Stat(elsewhere); err == nil {
		t.Error("the key went through the link")
	}
}

// "Not logged in" names a profile that is not the default, so the fix in
// the message is exact.
func TestNoKeyNamesTheProfile(t *testing.T) {
	s := newStore(t, keyring.NewMemory(), nil)
	_, err := s.Lookup(context.Background(), "nope")
	if !errors.Is(err, auth.ErrNoKey) || !strings.Contains(err.Error(), "login --profile nope") {
		t.Errorf("err = %v", err)
	}
}

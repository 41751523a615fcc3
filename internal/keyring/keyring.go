// Package keyring wraps github.com/zalando/go-keyring with our policy: every
// call has a deadline (Secret Service can hang for minutes on a headless
// Linux box), "no such item" is our own ErrNotFound, and "there is no
// keychain to ask" is a different error, ErrUnavailable.
package keyring

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// DefaultTimeout bounds each keyring call.
const DefaultTimeout = 3 * time.Second

var (
	// ErrNotFound: the keychain works and holds no such item.
	ErrNotFound = errors.New("not found in the keychain")
	// ErrUnavailable: there is no usable keychain (no D-Bus session, no
	// Secret Service, a locked or absent keychain).
	ErrUnavailable = errors.New("the system keychain is unavailable")
	// ErrTimeout: the keychain did not answer in time.
	ErrTimeout = errors.New("the system keychain did not answer in time")
)

// Backend is the raw keychain, as go-keyring exposes it.
type Backend interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// System is the OS keychain: Keychain on macOS, Credential Manager on
// Windows, Secret Service on Linux. Getenv (os.Getenv if nil) tells it
// whether a D-Bus session exists.
type System struct {
	Getenv func(string) string
}

func (s System) ready() error {
	getenv := s.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if err := sessionBus(getenv); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

func (s System) Get(service, user string) (string, error) {
	if err := s.ready(); err != nil {
		return "", err
	}
	return gokeyring.Get(service, user)
}

func (s System) Set(service, user, secret string) error {
	if err := s.ready(); err != nil {
		return err
	}
	return gokeyring.Set(service, user, secret)
}

func (s System) Delete(service, user string) error {
	if err := s.ready(); err != nil {
		return err
	}
	return gokeyring.Delete(service, user)
}

// Keyring is a Backend with a deadline on every call.
type Keyring struct {
	Backend Backend
	Timeout time.Duration
}

// New returns the system keychain with the default deadline.
func New() *Keyring { return &Keyring{Backend: System{}, Timeout: DefaultTimeout} }

// Get reads a secret.
func (k *Keyring) Get(ctx context.Context, service, user string) (string, error) {
	var out string
	err := k.run(ctx, func() error {
		s, err := k.Backend.Get(service, user)
		out = s
		return err
	})
	return out, err
}

// Set writes a secret.
func (k *Keyring) Set(ctx context.Context, service, user, secret string) error {
	return k.run(ctx, func() error { return k.Backend.Set(service, user, secret) })
}

// Delete removes a secret; deleting a missing item returns ErrNotFound.
func (k *Keyring) Delete(ctx context.Context, service, user string) error {
	return k.run(ctx, func() error { return k.Backend.Delete(service, user) })
}

// run calls fn with a deadline. A call that times out keeps running in its
// goroutine (go-keyring cannot be interrupted), but nobody waits for it.
func (k *Keyring) run(ctx context.Context, fn func() error) error {
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-done:
		return classify(err)
	case <-t.C:
		return fmt.Errorf("%w (after %s)", ErrTimeout, timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gokeyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrUnavailable), errors.Is(err, ErrTimeout):
		return err
	}
	return fmt.Errorf("%w: %v", ErrUnavailable, err)
}

// Memory is an in-memory Backend for tests; safe for concurrent use.
type Memory struct {
	mu    sync.Mutex
	items map[string]string
}

// NewMemory returns an empty in-memory keychain.
func NewMemory() *Memory { return &Memory{items: map[string]string{}} }

func (m *Memory) lock()   { m.mu.Lock() }
func (m *Memory) unlock() { m.mu.Unlock() }

func (m *Memory) Get(service, user string) (string, error) {
	m.lock()
	defer m.unlock()
	s, ok := m.items[service+"\x00"+user]
	if !ok {
		return "", gokeyring.ErrNotFound
	}
	return s, nil
}

func (m *Memory) Set(service, user, s string) error {
	m.lock()
	defer m.unlock()
	m.items[service+"\x00"+user] = s
	return nil
}

func (m *Memory) Delete(service, user string) error {
	m.lock()
	defer m.unlock()
	if _, ok := m.items[service+"\x00"+user]; !ok {
		return gokeyring.ErrNotFound
	}
	delete(m.items, service+"\x00"+user)
	return nil
}

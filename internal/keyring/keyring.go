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
	return call(ctx, k.Timeout, func() (string, error) { return k.Backend.Get(service, user) })
}

// Set writes a secret.
func (k *Keyring) Set(ctx context.Context, service, user, secret string) error {
	_, err := call(ctx, k.Timeout, func() (struct{}, error) { return struct{}{}, k.Backend.Set(service, user, secret) })
	return err
}

// Delete removes a secret; deleting a missing item returns ErrNotFound.
func (k *Keyring) Delete(ctx context.Context, service, user string) error {
	_, err := call(ctx, k.Timeout, func() (struct{}, error) { return struct{}{}, k.Backend.Delete(service, user) })
	return err
}

// call runs fn with a deadline. A call that times out keeps running in its
// goroutine (go-keyring cannot be interrupted); its result goes into a
// buffered channel nobody reads, so nothing is shared with the caller.
func call[T any](ctx context.Context, timeout time.Duration, fn func() (T, error)) (T, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	var zero T
	select {
	case r := <-done:
		return r.v, classify(r.err)
	case <-t.C:
		return zero, fmt.Errorf("%w (after %s)", ErrTimeout, timeout)
	case <-ctx.Done():
		return zero, ctx.Err()
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

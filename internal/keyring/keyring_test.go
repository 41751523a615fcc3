package keyring

import (
	"context"
	"errors"
	"testing"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

type stuck struct{}

func (stuck) Get(string, string) (string, error) { select {} }
func (stuck) Set(string, string, string) error   { select {} }
func (stuck) Delete(string, string) error        { select {} }

type broken struct{}

func (broken) Get(string, string) (string, error) { return "", errors.New("dbus: no session") }
func (broken) Set(string, string, string) error   { return errors.New("dbus: no session") }
func (broken) Delete(string, string) error        { return gokeyring.ErrNotFound }

func TestKeyring(t *testing.T) {
	ctx := context.Background()
	k := &Keyring{Backend: NewMemory(), Timeout: time.Second}
	if _, err := k.Get(ctx, "s", "u"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing item: %v", err)
	}
	if err := k.Set(ctx, "s", "u", "v"); err != nil {
		t.Fatal(err)
	}
	if v, err := k.Get(ctx, "s", "u"); v != "v" || err != nil {
		t.Errorf("Get = %q %v", v, err)
	}
	if err := k.Delete(ctx, "s", "u"); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete(ctx, "s", "u"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}

	k = &Keyring{Backend: broken{}, Timeout: time.Second}
	if _, err := k.Get(ctx, "s", "u"); !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) {
		t.Errorf("broken keychain: %v", err)
	}
	if err := k.Delete(ctx, "s", "u"); !errors.Is(err, ErrNotFound) {
		t.Errorf("broken delete: %v", err)
	}

	k = &Keyring{Backend: stuck{}, Timeout: 50 * time.Millisecond}
	done := make(chan error, 1)
	go func() { _, err := k.Get(ctx, "s", "u"); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrTimeout) {
			t.Errorf("stuck keychain: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a stuck keychain was waited for")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := (&Keyring{Backend: stuck{}, Timeout: time.Hour}).Set(cctx, "s", "u", "v"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestSystemWithoutSessionBus(t *testing.T) {
	s := System{Getenv: func(string) string { return "" }}
	err := s.ready()
	if runtimeNeedsBus() {
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("no D-Bus session: %v", err)
		}
		if _, err := (&Keyring{Backend: s, Timeout: time.Second}).Get(context.Background(), "s", "u"); !errors.Is(err, ErrUnavailable) {
			t.Errorf("Get without a session bus: %v", err)
		}
	} else if err != nil {
		t.Errorf("unexpected: %v", err)
	}
}

//go:build darwin || windows

package keyring

// sessionBus: macOS and Windows keychains need no D-Bus.
func sessionBus(func(string) string) error { return nil }

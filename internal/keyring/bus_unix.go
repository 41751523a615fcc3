//go:build !darwin && !windows

package keyring

import (
	"errors"
	"os"
	"path/filepath"
)

// errNoSessionBus: without a D-Bus session there is no Secret Service to
// ask. Checked before go-keyring runs, because godbus would otherwise
// autolaunch a private dbus-daemon (left running afterwards) and then wait
// for a Secret Service that never comes.
var errNoSessionBus = errors.New("no D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset), so no Secret Service")

func sessionBus(getenv func(string) string) error {
	if getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return nil
	}
	if dir := getenv("XDG_RUNTIME_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
			return nil
		}
	}
	return errNoSessionBus
}

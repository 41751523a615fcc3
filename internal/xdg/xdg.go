// Package xdg locates polytomic-mcp's per-user folders: the XDG base
// directories where set, and each OS's convention otherwise. Lookups take
// getenv so that tests never touch the real home folder.
package xdg

import (
	"errors"
	"path/filepath"
	"runtime"
)

const app = "polytomic-mcp"

// ConfigDir holds non-secret settings (profiles, and the plain-text key
// only if the user chose --insecure-storage).
func ConfigDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, app), nil
	}
	switch runtime.GOOS {
	case "windows":
		if d := getenv("APPDATA"); d != "" {
			return filepath.Join(d, app), nil
		}
	case "darwin":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Application Support", app), nil
		}
	}
	return home(getenv, ".config")
}

// StateDir holds data the program keeps between runs (the feedback queue).
func StateDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, app), nil
	}
	switch runtime.GOOS {
	case "windows":
		if d := getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, app), nil
		}
	case "darwin":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Application Support", app), nil
		}
	}
	return home(getenv, filepath.Join(".local", "state"))
}

func home(getenv func(string) string, sub string) (string, error) {
	h := getenv("HOME")
	if h == "" {
		h = getenv("USERPROFILE")
	}
	if h == "" {
		return "", errors.New("cannot find the home folder: set HOME or XDG_CONFIG_HOME/XDG_STATE_HOME")
	}
	return filepath.Join(h, sub, app), nil
}

package main

import (
	"bytes"
	"errors"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestE2EExitCodes: scripts can tell a usage mistake (2) from a failure (1)
// and from Ctrl-C (130), from outside the process.
func TestE2EExitCodes(t *testing.T) {
	api := newFakePolytomic(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"no such sync"}`))
	})
	env := testEnv(t, "POLYTOMIC_API_KEY=pk_exit", "POLYTOMIC_API_URL="+api.URL)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"ok", []string{"version"}, 0, ""},
		{"flag value that does not parse", []string{"search", "--limit", "abc", "x"}, 2, "invalid argument"},
		{"unknown subcommand", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown flag", []string{"search", "--colour", "x"}, 2, "unknown flag"},
		{"unknown auth subcommand", []string{"auth", "bogus"}, 2, `unknown command "bogus"`},
		{"auth without a subcommand", []string{"auth"}, 2, "status or token"},
		{"unknown client", []string{"install", "emacs"}, 2, `unknown client "emacs"`},
		{"wrong number of arguments", []string{"call"}, 2, "arg"},
		{"bad access mode", []string{"call", "identity_get", "--access-mode", "sometimes"}, 2, "use read-only or full-access"},
		{"failed call", []string{"call", "bulkSync_get", "--param", "id=nope"}, 1, "HTTP 404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := exec.Command(builtBinary(t), tt.args...)
			c.Env = env
			var stderr bytes.Buffer
			c.Stderr = &stderr
			err := c.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			if code != tt.code || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if strings.Count(strings.ToLower(stderr.String()), "error:") > 1 {
				t.Errorf("error printed twice: %s", stderr.String())
			}
		})
	}
}

// Ctrl-C during a call ends it with 130, as shells report an interrupt.
func TestE2EInterruptedCallExits130(t *testing.T) {
	release := make(chan struct{})
	api := newFakePolytomic(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) })
	c := exec.Command(builtBinary(t), "call", "identity_get")
	c.Env = testEnv(t, "POLYTOMIC_API_KEY=pk_exit", "POLYTOMIC_API_URL="+api.URL)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); api.hits.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	c.Process.Signal(syscall.SIGINT)
	err := c.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit %v, want 130; stderr: %s", err, stderr.String())
	}
}

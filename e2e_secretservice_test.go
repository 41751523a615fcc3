//go:build secretservice

package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestSecretService runs login, serve and logout against a real Secret
// Service (gnome-keyring), as `make test-keyring` sets it up inside
// dbus-run-session. secret-tool, which reads the keyring independently of
// go-keyring, checks where the key went.
func TestSecretService(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("no D-Bus session: run this test through `make test-keyring`, which starts dbus-run-session and an unlocked gnome-keyring")
	}
	const key = "pk_good"
	api := newFakePolytomic(t, nil)
	env := testEnv(t, "DBUS_SESSION_BUS_ADDRESS="+os.Getenv("DBUS_SESSION_BUS_ADDRESS"), "POLYTOMIC_API_URL="+api.URL)

	run := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(builtBinary(t), args...)
		cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("polytomic-mcp %v: %v\nstdout: %s\nstderr: %s", args, err, out.String(), errOut.String())
		}
		if strings.Contains(out.String()+errOut.String(), key+"\n") && args[0] != "auth" {
			t.Errorf("%v printed the key", args)
		}
		return out.String()
	}
	lookup := func() (string, error) {
		out, err := exec.Command("secret-tool", "lookup", "service", "polytomic-mcp", "username", "default").Output()
		return strings.TrimSpace(string(out)), err
	}

	out := run(key+"\n", "login", "--with-key")
	if !strings.Contains(out, "stored in system keychain") {
		t.Fatalf("login: %s", out)
	}
	if got, err := lookup(); err != nil || got != key {
		t.Fatalf("secret-tool lookup after login = %q, %v", got, err)
	}

	// serve, with no key in its environment, makes an authenticated call.
	api.hits.Store(0)
	out = run(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"execute","arguments":{"operation_id":"identity_get"}}}`+"\n", "serve")
	if !strings.Contains(out, "HTTP 200") || api.hits.Load() != 1 {
		t.Fatalf("serve did not make an authenticated call: %s", out)
	}

	out = run("", "logout")
	if !strings.Contains(out, "Removed the key of profile default from system keychain") {
		t.Fatalf("logout: %s", out)
	}
	if got, err := lookup(); err == nil || got != "" {
		t.Fatalf("the item is still in the keyring after logout: %q", got)
	}
}

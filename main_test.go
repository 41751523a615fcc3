package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gokeyring "github.com/zalando/go-keyring"

	"github.com/polytomic-mcp/polytomic-mcp/cmd"
	"github.com/polytomic-mcp/polytomic-mcp/internal/keyring"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run this package's main as the polytomic-mcp
// command, in-process and with the embedded snapshot.
func TestMain(m *testing.M) {
	testscript.Main(removingBinary{m}, map[string]func(){
		"polytomic-mcp": func() {
			os.Exit(runWith(func(f *cmd.Factory) {
				f.Keychain = &keyring.Keyring{Backend: fileKeychain(os.Getenv("TEST_KEYCHAIN")), Timeout: 500 * time.Millisecond}
			}))
		},
	})
}

// removingBinary runs the tests, then removes the binary the end-to-end
// tests built, so that runs leave nothing in the temporary folder.
type removingBinary struct{ m *testing.M }

func (r removingBinary) Run() int {
	code := r.m.Run()
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	return code
}

// TestCLI runs the end-to-end CLI scripts in testdata/script. Scripts reach
// a fake Polytomic API at $FAKE_API (see fakeAPIHandler).
func TestCLI(t *testing.T) {
	api := httptest.NewServer(fakeAPIHandler())
	t.Cleanup(api.Close)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("FAKE_API", api.URL)
			// A keychain that lives in the script's work folder, so that
			// login, status and logout in separate runs see the same items.
			e.Setenv("TEST_KEYCHAIN", filepath.Join(e.WorkDir, "keychain.json"))
			// Scripts must not see a developer's real key or config.
			e.Setenv("POLYTOMIC_API_KEY", "")
			e.Setenv("XDG_CONFIG_HOME", e.WorkDir+"/config")
			e.Setenv("XDG_STATE_HOME", e.WorkDir+"/state")
			e.Setenv("HOME", e.WorkDir+"/home")
			return nil
		},
	})
}

// fakeAPIHandler is a small Polytomic API for CLI scripts. It accepts the
// keys "pk_good" (user) and "pk_partner" (partner) and echoes what it got.
func fakeAPIHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Polytomic-Version", r.Header.Get("X-Polytomic-Version"))
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if key != "pk_good" && key != "pk_partner" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"message":"invalid API key","status":401}`)
			return
		}
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.URL.Path == "/api/me":
			io.WriteString(w, `{"data":{"id":"u-1","email":"ops@example.com","organization_id":"org-1","organization_name":"Acme"}}`)
		case r.URL.Path == "/api/organizations" && key == "pk_partner":
			io.WriteString(w, `{"data":[{"id":"org-1","name":"Acme Partner"}]}`)
		case r.URL.Path == "/api/organizations":
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"partner key required"}`)
		case strings.HasPrefix(r.URL.Path, "/api/missing"):
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"no such thing"}`)
		default:
			json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{
				"method": r.Method, "path": r.URL.EscapedPath(), "query": r.URL.RawQuery, "body": string(body),
				"idempotency_key_set": r.Header.Get("Idempotency-Key") != "",
			}})
		}
	})
}

// fileKeychain is a keychain in a JSON file, for CLI scripts. The path
// "hang" makes every call block, as a wedged Secret Service does; "broken"
// makes every call fail, as when there is no D-Bus session.
type fileKeychain string

var fileKeychainMu sync.Mutex

func (f fileKeychain) load() map[string]string {
	m := map[string]string{}
	if data, err := os.ReadFile(string(f)); err == nil {
		_ = json.Unmarshal(data, &m)
	}
	return m
}

func (f fileKeychain) check() error {
	switch filepath.Base(string(f)) {
	case "hang":
		select {}
	case "broken":
		return errors.New("org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files")
	}
	return nil
}

func (f fileKeychain) Get(service, user string) (string, error) {
	if err := f.check(); err != nil {
		return "", err
	}
	fileKeychainMu.Lock()
	defer fileKeychainMu.Unlock()
	v, ok := f.load()[service+"/"+user]
	if !ok {
		return "", gokeyring.ErrNotFound
	}
	return v, nil
}

func (f fileKeychain) Set(service, user, secret string) error {
	if err := f.check(); err != nil {
		return err
	}
	fileKeychainMu.Lock()
	defer fileKeychainMu.Unlock()
	m := f.load()
	m[service+"/"+user] = secret
	data, _ := json.Marshal(m)
	return os.WriteFile(string(f), data, 0o600)
}

func (f fileKeychain) Delete(service, user string) error {
	if err := f.check(); err != nil {
		return err
	}
	fileKeychainMu.Lock()
	defer fileKeychainMu.Unlock()
	m := f.load()
	if _, ok := m[service+"/"+user]; !ok {
		return gokeyring.ErrNotFound
	}
	delete(m, service+"/"+user)
	data, _ := json.Marshal(m)
	return os.WriteFile(string(f), data, 0o600)
}

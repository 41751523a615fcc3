package main

import (
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

// TestKeyNeverLeaks drives the built binary at debug log level through a
// 401, a network error, a refused redirect and a bad call, and checks that
// the key shows up nowhere on stdout or stderr.
func TestKeyNeverLeaks(t *testing.T) {
	const secret = "pk_live_SECRET_never_print_me_9876"
	evil := newFakePolytomic(t, nil)
	api := newFakePolytomic(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/bulk/syncs":
			http.Redirect(w, r, evil.URL+"/api/bulk/syncs", http.StatusFound)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"message":"invalid key"}`)
		}
	})
	lines := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"sec","version":"1"}}}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"execute","arguments":{"operation_id":"identity_get"}}}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"execute","arguments":{"operation_id":"bulkSync_list"}}}`,
		`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"execute","arguments":{"operation_id":"bulkSync_get","params":{"id":"a/b"}}}}`,
		`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"submit_mcp_feedback","arguments":{"category":"bug","summary":"x"}}}`,
	}
	for _, apiURL := range []string{api.URL, "http://127.0.0.1:1"} {
		cmd := exec.Command(builtBinary(t), "serve", "--log-level", "debug", "--api-url", apiURL, "--feedback-url", apiURL+"/mcp")
		cmd.Env = testEnv(t, "POLYTOMIC_API_KEY="+secret)
		cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("serve: %v\n%s", err, stderr.String())
		}
		if !strings.Contains(stdout.String(), `"id":3`) {
			t.Fatalf("serve did not answer:\n%s\n%s", stdout.String(), stderr.String())
		}
		for name, out := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
			if strings.Contains(out, secret) || strings.Contains(out, secret[8:]) {
				t.Errorf("%s (api %s) contains the key:\n%s", name, apiURL, out)
			}
		}
	}
	if evil.hits.Load() != 0 {
		t.Error("the redirect target received a request")
	}
}

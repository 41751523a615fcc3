package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// builtBinary compiles polytomic-mcp once per test run, as a client would
// start it.
func builtBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "polytomic-mcp-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "polytomic-mcp")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err, string(out)}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// testEnv is a clean environment: no real key, config or state.
func testEnv(t *testing.T, extra ...string) []string {
	dir := t.TempDir()
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
	}, extra...)
}

func startClient(t *testing.T, protocol string, env []string, args ...string) *client.Client {
	t.Helper()
	tr := transport.NewStdio(builtBinary(t), env, append([]string{"serve"}, args...)...)
	if err := tr.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr, client.WithProtocolVersion(protocol))
	t.Cleanup(func() { c.Close() })
	return c
}

func TestE2EStdio(t *testing.T) {
	for _, protocol := range []string{mcp.ProtocolVersion20251125, mcp.LATEST_PROTOCOL_VERSION} {
		t.Run(protocol, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c := startClient(t, protocol, testEnv(t))
			init := mcp.InitializeRequest{}
			init.Params.ProtocolVersion = protocol
			init.Params.ClientInfo = mcp.Implementation{Name: "e2e", Version: "1"}
			res, err := c.Initialize(ctx, init)
			if err != nil {
				t.Fatalf("initialize: %v", err)
			}
			if res.ServerInfo.Name != "polytomic-mcp" || res.Capabilities.Tools == nil {
				t.Errorf("initialize result = %+v", res)
			}
			if res.ProtocolVersion != protocol {
				t.Errorf("negotiated %s, want %s", res.ProtocolVersion, protocol)
			}
			if !strings.Contains(res.Instructions, "search") {
				t.Errorf("instructions do not teach the workflow: %q", res.Instructions)
			}

			tools, err := c.ListTools(ctx, mcp.ListToolsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			for _, tool := range tools.Tools {
				names[tool.Name] = true
			}
			if !names["search"] {
				t.Fatalf("tools = %v", names)
			}

			call := func(name string, args map[string]any) *mcp.CallToolResult {
				t.Helper()
				req := mcp.CallToolRequest{}
				req.Params.Name, req.Params.Arguments = name, args
				r, err := c.CallTool(ctx, req)
				if err != nil {
					t.Fatalf("call %s: %v", name, err)
				}
				return r
			}
			text := func(r *mcp.CallToolResult) string {
				tc, _ := mcp.AsTextContent(r.Content[0])
				return tc.Text
			}

			r := call("search", map[string]any{"query": "the reverse ETL to Salesforce keeps failing, show me the last runs"})
			if r.IsError || !strings.Contains(text(r), "GET /api/syncs/{sync_id}/executions") {
				t.Errorf("search: %v %s", r.IsError, text(r))
			}
			if r.StructuredContent == nil {
				t.Error("search result has no structuredContent")
			}

			r = call("search", map[string]any{"operation": "modelSync_executions_list"})
			if r.IsError || !strings.Contains(text(r), "Response 200") {
				t.Errorf("detail: %v %.300s", r.IsError, text(r))
			}

			r = call("search", map[string]any{"query": "", "limit": 99})
			if !r.IsError {
				t.Errorf("bad call was not an error: %s", text(r))
			}

			req := mcp.CallToolRequest{}
			req.Params.Name = "no_such_tool"
			if _, err := c.CallTool(ctx, req); err == nil {
				t.Error("unknown tool: no JSON-RPC error")
			}

			// Still serving.
			r = call("search", map[string]any{"query": "list webhooks", "limit": 1})
			if r.IsError {
				t.Error(text(r))
			}
		})
	}
}

// TestE2ERawStdio feeds raw lines, including malformed ones, and checks that
// every line on stdout is a JSON-RPC message and that the server exits 0
// when stdin closes.
func TestE2ERawStdio(t *testing.T) {
	lines := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`this is not json`,
		`{"jsonrpc":"2.0","id":2,"method":"no/such/method"}`,
		"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{\"query\":\"bulk \xff\xfe syncs\"}}}",
		`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"search","arguments":{"query":"list webhooks"}}}`,
	}
	cmd := exec.Command(builtBinary(t), "serve", "--log-level", "debug")
	cmd.Env = testEnv(t)
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("serve exited with %v; stderr:\n%s", err, stderr.String())
	}
	ids := map[float64]bool{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		var msg struct {
			JSONRPC string   `json:"jsonrpc"`
			ID      *float64 `json:"id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &msg); err != nil || msg.JSONRPC != "2.0" {
			t.Errorf("stdout line is not JSON-RPC: %q", sc.Text())
		}
		if msg.ID != nil {
			ids[*msg.ID] = true
		}
	}
	for _, id := range []float64{1, 2, 3, 4} {
		if !ids[id] {
			t.Errorf("no reply to request %v; stdout:\n%s", id, out)
		}
	}
}

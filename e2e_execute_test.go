package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// fakePolytomic is the API stand-in the built binary talks to.
type fakePolytomic struct {
	*httptest.Server
	hits     atomic.Int64
	inFlight atomic.Int64
	maxSeen  atomic.Int64
	handler  func(w http.ResponseWriter, r *http.Request)
}

func newFakePolytomic(t *testing.T, h func(w http.ResponseWriter, r *http.Request)) *fakePolytomic {
	f := &fakePolytomic{handler: h}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		n := f.inFlight.Add(1)
		defer f.inFlight.Add(-1)
		for {
			m := f.maxSeen.Load()
			if n <= m || f.maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		if f.handler != nil {
			f.handler(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":{"id":"u1","email":"ops@example.com"}}`)
	}))
	t.Cleanup(f.Close)
	return f
}

func initialized(t *testing.T, env []string, args ...string) (*client.Client, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	c := startClient(t, mcp.ProtocolVersion20251125, env, args...)
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.ProtocolVersion20251125
	init.Params.ClientInfo = mcp.Implementation{Name: "e2e", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	return c, ctx
}

func callTool(ctx context.Context, c *client.Client, name string, args map[string]any) (*mcp.CallToolResult, string, error) {
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = name, args
	r, err := c.CallTool(ctx, req)
	if err != nil {
		return nil, "", err
	}
	tc, _ := mcp.AsTextContent(r.Content[0])
	return r, tc.Text, nil
}

func TestE2EExecute(t *testing.T) {
	api := newFakePolytomic(t, nil)
	c, ctx := initialized(t, testEnv(t, "POLYTOMIC_API_KEY=pk_e2e_key", "POLYTOMIC_API_URL="+api.URL, "POLYTOMIC_FEEDBACK_URL=off"))
	r, text, err := callTool(ctx, c, "execute", map[string]any{"operation_id": "identity_get"})
	if err != nil {
		t.Fatal(err)
	}
	if r.IsError || !strings.Contains(text, "HTTP 200") || !strings.Contains(text, "ops@example.com") {
		t.Errorf("execute: %v\n%s", r.IsError, text)
	}
	if r.StructuredContent == nil {
		t.Error("no structuredContent")
	}
	r, text, _ = callTool(ctx, c, "execute", map[string]any{"method": "GET", "path": "https://evil.example/api/me"})
	if !r.IsError || !strings.Contains(text, "not a URL") {
		t.Errorf("absolute URL: %s", text)
	}
	r, text, _ = callTool(ctx, c, "submit_mcp_feedback", map[string]any{"category": "friction", "summary": "e2e"})
	if r.IsError || !strings.Contains(text, "saved in") {
		t.Errorf("feedback: %s", text)
	}
}

func TestE2EReadOnlyRefusesWrites(t *testing.T) {
	api := newFakePolytomic(t, nil)
	c, ctx := initialized(t, testEnv(t, "POLYTOMIC_API_KEY=k", "POLYTOMIC_API_URL="+api.URL), "--read-only")
	tools, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range tools.Tools {
		if tool.Name == "execute" && (tool.Annotations.ReadOnlyHint == nil || !*tool.Annotations.ReadOnlyHint) {
			t.Error("read-only server does not advertise execute as read-only")
		}
		if tool.Name == "execute_write" {
			t.Error("read-only server lists execute_write")
		}
	}
	if r, text, err := callTool(ctx, c, "execute_write", map[string]any{"operation_id": "bulkSync_cancel", "params": map[string]any{"id": "s1"}}); err == nil && !r.IsError {
		t.Errorf("execute_write answered in read-only mode: %s", text)
	}
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		r, text, err := callTool(ctx, c, "execute", map[string]any{"method": m, "path": "/api/bulk/syncs/x", "body": map[string]any{}})
		if err != nil {
			t.Fatal(err)
		}
		if !r.IsError || !strings.Contains(text, "read-only") {
			t.Errorf("%s: %s", m, text)
		}
	}
	if n := api.hits.Load(); n != 0 {
		t.Errorf("%d requests reached the API in read-only mode", n)
	}
}

// Reads and writes are separate tools: a write sent to execute is refused
// before any I/O and names execute_write, which sends it exactly once.
func TestE2EReadWriteTools(t *testing.T) {
	api := newFakePolytomic(t, nil)
	c, ctx := initialized(t, testEnv(t, "POLYTOMIC_API_KEY=k", "POLYTOMIC_API_URL="+api.URL, "POLYTOMIC_ACCESS_MODE=full-access"))
	tools, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	hints := map[string][2]bool{}
	for _, tool := range tools.Tools {
		if tool.Annotations.ReadOnlyHint != nil && tool.Annotations.DestructiveHint != nil {
			hints[tool.Name] = [2]bool{*tool.Annotations.ReadOnlyHint, *tool.Annotations.DestructiveHint}
		}
	}
	if hints["execute"] != [2]bool{true, false} || hints["execute_write"] != [2]bool{false, true} {
		t.Errorf("readOnly/destructive hints: %v", hints)
	}
	args := map[string]any{"operation_id": "bulkSync_cancel", "params": map[string]any{"id": "s1"}}
	r, text, err := callTool(ctx, c, "execute", args)
	if err != nil || !r.IsError || !strings.Contains(text, "execute_write") {
		t.Fatalf("POST through execute: %v %s", err, text)
	}
	if n := api.hits.Load(); n != 0 {
		t.Fatalf("%d requests reached the API from a write sent to execute", n)
	}
	r, text, err = callTool(ctx, c, "execute_write", args)
	if err != nil || r.IsError {
		t.Fatalf("POST through execute_write: %v %s", err, text)
	}
	if n := api.hits.Load(); n != 1 {
		t.Errorf("%d requests for one write, want 1", n)
	}
}

func TestE2ENoKey(t *testing.T) {
	c, ctx := initialized(t, testEnv(t))
	r, text, err := callTool(ctx, c, "execute", map[string]any{"operation_id": "identity_get"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.IsError || !strings.Contains(text, "polytomic-mcp login") {
		t.Errorf("no key: %s", text)
	}
	if r, _, _ := callTool(ctx, c, "search", map[string]any{"query": "who am I"}); r.IsError {
		t.Error("search fails without a key")
	}
}

// Tool calls are served concurrently: 20 calls to an API that holds each
// request until all 20 have arrived complete only if none waits for another.
func TestE2EConcurrentCalls(t *testing.T) {
	const n = 20
	var arrived sync.WaitGroup
	arrived.Add(n)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	api := newFakePolytomic(t, func(w http.ResponseWriter, r *http.Request) {
		arrived.Done()
		select {
		case <-all:
		case <-time.After(20 * time.Second):
			w.WriteHeader(http.StatusGatewayTimeout)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"echo": r.URL.Path}})
	})
	c, ctx := initialized(t, testEnv(t, "POLYTOMIC_API_KEY=k", "POLYTOMIC_API_URL="+api.URL))
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := strings.Repeat("x", i+1)
			r, text, err := callTool(ctx, c, "execute", map[string]any{"operation_id": "bulkSync_get", "params": map[string]any{"id": id}})
			switch {
			case err != nil:
				errs <- err.Error()
			case r.IsError:
				errs <- text
			case !strings.Contains(text, `"/api/bulk/syncs/`+id+`"`):
				errs <- "reply mixed up: " + text
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if m := api.maxSeen.Load(); m != n {
		t.Errorf("at most %d calls were in flight together, want %d", m, n)
	}
}

// A client's notifications/cancelled aborts the HTTP request.
func TestE2ECancel(t *testing.T) {
	gone := make(chan struct{})
	api := newFakePolytomic(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // held until the server hangs up
		close(gone)
	})
	c, ctx := initialized(t, testEnv(t, "POLYTOMIC_API_KEY=k", "POLYTOMIC_API_URL="+api.URL))
	callCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, _, err := callTool(callCtx, c, "execute", map[string]any{"operation_id": "identity_get"})
		done <- err
	}()
	for api.hits.Load() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-gone:
	case <-time.After(10 * time.Second):
		t.Fatal("the API request was not aborted after the client cancelled")
	}
	<-done
	// The server still serves.
	if r, _, err := callTool(ctx, c, "search", map[string]any{"query": "list webhooks"}); err != nil || r.IsError {
		t.Errorf("after cancel: %v", err)
	}
}

// Claude Desktop passes "${user_config.x}" for a blank optional field: the
// server treats it as unset, so it starts with the default API URL and
// never sends the placeholder as a key.
func TestE2EUnfilledBundleFields(t *testing.T) {
	api := newFakePolytomic(t, nil)
	c, ctx := initialized(t, testEnv(t, "POLYTOMIC_API_KEY=${user_config.api_key}", "POLYTOMIC_API_URL=${user_config.api_url}",
		"POLYTOMIC_READ_ONLY=${user_config.read_only}", "POLYTOMIC_FEEDBACK_URL=off"))
	r, text, err := callTool(ctx, c, "execute", map[string]any{"operation_id": "identity_get"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.IsError || !strings.Contains(text, "no API key") {
		t.Errorf("want the no-key error, got %s", text)
	}
	if n := api.hits.Load(); n != 0 {
		t.Errorf("%d requests", n)
	}
}

package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/server"

	"github.com/polytomic-mcp/polytomic-mcp/internal/testspec"
	"github.com/polytomic-mcp/polytomic-mcp/proxy"
	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden (tool snapshots in testdata/golden/toolsnaps)")

func embeddedIndex(t testing.TB) *spec.Index {
	t.Helper()
	ix, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func miniIndex(t testing.TB) *spec.Index { return testspec.Mini(t) }

func newServer(t testing.TB, ix *spec.Index, readOnly bool) *server.MCPServer {
	return proxy.NewServer(proxy.Options{
		Version:  "test",
		Index:    func() (*spec.Index, error) { return ix, nil },
		ReadOnly: readOnly,
	})
}

// rpc sends one JSON-RPC message to the server and returns the raw reply.
func rpc(t testing.TB, s *server.MCPServer, msg string) []byte {
	t.Helper()
	reply := s.HandleMessage(context.Background(), json.RawMessage(msg))
	out, err := json.Marshal(reply)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./proxy -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file; if the change is intended run: go test ./proxy -update\n got: %s", name, got)
	}
}

// toolsList returns the tools/list result, raw, and its tools by name.
func toolsList(t *testing.T, readOnly bool) ([]byte, map[string]json.RawMessage) {
	t.Helper()
	s := newServer(t, miniIndex(t), readOnly)
	raw := rpc(t, s, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
	var v struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Tools []json.RawMessage `json:"tools"`
	}
	if err := json.Unmarshal(v.Result, &list); err != nil {
		t.Fatal(err)
	}
	byName := map[string]json.RawMessage{}
	for _, tool := range list.Tools {
		var n struct{ Name string }
		_ = json.Unmarshal(tool, &n)
		byName[n.Name] = tool
	}
	return v.Result, byName
}

// TestToolSnapshots keeps one golden file per tool (as github-mcp-server's
// toolsnaps): a changed description, schema or limit shows up in review.
func TestToolSnapshots(t *testing.T) {
	result, tools := toolsList(t, false)
	want := []string{proxy.ToolSearch, proxy.ToolExecute, proxy.ToolExecuteWrite, proxy.ToolFeedback}
	if len(tools) != len(want) {
		t.Errorf("%d tools, want %v", len(tools), want)
	}
	for _, name := range want {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, tools[name], "", "  "); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pretty.WriteByte('\n')
		golden(t, filepath.Join("toolsnaps", name+".json"), pretty.Bytes())
	}
	// Every client loads the tool list into the model's context each session.
	if n := len(result); n > 4000 {
		t.Errorf("tools/list result is %d bytes, budget 4000", n)
	}
}

// In read-only mode the write tool is not offered at all.
func TestToolsListReadOnly(t *testing.T) {
	_, tools := toolsList(t, true)
	if _, ok := tools[proxy.ToolExecuteWrite]; ok || tools[proxy.ToolExecute] == nil {
		t.Errorf("read-only tools: %v", keys(tools))
	}
}

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// callText calls a tool and returns its text and whether it is an error.
func callText(t *testing.T, s *server.MCPServer, tool string, args any) (string, bool, map[string]any) {
	t.Helper()
	a, _ := json.Marshal(args)
	raw := rpc(t, s, `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"`+tool+`","arguments":`+string(a)+`}}`)
	var v struct {
		Result struct {
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
			IsError    bool           `json:"isError"`
			Structured map[string]any `json:"structuredContent"`
		} `json:"result"`
		Error *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if v.Error != nil {
		t.Fatalf("JSON-RPC error: %s", v.Error.Message)
	}
	if len(v.Result.Content) == 0 {
		t.Fatalf("no content: %s", raw)
	}
	return v.Result.Content[0].Text, v.Result.IsError, v.Result.Structured
}

func TestSearchToolBadInput(t *testing.T) {
	s := newServer(t, embeddedIndex(t), false)
	tests := []struct {
		name string
		args any
		want string
	}{
		{"empty query", map[string]any{"query": ""}, "query is empty"},
		{"whitespace", map[string]any{"query": " \t\n"}, "query is empty"},
		{"limit zero", map[string]any{"query": "syncs", "limit": 0}, "limit must be between 1 and 20"},
		{"limit 21", map[string]any{"query": "syncs", "limit": 21}, "limit must be between 1 and 20"},
		{"limit fraction", map[string]any{"query": "syncs", "limit": 1.5}, "limit must be an integer"},
		{"limit string", map[string]any{"query": "syncs", "limit": "5"}, "limit must be an integer, got a string"},
		{"query number", map[string]any{"query": 42}, "query must be a string, got a number"},
		{"bad method", map[string]any{"query": "syncs", "method": "FETCH"}, "method must be one of"},
		{"unknown argument", map[string]any{"q": "syncs"}, `unknown argument "q"`},
		{"arguments array", []any{"syncs"}, "arguments must be a JSON object"},
		{"huge query", map[string]any{"query": strings.Repeat("sync ", 200000)}, "keep it under 2000"},
		{"unknown operation", map[string]any{"operation": "bulkSync_lst"}, "nearest: bulkSync_list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, isErr, _ := callText(t, s, "search", tt.args)
			if !isErr || !strings.Contains(text, tt.want) {
				t.Errorf("got isError=%v %q, want error containing %q", isErr, text, tt.want)
			}
		})
	}
	// The server still answers after all of that.
	if text, isErr, _ := callText(t, s, "search", map[string]any{"query": "list bulk syncs"}); isErr || !strings.Contains(text, "GET /api/bulk/syncs") {
		t.Errorf("valid search after bad ones: %v %q", isErr, text)
	}
}

func TestSearchToolResults(t *testing.T) {
	s := newServer(t, embeddedIndex(t), true)
	text, isErr, st := callText(t, s, "search", map[string]any{"query": "create a bulk sync", "limit": 5})
	if isErr {
		t.Fatal(text)
	}
	if len(text) > 6000 {
		t.Errorf("5-result text is %d bytes, budget 6000", len(text))
	}
	results, _ := st["results"].([]any)
	if len(results) != 5 {
		t.Fatalf("structured results = %d", len(results))
	}
	first := results[0].(map[string]any)
	for _, k := range []string{"operation_id", "method", "path", "summary", "description", "tool", "read_only_allowed"} {
		if _, ok := first[k]; !ok {
			t.Errorf("result lacks %s: %v", k, first)
		}
	}
	if first["operation_id"] != "bulkSync_create" || first["read_only_allowed"] != false {
		t.Errorf("first = %v", first)
	}
	if !strings.Contains(text, "BLOCKED: this server is in read-only mode") {
		t.Errorf("read-only server does not mark writes as blocked:\n%s", text)
	}
	body := first["body"].(map[string]any)
	if !strings.Contains(body["detail"].(string), "search operation=bulkSync_create") {
		t.Errorf("nested body fields lack a pointer to detail mode: %v", body)
	}

	// Paged lists say how to page.
	text, _, _ = callText(t, s, "search", map[string]any{"query": "list bulk sync executions", "limit": 1})
	if !strings.Contains(text, "page_token set to the response's pagination.next_page_token") {
		t.Errorf("no paging hint:\n%s", text)
	}
	// Partner endpoints say they need a partner key.
	text, _, _ = callText(t, s, "search", map[string]any{"query": "list organizations", "limit": 1, "method": "GET"})
	if !strings.Contains(text, "needs a partner API key") {
		t.Errorf("no partner marker:\n%s", text)
	}
}

func TestSearchToolDetail(t *testing.T) {
	s := newServer(t, embeddedIndex(t), false)
	for _, ref := range []string{"bulkSync_create", "POST /api/bulk/syncs", "post /api/bulk/syncs/"} {
		text, isErr, st := callText(t, s, "search", map[string]any{"operation": ref})
		if isErr {
			t.Fatalf("%s: %s", ref, text)
		}
		op := st["operation"].(map[string]any)
		if op["operation_id"] != "bulkSync_create" || op["request_body"] == nil || op["responses"] == nil {
			t.Errorf("%s: detail = %v", ref, op)
		}
		if !strings.Contains(text, "Request body") || !strings.Contains(text, "Response 200") {
			t.Errorf("%s: detail text lacks schemas:\n%.500s", ref, text)
		}
	}
	// JsonschemaSchema refers to itself; detail must still terminate.
	text, isErr, _ := callText(t, s, "search", map[string]any{"operation": "connections_getConnectionTypeSchema"})
	if isErr || len(text) == 0 {
		t.Fatalf("detail of a self-referencing schema: %v %.200s", isErr, text)
	}
}

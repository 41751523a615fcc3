package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// session drives one server process line by line.
type session struct {
	t   *testing.T
	in  io.WriteCloser
	out *bufio.Reader
	cmd *exec.Cmd
}

func startSession(t *testing.T, env []string, args ...string) *session {
	t.Helper()
	cmd := exec.Command(builtBinary(t), append([]string{"serve"}, args...)...)
	cmd.Env = env
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, in: in, out: bufio.NewReaderSize(out, 1<<20), cmd: cmd}
	t.Cleanup(func() { in.Close(); cmd.Wait() })
	s.roundTrip(`{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"catalogue","version":"1"}}}`, `"init"`)
	return s
}

// roundTrip writes a line and returns the reply whose id is wantID (JSON).
func (s *session) roundTrip(line, wantID string) map[string]json.RawMessage {
	s.t.Helper()
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		s.t.Fatal(err)
	}
	type res struct {
		msg map[string]json.RawMessage
		err error
	}
	ch := make(chan res, 1)
	go func() {
		for {
			l, err := s.out.ReadBytes('\n')
			if err != nil {
				ch <- res{nil, err}
				return
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(l, &m); err != nil || string(m["jsonrpc"]) != `"2.0"` {
				ch <- res{nil, fmt.Errorf("stdout line is not JSON-RPC: %.200q", l)}
				return
			}
			if string(m["id"]) == wantID {
				ch <- res{m, nil}
				return
			}
		}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			s.t.Fatal(r.err)
		}
		return r.msg
	case <-time.After(30 * time.Second):
		s.t.Fatalf("no reply with id %s", wantID)
	}
	return nil
}

type outcome struct {
	rpcCode   int    // a JSON-RPC error code, or 0
	toolError string // a tool error containing this, or ""
	result    string // a successful tool result containing this, or ""
}

func call(id int, tool string, args string) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":%q,"arguments":%s}}`, id, tool, args)
}

func checkOutcome(t *testing.T, name string, reply map[string]json.RawMessage, want outcome) {
	t.Helper()
	var errObj struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	var result struct {
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
		IsError bool `json:"isError"`
	}
	_ = json.Unmarshal(reply["error"], &errObj)
	_ = json.Unmarshal(reply["result"], &result)
	text := ""
	if len(result.Content) > 0 {
		text = result.Content[0].Text
	}
	switch {
	case want.rpcCode != 0:
		if errObj.Code != want.rpcCode {
			t.Errorf("%s: want JSON-RPC error %d, got error %+v result %.200q", name, want.rpcCode, errObj, text)
		}
	case want.toolError != "":
		if !result.IsError || !strings.Contains(text, want.toolError) {
			t.Errorf("%s: want a tool error containing %q, got isError=%v %.300q (rpc error %+v)", name, want.toolError, result.IsError, text, errObj)
		}
	default:
		if result.IsError || reply["error"] != nil || !strings.Contains(text, want.result) {
			t.Errorf("%s: want a result containing %q, got isError=%v %.300q (rpc error %+v)", name, want.result, result.IsError, text, errObj)
		}
	}
}

// TestBadInputCatalogue sends each malformed or hostile input to the built
// binary and checks the exact outcome, then that the server still answers.
func TestBadInputCatalogue(t *testing.T) {
	var mu sync.Mutex
	var seen []*http.Request
	api := newFakePolytomic(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Clone(r.Context()))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"data":{"raw_query":%q}}`, r.URL.RawQuery)
	})
	s := startSession(t, testEnv(t, "POLYTOMIC_API_KEY=k", "POLYTOMIC_API_URL="+api.URL, "POLYTOMIC_FEEDBACK_URL=off"))
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	cases := []struct {
		name string
		line string
		want outcome
	}{
		{"not JSON", `this is not json`, outcome{rpcCode: -32700}},
		{"truncated JSON", `{"jsonrpc":"2.0","id":1,"method":`, outcome{rpcCode: -32700}},
		{"no jsonrpc field", `{"id":1,"method":"ping"}`, outcome{rpcCode: -32600}},
		{"wrong jsonrpc version", `{"jsonrpc":"1.0","id":1,"method":"ping"}`, outcome{rpcCode: -32600}},
		{"unknown method", `{"jsonrpc":"2.0","id":1,"method":"no/such/method"}`, outcome{rpcCode: -32601}},
		{"deeply nested JSON", deep, outcome{rpcCode: -32700}},
		{"unknown tool", call(1, "no_such_tool", `{}`), outcome{rpcCode: -32602}},
		{"tools/call without params", `{"jsonrpc":"2.0","id":1,"method":"tools/call"}`, outcome{rpcCode: -32602}},
		{"arguments not an object", call(1, "search", `["list syncs"]`), outcome{toolError: "arguments must be a JSON object"}},
		{"unknown argument", call(1, "search", `{"q":"syncs"}`), outcome{toolError: `unknown argument "q"`}},
		{"search without query: the catalogue", call(1, "search", `{}`), outcome{result: "webhooks_enable"}},
		{"search with an empty query", call(1, "search", `{"query":"  "}`), outcome{toolError: "query is empty"}},
		{"search query wrong type", call(1, "search", `{"query":42}`), outcome{toolError: "query must be a string, got a number"}},
		{"search limit wrong type", call(1, "search", `{"query":"syncs","limit":"5"}`), outcome{toolError: "limit must be an integer, got a string"}},
		{"search limit out of range", call(1, "search", `{"query":"syncs","limit":500}`), outcome{toolError: "limit must be between 1 and 20"}},
		{"10 MB line, over the 4 MB limit", call(1, "search", `{"query":"`+strings.Repeat("a", 10<<20)+`"}`), outcome{rpcCode: -32700}},
		{"3 MB query", call(1, "search", `{"query":"`+strings.Repeat("a", 3<<20)+`"}`), outcome{toolError: "keep it under 2000"}},
		{"invalid UTF-8 in a query", call(1, "search", "{\"query\":\"list bulk \xff\xfe syncs\"}"), outcome{result: "GET /api/bulk/syncs"}},
		{"NUL in a query", call(1, "search", `{"query":"list\u0000 webhooks"}`), outcome{result: "GET /api/webhooks"}},
		{"unknown detail operation", call(1, "search", `{"operation":"bulkSync_lsit"}`), outcome{toolError: "nearest: bulkSync_list"}},
		{"execute with nothing", call(1, "execute", `{}`), outcome{toolError: "name the call"}},
		{"execute params wrong type", call(1, "execute", `{"operation_id":"bulkSync_get","params":"id=1"}`), outcome{toolError: "params must be an object, got a string"}},
		{"unknown operation_id", call(1, "execute", `{"operation_id":"bulkSync_explode"}`), outcome{toolError: `unknown operation_id "bulkSync_explode"; nearest:`}},
		{"../ in a path param", call(1, "execute", `{"operation_id":"bulkSync_get","params":{"id":"../../admin"}}`), outcome{toolError: "must not be . or contain .."}},
		{"%2e%2e in a path param", call(1, "execute", `{"operation_id":"bulkSync_get","params":{"id":"%2e%2e"}}`), outcome{toolError: "encoded dots or slashes"}},
		{"%2e%2e in a concrete path", call(1, "execute", `{"method":"GET","path":"/api/bulk/syncs/%2e%2e/executions"}`), outcome{toolError: "must not contain"}},
		{"//host path", call(1, "execute", `{"method":"GET","path":"//evil.example/api/me"}`), outcome{toolError: "not a URL"}},
		{"absolute URL", call(1, "execute", `{"method":"GET","path":"http://evil.example/api/me"}`), outcome{toolError: "not a URL"}},
		{"CRLF in a path param", call(1, "execute", `{"operation_id":"bulkSync_get","params":{"id":"x\r\nX-Evil: 1"}}`), outcome{toolError: "control character"}},
		{"CRLF in the idempotency key", call(1, "execute_write", `{"operation_id":"bulkSync_cancel","params":{"id":"s1"},"idempotency_key":"k\r\nX-Evil: 1"}`), outcome{toolError: "idempotency_key must be printable ASCII"}},
		{"CRLF in a query value is sent encoded", call(1, "execute", `{"operation_id":"bulkSync_list","params":{"active":"true\r\nX-Evil: 1"}}`), outcome{result: `active=true%0D%0AX-Evil%3A+1`}},
		{"path outside /api/", call(1, "execute", `{"method":"GET","path":"/admin/users"}`), outcome{toolError: "must start with /api/"}},
		{"path with ?", call(1, "execute", `{"method":"GET","path":"/api/bulk/syncs?x=1"}`), outcome{toolError: "must not contain ? or #"}},
		{"unlisted path", call(1, "execute", `{"method":"GET","path":"/api/brand/new"}`), outcome{toolError: "not in the API snapshot"}},
		{"missing path param", call(1, "execute", `{"operation_id":"bulkSync_get"}`), outcome{toolError: `missing path parameter "id"`}},
		{"unknown query param", call(1, "execute", `{"operation_id":"bulkSync_list","params":{"colour":"red"}}`), outcome{toolError: `unknown parameter "colour"`}},
		{"body on GET", call(1, "execute", `{"operation_id":"bulkSync_list","body":{"x":1}}`), outcome{toolError: `unknown argument "body"`}},
		{"write through execute", call(1, "execute", `{"operation_id":"bulkSync_cancel","params":{"id":"s1"}}`), outcome{toolError: "call execute_write with the same arguments"}},
		{"write with a body through execute", call(1, "execute", `{"method":"POST","path":"/api/bulk/syncs","body":{"name":"x"}}`), outcome{toolError: "call execute_write"}},
		{"read through execute_write", call(1, "execute_write", `{"operation_id":"bulkSync_list"}`), outcome{toolError: "GET only reads: call execute"}},
		{". as a path param", call(1, "execute_write", `{"method":"DELETE","path":"/api/bulk/syncs/{id}","path_params":{"id":"."}}`), outcome{toolError: "must not be ."}},
		{". segment in a concrete path", call(1, "execute_write", `{"method":"POST","path":"/api/bulk/syncs/./activate","body":{"active":true}}`), outcome{toolError: ". or .. segments"}},
		{"organization_id outside partner mode", call(1, "execute", `{"operation_id":"identity_get","organization_id":" "}`), outcome{toolError: "applies only in partner mode"}},
		{"NUL in method", call(1, "execute", `{"method":"GET\u0000","path":"/api/me"}`), outcome{toolError: `got "GET\x00"`}},
		{"bad method", call(1, "execute", `{"method":"TRACE","path":"/api/me"}`), outcome{toolError: "method must be GET, POST, PUT, PATCH or DELETE"}},
		{"max_pages out of range", call(1, "execute", `{"operation_id":"bulkSync_list","max_pages":1000}`), outcome{toolError: "max_pages must be between"}},
		{"filter with control characters", call(1, "execute", `{"operation_id":"bulkSync_list","response_filter":"data\u0007"}`), outcome{toolError: "control characters"}},
		{"feedback without summary", call(1, "submit_mcp_feedback", `{"category":"bug"}`), outcome{toolError: "summary is required"}},
		{"feedback bad category", call(1, "submit_mcp_feedback", `{"category":"rant","summary":"x"}`), outcome{toolError: "category must be one of"}},
	}
	if len(cases) < 30 {
		t.Fatalf("the catalogue has %d cases; keep at least 30", len(cases))
	}
	for i, c := range cases {
		id := "1"
		if c.want.rpcCode != -32700 && strings.Contains(c.line, `"id":1`) {
			c.line = strings.Replace(c.line, `"id":1`, fmt.Sprintf(`"id":%d`, 100+i), 1)
			id = fmt.Sprint(100 + i)
		} else {
			id = "null"
		}
		checkOutcome(t, c.name, s.roundTrip(c.line, id), c.want)
		// The server still answers a valid call.
		after := fmt.Sprintf(`"after-%d"`, i)
		if r := s.roundTrip(`{"jsonrpc":"2.0","id":`+after+`,"method":"ping"}`, after); r["result"] == nil {
			t.Fatalf("no answer to a ping after %q", c.name)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 {
		t.Errorf("%d requests reached the API; only the encoded-CRLF query should have", len(seen))
	}
	for _, r := range seen {
		if r.Header.Get("X-Evil") != "" {
			t.Error("a header was injected")
		}
	}
}

// In read-only mode every write method is refused and nothing reaches the
// API.
func TestBadInputReadOnlyWrites(t *testing.T) {
	api := newFakePolytomic(t, nil)
	s := startSession(t, testEnv(t, "POLYTOMIC_API_KEY=k", "POLYTOMIC_API_URL="+api.URL), "--read-only")
	writes := []string{
		`{"operation_id":"bulkSync_create","body":{"name":"x"}}`,
		`{"operation_id":"bulkSync_update","params":{"id":"s1"},"body":{}}`,
		`{"operation_id":"bulkSync_schemas_patch","params":{"id":"s1"},"body":{}}`,
		`{"operation_id":"bulkSync_delete","params":{"id":"s1"}}`,
		`{"method":"POST","path":"/api/bulk/syncs/s1/activate","body":{"active":false}}`,
		`{"method":"PUT","path":"/api/webhooks/w1","body":{}}`,
		`{"method":"PATCH","path":"/api/bulk/syncs/s1/schemas","body":{}}`,
		`{"method":"DELETE","path":"/api/webhooks/w1"}`,
	}
	for i, w := range writes {
		id := fmt.Sprint(200 + i)
		checkOutcome(t, w, s.roundTrip(call(200+i, "execute", w), id), outcome{toolError: "refused in read-only mode"})
	}
	if n := api.hits.Load(); n != 0 {
		t.Errorf("%d requests reached the API in read-only mode", n)
	}
}

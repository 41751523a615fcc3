package proxy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polytomic-mcp/polytomic-mcp/proxy"
	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// replyBudget is what one 5-result search reply may cost an agent's
// context, the whole JSON-RPC message with text and structured content.
const replyBudget = 6000

// evalQueries reads the queries of the evaluation sets an engineer may
// look at: the dev set (SEARCH_EVAL overrides its path), the hold-out set
// and the tuning set. The frozen set is never read here.
func evalQueries(t *testing.T) []string {
	t.Helper()
	dev := os.Getenv("SEARCH_EVAL")
	if dev == "" {
		dev = filepath.Join("..", "..", "shared", "eval", "search-dev.jsonl")
	}
	var queries []string
	for _, path := range []string{dev, filepath.Join("..", "testdata", "search", "holdout.jsonl"), filepath.Join("..", "testdata", "search", "u1.jsonl")} {
		f, err := os.Open(path)
		if os.IsNotExist(err) && strings.HasSuffix(path, "u1.jsonl") {
			continue // the tuning set lands after the others
		}
		if err != nil {
			t.Fatalf("%v (the dev set comes from ../shared beside the repository; SEARCH_EVAL names another path)", err)
		}
		cases, err := spec.ReadEvalCases(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			queries = append(queries, c.Query)
		}
	}
	return queries
}

// TestSearchReplySize: the whole 5-result reply stays within the budget for
// every query of the evaluation sets.
func TestSearchReplySize(t *testing.T) {
	s := newServer(t, embeddedIndex(t), false)
	for _, q := range evalQueries(t) {
		a, _ := json.Marshal(map[string]any{"query": q, "limit": 5})
		reply := rpc(t, s, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":`+string(a)+`}}`)
		if len(reply) > replyBudget {
			t.Errorf("%q: reply is %d bytes, budget %d", q, len(reply), replyBudget)
		}
	}
}

// TestSearchCatalog: a search with neither query nor operation lists every
// operation once, grouped by resource, and the whole tool result (one text
// copy, no structured duplicate) stays within 10,000 bytes.
func TestSearchCatalog(t *testing.T) {
	ix := embeddedIndex(t)
	s := newServer(t, ix, false)
	reply := rpc(t, s, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":{}}}`)
	var v struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(reply, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Result) > 10000 {
		t.Errorf("catalogue result is %d bytes, budget 10000", len(v.Result))
	}
	text, isErr, _ := callText(t, s, "search", map[string]any{})
	if isErr {
		t.Fatalf("catalogue is an error: %s", text)
	}
	for _, op := range ix.API().Operations {
		if n := strings.Count(text, " "+op.ID+" "); n != 1 {
			t.Errorf("%s listed %d times in the catalogue", op.ID, n)
		}
	}
	resp, err := proxy.Search(ix, proxy.SearchRequest{Catalog: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range resp.Catalog {
		n += len(g.Operations)
	}
	if n != len(ix.API().Operations) {
		t.Errorf("structured catalogue (search --catalog --json) lists %d operations, want %d", n, len(ix.API().Operations))
	}
}

// TestSearchActionable: results name the tool that runs them, where path
// parameters come from, and what to look at next.
func TestSearchActionable(t *testing.T) {
	ix := embeddedIndex(t)
	resp, err := proxy.Search(ix, proxy.SearchRequest{Operation: "modelSync_executions_list"})
	if err != nil {
		t.Fatal(err)
	}
	d := resp.Operation
	if d.Tool != proxy.ToolExecute {
		t.Errorf("tool = %q, want %s", d.Tool, proxy.ToolExecute)
	}
	from := map[string]string{}
	for _, p := range d.Parameters {
		from[p.Name] = p.From
	}
	if from["sync_id"] != "modelSync_list" {
		t.Errorf("sync_id from %q, want modelSync_list", from["sync_id"])
	}
	if !strings.Contains(proxy.RenderSearchText(resp, proxy.TextOptions{}), "sync_id* string in path (ids from modelSync_list)") {
		t.Errorf("text does not say where sync_id comes from")
	}
	if !contains(d.SeeAlso, "modelSync_executions_get") {
		t.Errorf("see_also = %v, want the description's modelSync_executions_get", d.SeeAlso)
	}
	if strings.Contains(d.FullDescription, "](../") {
		t.Errorf("detail keeps relative documentation links")
	}

	resp, err = proxy.Search(ix, proxy.SearchRequest{Operation: "modelSync_cancel"})
	if err != nil {
		t.Fatal(err)
	}
	if d := resp.Operation; d.Tool != proxy.ToolExecuteWrite || !contains(d.SeeAlso, "modelSync_executions_cancel") {
		t.Errorf("modelSync_cancel: tool %q see_also %v", d.Tool, d.SeeAlso)
	}
}

// TestSearchCloseCall: near-tied results are flagged, in JSON and in text.
func TestSearchCloseCall(t *testing.T) {
	ix := embeddedIndex(t)
	for _, q := range []string{"cancel", "list bulk syncs"} {
		resp, err := proxy.Search(ix, proxy.SearchRequest{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		hits := ix.Search(q, spec.SearchOptions{Limit: 5})
		want := spec.CloseCall(hits)
		if resp.CloseCall != want {
			t.Errorf("%q: close_call %v, want %v", q, resp.CloseCall, want)
		}
		data, _ := json.Marshal(resp)
		text := proxy.RenderSearchText(resp, proxy.TextOptions{})
		if got := strings.Contains(string(data), `"close_call":true`); got != want {
			t.Errorf("%q: JSON close_call %v, want %v", q, got, want)
		}
		if got := strings.HasPrefix(text, "Close call"); got != want {
			t.Errorf("%q: text close call %v, want %v", q, got, want)
		}
	}
	if !spec.CloseCall(ix.Search("cancel", spec.SearchOptions{Limit: 5})) {
		t.Errorf("a bare \"cancel\" is not a close call")
	}
	// With one result asked for, a near-tie is still reported.
	resp, err := proxy.Search(ix, proxy.SearchRequest{Query: "cancel", Limit: 1})
	if err != nil || len(resp.Results) != 1 || !resp.CloseCall {
		t.Errorf("limit 1: %d results, close_call %v, %v", len(resp.Results), resp.CloseCall, err)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

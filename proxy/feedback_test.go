package proxy

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/polytomic-mcp/polytomic-mcp/internal/testapi"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// hostedFeedback is a local mcp-go Streamable HTTP server standing in for
// the hosted Polytomic MCP server's submit_mcp_feedback tool.
type hostedFeedback struct {
	*httptest.Server
	mu       sync.Mutex
	got      []map[string]any
	auth     []string
	failNext bool
}

func newHostedFeedback(t *testing.T) *hostedFeedback {
	h := &hostedFeedback{}
	s := server.NewMCPServer("hosted", "1")
	s.AddTool(mcp.NewTool("submit_mcp_feedback"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.failNext {
			h.failNext = false
			return mcp.NewToolResultError("temporarily unavailable"), nil
		}
		h.got = append(h.got, req.GetArguments())
		h.auth = append(h.auth, req.Header.Get("Authorization"))
		return mcp.NewToolResultText("thanks"), nil
	})
	h.Server = httptest.NewServer(server.NewStreamableHTTPServer(s))
	t.Cleanup(h.Close)
	return h
}

func (h *hostedFeedback) received() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.got...)
}

func queueLines(t *testing.T, path string) []FeedbackEntry {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []FeedbackEntry
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if l == "" {
			continue
		}
		var e FeedbackEntry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestFeedbackDeliveredQueuedRetried(t *testing.T) {
	hosted := newHostedFeedback(t)
	dir := t.TempDir()
	fb := &Feedback{QueuePath: filepath.Join(dir, "state", "feedback.jsonl"), URL: hosted.URL, Keys: testapi.Keys{Key: testapi.Key}, Version: "test"}
	ctx := context.Background()

	// Delivered.
	res, err := fb.Submit(ctx, FeedbackEntry{Category: "bug", Summary: "search missed the schedules call", Tool: "search"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "delivered" || res.Pending != 0 || len(hosted.received()) != 1 {
		t.Fatalf("first: %+v, hosted got %d", res, len(hosted.received()))
	}
	if got := hosted.received()[0]; got["summary"] != "search missed the schedules call" || got["tool"] != "search" {
		t.Errorf("forwarded %v", got)
	}
	if hosted.auth[0] != "Bearer "+testapi.Key {
		t.Errorf("forwarded without the bearer key: %q", hosted.auth[0])
	}
	if st, err := os.Stat(fb.QueuePath); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("queue file mode: %v %v", st, err)
	}

	// Queued: the endpoint refuses.
	hosted.mu.Lock()
	hosted.failNext = true
	hosted.mu.Unlock()
	res, err = fb.Submit(ctx, FeedbackEntry{Category: "friction", Summary: "second"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "queued" || res.Pending != 1 || len(queueLines(t, fb.QueuePath)) != 1 {
		t.Fatalf("second: %+v", res)
	}

	// Retried with the next feedback: both go out, in order.
	res, err = fb.Submit(ctx, FeedbackEntry{Category: "docs", Summary: "third"})
	if err != nil {
		t.Fatal(err)
	}
	got := hosted.received()
	if res.Status != "delivered" || res.Delivered != 2 || len(got) != 3 || got[1]["summary"] != "second" || got[2]["summary"] != "third" {
		t.Fatalf("third: %+v; hosted got %v", res, got)
	}
	if n := len(queueLines(t, fb.QueuePath)); n != 0 {
		t.Errorf("%d entries left in the queue", n)
	}
}

func TestFeedbackQueuedWhenOffOrNoKeyOrDown(t *testing.T) {
	down := newHostedFeedback(t)
	down.Close()
	for name, fb := range map[string]*Feedback{
		"forwarding off": {URL: "", Keys: testapi.Keys{Key: testapi.Key}},
		"no key":         {URL: "http://127.0.0.1:1/mcp", Keys: testapi.Keys{}},
		"endpoint down":  {URL: down.URL, Keys: testapi.Keys{Key: testapi.Key}},
	} {
		t.Run(name, func(t *testing.T) {
			fb.QueuePath = filepath.Join(t.TempDir(), "feedback.jsonl")
			res, err := fb.Submit(context.Background(), FeedbackEntry{Category: "other", Summary: "s"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != "queued" || res.Reason == "" || len(queueLines(t, fb.QueuePath)) != 1 {
				t.Errorf("%+v", res)
			}
			if strings.Contains(res.Reason, testapi.Key) {
				t.Error("reason leaks the key")
			}
		})
	}
}

func TestFeedbackValidation(t *testing.T) {
	fb := &Feedback{QueuePath: filepath.Join(t.TempDir(), "q.jsonl"), Keys: testapi.Keys{}}
	for _, tt := range []struct {
		e    FeedbackEntry
		want string
	}{
		{FeedbackEntry{Category: "rant", Summary: "x"}, "category must be one of"},
		{FeedbackEntry{Category: "bug", Summary: "  "}, "summary is required"},
		{FeedbackEntry{Category: "bug", Summary: strings.Repeat("x", 201)}, "keep it to 200"},
		{FeedbackEntry{Category: "bug", Summary: "x", Details: strings.Repeat("x", 4001)}, "keep it to 4000"},
	} {
		if _, err := fb.Submit(context.Background(), tt.e); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.e, err, tt.want)
		}
	}
	if _, err := os.Stat(fb.QueuePath); !os.IsNotExist(err) {
		t.Error("invalid feedback was queued")
	}
}

// A queue file that does not parse is kept aside and a new one started.
func TestFeedbackCorruptQueue(t *testing.T) {
	dir := t.TempDir()
	fb := &Feedback{QueuePath: filepath.Join(dir, "feedback.jsonl"), Keys: testapi.Keys{}}
	if err := os.WriteFile(fb.QueuePath, []byte("{not json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := fb.Submit(context.Background(), FeedbackEntry{Category: "bug", Summary: "after corruption"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "queued" || len(queueLines(t, fb.QueuePath)) != 1 {
		t.Errorf("%+v", res)
	}
	aside, _ := filepath.Glob(filepath.Join(dir, "feedback.jsonl.corrupt-*"))
	if len(aside) != 1 {
		t.Fatalf("corrupt queue not kept aside: %v", aside)
	}
	if data, _ := os.ReadFile(aside[0]); string(data) != "{not json\n" {
		t.Errorf("kept-aside file changed: %q", data)
	}
}

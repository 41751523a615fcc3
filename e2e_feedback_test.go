package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// feedbackSink is an MCP server with a submit_mcp_feedback tool that
// records what it gets and the Authorization header of every HTTP request.
type feedbackSink struct {
	http.Handler
	mu        sync.Mutex
	summaries []string
	requests  int
	auths     []string
}

func newFeedbackSink() *feedbackSink {
	f := &feedbackSink{}
	s := server.NewMCPServer("sink", "1")
	s.AddTool(mcp.NewTool("submit_mcp_feedback"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		f.mu.Lock()
		f.summaries = append(f.summaries, req.GetString("summary", ""))
		f.mu.Unlock()
		return mcp.NewToolResultText("thanks"), nil
	})
	h := server.NewStreamableHTTPServer(s)
	f.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests++
		if a := r.Header.Get("Authorization"); a != "" {
			f.auths = append(f.auths, a)
		}
		f.mu.Unlock()
		h.ServeHTTP(w, r)
	})
	return f
}

func (f *feedbackSink) got() (summaries []string, requests int, auths []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.summaries...), f.requests, append([]string(nil), f.auths...)
}

// submitFeedback sends one piece of feedback to a new server process and
// returns the JSON-RPC result.
func submitFeedback(t *testing.T, env []string, summary string, args ...string) string {
	t.Helper()
	s := startSession(t, env, args...)
	return string(s.roundTrip(call(1, "submit_mcp_feedback", `{"category":"bug","summary":"`+summary+`"}`), "1")["result"])
}

// Feedback is a separate trust domain (issue 10 row 4), checked on the
// built binary: with a self-hosted API and no feedback URL it stays local
// and says so; an explicit feedback URL gets the key only on the API's own
// origin; redirects are not followed; entries saved while forwarding was
// off are never sent; feedback works in read-only mode.
func TestE2EFeedbackTrustDomain(t *testing.T) {
	const key = "pk_feedback_key_e2e"
	api := newFakePolytomic(t, nil)
	onAPI := newFeedbackSink()
	mux := http.NewServeMux()
	mux.Handle("/mcp", onAPI)
	mux.Handle("/", api.Config.Handler)
	selfHosted := httptest.NewServer(mux)
	defer selfHosted.Close()
	elsewhere := newFeedbackSink()
	other := httptest.NewServer(elsewhere)
	defer other.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/mcp", http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()

	env := testEnv(t, "POLYTOMIC_API_KEY="+key, "POLYTOMIC_API_URL="+selfHosted.URL)
	queue := filepath.Join(envValue(env, "XDG_STATE_HOME"), "polytomic-mcp", "feedback.jsonl")

	t.Run("self-hosted API, no feedback URL: local, in read-only mode too", func(t *testing.T) {
		r := submitFeedback(t, env, "kept local", "--read-only")
		if !strings.Contains(r, "stays local") || !strings.Contains(r, "will not be sent later") || strings.Contains(r, `"isError":true`) {
			t.Errorf("reply: %s", r)
		}
	})
	t.Run("explicit URL on another origin: delivered without the key", func(t *testing.T) {
		r := submitFeedback(t, env, "to another origin", "--feedback-url", other.URL+"/mcp")
		if !strings.Contains(r, "was delivered") {
			t.Errorf("reply: %s", r)
		}
	})
	t.Run("explicit URL on the API's origin: delivered with the key", func(t *testing.T) {
		r := submitFeedback(t, env, "to the API origin", "--feedback-url", selfHosted.URL+"/mcp")
		if !strings.Contains(r, "was delivered") {
			t.Errorf("reply: %s", r)
		}
	})
	t.Run("redirect to another port: not followed", func(t *testing.T) {
		_, before, _ := elsewhere.got()
		r := submitFeedback(t, env, "redirected", "--feedback-url", redirector.URL+"/mcp")
		if !strings.Contains(r, "will be sent later") {
			t.Errorf("reply: %s", r)
		}
		if _, after, _ := elsewhere.got(); after != before {
			t.Errorf("the redirect was followed: %d more requests at its target", after-before)
		}
	})

	got, _, auths := elsewhere.got()
	if strings.Join(got, ",") != "to another origin" || len(auths) != 0 {
		t.Errorf("the other origin got %v with Authorization %q; want one entry and no key", got, auths)
	}
	got, _, auths = onAPI.got()
	if strings.Join(got, ",") != "to the API origin" || len(auths) == 0 {
		t.Errorf("the API origin got %v with Authorization %q; want only its entry, with the key", got, auths)
	}
	for _, a := range auths {
		if a != "Bearer "+key {
			t.Errorf("Authorization %q", a)
		}
	}
	// The local entry and the redirected one are still in the queue.
	data, err := os.ReadFile(queue)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "kept local") || !strings.Contains(string(data), "redirected") || strings.Contains(string(data), "to another origin") {
		t.Errorf("queue:\n%s", data)
	}
}

// A feedback URL over plain http to another host is refused at start.
func TestE2EFeedbackURLMustBeHTTPS(t *testing.T) {
	cmd := exec.Command(builtBinary(t), "serve", "--feedback-url", "http://feedback.example/mcp")
	cmd.Env = testEnv(t, "POLYTOMIC_API_KEY=k")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "must use https") {
		t.Errorf("serve with an http feedback URL: %v\n%s", err, out)
	}
}

func envValue(env []string, name string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}

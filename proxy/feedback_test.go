package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polytomic-mcp/polytomic-mcp/internal/testapi"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/polytomic-mcp/polytomic-mcp/internal/safefile"
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
	fb := &Feedback{QueuePath: filepath.Join(dir, "state", "feedback.jsonl"), Route: FeedbackRoute{URL: hosted.URL, SendKey: true}, Keys: testapi.Keys{Key: testapi.Key}, Version: "test"}
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
	for name, tt := range map[string]struct {
		fb     *Feedback
		status string
	}{
		"forwarding off": {&Feedback{Route: FeedbackRoute{Why: "off"}, Keys: testapi.Keys{Key: testapi.Key}}, "local"},
		"no key":         {&Feedback{Route: FeedbackRoute{URL: "http://127.0.0.1:1/mcp", SendKey: true}, Keys: testapi.Keys{}}, "queued"},
		"endpoint down":  {&Feedback{Route: FeedbackRoute{URL: down.URL, SendKey: true}, Keys: testapi.Keys{Key: testapi.Key}}, "queued"},
	} {
		t.Run(name, func(t *testing.T) {
			fb := tt.fb
			fb.QueuePath = filepath.Join(t.TempDir(), "feedback.jsonl")
			res, err := fb.Submit(context.Background(), FeedbackEntry{Category: "other", Summary: "s"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tt.status || res.Reason == "" || len(queueLines(t, fb.QueuePath)) != 1 {
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
	if res.Status != "local" || len(queueLines(t, fb.QueuePath)) != 1 {
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

func TestRouteFeedback(t *testing.T) {
	const cloud, self = "https://app.polytomic.com", "https://polytomic.internal.example"
	for _, tt := range []struct {
		api, fb string
		url     string
		key     bool
		err     string
	}{
		{api: cloud, fb: "", url: DefaultFeedbackURL, key: true},
		{api: "https://APP.polytomic.com:443/", fb: "", url: DefaultFeedbackURL, key: true},
		{api: self, fb: "", url: ""},
		{api: "http://127.0.0.1:8080", fb: "", url: ""},
		{api: "https://app.polytomic.com.evil.example", fb: "", url: ""},
		{api: cloud, fb: "off", url: ""},
		{api: cloud, fb: DefaultFeedbackURL, url: DefaultFeedbackURL, key: true},
		{api: self, fb: DefaultFeedbackURL, url: DefaultFeedbackURL, key: false},
		{api: self, fb: self + "/mcp", url: self + "/mcp", key: true},
		{api: self, fb: "https://polytomic.internal.example:8443/mcp", url: "https://polytomic.internal.example:8443/mcp", key: false},
		{api: cloud, fb: "https://feedback.example/mcp", url: "https://feedback.example/mcp", key: false},
		{api: cloud, fb: "http://127.0.0.1:9/mcp", url: "http://127.0.0.1:9/mcp", key: false},
		{api: cloud, fb: "http://localhost:9/mcp", url: "http://localhost:9/mcp", key: false},
		{api: cloud, fb: "http://feedback.example/mcp", err: "must use https"},
		{api: cloud, fb: "http://mcp.polytomic.com/mcp", err: "must use https"},
		{api: cloud, fb: "ftp://feedback.example/mcp", err: "must use https"},
		{api: cloud, fb: "https://user:pw@feedback.example/mcp", err: "invalid feedback URL"},
		{api: cloud, fb: "mcp.polytomic.com/mcp", err: "invalid feedback URL"},
	} {
		r, err := RouteFeedback(tt.api, tt.fb)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("api %s feedback %q: err %v, want %q", tt.api, tt.fb, err, tt.err)
			}
			continue
		}
		if err != nil || r.URL != tt.url || r.SendKey != tt.key || (r.URL == "" && r.Why == "") {
			t.Errorf("api %s feedback %q = %+v, %v; want url %q key %v", tt.api, tt.fb, r, err, tt.url, tt.key)
		}
	}
}

// recorder counts the requests a server gets and the Authorization
// headers they carry.
type recorder struct {
	mu    sync.Mutex
	n     int
	auths []string
}

func (rec *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.n++
		if a := r.Header.Get("Authorization"); a != "" {
			rec.auths = append(rec.auths, a)
		}
		rec.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// A redirect is never followed, to another port or on the same server:
// the entry is queued, and the key reaches only the URL it was sent to.
func TestFeedbackFollowsNoRedirect(t *testing.T) {
	hosted := newHostedFeedback(t)
	var target recorder
	other := httptest.NewServer(target.wrap(hosted.Config.Handler))
	defer other.Close()
	var first recorder
	redirector := httptest.NewServer(first.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/same-host" {
			http.Redirect(w, r, "/mcp", http.StatusTemporaryRedirect)
			return
		}
		http.Redirect(w, r, other.URL+"/mcp", http.StatusPermanentRedirect)
	})))
	defer redirector.Close()
	for _, path := range []string{"/other-port", "/same-host"} {
		fb := &Feedback{QueuePath: filepath.Join(t.TempDir(), "q.jsonl"), Route: FeedbackRoute{URL: redirector.URL + path, SendKey: true}, Keys: testapi.Keys{Key: testapi.Key}}
		res, err := fb.Submit(context.Background(), FeedbackEntry{Category: "bug", Summary: "redirected"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != "queued" || len(queueLines(t, fb.QueuePath)) != 1 {
			t.Errorf("%s: %+v", path, res)
		}
	}
	if target.n != 0 || len(target.auths) != 0 || len(hosted.received()) != 0 {
		t.Errorf("the redirect was followed: the other server got %d requests (%d with a key), the hosted tool %d calls", target.n, len(target.auths), len(hosted.received()))
	}
	if first.n == 0 {
		t.Error("the redirector got no request")
	}
}

// Without SendKey, feedback is forwarded with no Authorization header.
func TestFeedbackKeyOnlyWhenRouteAllows(t *testing.T) {
	hosted := newHostedFeedback(t)
	fb := &Feedback{QueuePath: filepath.Join(t.TempDir(), "q.jsonl"), Route: FeedbackRoute{URL: hosted.URL}, Keys: testapi.Keys{Key: testapi.Key}}
	res, err := fb.Submit(context.Background(), FeedbackEntry{Category: "docs", Summary: "no key"})
	if err != nil || res.Status != "delivered" {
		t.Fatalf("%+v %v", res, err)
	}
	hosted.mu.Lock()
	defer hosted.mu.Unlock()
	if len(hosted.auth) != 1 || hosted.auth[0] != "" {
		t.Errorf("Authorization sent: %q", hosted.auth)
	}
}

// Entries saved while forwarding was off, or for another URL, stay in the
// queue and are never sent, also once forwarding is on.
func TestFeedbackLocalEntriesStayLocal(t *testing.T) {
	hosted := newHostedFeedback(t)
	q := filepath.Join(t.TempDir(), "q.jsonl")
	ctx := context.Background()
	off := &Feedback{QueuePath: q, Route: FeedbackRoute{Why: "forwarding is off"}, Keys: testapi.Keys{Key: testapi.Key}}
	res, err := off.Submit(ctx, FeedbackEntry{Category: "bug", Summary: "private"})
	if err != nil || res.Status != "local" {
		t.Fatalf("%+v %v", res, err)
	}
	elsewhere := &Feedback{QueuePath: q, Route: FeedbackRoute{URL: "http://127.0.0.1:1/mcp", SendKey: true}, Keys: testapi.Keys{Key: testapi.Key}, Timeout: time.Second}
	if res, err := elsewhere.Submit(ctx, FeedbackEntry{Category: "bug", Summary: "for another endpoint"}); err != nil || res.Status != "queued" {
		t.Fatalf("%+v %v", res, err)
	}
	on := &Feedback{QueuePath: q, Route: FeedbackRoute{URL: hosted.URL, SendKey: true}, Keys: testapi.Keys{Key: testapi.Key}}
	res, err = on.Submit(ctx, FeedbackEntry{Category: "bug", Summary: "public"})
	if err != nil || res.Status != "delivered" || res.Delivered != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	got := hosted.received()
	if len(got) != 1 || got[0]["summary"] != "public" {
		t.Errorf("hosted got %v", got)
	}
	left := queueLines(t, q)
	if len(left) != 2 || left[0].Summary != "private" || left[0].Forward != "" || left[1].Summary != "for another endpoint" {
		t.Errorf("queue after delivery: %+v", left)
	}
}

// The queue is never read or written through a symbolic link.
func TestFeedbackQueueRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	q := filepath.Join(dir, "feedback.jsonl")
	if err := os.Symlink(victim, q); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	fb := &Feedback{QueuePath: q, Route: FeedbackRoute{Why: "off"}, Keys: testapi.Keys{}}
	_, err := fb.Submit(context.Background(), FeedbackEntry{Category: "bug", Summary: "x"})
	if !errors.Is(err, safefile.ErrLink) || !strings.Contains(err.Error(), victim) {
		t.Errorf("err = %v, want a refused link naming its target", err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "keep me\n" {
		t.Errorf("the link's target changed: %q", data)
	}
}

func TestRedactDropsRepeatedPrefixes(t *testing.T) {
	got := redact("transport error: failed to send request: failed to send request: Post \"https://x\": pk_secret refused", "pk_secret")
	if want := "transport error: failed to send request: Post \"https://x\": [redacted] refused"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

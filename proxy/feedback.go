package proxy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/polytomic-mcp/polytomic-mcp/forward"

	"github.com/google/uuid"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// DefaultFeedbackURL is Polytomic's hosted MCP server, which has its own
// submit_mcp_feedback tool.
const DefaultFeedbackURL = "https://mcp.polytomic.com/mcp"

// Feedback limits.
const (
	maxSummary = 200
	maxDetails = 4000
	// maxQueued bounds the queue file: feedback that can never be delivered
	// must not grow without end.
	maxQueued = 500
)

var feedbackCategories = []string{"bug", "missing_capability", "friction", "docs", "other"}

// FeedbackEntry is one piece of feedback, as queued and as forwarded.
type FeedbackEntry struct {
	ID        string `json:"id"`
	Time      string `json:"time"`
	Category  string `json:"category"`
	Summary   string `json:"summary"`
	Details   string `json:"details,omitempty"`
	Tool      string `json:"tool,omitempty"`
	Operation string `json:"operation,omitempty"`
	Client    string `json:"client,omitempty"`
}

// FeedbackResult says what became of a submission.
type FeedbackResult struct {
	Status    string `json:"status"` // delivered, queued
	ID        string `json:"id"`
	QueueFile string `json:"queue_file"`
	Delivered int    `json:"delivered"` // entries forwarded by this call, older ones included
	Pending   int    `json:"pending"`
	Reason    string `json:"reason,omitempty"`
}

// Feedback queues feedback locally and forwards it to the hosted server.
type Feedback struct {
	QueuePath string
	URL       string // empty: forwarding off
	Keys      forward.KeySource
	Version   string
	HTTP      *http.Client
	Timeout   time.Duration
	Logger    *slog.Logger
	Now       func() time.Time

	mu sync.Mutex // one writer of the queue file per process
}

// ValidateFeedback checks an entry's fields.
func ValidateFeedback(e *FeedbackEntry) error {
	e.Summary = strings.TrimSpace(e.Summary)
	valid := false
	for _, c := range feedbackCategories {
		valid = valid || e.Category == c
	}
	switch {
	case !valid:
		return badInput("category must be one of %s", strings.Join(feedbackCategories, ", "))
	case e.Summary == "":
		return badInput("summary is required: one line on what went wrong or what is missing")
	case utf8.RuneCountInString(e.Summary) > maxSummary:
		return badInput("summary is %d characters; keep it to %d and put the rest in details", utf8.RuneCountInString(e.Summary), maxSummary)
	case utf8.RuneCountInString(e.Details) > maxDetails:
		return badInput("details is %d characters; keep it to %d", utf8.RuneCountInString(e.Details), maxDetails)
	case len(e.Tool) > 100 || len(e.Operation) > 200:
		return badInput("tool and operation are names, not text")
	}
	return nil
}

// Submit queues e, then tries to deliver everything queued.
func (f *Feedback) Submit(ctx context.Context, e FeedbackEntry) (*FeedbackResult, error) {
	if err := ValidateFeedback(&e); err != nil {
		return nil, err
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	e.ID, e.Time, e.Client = uuid.NewString(), now().UTC().Format(time.RFC3339), "polytomic-mcp/"+f.Version
	f.mu.Lock()
	defer f.mu.Unlock()
	pending, err := f.readQueue()
	if err != nil {
		return nil, err
	}
	pending = append(pending, e)
	if len(pending) > maxQueued {
		pending = pending[len(pending)-maxQueued:]
	}
	if err := f.writeQueue(pending); err != nil {
		return nil, fmt.Errorf("could not save feedback to %s: %w", f.QueuePath, err)
	}
	res := &FeedbackResult{ID: e.ID, QueueFile: f.QueuePath}
	remaining, reason := f.deliver(ctx, pending)
	if len(remaining) != len(pending) {
		if err := f.writeQueue(remaining); err != nil {
			return nil, fmt.Errorf("could not update %s: %w", f.QueuePath, err)
		}
	}
	res.Delivered, res.Pending = len(pending)-len(remaining), len(remaining)
	res.Status = "delivered"
	for _, r := range remaining {
		if r.ID == e.ID {
			res.Status, res.Reason = "queued", reason
		}
	}
	return res, nil
}

// deliver forwards entries in order and returns those not delivered.
func (f *Feedback) deliver(ctx context.Context, entries []FeedbackEntry) ([]FeedbackEntry, string) {
	if f.URL == "" {
		return entries, "forwarding is off (--feedback-url off)"
	}
	key, err := f.Keys.APIKey(ctx)
	if err != nil {
		return entries, "no API key to deliver it with; it is sent with the next feedback once you are logged in"
	}
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	opts := []transport.StreamableHTTPCOption{transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + key})}
	if f.HTTP != nil {
		opts = append(opts, transport.WithHTTPBasicClient(f.HTTP))
	}
	c, err := client.NewStreamableHttpClient(f.URL, opts...)
	if err != nil {
		return entries, "cannot reach the feedback endpoint: " + err.Error()
	}
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		return entries, "cannot reach the feedback endpoint: " + err.Error()
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: ServerName, Version: f.Version}
	if _, err := c.Initialize(ctx, init); err != nil {
		return entries, "the feedback endpoint did not answer: " + redact(err.Error(), key)
	}
	for i, e := range entries {
		req := mcp.CallToolRequest{}
		req.Params.Name = "submit_mcp_feedback"
		args := map[string]any{"category": e.Category, "summary": e.Summary}
		for k, v := range map[string]string{"details": e.Details, "tool": e.Tool, "operation": e.Operation} {
			if v != "" {
				args[k] = v
			}
		}
		req.Params.Arguments = args
		r, err := c.CallTool(ctx, req)
		if err != nil || r.IsError {
			why := "the feedback endpoint refused it"
			if err != nil {
				why = "delivery failed: " + redact(err.Error(), key)
			}
			return entries[i:], why
		}
	}
	return nil, ""
}

func redact(s, key string) string {
	if key == "" {
		return s
	}
	return strings.ReplaceAll(s, key, "[redacted]")
}

// readQueue loads the queue. A file that does not parse is moved aside,
// never lost, and a new queue starts.
func (f *Feedback) readQueue() ([]FeedbackEntry, error) {
	data, err := os.ReadFile(f.QueuePath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []FeedbackEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e FeedbackEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.ID == "" {
			return nil, f.setAside()
		}
		out = append(out, e)
	}
	if sc.Err() != nil {
		return nil, f.setAside()
	}
	return out, nil
}

func (f *Feedback) setAside() error {
	aside := fmt.Sprintf("%s.corrupt-%d", f.QueuePath, time.Now().UnixNano())
	if err := os.Rename(f.QueuePath, aside); err != nil {
		return fmt.Errorf("feedback queue %s is corrupt and could not be moved aside: %w", f.QueuePath, err)
	}
	if f.Logger != nil {
		f.Logger.Warn("feedback queue was corrupt; kept it aside and started a new one", "kept", aside)
	}
	return nil
}

// writeQueue replaces the queue atomically, readable only by the user.
func (f *Feedback) writeQueue(entries []FeedbackEntry) error {
	if err := os.MkdirAll(filepath.Dir(f.QueuePath), 0o700); err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, e := range entries {
		line, err := json.Marshal(e)
		if err != nil {
			return err
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.QueuePath), ".feedback-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.QueuePath)
}

func feedbackTool() mcp.Tool {
	return mcp.Tool{
		Name:        ToolFeedback,
		Description: "Report friction, a bug or a missing capability of this server or the Polytomic API. Saved locally and sent to Polytomic.",
		InputSchema: mcp.ToolInputSchema{Type: "object", Required: []string{"category", "summary"}, Properties: map[string]any{
			"category":  prop{Type: "string", Enum: feedbackCategories},
			"summary":   prop{Type: "string", MaxLength: ptr(maxSummary)},
			"details":   prop{Type: "string", MaxLength: ptr(maxDetails)},
			"tool":      prop{Type: "string"},
			"operation": prop{Type: "string"},
		}},
		Annotations: mcp.ToolAnnotation{
			Title:           "Send feedback",
			ReadOnlyHint:    mcp.ToBoolPtr(false),
			DestructiveHint: mcp.ToBoolPtr(false),
			IdempotentHint:  mcp.ToBoolPtr(false),
			OpenWorldHint:   mcp.ToBoolPtr(true),
		},
	}
}

func (h *handlers) feedback(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	m, err := args(req, "category", "summary", "details", "tool", "operation")
	if err != nil {
		return toolError(err), nil
	}
	var e FeedbackEntry
	for name, dst := range map[string]*string{"category": &e.Category, "summary": &e.Summary, "details": &e.Details, "tool": &e.Tool, "operation": &e.Operation} {
		if *dst, err = stringArg(m, name); err != nil {
			return toolError(err), nil
		}
	}
	if h.opts.Feedback == nil {
		return toolError(errors.New("feedback is not configured in this server")), nil
	}
	res, err := h.opts.Feedback.Submit(ctx, e)
	if err != nil {
		return toolError(err), nil
	}
	var text string
	if res.Status == "delivered" {
		text = fmt.Sprintf("Thanks: feedback %s was delivered to Polytomic.", res.ID)
	} else {
		text = fmt.Sprintf("Thanks: feedback %s is saved in %s and will be sent later (%s).", res.ID, res.QueueFile, res.Reason)
	}
	if res.Delivered > 1 || (res.Delivered == 1 && res.Status != "delivered") {
		text += fmt.Sprintf(" %d earlier queued entries were delivered too.", res.Delivered-btoi(res.Status == "delivered"))
	}
	return structured(res, text), nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

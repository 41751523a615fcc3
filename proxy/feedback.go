package proxy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
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

	"github.com/polytomic-mcp/polytomic-mcp/internal/safefile"
)

// DefaultFeedbackURL is Polytomic's hosted MCP server, which has its own
// submit_mcp_feedback tool. It belongs to Polytomic cloud: it receives the
// API key only when the API is Polytomic cloud (cloudAPIURL).
const DefaultFeedbackURL = "https://mcp.polytomic.com/mcp"

// cloudAPIURL is Polytomic cloud's API, whose keys the hosted feedback
// endpoint accepts. A self-hosted deployment's key is not Polytomic
// cloud's to see.
const cloudAPIURL = "https://app.polytomic.com"

// FeedbackRoute is where submit_mcp_feedback forwards, and with what.
type FeedbackRoute struct {
	URL     string // empty: feedback stays local
	SendKey bool   // send the API key as a bearer token
	Why     string // why feedback stays local, when it does
}

// RouteFeedback decides the route from the API URL and --feedback-url
// (empty: automatic; off: local). Feedback is a separate trust domain: the
// key goes to the Polytomic feedback endpoint only when the API is Polytomic
// cloud, and to an explicit feedback URL only when it is the API's own
// origin. An explicit URL must be https (http only for loopback).
func RouteFeedback(apiURL, feedbackURL string) (FeedbackRoute, error) {
	feedbackURL = strings.TrimSpace(feedbackURL)
	switch feedbackURL {
	case "off":
		return FeedbackRoute{Why: "forwarding is off (--feedback-url off)"}, nil
	case "":
		if sameOrigin(apiURL, cloudAPIURL) {
			return FeedbackRoute{URL: DefaultFeedbackURL, SendKey: true}, nil
		}
		return FeedbackRoute{Why: "the API is not Polytomic cloud, so feedback is not sent to Polytomic with this key (set --feedback-url to forward it)"}, nil
	}
	u, err := url.Parse(feedbackURL)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return FeedbackRoute{}, fmt.Errorf("invalid feedback URL %q: use an https URL, or off", feedbackURL)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && forward.IsLoopback(u.Hostname())) {
		return FeedbackRoute{}, fmt.Errorf("feedback URL %q must use https (http is allowed only for localhost)", feedbackURL)
	}
	key := sameOrigin(apiURL, cloudAPIURL) && sameOrigin(feedbackURL, DefaultFeedbackURL) || sameOrigin(apiURL, feedbackURL)
	return FeedbackRoute{URL: feedbackURL, SendKey: key}, nil
}

// sameOrigin compares scheme, host and port.
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(strings.TrimSpace(a))
	ub, err2 := url.Parse(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || ua.Host == "" {
		return false
	}
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		return map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Hostname(), ub.Hostname()) && port(ua) == port(ub)
}

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
	// Forward is where the entry was to be forwarded when it was saved. An
	// entry is only ever sent there: one saved while forwarding was off
	// (or by a version that did not record it) stays local for good.
	Forward string `json:"forward,omitempty"`
}

// FeedbackResult says what became of a submission.
type FeedbackResult struct {
	Status    string `json:"status"` // delivered, queued (sent later), local (never sent)
	ID        string `json:"id"`
	QueueFile string `json:"queue_file"`
	Delivered int    `json:"delivered"` // entries forwarded by this call, older ones included
	Pending   int    `json:"pending"`   // entries to be sent later
	Reason    string `json:"reason,omitempty"`
}

// Feedback queues feedback locally and forwards it along Route.
type Feedback struct {
	QueuePath string
	Route     FeedbackRoute
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
	e.Forward = f.Route.URL
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
	if f.Route.URL == "" {
		res.Status, res.Reason = "local", f.Route.Why
		return res, nil
	}
	remaining, reason := f.deliver(ctx, pending)
	if len(remaining) != len(pending) {
		if err := f.writeQueue(remaining); err != nil {
			return nil, fmt.Errorf("could not update %s: %w", f.QueuePath, err)
		}
	}
	res.Delivered, res.Pending = len(pending)-len(remaining), countFor(remaining, f.Route.URL)
	res.Status = "delivered"
	for _, r := range remaining {
		if r.ID == e.ID {
			res.Status, res.Reason = "queued", reason
		}
	}
	return res, nil
}

// countFor counts the entries bound for url ("": those kept local).
func countFor(entries []FeedbackEntry, url string) int {
	n := 0
	for _, e := range entries {
		if e.Forward == url {
			n++
		}
	}
	return n
}

// deliver forwards, in order, the entries saved for the current route and
// returns the queue without those delivered. Entries saved for another
// route (or none) are kept and never sent.
func (f *Feedback) deliver(ctx context.Context, entries []FeedbackEntry) ([]FeedbackEntry, string) {
	var key string
	if f.Route.SendKey {
		k, err := f.Keys.APIKey(ctx)
		if err != nil {
			return entries, "no API key to deliver it with; it is sent with the next feedback once you are logged in"
		}
		key = k
	}
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := f.client(key)
	if err != nil {
		return entries, "cannot reach the feedback endpoint: " + redact(err.Error(), key)
	}
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		return entries, "cannot reach the feedback endpoint: " + redact(err.Error(), key)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: ServerName, Version: f.Version}
	if _, err := c.Initialize(ctx, init); err != nil {
		return entries, "the feedback endpoint did not answer: " + redact(err.Error(), key)
	}
	var kept []FeedbackEntry
	for i, e := range entries {
		if e.Forward != f.Route.URL {
			kept = append(kept, e)
			continue
		}
		if why := f.send(ctx, c, e, key); why != "" {
			return append(kept, entries[i:]...), why
		}
	}
	return kept, ""
}

// send forwards one entry; it returns why it was not delivered.
func (f *Feedback) send(ctx context.Context, c *client.Client, e FeedbackEntry, key string) string {
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
	switch {
	case err != nil:
		return "delivery failed: " + redact(err.Error(), key)
	case r.IsError:
		return "the feedback endpoint refused it"
	}
	return ""
}

// client is an MCP client for the route. Its HTTP client follows no
// redirect (a 3xx is not delivered): a redirect could lead to another host,
// port or scheme, and must never carry the key anywhere.
func (f *Feedback) client(key string) (*client.Client, error) {
	hc := &http.Client{}
	if f.HTTP != nil {
		c := *f.HTTP
		hc = &c
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	opts := []transport.StreamableHTTPCOption{transport.WithHTTPBasicClient(hc)}
	if key != "" {
		opts = append(opts, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + key}))
	}
	return client.NewStreamableHttpClient(f.Route.URL, opts...)
}

// redact hides the key in an error message for the reply, and drops the
// repeats that wrapped transport errors carry ("failed to send request:
// failed to send request: ...").
func redact(s, key string) string {
	if key != "" {
		s = strings.ReplaceAll(s, key, "[redacted]")
	}
	parts := strings.Split(s, ": ")
	out := parts[:0]
	for _, p := range parts {
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	return strings.Join(out, ": ")
}

// readQueue loads the queue. A file that does not parse is moved aside,
// never lost, and a new queue starts. A symbolic link is refused, not read
// through.
func (f *Feedback) readQueue() ([]FeedbackEntry, error) {
	if st, err := os.Lstat(f.QueuePath); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(f.QueuePath)
		return nil, &safefile.LinkError{Path: f.QueuePath, Target: target}
	}
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
	aside, err := safefile.MoveAside(f.QueuePath, "corrupt", fmt.Sprint(time.Now().UnixNano()))
	if err != nil {
		return fmt.Errorf("feedback queue %s is corrupt and could not be moved aside: %w", f.QueuePath, err)
	}
	if f.Logger != nil {
		f.Logger.Warn("feedback queue was corrupt; kept it aside and started a new one", "kept", aside)
	}
	return nil
}

// writeQueue replaces the queue atomically, readable only by the user,
// never through a symbolic link.
func (f *Feedback) writeQueue(entries []FeedbackEntry) error {
	if err := safefile.MkdirPrivate(filepath.Dir(f.QueuePath)); err != nil {
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
	return safefile.Write(f.QueuePath, buf.Bytes(), 0o600)
}

func feedbackTool() mcp.Tool {
	return mcp.Tool{
		Name:        ToolFeedback,
		Description: "Report friction, a bug or a missing capability. Saved locally; sent to Polytomic when the API is Polytomic cloud. Allowed in read-only mode.",
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
	switch res.Status {
	case "delivered":
		text = fmt.Sprintf("Thanks: feedback %s was delivered to %s.", res.ID, h.opts.Feedback.Route.URL)
	case "local":
		text = fmt.Sprintf("Thanks: feedback %s is saved in %s. It stays local: it will not be sent later, even if forwarding is turned on (%s).", res.ID, res.QueueFile, res.Reason)
	default:
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

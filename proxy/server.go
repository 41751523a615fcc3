// Package proxy is the MCP server: the search, execute and feedback tools
// and how their results read to a model. The REST calls themselves are made
// by package forward.
package proxy

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"

	"github.com/polytomic-mcp/polytomic-mcp/forward"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// ServerName is how the server introduces itself to clients.
const ServerName = "polytomic-mcp"

// Instructions teach the agent the workflow; clients show them to the model
// once per session, so they are short.
const Instructions = `Operate the Polytomic API (bulk syncs = ELT, model syncs = reverse ETL, models, connections, users, permissions, webhooks, audit events).
Workflow: 1) search with the task in plain words to find the operation; 2) call it with the operation_id and params that search returned: reads (GET) with execute, writes with execute_write (each result says which). Use search with operation=<operation_id> for nested body fields and response schemas.
The API key is injected by this server; never ask the user for it.`

// Options configure the MCP server.
type Options struct {
	Version string
	// Index returns the search index; it is called on first use so that
	// start-up does not wait for the snapshot to be decoded.
	Index    func() (*spec.Index, error)
	ReadOnly bool
	Logger   *slog.Logger
	// Forwarder makes the calls of the execute tool.
	Forwarder *forward.Forwarder
	// Feedback handles submit_mcp_feedback.
	Feedback *Feedback
	// AfterFirstReply, if set, runs once the client has its first answer:
	// work that should be done early, but not on the start-up path.
	AfterFirstReply func()
}

// NewServer builds the MCP server with its tools.
func NewServer(opts Options) *server.MCPServer {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// Decode the snapshot once the client has its first answer, so the
	// first search does not wait for it and start-up does not pay for it.
	var warm sync.Once
	hooks := &server.Hooks{}
	hooks.AddOnSuccess(func(context.Context, any, mcp.MCPMethod, any, any) {
		warm.Do(func() {
			go func() {
				_, _ = opts.Index()
				// Building the index makes a few times its own size in
				// short-lived garbage; give those pages back now rather
				// than keep them for the whole session.
				debug.FreeOSMemory()
			}()
			if opts.AfterFirstReply != nil {
				go opts.AfterFirstReply()
			}
		})
	})
	s := server.NewMCPServer(ServerName, opts.Version,
		server.WithToolCapabilities(false),
		server.WithInstructions(Instructions),
		server.WithRecovery(),
		server.WithHooks(hooks),
	)
	h := &handlers{opts: opts}
	s.AddTool(searchTool(), h.recovering(ToolSearch, h.search))
	read := executeTool(false)
	s.AddTool(read, h.recovering(ToolExecute, h.execute(read)))
	if !opts.ReadOnly {
		// In read-only mode the write tool does not exist: an agent is not
		// offered what would only be refused.
		write := executeTool(true)
		s.AddTool(write, h.recovering(ToolExecuteWrite, h.execute(write)))
	}
	s.AddTool(feedbackTool(), h.recovering(ToolFeedback, h.feedback))
	return s
}

type handlers struct {
	opts Options
}

// recovering turns a panic in a handler into a tool error, so that one bad
// call never takes the server down, and logs where it happened.
func (h *handlers) recovering(name string, fn server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
		defer func() {
			if r := recover(); r != nil {
				h.opts.Logger.Error("tool handler panic", "tool", name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				res, err = mcp.NewToolResultError(fmt.Sprintf("internal error in %s; please report it with submit_mcp_feedback", name)), nil
			}
		}()
		return fn(ctx, req)
	}
}

// toolError is the result for a call the agent can correct.
func toolError(err error) *mcp.CallToolResult {
	return mcp.NewToolResultError(err.Error())
}

// structured returns v as structuredContent plus its text rendering.
func structured(v any, text string) *mcp.CallToolResult {
	return &mcp.CallToolResult{
		Content:           []mcp.Content{mcp.NewTextContent(text)},
		StructuredContent: v,
	}
}

// args reads a tool call's arguments, rejecting unknown names so that a
// misspelt argument is reported instead of silently ignored.
func args(req mcp.CallToolRequest, allowed ...string) (map[string]any, error) {
	var m map[string]any
	switch a := req.Params.Arguments.(type) {
	case nil:
		m = map[string]any{}
	case map[string]any:
		m = a
	default:
		return nil, badInput("arguments must be a JSON object, got %s", forward.JSONType(a))
	}
	valid := map[string]bool{}
	for _, a := range allowed {
		valid[a] = true
	}
	for k := range m {
		if !valid[k] {
			return nil, badInput("unknown argument %q; valid arguments: %v", k, allowed)
		}
	}
	return m, nil
}

func stringArg(m map[string]any, name string) (string, error) {
	v, ok := m[name]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", badInput("%s must be a string, got %s", name, forward.JSONType(v))
	}
	return s, nil
}

func intArg(m map[string]any, name string) (int, bool, error) {
	v, ok := m[name]
	if !ok || v == nil {
		return 0, false, nil
	}
	f, ok := v.(float64)
	if !ok {
		if n, isNum := v.(json.Number); isNum {
			g, err := n.Float64()
			f, ok = g, err == nil
		}
	}
	if !ok || f != float64(int(f)) {
		return 0, false, badInput("%s must be an integer, got %s", name, forward.JSONType(v))
	}
	return int(f), true, nil
}

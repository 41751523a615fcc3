package proxy

import (
	"context"
	"errors"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// searchInputSchema is built from the limits and the method list that
// Search enforces, so the schema cannot drift from the handler.
func searchInputSchema() mcp.ToolInputSchema {
	return mcp.ToolInputSchema{Type: "object", Properties: map[string]any{
		"query":     prop{Type: "string", Description: "The task in your own words, e.g. \"show the last runs of the Salesforce bulk sync\"."},
		"limit":     prop{Type: "integer", Minimum: ptr(1), Maximum: ptr(MaxSearchLimit), Default: DefaultSearchLimit},
		"method":    prop{Type: "string", Description: "Only operations with this HTTP method.", Enum: spec.Methods()},
		"operation": prop{Type: "string", Description: "An operation_id or \"METHOD /path\": that operation in full."},
	}}
}

// The search tool declares no output schema: its structured content
// differs by mode, and the catalogue is text only (within 10,000 bytes).

func searchTool() mcp.Tool {
	return mcp.Tool{
		Name: ToolSearch,
		Description: "Find the Polytomic API operation for a task, offline. Each result names the tool that runs it, " +
			"its parameters (and which operation lists their ids), body fields, paging and see_also; close_call flags near-ties. " +
			"operation gives one operation's full schemas; no arguments give the catalogue of all operations.",
		InputSchema: searchInputSchema(),
		Annotations: mcp.ToolAnnotation{
			Title:           "Search the Polytomic API",
			ReadOnlyHint:    mcp.ToBoolPtr(true),
			DestructiveHint: mcp.ToBoolPtr(false),
			IdempotentHint:  mcp.ToBoolPtr(true),
			OpenWorldHint:   mcp.ToBoolPtr(false),
		},
	}
}

func (h *handlers) search(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	m, err := args(req, "query", "limit", "method", "operation")
	if err != nil {
		return toolError(err), nil
	}
	var sr SearchRequest
	if sr.Query, err = stringArg(m, "query"); err != nil {
		return toolError(err), nil
	}
	if sr.Method, err = stringArg(m, "method"); err != nil {
		return toolError(err), nil
	}
	if sr.Operation, err = stringArg(m, "operation"); err != nil {
		return toolError(err), nil
	}
	limit, set, err := intArg(m, "limit")
	if err != nil {
		return toolError(err), nil
	}
	if set && limit == 0 {
		return toolError(badInput("limit must be between 1 and %d, got 0", MaxSearchLimit)), nil
	}
	sr.Limit = limit
	_, hasQuery := m["query"]
	_, hasOp := m["operation"]
	sr.Catalog = !hasQuery && !hasOp
	ix, err := h.opts.Index()
	if err != nil {
		return toolError(err), nil
	}
	resp, err := Search(ix, sr)
	if err != nil {
		if errors.Is(err, ErrBadInput) {
			return toolError(err), nil
		}
		return nil, err
	}
	text := RenderSearchText(resp, TextOptions{ReadOnly: h.opts.ReadOnly})
	if sr.Catalog {
		// One copy only: the catalogue is the fallback that must stay small.
		return mcp.NewToolResultText(text), nil
	}
	return structured(resp, text), nil
}

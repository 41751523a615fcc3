package proxy

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// searchInputSchema is built from the limits and the method list that
// Search enforces, so the schema cannot drift from the handler.
func searchInputSchema() json.RawMessage {
	prop := func(typ, desc string) map[string]any {
		m := map[string]any{"type": typ}
		if desc != "" {
			m["description"] = desc
		}
		return m
	}
	limit := prop("integer", "")
	limit["minimum"], limit["maximum"], limit["default"] = 1, MaxSearchLimit, DefaultSearchLimit
	method := prop("string", "Only operations with this HTTP method.")
	method["enum"] = spec.Methods()
	return mustJSON(map[string]any{"type": "object", "properties": map[string]any{
		"query":     prop("string", "The task in your own words, e.g. \"show the last runs of the Salesforce bulk sync\"."),
		"limit":     limit,
		"method":    method,
		"operation": prop("string", "An operation_id or \"METHOD /path\": that operation in full."),
	}})
}

var searchOutputSchema = json.RawMessage(`{"type":"object","properties":{"results":{"type":"array","items":{"type":"object"}},` +
	`"close_call":{"type":"boolean"},"operation":{"type":"object"},"catalog":{"type":"array"}}}`)

func mustJSON(v any) json.RawMessage {
	data, err := json.Marshal(v)
	if err != nil {
		panic("proxy: tool schema does not encode: " + err.Error())
	}
	return data
}

func searchTool() mcp.Tool {
	return mcp.Tool{
		Name: ToolSearch,
		Description: "Find the Polytomic API operation for a task, offline. Each result names the tool that runs it, " +
			"its parameters (and which operation lists their ids), body fields, paging and see_also; close_call flags near-ties. " +
			"operation gives one operation's full schemas; no arguments give the catalogue of all operations.",
		RawInputSchema:  searchInputSchema(),
		RawOutputSchema: searchOutputSchema,
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
	return structured(resp, RenderSearchText(resp, TextOptions{ReadOnly: h.opts.ReadOnly})), nil
}

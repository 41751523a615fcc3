package proxy

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/mark3labs/mcp-go/mcp"
)

var searchInputSchema = json.RawMessage(`{"type":"object","properties":{` +
	`"query":{"type":"string","description":"The task in your own words, e.g. \"show the last runs of the Salesforce bulk sync\". Required unless operation is set."},` +
	`"limit":{"type":"integer","minimum":1,"maximum":20,"default":5},` +
	`"method":{"type":"string","enum":["GET","POST","PUT","PATCH","DELETE"],"description":"Only operations with this HTTP method."},` +
	`"operation":{"type":"string","description":"An operation_id or \"METHOD /path\": returns that operation in full, with request and response schemas."}}}`)

var searchOutputSchema = json.RawMessage(`{"type":"object","properties":{` +
	`"results":{"type":"array","items":{"type":"object","properties":{"operation_id":{"type":"string"},"method":{"type":"string"},"path":{"type":"string"},"summary":{"type":"string"}},"required":["operation_id","method","path"]}},` +
	`"operation":{"type":"object"}}}`)

func searchTool() mcp.Tool {
	return mcp.Tool{
		Name: "search",
		Description: "Find the Polytomic API operation for a task. Works offline over the embedded API description. " +
			"Returns operation_id, method, path, parameters, top-level body fields, paging and auth for each match; pass operation for one operation's full schemas. Call this before execute.",
		RawInputSchema:  searchInputSchema,
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
	return structured(resp, RenderSearchText(resp, h.opts.ReadOnly)), nil
}

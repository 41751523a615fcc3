package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/polytomic-mcp/polytomic-mcp/forward"

	"github.com/mark3labs/mcp-go/mcp"
)

var executeInputSchema = json.RawMessage(`{"type":"object","properties":{` +
	`"operation_id":{"type":"string","description":"From search."},` +
	`"params":{"type":"object","description":"With operation_id: path and query parameters by name."},` +
	`"method":{"type":"string","enum":["GET","POST","PUT","PATCH","DELETE"]},` +
	`"path":{"type":"string","description":"With method: /api/... template (with path_params) or concrete path."},` +
	`"path_params":{"type":"object"},` +
	`"query":{"type":"object"},` +
	`"body":{"description":"JSON request body."},` +
	`"idempotency_key":{"type":"string","description":"POST only; generated if omitted."},` +
	`"organization_id":{"type":"string","description":"Partner mode: act in this organization."},` +
	`"response_filter":{"type":"string","description":"gjson path to keep part of the reply, e.g. data.#.{id,name,active}"},` +
	`"all_pages":{"type":"boolean","description":"Follow paging, up to max_pages (default 5)."},` +
	`"max_pages":{"type":"integer","minimum":1,"maximum":50}}}`)

func executeTool(readOnly bool) mcp.Tool {
	ann := mcp.ToolAnnotation{
		Title:           "Call the Polytomic API",
		ReadOnlyHint:    mcp.ToBoolPtr(false),
		DestructiveHint: mcp.ToBoolPtr(true),
		IdempotentHint:  mcp.ToBoolPtr(false),
		OpenWorldHint:   mcp.ToBoolPtr(true),
	}
	desc := "Make a Polytomic REST call found with search. The server adds the API key and headers."
	if readOnly {
		// Nothing but GET leaves the machine, so clients may treat it as safe.
		ann.ReadOnlyHint, ann.DestructiveHint = mcp.ToBoolPtr(true), mcp.ToBoolPtr(false)
		desc += " Read-only mode: only GET calls are allowed."
	}
	return mcp.Tool{
		Name:           "execute",
		Description:    desc + " Use search first for the operation_id and its parameters.",
		RawInputSchema: executeInputSchema,
		Annotations:    ann,
	}
}

func (h *handlers) execute(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	m, err := args(req, "operation_id", "params", "method", "path", "path_params", "query", "body", "idempotency_key", "organization_id", "response_filter", "all_pages", "max_pages")
	if err != nil {
		return toolError(err), nil
	}
	er, err := execRequestFromArgs(m, req)
	if err != nil {
		return toolError(err), nil
	}
	if h.opts.Forwarder == nil {
		return toolError(errors.New("execute is not configured in this server")), nil
	}
	res, err := h.opts.Forwarder.Execute(ctx, er)
	if err != nil {
		h.opts.Logger.Debug("execute refused or failed", "err", err)
		return toolError(err), nil
	}
	out := structured(res, RenderExecText(res))
	out.IsError = res.IsError()
	return out, nil
}

func execRequestFromArgs(m map[string]any, req mcp.CallToolRequest) (forward.Request, error) {
	var er forward.Request
	var err error
	for name, dst := range map[string]*string{
		"operation_id": &er.OperationID, "method": &er.Method, "path": &er.Path,
		"idempotency_key": &er.IdempotencyKey, "organization_id": &er.OrganizationID, "response_filter": &er.ResponseFilter,
	} {
		if *dst, err = stringArg(m, name); err != nil {
			return er, err
		}
	}
	for name, dst := range map[string]*map[string]any{"params": &er.Params, "path_params": &er.PathParams, "query": &er.Query} {
		if v, ok := m[name]; ok && v != nil {
			obj, isObj := v.(map[string]any)
			if !isObj {
				return er, badInput("%s must be an object, got %s", name, forward.JSONType(v))
			}
			*dst = obj
		}
	}
	if v, ok := m["all_pages"]; ok && v != nil {
		b, isBool := v.(bool)
		if !isBool {
			return er, badInput("all_pages must be a boolean, got %s", forward.JSONType(v))
		}
		er.AllPages = b
	}
	if n, set, err := intArg(m, "max_pages"); err != nil {
		return er, err
	} else if set {
		if n < 1 {
			return er, badInput("max_pages must be between 1 and %d", forward.MaxMaxPages)
		}
		er.MaxPages = n
	}
	if _, ok := m["body"]; ok {
		// Re-read the body from the raw arguments so that large integers
		// keep their precision.
		var raw struct {
			Body json.RawMessage `json:"body"`
		}
		if len(req.Params.RawArguments) > 0 && json.Unmarshal(req.Params.RawArguments, &raw) == nil {
			er.Body = raw.Body
		} else if er.Body, err = json.Marshal(m["body"]); err != nil {
			return er, badInput("body is not JSON: %v", err)
		}
	}
	return er, nil
}

// RenderExecText is what the model reads of an execute result.
func RenderExecText(r *forward.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d %s  %s %s\n", r.Status, http.StatusText(r.Status), r.Method, r.Path)
	if len(r.Headers) > 0 {
		var parts []string
		for _, k := range forward.UsefulHeaders() {
			if v, ok := r.Headers[k]; ok {
				parts = append(parts, k+": "+v)
			}
		}
		b.WriteString(strings.Join(parts, " | "))
		b.WriteString("\n")
	}
	if r.Error != nil {
		if r.Error.Message != "" {
			fmt.Fprintf(&b, "error: %s\n", r.Error.Message)
		}
		if len(r.Error.Metadata) > 0 {
			md, _ := json.Marshal(r.Error.Metadata)
			fmt.Fprintf(&b, "details: %s\n", md)
		}
		if r.Hint != "" {
			fmt.Fprintf(&b, "hint: %s\n", r.Hint)
		}
		return strings.TrimRight(b.String(), "\n")
	}
	b.WriteString("\n")
	b.WriteString(r.BodyText())
	if r.Truncated != nil {
		fmt.Fprintf(&b, "\n[truncated: showing %d of %d bytes. Narrow the reply with params (a limit or filter), response_filter (e.g. \"data.#.{id,name}\")", r.Truncated.ShownBytes, r.Truncated.TotalBytes)
		if r.NextParam != "" {
			fmt.Fprintf(&b, ", or smaller pages (%s)", r.NextParam)
		}
		b.WriteString("]")
	}
	if r.Pages > 0 {
		fmt.Fprintf(&b, "\n[%d pages merged]", r.Pages)
	}
	if r.NextPageToken != "" && r.NextParam != "" {
		fmt.Fprintf(&b, "\n[next page: execute again with %s=%q", r.NextParam, r.NextPageToken)
		if r.OperationID != "" {
			fmt.Fprintf(&b, " in params (operation_id %s)", r.OperationID)
		}
		b.WriteString(", or all_pages=true]")
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n[note: %s]", n)
	}
	return b.String()
}

package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/polytomic-mcp/polytomic-mcp/forward"
	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// executeTools are the two tools that make REST calls: execute for reads
// and execute_write for everything else. Clients approve per tool, so a
// user can let reads run unprompted while every write still asks. Each
// schema is built from the constants the forwarder enforces, and the
// handler accepts exactly the arguments its schema lists.
func executeTool(write bool) mcp.Tool {
	var methods []string
	for _, m := range spec.Methods() {
		if spec.IsReadMethod(m) != write {
			methods = append(methods, m)
		}
	}
	props := map[string]any{
		"operation_id":    prop{Type: "string", Description: "From search."},
		"params":          prop{Type: "object", Description: "Path and query parameters by name (with operation_id)."},
		"method":          prop{Type: "string", Enum: methods},
		"path":            prop{Type: "string", Description: "With method: /api/... path, or template with path_params."},
		"path_params":     prop{Type: "object"},
		"query":           prop{Type: "object"},
		"organization_id": prop{Type: "string", Description: "Partner mode: act in this organization."},
		"response_filter": prop{Type: "string", Description: "gjson path to keep part of the reply: data.#.{id,name}"},
	}
	// openWorldHint is left to its default (true): calls reach the API.
	t := mcp.Tool{Name: ToolExecute, Annotations: mcp.ToolAnnotation{
		Title: "Polytomic API read", ReadOnlyHint: mcp.ToBoolPtr(true), DestructiveHint: mcp.ToBoolPtr(false),
		IdempotentHint: mcp.ToBoolPtr(true),
	}}
	t.Description = "Make a Polytomic REST read (GET) found with search; the server adds the key and headers. Writes: " + ToolExecuteWrite + "."
	if write {
		props["body"] = prop{Description: "JSON request body."}
		props["idempotency_key"] = prop{Type: "string", Description: "Generated where the API honours one."}
		t.Name, t.Annotations.Title = ToolExecuteWrite, "Polytomic API write"
		// idempotentHint and openWorldHint are left to their defaults (false,
		// true), which is what a write is.
		t.Annotations.ReadOnlyHint, t.Annotations.DestructiveHint, t.Annotations.IdempotentHint = mcp.ToBoolPtr(false), mcp.ToBoolPtr(true), nil
		t.Description = "Make a Polytomic REST write (" + strings.Join(methods, ", ") + ") found with search; the server adds the key and headers. Reads: " + ToolExecute + "."
	} else {
		props["all_pages"] = prop{Type: "boolean", Description: fmt.Sprintf("Follow paging, up to max_pages (default %d).", forward.DefaultMaxPages)}
		props["max_pages"] = prop{Type: "integer", Minimum: ptr(1), Maximum: ptr(forward.MaxMaxPages)}
	}
	t.InputSchema = mcp.ToolInputSchema{Type: "object", Properties: props}
	return t
}

// prop is one argument in a tool's input schema.
type prop struct {
	Type        string   `json:"type,omitempty"`
	Description string   `json:"description,omitempty"`
	Enum        []string `json:"enum,omitempty"`
	Minimum     *int     `json:"minimum,omitempty"`
	Maximum     *int     `json:"maximum,omitempty"`
	Default     any      `json:"default,omitempty"`
	MaxLength   *int     `json:"maxLength,omitempty"`
}

func ptr[T any](v T) *T { return &v }

// argNames are the arguments a tool's schema lists, sorted: what its
// handler accepts.
func argNames(t mcp.Tool) []string {
	names := make([]string, 0, len(t.InputSchema.Properties))
	for k := range t.InputSchema.Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// execute returns the handler of one of the two tools: it refuses, before
// any I/O, a call whose method belongs to the other tool.
func (h *handlers) execute(tool mcp.Tool) func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	write := tool.Name == ToolExecuteWrite
	own := argNames(tool)
	// Arguments of either tool are read first, so that a write sent to
	// execute (with its body) is told to use execute_write rather than that
	// body is not an argument.
	either := argNames(executeTool(!write))
	for _, a := range own {
		if !slices.Contains(either, a) {
			either = append(either, a)
		}
	}
	sort.Strings(either)
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		m, err := args(req, either...)
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
		if err := h.checkTool(er, write); err != nil {
			return toolError(err), nil
		}
		if _, err := args(req, own...); err != nil {
			return toolError(err), nil
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
}

// checkTool refuses a read sent to execute_write and a write sent to
// execute, naming the tool to use.
func (h *handlers) checkTool(er forward.Request, write bool) error {
	ix, err := h.opts.Index()
	if err != nil {
		return err
	}
	method, err := forward.MethodOf(ix, er)
	if err != nil || method == "" {
		return err // the forwarder explains an unknown operation
	}
	switch read := spec.IsReadMethod(method); {
	case read && write:
		return fmt.Errorf("%w: %s only reads: call %s with the same arguments", forward.ErrBadInput, method, ToolExecute)
	case !read && !write && h.opts.ReadOnly:
		return fmt.Errorf("%w: %s would change data, and this server only reads (--access-mode read-only); restart it with --access-mode full-access to allow writes", forward.ErrReadOnly, method)
	case !read && !write:
		return fmt.Errorf("%w: %s changes data: call %s with the same arguments (writes are a separate tool so that each one asks for approval)", forward.ErrBadInput, method, ToolExecuteWrite)
	}
	return nil
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
		if r.AllPages {
			fmt.Fprintf(&b, ", or a larger max_pages (up to %d)]", forward.MaxMaxPages)
		} else {
			b.WriteString(", or all_pages=true]")
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n[note: %s]", n)
	}
	return b.String()
}

package proxy

import (
	"fmt"
	"sort"
	"strings"
)

// TextOptions say who reads the text: ReadOnly marks writes that this
// server will refuse; Shell addresses a person at a shell, who runs
// operations with `polytomic-mcp call` rather than with a tool.
type TextOptions struct {
	ReadOnly bool
	Shell    bool
}

// RenderSearchText is the compact text an agent reads for search results:
// one block per operation with what it takes to call it.
func RenderSearchText(resp *SearchResponse, opt TextOptions) string {
	switch {
	case resp.Operation != nil:
		return renderDetail(resp.Operation, opt)
	case resp.Catalog != nil:
		return renderCatalog(resp.Catalog)
	case len(resp.Results) == 0:
		return "No matching operations. Rephrase the task with the resource and the action (e.g. \"list model sync executions\"), drop the method filter, or search with no query for the catalogue of every operation."
	}
	var b strings.Builder
	if resp.CloseCall {
		b.WriteString("Close call: the top results match almost equally; read them all.\n")
	}
	for i, r := range resp.Results {
		fmt.Fprintf(&b, "%d. %s %s  [%s] %s\n", i+1, r.Method, r.Path, r.OperationID, r.Summary)
		if r.Description != "" {
			fmt.Fprintf(&b, "   %s\n", r.Description)
		}
		writeParams(&b, r.Parameters)
		if r.Body != nil {
			b.WriteString("   body")
			if r.Body.Required {
				b.WriteString(" (required)")
			}
			b.WriteString(": ")
			for j, f := range r.Body.Fields {
				if j > 0 {
					b.WriteString(", ")
				}
				writeField(&b, f.Name, f.Type, f.Required, f.Enum)
			}
			if r.Body.Detail != "" {
				fmt.Fprintf(&b, " (%s)", r.Body.Detail)
			}
			b.WriteString("\n")
		}
		if r.Pagination != nil {
			fmt.Fprintf(&b, "   paging: %s\n", r.Pagination.How)
		}
		writeAccess(&b, r, opt)
		if len(r.SeeAlso) > 0 {
			fmt.Fprintf(&b, "   see also: %s\n", strings.Join(r.SeeAlso, ", "))
		}
	}
	if opt.Shell {
		b.WriteString("Next: polytomic-mcp call <operation_id> --param name=value [--body JSON]; full schemas: polytomic-mcp search --operation <operation_id>.")
	} else {
		b.WriteString("Next: the named tool with operation_id, params (by name) and body; full schemas: search operation=<operation_id>.")
	}
	return b.String()
}

// renderCatalog lists every operation, one line each, under its resource.
// Every path starts with /api, which is said once: the whole catalogue must
// fit one reply.
//
// A summary that only repeats its resource after the verb ("List bulk
// syncs" under Bulk Sync) is shortened to the verb: the heading says it.
func renderCatalog(groups []CatalogGroup) string {
	var b strings.Builder
	b.WriteString("Every operation by resource (method, path under /api, operation_id, summary):\n")
	for _, g := range groups {
		fmt.Fprintf(&b, "%s\n", g.Resource)
		for _, op := range g.Operations {
			fmt.Fprintf(&b, "%s %s %s %s\n", op[1], strings.TrimPrefix(op[2], "/api"), op[0], withoutResource(op[3], g.Resource))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// withoutResource shortens a summary that is only a verb and the
// resource ("List bulk syncs" under "Bulk Sync") to the verb; any other
// summary is kept whole.
func withoutResource(summary, resource string) string {
	verb, rest, ok := strings.Cut(summary, " ")
	r := strings.ToLower(resource)
	if rest = strings.ToLower(rest); ok && (rest == r || rest == r+"s") {
		return verb
	}
	return summary
}

func writeParams(b *strings.Builder, params []Parameter) {
	if len(params) == 0 {
		return
	}
	b.WriteString("   params: ")
	for j, p := range params {
		if j > 0 {
			b.WriteString(", ")
		}
		writeParam(b, p)
	}
	b.WriteString("\n")
}

func writeParam(b *strings.Builder, p Parameter) {
	writeField(b, p.Name, p.Type, p.Required, p.Enum)
	fmt.Fprintf(b, " in %s", p.In)
	if p.From != "" {
		fmt.Fprintf(b, " (ids from %s)", p.From)
	}
}

func writeField(b *strings.Builder, name, typ string, required bool, enum []string) {
	b.WriteString(name)
	if required {
		b.WriteString("*")
	}
	if typ != "" {
		fmt.Fprintf(b, " %s", typ)
	}
	if len(enum) > 0 {
		fmt.Fprintf(b, " (%s)", strings.Join(enum, "|"))
	}
}

// writeAccess names the tool that runs the call, and says what keeps it
// from running here: read-only mode, or a partner key. Every call takes the
// bearer key the server injects, so only the exceptions are spelled out.
func writeAccess(b *strings.Builder, r SearchResult, opt TextOptions) {
	var parts []string
	if !opt.Shell {
		parts = append(parts, "tool: "+r.Tool)
	}
	if opt.ReadOnly && !r.ReadOnlyAllowed {
		parts = append(parts, "BLOCKED: this server is in read-only mode")
	}
	if r.Auth == AuthPartnerKey {
		parts = append(parts, "needs a partner API key")
	}
	if len(parts) > 0 {
		fmt.Fprintf(b, "   %s\n", strings.Join(parts, "; "))
	}
}

func renderDetail(d *OperationDetail, opt TextOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s  [%s] %s\n", d.Method, d.Path, d.OperationID, d.Summary)
	writeAccess(&b, d.SearchResult, opt)
	if len(d.SeeAlso) > 0 {
		fmt.Fprintf(&b, "See also: %s\n", strings.Join(d.SeeAlso, ", "))
	}
	if d.FullDescription != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(d.FullDescription))
	}
	if len(d.Parameters) > 0 {
		b.WriteString("\nParameters (* required):\n")
		for _, p := range d.Parameters {
			b.WriteString("  ")
			writeParam(&b, p)
			b.WriteString("\n")
		}
	}
	if d.Pagination != nil {
		fmt.Fprintf(&b, "\nPaging: %s\n", d.Pagination.How)
	}
	if d.RequestBody != nil {
		b.WriteString("\nRequest body")
		if d.Body != nil && d.Body.Required {
			b.WriteString(" (required)")
		}
		b.WriteString(":\n")
		writeSchema(&b, d.RequestBody, 1)
	}
	for _, r := range d.Responses {
		fmt.Fprintf(&b, "\nResponse %s", r.Status)
		if r.Description != "" {
			fmt.Fprintf(&b, " %s", r.Description)
		}
		b.WriteString("\n")
		if r.Schema != nil {
			writeSchema(&b, r.Schema, 1)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// writeSchema prints an expanded schema as an indented outline, which costs
// a model far fewer tokens than JSON Schema does.
func writeSchema(b *strings.Builder, s map[string]any, indent int) {
	pad := strings.Repeat("  ", indent)
	if ref, ok := s["$ref"].(string); ok {
		fmt.Fprintf(b, "%s(%s: %v)\n", pad, ref, s["note"])
		return
	}
	props, _ := s["properties"].(map[string]any)
	if len(props) == 0 {
		if items, ok := s["items"].(map[string]any); ok {
			fmt.Fprintf(b, "%sarray of:\n", pad)
			writeSchema(b, items, indent+1)
			return
		}
		fmt.Fprintf(b, "%s%s\n", pad, typeLabel(s))
		return
	}
	required := map[string]bool{}
	if rs, ok := s["required"].([]string); ok {
		for _, r := range rs {
			required[r] = true
		}
	}
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p, _ := props[n].(map[string]any)
		star := ""
		if required[n] {
			star = "*"
		}
		fmt.Fprintf(b, "%s%s%s: %s", pad, n, star, typeLabel(p))
		if d, ok := p["description"].(string); ok && d != "" {
			fmt.Fprintf(b, " — %s", shortDescription(d, 160))
		}
		b.WriteString("\n")
		if sub, ok := p["properties"].(map[string]any); ok && len(sub) > 0 {
			writeSchema(b, p, indent+1)
		} else if items, ok := p["items"].(map[string]any); ok {
			if ip, ok := items["properties"].(map[string]any); ok && len(ip) > 0 {
				writeSchema(b, items, indent+1)
			}
		}
	}
}

func typeLabel(s map[string]any) string {
	t, _ := s["type"].(string)
	if items, ok := s["items"].(map[string]any); ok {
		t = "array of " + typeLabel(items)
	}
	if title, ok := s["title"].(string); ok && t == "object" {
		t = title
	}
	if ref, ok := s["$ref"].(string); ok {
		t = ref + " (" + fmt.Sprint(s["note"]) + ")"
	}
	if t == "" {
		if _, ok := s["oneOf"]; ok {
			t = "one of several shapes"
		} else {
			t = "any"
		}
	}
	if e, ok := s["enum"].([]string); ok && len(e) > 0 {
		t += " (" + strings.Join(e, "|") + ")"
	}
	if f, ok := s["format"].(string); ok && f != "" {
		t += " " + f
	}
	return t
}

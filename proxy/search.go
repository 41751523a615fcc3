package proxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// Limits on search input. A task description is a sentence or two; the cap
// keeps a pathological query from costing more than a normal one.
const (
	DefaultSearchLimit = 5
	MaxSearchLimit     = 20
	maxQueryBytes      = 2000
	detailDepth        = 6
)

// SearchRequest is the input of the search tool and of `polytomic-mcp search`.
type SearchRequest struct {
	Query     string
	Limit     int
	Method    string
	Operation string // detail mode: an operationId or "METHOD /path"
	// Catalog asks for every operation, one line each: what a caller gets
	// when it gives neither a query nor an operation.
	Catalog bool
}

// SearchResult is one operation in a search answer.
type SearchResult struct {
	OperationID string      `json:"operation_id"`
	Method      string      `json:"method"`
	Path        string      `json:"path"`
	Summary     string      `json:"summary"`
	Description string      `json:"description,omitempty"`
	Parameters  []Parameter `json:"parameters,omitempty"`
	Body        *BodyInfo   `json:"body,omitempty"`
	Pagination  *Paging     `json:"pagination,omitempty"`
	// Auth is set when the call needs more than the caller's API key.
	Auth            string `json:"auth,omitempty"`
	ReadOnlyAllowed bool   `json:"read_only_allowed"`
	// Tool is the tool that runs the operation: reads and writes differ.
	Tool string `json:"tool"`
	// SeeAlso names the operations the description points to and the
	// other actions on the same resource.
	SeeAlso []string `json:"see_also,omitempty"`
}

// Parameter is a path or query parameter the agent supplies.
type Parameter struct {
	Name        string   `json:"name"`
	In          string   `json:"in"`
	Type        string   `json:"type,omitempty"`
	Required    bool     `json:"required,omitempty"`
	Enum        []string `json:"enum,omitempty"`
	Description string   `json:"description,omitempty"`
	// From is the operation whose results supply a path parameter's value.
	From string `json:"from,omitempty"`
}

// MarshalJSON leaves out the type of path parameters, which are always
// strings: the bytes go to the search reply's budget.
func (p Parameter) MarshalJSON() ([]byte, error) {
	type plain Parameter
	if p.In == "path" && p.Type == "string" {
		p.Type = ""
	}
	return json.Marshal(plain(p))
}

// BodyInfo summarises a request body: its top-level fields.
type BodyInfo struct {
	Required bool         `json:"required,omitempty"`
	Fields   []spec.Field `json:"fields"`
	Detail   string       `json:"detail,omitempty"`
}

// Paging says how to get the next page of a paged list.
type Paging struct {
	RequestToken  string `json:"request_token"`
	Limit         string `json:"limit,omitempty"`
	ResponseToken string `json:"response_token"`
	// How is the rule in words, for the text form; JSON readers have the
	// two token names.
	How string `json:"-"`
}

// AuthPartnerKey is SearchResult.Auth of partner endpoints; every other
// call takes the caller's own API key, which goes unsaid.
const AuthPartnerKey = "partner api key"

// SearchResponse is the search tool's structured result. Exactly one of
// Results (search mode), Operation (detail mode) and Catalog (neither query
// nor operation given) is set.
type SearchResponse struct {
	Results []SearchResult `json:"results,omitempty"`
	// CloseCall: the first results are near-ties, so read past the first.
	CloseCall bool             `json:"close_call,omitempty"`
	Operation *OperationDetail `json:"operation,omitempty"`
	Catalog   []CatalogGroup   `json:"catalog,omitempty"`
}

// CatalogGroup is one resource's operations in the catalogue, each as
// [operation_id, method, path, summary]: the compact form keeps all of them
// within one reply.
type CatalogGroup struct {
	Resource   string      `json:"resource"`
	Operations [][4]string `json:"operations"`
}

// MarshalJSON writes {"operation": …} in detail mode, {"catalog": […]} for
// the catalogue and {"results": […]} otherwise, with an empty list rather
// than no key when nothing matched.
func (r SearchResponse) MarshalJSON() ([]byte, error) {
	switch {
	case r.Operation != nil:
		return json.Marshal(struct {
			Operation *OperationDetail `json:"operation"`
		}{r.Operation})
	case r.Catalog != nil:
		return json.Marshal(struct {
			Catalog []CatalogGroup `json:"catalog"`
		}{r.Catalog})
	}
	results := r.Results
	if results == nil {
		results = []SearchResult{}
	}
	return json.Marshal(struct {
		Results   []SearchResult `json:"results"`
		CloseCall bool           `json:"close_call,omitempty"`
	}{results, r.CloseCall})
}

// OperationDetail is the full description of one operation.
type OperationDetail struct {
	SearchResult
	FullDescription string            `json:"full_description,omitempty"`
	RequestBody     map[string]any    `json:"request_body,omitempty"`
	Responses       []ResponseDetail  `json:"responses"`
	Headers         map[string]string `json:"headers_set_by_server"`
}

// ResponseDetail is one documented response.
type ResponseDetail struct {
	Status      string         `json:"status"`
	Description string         `json:"description,omitempty"`
	Schema      map[string]any `json:"schema,omitempty"`
}

// ErrBadInput marks a request the caller must fix; the message says how.
var ErrBadInput = errors.New("invalid input")

func badInput(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadInput, fmt.Sprintf(format, args...))
}

// Search answers a SearchRequest from the index.
func Search(ix *spec.Index, req SearchRequest) (*SearchResponse, error) {
	switch {
	case req.Catalog && (req.Query != "" || req.Operation != ""):
		return nil, badInput("the catalogue lists every operation: give no query and no operation with it")
	case req.Catalog:
		return catalog(ix), nil
	case req.Operation != "":
		return detail(ix, req.Operation)
	}
	q := req.Query
	switch {
	case !utf8.ValidString(q):
		return nil, badInput("query is not valid UTF-8")
	case strings.TrimSpace(q) == "":
		return nil, badInput("query is empty: describe the task in a few words, e.g. \"list bulk syncs\"; pass operation for one operation's detail, or neither for the catalogue")
	case len(q) > maxQueryBytes:
		return nil, badInput("query is %d bytes; keep it under %d: describe the task in a sentence", len(q), maxQueryBytes)
	}
	if req.Limit == 0 {
		req.Limit = DefaultSearchLimit
	}
	if req.Limit < 1 || req.Limit > MaxSearchLimit {
		return nil, badInput("limit must be between 1 and %d, got %d", MaxSearchLimit, req.Limit)
	}
	method := strings.ToUpper(strings.TrimSpace(req.Method))
	if method != "" && !spec.IsMethod(method) {
		return nil, badInput("method must be one of %s, got %q", spec.MethodList(), req.Method)
	}
	// One hit more than asked tells whether the last one shown has a rival
	// even when only one is asked for.
	hits := ix.Search(q, spec.SearchOptions{Limit: req.Limit + 1, Method: method})
	closeCall := spec.CloseCall(hits)
	if len(hits) > req.Limit {
		hits = hits[:req.Limit]
	}
	resp := &SearchResponse{Results: make([]SearchResult, 0, len(hits)), CloseCall: closeCall}
	shown := map[string]bool{}
	for _, h := range hits {
		shown[h.Op.ID] = true
	}
	for _, h := range hits {
		r := summarize(ix, h.Op)
		// What the reply already shows needs no pointer to it.
		r.SeeAlso = slices.DeleteFunc(r.SeeAlso, func(id string) bool { return shown[id] })
		if len(r.SeeAlso) == 0 {
			r.SeeAlso = nil
		}
		resp.Results = append(resp.Results, r)
	}
	return resp, nil
}

// catalog lists every operation by resource (its tag), in the order of the
// API description: the fallback when a query does not find the call.
func catalog(ix *spec.Index) *SearchResponse {
	resp := &SearchResponse{Catalog: []CatalogGroup{}}
	group := map[string]int{}
	for _, op := range ix.API().Operations {
		tag := "Other"
		if len(op.Tags) > 0 {
			tag = op.Tags[0]
		}
		i, ok := group[tag]
		if !ok {
			i = len(resp.Catalog)
			group[tag] = i
			resp.Catalog = append(resp.Catalog, CatalogGroup{Resource: tag})
		}
		g := &resp.Catalog[i]
		g.Operations = append(g.Operations, [4]string{op.ID, op.Method, op.Path, op.Summary})
	}
	return resp
}

func detail(ix *spec.Index, ref string) (*SearchResponse, error) {
	if !utf8.ValidString(ref) || len(ref) > maxQueryBytes {
		return nil, badInput("operation must be an operationId or \"METHOD /path\"")
	}
	op, ok := ix.Lookup(ref)
	if !ok {
		return nil, fmt.Errorf("%w: unknown operation %q; nearest: %s", ErrBadInput, ref, ix.NearestList(ref))
	}
	api := ix.API()
	d := &OperationDetail{
		SearchResult:    summarize(ix, op),
		FullDescription: plainLinks(op.Description),
		Headers: map[string]string{
			"Authorization":       "Bearer <your API key>",
			"X-Polytomic-Version": api.Version,
			"Content-Type/Accept": "application/json",
			"Idempotency-Key":     "generated on POST unless you pass idempotency_key",
			"X-Polytomic-*-Mode":  "set from the server's read-only and partner settings",
		},
	}
	d.Description = ""
	if op.Body != nil {
		d.RequestBody = api.Expand(op.Body.Schema, detailDepth)
	}
	for _, r := range op.Responses {
		rd := ResponseDetail{Status: r.Status, Description: r.Description}
		if r.Schema != nil && strings.HasPrefix(r.Status, "2") {
			rd.Schema = api.Expand(r.Schema, detailDepth)
		}
		d.Responses = append(d.Responses, rd)
	}
	return &SearchResponse{Operation: d}, nil
}

func summarize(ix *spec.Index, op *spec.Operation) SearchResult {
	api := ix.API()
	r := SearchResult{
		OperationID:     op.ID,
		Method:          op.Method,
		Path:            op.Path,
		Summary:         op.Summary,
		Description:     shortDescription(op.Description, 120),
		ReadOnlyAllowed: op.ReadOnly(),
		Tool:            ToolFor(op.Method),
	}
	if op.PartnerOnly {
		r.Auth = AuthPartnerKey
	}
	for _, p := range op.Params {
		if p.In == "header" && spec.ManagedHeader(p.Name) {
			continue
		}
		param := Parameter{Name: p.Name, In: p.In, Type: p.Type, Required: p.Required, Enum: p.Enum}
		if p.In == "path" {
			if src := ix.ParamSource(op, p.Name); src != nil {
				param.From = src.ID
			}
		}
		r.Parameters = append(r.Parameters, param)
	}
	for _, o := range ix.SeeAlso(op) {
		r.SeeAlso = append(r.SeeAlso, o.ID)
	}
	if op.Body != nil {
		fields := spec.BodyFields(api, op)
		r.Body = &BodyInfo{Required: op.Body.Required, Fields: shortlist(fields)}
		var why []string
		if n := len(fields) - len(r.Body.Fields); n > 0 {
			why = append(why, fmt.Sprintf("%d more fields", n))
		}
		for _, f := range r.Body.Fields {
			if f.Nested {
				why = append(why, "nested")
				break
			}
		}
		if len(why) > 0 {
			r.Body.Detail = strings.Join(why, ", ") + ": search operation=" + op.ID
		}
	}
	if p := op.Pagination; p != nil {
		r.Pagination = &Paging{
			RequestToken:  p.RequestToken,
			Limit:         p.Limit,
			ResponseToken: p.ResponseToken,
			How:           fmt.Sprintf("repeat the call with %s set to the response's %s until it is empty", p.RequestToken, p.ResponseToken),
		}
	}
	return r
}

// maxBodyFields bounds the body fields one search result lists: enough for
// many calls, while the biggest bodies (a bulk sync has 19) leave
// the rest to detail mode instead of crowding out the other results.
const maxBodyFields = 4

// shortlist keeps the required fields and then optional ones, in document
// order, up to maxBodyFields.
func shortlist(fields []spec.Field) []spec.Field {
	if len(fields) <= maxBodyFields {
		return fields
	}
	keep := make(map[int]bool, maxBodyFields)
	for i, f := range fields {
		if f.Required && len(keep) < maxBodyFields {
			keep[i] = true
		}
	}
	for i := range fields {
		if len(keep) < maxBodyFields {
			keep[i] = true
		}
	}
	out := make([]spec.Field, 0, maxBodyFields)
	for i, f := range fields {
		if keep[i] {
			out = append(out, f)
		}
	}
	return out
}

// plainLinks keeps the text of Markdown links whose targets are relative:
// they point into Polytomic's documentation site and mean nothing here.
func plainLinks(s string) string {
	return relLink().ReplaceAllString(s, "$1")
}

var relLink = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\[([^\]]*)\]\((?:\.\.?/)[^)]*\)`) })

// shortDescription is the description's first sentence or paragraph, as
// plain text, at most n bytes.
func shortDescription(s string, n int) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 && i < n {
		s = s[:i+1]
	}
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = strings.TrimSpace(s[:cut]) + "…"
	}
	return s
}

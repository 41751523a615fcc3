package forward

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/polytomic-mcp/polytomic-mcp/internal/jsonfilter"
	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// Request is the input of the execute tool and of `polytomic-mcp call`.
// Either OperationID (with Params) or Method and Path (with PathParams and
// Query) name the call.
type Request struct {
	OperationID    string
	Params         map[string]any
	Method         string
	Path           string
	PathParams     map[string]any
	Query          map[string]any
	Body           json.RawMessage // nil: no body
	IdempotencyKey string
	OrganizationID string
	ResponseFilter string
	AllPages       bool
	MaxPages       int
}

// DefaultMaxPages bounds all_pages unless max_pages says otherwise.
const (
	DefaultMaxPages = 5
	MaxMaxPages     = 50
)

// plan is a validated request, ready to send.
type plan struct {
	op       *spec.Operation // nil for an unlisted path
	method   string
	path     string // escaped, starts with /api/
	query    url.Values
	body     []byte
	idemKey  string
	orgID    string
	filter   string
	allPages bool
	maxPages int
	// apiVersion is X-Polytomic-Version: the configured one, else the
	// snapshot's.
	apiVersion string
}

// buildPlan validates req against the snapshot and turns it into a plan.
// Nothing here touches the network: every refusal happens before I/O.
func buildPlan(ix *spec.Index, req Request, allowUnlisted bool) (*plan, error) {
	p := &plan{filter: req.ResponseFilter, allPages: req.AllPages, maxPages: req.MaxPages}
	if p.maxPages == 0 {
		p.maxPages = DefaultMaxPages
	}
	if p.maxPages < 1 || p.maxPages > MaxMaxPages {
		return nil, badInput("max_pages must be between 1 and %d", MaxMaxPages)
	}
	if p.filter != "" {
		if err := jsonfilter.Validate(p.filter); err != nil {
			return nil, badInput("%v", err)
		}
	}
	if err := headerSafe("idempotency_key", req.IdempotencyKey, 255); err != nil {
		return nil, err
	}
	if err := headerSafe("organization_id", req.OrganizationID, 255); err != nil {
		return nil, err
	}
	if req.OrganizationID != "" && strings.TrimSpace(req.OrganizationID) == "" {
		return nil, badInput("organization_id is blank: pass an organization id, or leave it out to use the configured one")
	}
	p.idemKey, p.orgID = req.IdempotencyKey, req.OrganizationID

	pathVals, queryVals, err := p.target(ix, req, allowUnlisted)
	if err != nil {
		return nil, err
	}
	if p.path == "" {
		// The agent's own template when it gave one: its path_params are
		// named after it, whatever the snapshot calls them.
		tmpl := req.Path
		if tmpl == "" {
			tmpl = p.op.Path
		}
		path, err := fillPath(tmpl, pathVals)
		if err != nil {
			return nil, err
		}
		p.path = path
	}
	q, err := buildQuery(p.op, queryVals)
	if err != nil {
		return nil, err
	}
	p.query = q
	if err := p.setBody(req.Body); err != nil {
		return nil, err
	}
	return p, nil
}

// target settles which operation req names (by operation_id, or by method
// and path) and returns its path and query values.
func (p *plan) target(ix *spec.Index, req Request, allowUnlisted bool) (pathVals, queryVals map[string]any, err error) {
	switch {
	case req.OperationID != "" && (req.Method != "" || req.Path != ""):
		return nil, nil, badInput("give either operation_id (with params) or method and path, not both")
	case req.OperationID != "":
		if len(req.PathParams) > 0 || len(req.Query) > 0 {
			return nil, nil, badInput("with operation_id, pass every parameter in params (path_params and query go with method and path)")
		}
		op, ok := ix.Lookup(req.OperationID)
		if !ok {
			return nil, nil, fmt.Errorf("%w: unknown operation_id %q; nearest: %s. Use search to find the operation", ErrBadInput, req.OperationID, ix.NearestList(req.OperationID))
		}
		p.op, p.method = op, op.Method
		pathVals, queryVals = splitParams(op, req.Params)
	case req.Method != "" && req.Path != "":
		if len(req.Params) > 0 {
			return nil, nil, badInput("params goes with operation_id; with method and path use path_params and query")
		}
		p.method = strings.ToUpper(strings.TrimSpace(req.Method))
		if !spec.IsMethod(p.method) {
			return nil, nil, badInput("method must be %s, got %q", spec.MethodList(), req.Method)
		}
		op, concrete, err := matchPath(ix, p.method, req.Path, req.PathParams)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case op != nil:
			p.op = op
		case !allowUnlisted:
			return nil, nil, fmt.Errorf("%w: %s %s is not in the API snapshot; nearest: %s. Use search to find the operation (or start the server with --allow-unlisted for API additions newer than this build)",
				ErrBadInput, p.method, req.Path, ix.NearestList(p.method+" "+req.Path))
		}
		if concrete != "" {
			p.path = concrete
		}
		pathVals, queryVals = req.PathParams, req.Query
	default:
		return nil, nil, badInput("name the call: operation_id (from search), or method and path")
	}
	return pathVals, queryVals, nil
}

// setBody checks the JSON body against the method and the operation.
func (p *plan) setBody(body json.RawMessage) error {
	if body != nil && !isJSONNull(body) {
		if p.method == "GET" || p.method == "DELETE" {
			return badInput("%s takes no body; pass filters as params", p.method)
		}
		if !json.Valid(body) {
			return badInput("body is not valid JSON")
		}
		p.body = body
	} else if p.op != nil && p.op.Body != nil && p.op.Body.Required {
		return badInput("%s needs a JSON body; its fields: search with operation=%s", p.op.ID, p.op.ID)
	}
	return nil
}

func isJSONNull(b json.RawMessage) bool { return strings.TrimSpace(string(b)) == "null" }

// splitParams places each of params in the path or the query, by the spec.
// Names the operation does not declare are left for buildQuery to reject.
func splitParams(op *spec.Operation, params map[string]any) (path, query map[string]any) {
	path, query = map[string]any{}, map[string]any{}
	inPath := map[string]bool{}
	for _, p := range op.Params {
		if p.In == "path" {
			inPath[p.Name] = true
		}
	}
	for k, v := range params {
		if inPath[k] {
			path[k] = v
		} else {
			query[k] = v
		}
	}
	return path, query
}

// fillPath substitutes path parameters into a template, escaping each value
// and refusing values that could change which resource the path names.
func fillPath(tmpl string, vals map[string]any) (string, error) {
	if err := checkPathShape(tmpl); err != nil {
		return "", err
	}
	used := map[string]bool{}
	var b strings.Builder
	rest := tmpl
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", badInput("path template %q has an unclosed {", tmpl)
		}
		name := rest[i+1 : i+j]
		b.WriteString(rest[:i])
		v, ok := vals[name]
		if !ok || v == nil {
			return "", badInput("missing path parameter %q for %s", name, tmpl)
		}
		s, err := scalarString(name, v)
		if err != nil {
			return "", err
		}
		if err := checkPathValue(fmt.Sprintf("path parameter %q", name), s); err != nil {
			return "", err
		}
		b.WriteString(url.PathEscape(s))
		used[name] = true
		rest = rest[i+j+1:]
	}
	for k := range vals {
		if !used[k] {
			return "", badInput("unknown path parameter %q; %s takes %s", k, tmpl, listOrNone(templateNames(tmpl)))
		}
	}
	return b.String(), nil
}

// checkPathShape accepts only paths under /api/ on the configured host.
func checkPathShape(path string) error {
	switch {
	case strings.Contains(path, "://") || strings.HasPrefix(path, "//") || strings.HasPrefix(path, `\`):
		return badInput("path must be a path such as /api/bulk/syncs, not a URL: calls only go to the configured Polytomic API")
	case !strings.HasPrefix(path, "/api/"):
		return badInput("path must start with /api/, got %q", truncate(path, 80))
	case strings.ContainsAny(path, "?#"):
		return badInput("path must not contain ? or #: pass query parameters in query (or params)")
	}
	for _, r := range path {
		if unicode.IsControl(r) || r == '\\' || r == ' ' {
			return badInput("path contains a control character, space or backslash")
		}
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return badInput("path must not contain . or .. segments")
		}
	}
	return nil
}

// checkPathValue refuses a path parameter that would leave its segment.
// what names it in messages: `path parameter "id"`, or "a path segment".
func checkPathValue(what, v string) error {
	lower := strings.ToLower(v)
	switch {
	case v == "":
		return badInput("%s is empty", what)
	case v == "." || strings.Contains(v, ".."):
		return badInput("%s must not be . or contain ..: it is one id, e.g. a UUID", what)
	case strings.ContainsAny(v, "/?#\\"):
		return badInput("%s must not contain /, ?, # or \\: it is one id, e.g. a UUID", what)
	case !utf8.ValidString(v):
		return badInput("%s is not valid UTF-8", what)
	case len(v) > 512:
		return badInput("%s is too long", what)
	case strings.Contains(lower, "%2e") || strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c"):
		return badInput("%s must not contain encoded dots or slashes", what)
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return badInput("%s contains a control character", what)
		}
	}
	return nil
}

// checkConcretePath checks each segment of a path with no {parameters}, as
// sent or as the API would read it once unescaped. Redirect targets get the
// same checks.
func checkConcretePath(path string) error {
	if err := checkPathShape(path); err != nil {
		return err
	}
	for _, s := range strings.Split(strings.TrimRight(path, "/"), "/")[1:] {
		if err := checkPathValue("a path segment", s); err != nil {
			return err
		}
		if err := checkPathValue("a path segment", unescapedOrRaw(s)); err != nil {
			return err
		}
		if strings.Contains(s, "%") {
			if _, err := url.PathUnescape(s); err != nil {
				return badInput("path has an invalid %%-escape")
			}
		}
	}
	return nil
}

// isParamSegment reports whether a template segment is one whole
// {parameter} with a plain name: "{a/schemas/{b}" is not.
func isParamSegment(seg string) bool {
	if len(seg) < 3 || seg[0] != '{' || seg[len(seg)-1] != '}' {
		return false
	}
	for _, r := range seg[1 : len(seg)-1] {
		if !(r == '_' || r == '-' || r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
			return false
		}
	}
	return true
}

// matchPath finds the operation for method and a path that is either a
// template ("/api/bulk/syncs/{id}") or concrete ("/api/bulk/syncs/42").
// For a concrete path it also returns the path, validated segment by
// segment.
func matchPath(ix *spec.Index, method, path string, pathParams map[string]any) (*spec.Operation, string, error) {
	if err := checkPathShape(path); err != nil {
		return nil, "", err
	}
	trimmed := strings.TrimRight(path, "/")
	segs := strings.Split(trimmed, "/")
	isTemplate := strings.ContainsAny(path, "{}")
	if isTemplate {
		for _, seg := range segs {
			if strings.ContainsAny(seg, "{}") && !isParamSegment(seg) {
				return nil, "", badInput("path template segment %q: a parameter is one whole segment with a plain name, such as {id}", truncate(seg, 40))
			}
		}
	}
	var concrete string
	if !isTemplate {
		if len(pathParams) > 0 {
			return nil, "", badInput("path_params given but %q has no {parameters}: use a template such as /api/syncs/{id}", path)
		}
		if err := checkConcretePath(trimmed); err != nil {
			return nil, "", err
		}
		concrete = path
	}
	for _, op := range ix.API().Operations {
		if op.Method != method {
			continue
		}
		osegs := strings.Split(strings.TrimRight(op.Path, "/"), "/")
		if len(osegs) != len(segs) {
			continue
		}
		match := true
		for i := range osegs {
			oParam := strings.HasPrefix(osegs[i], "{")
			switch {
			case isTemplate && oParam && isParamSegment(segs[i]):
			case oParam && !isTemplate:
			case osegs[i] == segs[i]:
			default:
				match = false
			}
			if !match {
				break
			}
		}
		if !match {
			continue
		}
		if isTemplate {
			// Use the agent's parameter names with the snapshot's shape.
			return op, "", nil
		}
		return op, concrete, nil
	}
	return nil, concrete, nil
}

func unescapedOrRaw(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// buildQuery encodes query values, refusing names the operation does not
// take (unless it takes free-form object parameters) and enforcing the
// required ones.
func buildQuery(op *spec.Operation, vals map[string]any) (url.Values, error) {
	q := url.Values{}
	declared := map[string]spec.Param{}
	freeForm := false
	if op != nil {
		for _, p := range op.Params {
			if p.In == "query" {
				declared[p.Name] = p
				if p.Type == "object" {
					freeForm = true
				}
			}
		}
	}
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := vals[k]
		if err := checkQueryName(k); err != nil {
			return nil, err
		}
		p, known := declared[k]
		if op != nil && !known && !freeForm {
			valid := make([]string, 0, len(declared))
			for n := range declared {
				valid = append(valid, n)
			}
			sort.Strings(valid)
			return nil, badInput("unknown parameter %q for %s; valid query parameters: %s", k, op.ID, listOrNone(valid))
		}
		if v == nil {
			continue
		}
		if known && p.Type == "object" {
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, badInput("%s must be an object of key/value pairs", k)
			}
			for ok, ov := range obj {
				if err := checkQueryName(ok); err != nil {
					return nil, err
				}
				if err := addQuery(q, ok, ov); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err := addQuery(q, k, v); err != nil {
			return nil, err
		}
	}
	for _, p := range declared {
		if p.Required && !q.Has(p.Name) {
			return nil, badInput("missing required query parameter %q for %s", p.Name, op.ID)
		}
	}
	return q, nil
}

// addQuery adds a scalar, or each element of an array, under name.
func addQuery(q url.Values, name string, v any) error {
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			s, err := scalarString(name, e)
			if err != nil {
				return err
			}
			q.Add(name, s)
		}
		return nil
	}
	s, err := scalarString(name, v)
	if err != nil {
		return err
	}
	q.Add(name, s)
	return nil
}

// scalarString renders a JSON scalar as a parameter value.
func scalarString(name string, v any) (string, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case bool:
		s = strconv.FormatBool(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		s = x.String()
	case int:
		s = strconv.Itoa(x)
	default:
		return "", badInput("parameter %q must be a string, number or boolean, got %s", name, JSONType(v))
	}
	if !utf8.ValidString(s) {
		return "", badInput("parameter %q is not valid UTF-8", name)
	}
	return s, nil
}

// headerSafe refuses values that would be unsafe in an HTTP header.
func headerSafe(name, v string, max int) error {
	if len(v) > max {
		return badInput("%s is too long (max %d)", name, max)
	}
	for _, r := range v {
		if r < 0x20 || r > 0x7e {
			return badInput("%s must be printable ASCII without control characters", name)
		}
	}
	return nil
}

// checkQueryName refuses query parameter names that are empty, huge or
// hold control characters, and method overrides (some servers read
// ?_method=DELETE on a GET as a DELETE, which would slip a write past the
// read tool and read-only mode); the URL encoder escapes everything else.
func checkQueryName(k string) error {
	if strings.EqualFold(k, "_method") {
		return badInput("query parameter %q overrides the HTTP method on some servers: send the real method instead (writes go through execute_write)", k)
	}
	if k == "" || len(k) > 256 || !utf8.ValidString(k) {
		return badInput("query parameter names must be 1 to 256 bytes of UTF-8, got %q", truncate(k, 40))
	}
	for _, r := range k {
		if unicode.IsControl(r) {
			return badInput("query parameter name %q contains a control character", truncate(k, 40))
		}
	}
	return nil
}

func templateNames(tmpl string) []string {
	var out []string
	for _, seg := range strings.Split(tmpl, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, seg[1:len(seg)-1])
		}
	}
	return out
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Package openapi turns an OpenAPI 3.x document into the compact spec.API
// model, using libopenapi. It runs at build time (spec/gen) and in tests; the
// shipped binary only decodes the model it produces, so that start-up never
// pays for parsing OpenAPI.
package openapi

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/index"
	"github.com/pb33f/libopenapi/orderedmap"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// maxInlineDepth bounds recursion through inline (non-$ref) schemas; real
// specs nest a handful of levels, hostile input could nest thousands.
const maxInlineDepth = 64

// Load parses an OpenAPI 3.x document (JSON or YAML) and returns its model.
// Circular $refs are expected (JSON Schema describes itself) and are kept as
// references; any other resolution problem is an error.
func Load(data []byte) (api *spec.API, err error) {
	// libopenapi is robust, but this runs on arbitrary bytes in fuzzing and
	// on whatever SPEC_SOURCE points at: a panic must become an error.
	defer func() {
		if r := recover(); r != nil {
			api, err = nil, fmt.Errorf("openapi: malformed document: %v", r)
		}
	}()
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, errors.New("openapi: document is empty")
	}
	doc, err := libopenapi.NewDocument(data)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		if err = nonCircular(err); err != nil {
			return nil, fmt.Errorf("openapi: %w", err)
		}
	}
	if model == nil {
		return nil, errors.New("openapi: not an OpenAPI 3 document")
	}
	m := &model.Model
	out := &spec.API{Schemas: map[string]*spec.Schema{}}
	if m.Info != nil {
		out.Title, out.Version = m.Info.Title, m.Info.Version
	}
	if m.Components != nil && m.Components.Schemas != nil {
		for name, proxy := range m.Components.Schemas.FromOldest() {
			out.Schemas[name] = convertProxy(proxy, 0, true)
		}
	}
	if m.Paths == nil || m.Paths.PathItems == nil {
		return nil, errors.New("openapi: document has no paths")
	}
	for path, item := range m.Paths.PathItems.FromOldest() {
		if item == nil {
			continue
		}
		for method, op := range item.GetOperations().FromOldest() {
			out.Operations = append(out.Operations, convertOperation(strings.ToUpper(method), path, item, op))
		}
	}
	if len(out.Operations) == 0 {
		return nil, errors.New("openapi: document has no operations")
	}
	return out, nil
}

// nonCircular drops circular-reference errors, which are legal in 3.1.
func nonCircular(err error) error {
	var keep []error
	for _, e := range flatten(err) {
		var re *index.ResolvingError
		if errors.As(e, &re) && re.CircularReference != nil {
			continue
		}
		keep = append(keep, e)
	}
	return errors.Join(keep...)
}

func flatten(err error) []error {
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range u.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func convertOperation(method, path string, item *v3.PathItem, op *v3.Operation) *spec.Operation {
	o := &spec.Operation{
		ID:          op.OperationId,
		Method:      method,
		Path:        path,
		Tags:        op.Tags,
		Summary:     op.Summary,
		Description: op.Description,
	}
	if o.ID == "" {
		o.ID = method + " " + path
	}
	// Path-level parameters apply unless the operation overrides them.
	seen := map[string]bool{}
	for _, p := range op.Parameters {
		if p != nil {
			seen[p.In+":"+p.Name] = true
			o.Params = append(o.Params, convertParam(p))
		}
	}
	for _, p := range item.Parameters {
		if p != nil && !seen[p.In+":"+p.Name] {
			o.Params = append(o.Params, convertParam(p))
		}
	}
	if rb := op.RequestBody; rb != nil && rb.Content != nil {
		if mt := jsonMedia(rb.Content); mt != nil && mt.Schema != nil {
			o.Body = &spec.Body{Required: rb.Required != nil && *rb.Required, Schema: convertProxy(mt.Schema, 0, false)}
		}
	}
	if op.Responses != nil && op.Responses.Codes != nil {
		for code, r := range op.Responses.Codes.FromOldest() {
			resp := spec.Response{Status: code}
			if r != nil {
				resp.Description = r.Description
				if r.Content != nil {
					if mt := jsonMedia(r.Content); mt != nil && mt.Schema != nil {
						resp.Schema = convertProxy(mt.Schema, 0, false)
					}
				}
			}
			o.Responses = append(o.Responses, resp)
		}
	}
	if op.Extensions != nil {
		for name, node := range op.Extensions.FromOldest() {
			if node == nil {
				continue
			}
			switch name {
			case "x-pagination":
				var p struct {
					RequestToken  string `yaml:"request_token"`
					Limit         string `yaml:"limit"`
					ResponseToken string `yaml:"response_token"`
				}
				if node.Decode(&p) == nil && p.RequestToken != "" {
					o.Pagination = &spec.Pagination{RequestToken: p.RequestToken, Limit: p.Limit, ResponseToken: p.ResponseToken}
				}
			case "x-partner-only":
				_ = node.Decode(&o.PartnerOnly)
			case "x-idempotency-key":
				_ = node.Decode(&o.Idempotent)
			}
		}
	}
	return o
}

func jsonMedia(content *orderedmap.Map[string, *v3.MediaType]) *v3.MediaType {
	var first *v3.MediaType
	for ct, mt := range content.FromOldest() {
		if strings.Contains(ct, "json") {
			return mt
		}
		if first == nil {
			first = mt
		}
	}
	return first
}

func convertParam(p *v3.Parameter) spec.Param {
	out := spec.Param{In: p.In, Name: p.Name, Description: p.Description, Required: p.Required != nil && *p.Required}
	if p.Schema != nil {
		if s := convertProxy(p.Schema, 0, false); s != nil {
			out.Type, out.Enum = s.Type, s.Enum
			if s.Type == "array" && s.Items != nil && s.Items.Type != "" {
				out.Type = "array of " + s.Items.Type
			}
		}
	}
	return out
}

// convertProxy converts a schema. top is true for a component's own body,
// which must be converted even though the proxy may itself be a reference.
func convertProxy(p *base.SchemaProxy, depth int, top bool) *spec.Schema {
	if p == nil {
		return nil
	}
	if !top && p.IsReference() {
		if name, ok := strings.CutPrefix(p.GetReference(), "#/components/schemas/"); ok {
			return &spec.Schema{Ref: name}
		}
	}
	if depth > maxInlineDepth {
		return &spec.Schema{Description: "(nested too deeply)"}
	}
	s := p.Schema()
	if s == nil {
		return &spec.Schema{}
	}
	out := &spec.Schema{
		Format:      s.Format,
		Description: s.Description,
		Required:    s.Required,
	}
	out.Type = schemaType(s.Type)
	for _, e := range s.Enum {
		if e != nil {
			out.Enum = append(out.Enum, e.Value)
		}
	}
	if s.Properties != nil {
		for name, prop := range s.Properties.FromOldest() {
			out.Properties = append(out.Properties, spec.Property{Name: name, Schema: convertProxy(prop, depth+1, false)})
		}
	}
	if s.Items != nil && s.Items.IsA() {
		out.Items = convertProxy(s.Items.A, depth+1, false)
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.IsA() {
		out.AdditionalProperties = convertProxy(s.AdditionalProperties.A, depth+1, false)
	}
	for _, x := range s.OneOf {
		out.OneOf = append(out.OneOf, convertProxy(x, depth+1, false))
	}
	for _, x := range s.AnyOf {
		out.AnyOf = append(out.AnyOf, convertProxy(x, depth+1, false))
	}
	for _, x := range s.AllOf {
		out.AllOf = append(out.AllOf, convertProxy(x, depth+1, false))
	}
	return out
}

// schemaType collapses 3.1 type arrays ("string", "null") to one name.
func schemaType(types []string) string {
	var keep []string
	for _, t := range types {
		if t != "null" {
			keep = append(keep, t)
		}
	}
	sort.Strings(keep)
	return strings.Join(keep, "|")
}

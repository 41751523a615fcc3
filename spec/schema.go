package spec

import "strings"

// Field is a top-level request body field, as search results show it.
type Field struct {
	Name     string   `json:"name"`
	Type     string   `json:"type,omitempty"`
	Required bool     `json:"required,omitempty"`
	Enum     []string `json:"enum,omitempty"`
	Nested   bool     `json:"-"` // object or array of objects: see detail mode
}

// Resolve follows component references until it reaches a schema with
// content. seen guards against reference loops.
func (a *API) Resolve(s *Schema) *Schema {
	seen := map[string]bool{}
	for s != nil && s.Ref != "" {
		if seen[s.Ref] {
			return nil
		}
		seen[s.Ref] = true
		s = a.Schemas[s.Ref]
	}
	return s
}

// BodyFields lists the top-level fields of an operation's request body.
func BodyFields(a *API, op *Operation) []Field {
	if op.Body == nil {
		return nil
	}
	s := a.Resolve(op.Body.Schema)
	if s == nil {
		return nil
	}
	req := map[string]bool{}
	for _, r := range s.Required {
		req[r] = true
	}
	out := make([]Field, 0, len(s.Properties))
	for _, p := range s.Properties {
		f := Field{Name: p.Name, Required: req[p.Name]}
		ps := a.Resolve(p.Schema)
		if ps != nil {
			f.Type, f.Enum = a.TypeName(p.Schema), ps.Enum
			f.Nested = ps.Type == "object" || len(ps.Properties) > 0 || len(ps.OneOf) > 0
			if items := a.Resolve(ps.Items); items != nil && (items.Type == "object" || len(items.Properties) > 0) {
				f.Nested = true
			}
		}
		out = append(out, f)
	}
	return out
}

// TypeName is a short human name for a schema's type: "string",
// "array of BulkSchema", "object (Filter)".
func (a *API) TypeName(s *Schema) string {
	if s == nil {
		return ""
	}
	if s.Ref != "" {
		r := a.Resolve(s)
		if r == nil {
			return s.Ref
		}
		if r.Type == "object" || len(r.Properties) > 0 || len(r.OneOf) > 0 {
			return s.Ref
		}
		return a.TypeName(r)
	}
	switch {
	case s.Type == "array" && s.Items != nil:
		return "array of " + a.TypeName(s.Items)
	case len(s.OneOf) > 0:
		return "oneOf"
	case s.Type == "" && len(s.Properties) > 0:
		return "object"
	case s.Type == "":
		return "any"
	}
	return s.Type
}

// ResponseFields names the fields of an operation's success payload. Polytomic
// wraps payloads in an envelope ({"data": …}); the fields inside are what an
// agent asks about ("which SSO domain", "the email of a user").
func ResponseFields(a *API, op *Operation) []string {
	var out []string
	for _, r := range op.Responses {
		if !strings.HasPrefix(r.Status, "2") {
			continue
		}
		s := a.Resolve(r.Schema)
		for depth := 0; s != nil && depth < 3; depth++ {
			if items := a.Resolve(s.Items); items != nil {
				s = items
				continue
			}
			var data *Schema
			for _, p := range s.Properties {
				if p.Name == "data" {
					data = a.Resolve(p.Schema)
					continue
				}
				out = append(out, p.Name)
			}
			s = data
		}
	}
	return out
}

package spec

// Expand inlines component references in s into a JSON Schema document
// (map form) for detail views. Expansion stops at depth levels and at any
// reference already being expanded on the current path (JSON Schema's own
// schema refers to itself), leaving {"$ref": name} there.
func (a *API) Expand(s *Schema, depth int) map[string]any {
	return a.expand(s, depth, map[string]bool{})
}

func (a *API) expand(s *Schema, depth int, path map[string]bool) map[string]any {
	if s == nil {
		return map[string]any{}
	}
	if s.Ref != "" {
		target, ok := a.Schemas[s.Ref]
		if !ok {
			return map[string]any{"$ref": s.Ref, "note": "unknown schema"}
		}
		if path[s.Ref] {
			return map[string]any{"$ref": s.Ref, "note": "recursive: same shape as the enclosing " + s.Ref}
		}
		if depth <= 0 {
			return map[string]any{"$ref": s.Ref, "note": "not expanded: nested too deeply"}
		}
		path[s.Ref] = true
		out := a.expand(target, depth, path)
		delete(path, s.Ref)
		out["title"] = s.Ref
		return out
	}
	out := map[string]any{}
	if s.Type != "" {
		out["type"] = s.Type
	}
	if s.Format != "" {
		out["format"] = s.Format
	}
	if s.Description != "" {
		out["description"] = s.Description
	}
	if len(s.Enum) > 0 {
		out["enum"] = s.Enum
	}
	if len(s.Required) > 0 {
		out["required"] = s.Required
	}
	if depth <= 0 {
		if len(s.Properties) > 0 || s.Items != nil {
			out["note"] = "not expanded: nested too deeply"
		}
		return out
	}
	if len(s.Properties) > 0 {
		props := make(map[string]any, len(s.Properties))
		for _, p := range s.Properties {
			props[p.Name] = a.expand(p.Schema, depth-1, path)
		}
		out["properties"] = props
	}
	if s.Items != nil {
		out["items"] = a.expand(s.Items, depth-1, path)
	}
	if s.AdditionalProperties != nil {
		out["additionalProperties"] = a.expand(s.AdditionalProperties, depth-1, path)
	}
	for key, list := range map[string][]*Schema{"oneOf": s.OneOf, "anyOf": s.AnyOf, "allOf": s.AllOf} {
		if len(list) == 0 {
			continue
		}
		xs := make([]any, len(list))
		for i, x := range list {
			xs[i] = a.expand(x, depth-1, path)
		}
		out[key] = xs
	}
	return out
}

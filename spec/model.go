// Package spec knows the Polytomic API description: the compact operation
// model that is built from the OpenAPI snapshot at build time and embedded in
// the binary, the search index over it, and schema expansion for detail views.
//
// The model is deliberately small and self-contained so that the binary never
// parses OpenAPI at run time: the libopenapi-based loader lives in
// spec/openapi and only runs in the build (spec/gen) and in tests.
package spec

import (
	"encoding/json"
	"fmt"
	"strings"
)

// API is the whole snapshot: its version and every operation.
type API struct {
	Title      string             `json:"title"`
	Version    string             `json:"version"`
	Operations []*Operation       `json:"operations"`
	Schemas    map[string]*Schema `json:"schemas"`
}

// Operation is one API call.
type Operation struct {
	ID          string      `json:"id"`
	Method      string      `json:"method"`
	Path        string      `json:"path"`
	Tags        []string    `json:"tags,omitempty"`
	Summary     string      `json:"summary,omitempty"`
	Description string      `json:"description,omitempty"`
	Params      []Param     `json:"params,omitempty"`
	Body        *Body       `json:"body,omitempty"`
	Responses   []Response  `json:"responses,omitempty"`
	Pagination  *Pagination `json:"pagination,omitempty"`
	PartnerOnly bool        `json:"partner_only,omitempty"`
	Idempotent  bool        `json:"idempotency_key,omitempty"`
}

// Param is a path, query or header parameter.
type Param struct {
	In          string   `json:"in"`
	Name        string   `json:"name"`
	Type        string   `json:"type,omitempty"`
	Required    bool     `json:"required,omitempty"`
	Enum        []string `json:"enum,omitempty"`
	Description string   `json:"description,omitempty"`
}

// Body is an operation's JSON request body.
type Body struct {
	Required bool    `json:"required,omitempty"`
	Schema   *Schema `json:"schema,omitempty"`
}

// Response is one documented response status.
type Response struct {
	Status      string  `json:"status"`
	Description string  `json:"description,omitempty"`
	Schema      *Schema `json:"schema,omitempty"`
}

// Pagination mirrors the x-pagination extension: which query parameter takes
// the token, which one bounds the page, and where the next token is returned.
type Pagination struct {
	RequestToken  string `json:"request_token"`
	Limit         string `json:"limit,omitempty"`
	ResponseToken string `json:"response_token"`
}

// Schema is a JSON Schema subset. A component reference is kept as Ref (the
// component name) instead of being inlined, which keeps the model small and
// makes self-referencing schemas representable; Expand resolves them.
type Schema struct {
	Ref                  string     `json:"ref,omitempty"`
	Type                 string     `json:"type,omitempty"`
	Format               string     `json:"format,omitempty"`
	Description          string     `json:"description,omitempty"`
	Enum                 []string   `json:"enum,omitempty"`
	Properties           []Property `json:"properties,omitempty"`
	Required             []string   `json:"required,omitempty"`
	Items                *Schema    `json:"items,omitempty"`
	AdditionalProperties *Schema    `json:"additional_properties,omitempty"`
	OneOf                []*Schema  `json:"one_of,omitempty"`
	AnyOf                []*Schema  `json:"any_of,omitempty"`
	AllOf                []*Schema  `json:"all_of,omitempty"`
}

// Property is a named object property, kept in document order.
type Property struct {
	Name   string  `json:"name"`
	Schema *Schema `json:"schema"`
}

// Key is the canonical "METHOD /path" form of an operation.
func (o *Operation) Key() string { return o.Method + " " + o.Path }

// ReadOnly reports whether the call is allowed in read-only mode.
func (o *Operation) ReadOnly() bool { return IsReadMethod(o.Method) }

// IsReadMethod reports whether method never changes state, which is what
// read-only mode lets through.
func IsReadMethod(method string) bool {
	return strings.ToUpper(method) == "GET"
}

// ManagedHeader reports whether a header parameter is set by the binary itself
// (version and idempotency headers), so agents need not pass it.
func ManagedHeader(name string) bool {
	switch strings.ToLower(name) {
	case "x-polytomic-version", "idempotency-key", "authorization":
		return true
	}
	return false
}

// Decode parses the compact JSON model produced by the generator and indexes
// it. It validates the few invariants the rest of the binary relies on.
func Decode(data []byte) (*API, error) {
	var api API
	if err := json.Unmarshal(data, &api); err != nil {
		return nil, fmt.Errorf("decode API model: %w", err)
	}
	if err := api.validate(); err != nil {
		return nil, err
	}
	return &api, nil
}

// Encode writes the model in the form Decode reads.
func (a *API) Encode() ([]byte, error) { return json.Marshal(a) }

func (a *API) validate() error {
	if len(a.Operations) == 0 {
		return fmt.Errorf("API model has no operations")
	}
	seen := make(map[string]bool, len(a.Operations))
	for i, op := range a.Operations {
		if op == nil || op.Method == "" || !strings.HasPrefix(op.Path, "/") {
			return fmt.Errorf("API model: operation %d has no method or path", i)
		}
		if seen[op.Key()] {
			return fmt.Errorf("API model: duplicate operation %s", op.Key())
		}
		seen[op.Key()] = true
	}
	return nil
}

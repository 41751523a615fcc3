package openapi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
	"github.com/polytomic-mcp/polytomic-mcp/spec/openapi"
)

func loadMini(t *testing.T) *spec.API {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "specs", "mini.json"))
	if err != nil {
		t.Fatal(err)
	}
	api, err := openapi.Load(data)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return api
}

func op(t *testing.T, api *spec.API, id string) *spec.Operation {
	t.Helper()
	for _, o := range api.Operations {
		if o.ID == id {
			return o
		}
	}
	t.Fatalf("operation %s not found", id)
	return nil
}

func TestLoadMini(t *testing.T) {
	api := loadMini(t)
	if api.Title != "Widget API" || api.Version != "2024-01-01" {
		t.Errorf("info = %q %q", api.Title, api.Version)
	}
	if got := len(api.Operations); got != 5 {
		t.Fatalf("operations = %d, want 5", got)
	}
	tests := []struct {
		id, method, path string
		partner, idem    bool
		paged            bool
		params           []string // in:name, required marked with *
	}{
		{"widgets_list", "GET", "/api/widgets", false, false, true, []string{"query:page_token", "query:limit", "query:color"}},
		{"widgets_create", "POST", "/api/widgets", false, true, false, []string{"header:Idempotency-Key"}},
		// Path-level parameters are inherited by each operation.
		{"widgets_get", "GET", "/api/widgets/{widget_id}", false, false, false, []string{"path:widget_id*"}},
		{"widgets_delete", "DELETE", "/api/widgets/{widget_id}", false, false, false, []string{"path:widget_id*"}},
		{"orgs_list", "GET", "/api/partners/orgs", true, false, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			o := op(t, api, tt.id)
			if o.Method != tt.method || o.Path != tt.path {
				t.Errorf("got %s %s", o.Method, o.Path)
			}
			if o.PartnerOnly != tt.partner || o.Idempotent != tt.idem || (o.Pagination != nil) != tt.paged {
				t.Errorf("extensions: partner=%v idem=%v paged=%v", o.PartnerOnly, o.Idempotent, o.Pagination != nil)
			}
			var got []string
			for _, p := range o.Params {
				s := p.In + ":" + p.Name
				if p.Required {
					s += "*"
				}
				got = append(got, s)
			}
			if strings.Join(got, ",") != strings.Join(tt.params, ",") {
				t.Errorf("params = %v, want %v", got, tt.params)
			}
		})
	}
	list := op(t, api, "widgets_list")
	if p := list.Pagination; p.RequestToken != "page_token" || p.Limit != "limit" || p.ResponseToken != "pagination.next_page_token" {
		t.Errorf("pagination = %+v", p)
	}
	if e := list.Params[2].Enum; strings.Join(e, ",") != "red,blue" {
		t.Errorf("enum = %v", e)
	}
	create := op(t, api, "widgets_create")
	if create.Body == nil || !create.Body.Required || create.Body.Schema.Ref != "CreateWidgetRequest" {
		t.Fatalf("body = %+v", create.Body)
	}
	// 3.1 type arrays lose their "null".
	fields := spec.BodyFields(api, create)
	if len(fields) != 4 || fields[0].Name != "name" || !fields[0].Required || fields[3].Type != "array of string" {
		t.Errorf("body fields = %+v", fields)
	}
	if !fields[2].Nested {
		t.Errorf("tree should be marked nested: %+v", fields[2])
	}
}

// The self-referencing Node schema must load as a reference, and expanding
// it must terminate.
func TestLoadRefCycle(t *testing.T) {
	api := loadMini(t)
	node := api.Schemas["Node"]
	if node == nil || len(node.Properties) != 2 {
		t.Fatalf("Node = %+v", node)
	}
	if ref := node.Properties[1].Schema.Items.Ref; ref != "Node" {
		t.Errorf("children items ref = %q, want Node", ref)
	}
	out := api.Expand(&spec.Schema{Ref: "Widget"}, 50)
	tree := out["properties"].(map[string]any)["tree"].(map[string]any)
	children := tree["properties"].(map[string]any)["children"].(map[string]any)
	items := children["items"].(map[string]any)
	if items["$ref"] != "Node" || !strings.Contains(items["note"].(string), "recursive") {
		t.Errorf("recursive Node not cut at the cycle: %v", items)
	}
}

func TestLoadBad(t *testing.T) {
	tests := map[string]string{
		"empty":         "",
		"not json":      "{{{",
		"swagger 2":     `{"swagger":"2.0","info":{"title":"x","version":"1"},"paths":{}}`,
		"no paths":      `{"openapi":"3.1.0","info":{"title":"x","version":"1"}}`,
		"no operations": `{"openapi":"3.1.0","info":{"title":"x","version":"1"},"paths":{"/a":{}}}`,
		"dangling ref":  `{"openapi":"3.1.0","info":{"title":"x","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Missing"}}}}}}}}}`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := openapi.Load([]byte(doc)); err == nil {
				t.Errorf("Load accepted %s", name)
			}
		})
	}
}

// FuzzLoad: arbitrary bytes give an error or a model, never a panic.
func FuzzLoad(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "specs", "mini.json")); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"openapi":"3.1.0","info":{"title":"x","version":"1"},"paths":{"/a/{id}":{"get":{"operationId":"a"}}}}`))
	f.Add([]byte("openapi: 3.0.0\npaths: {}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		api, err := openapi.Load(data)
		if err == nil && len(api.Operations) == 0 {
			t.Fatal("no error and no operations")
		}
	})
}

// The embedded model must be what the loader makes of the OpenAPI file on
// disk: a stale model would search an API the binary does not describe.
func TestEmbeddedModelIsCurrent(t *testing.T) {
	path := filepath.Join("..", "snapshot", spec.OpenAPIFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v\nfix: run `make snapshot` (it copies SPEC_SOURCE into spec/snapshot/)", err)
	}
	api, err := openapi.Load(raw)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := api.Encode()
	ix, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := ix.API().Encode()
	if string(got) != string(want) {
		t.Fatalf("embedded model.json is stale (%d operations; %s has %d): run `make snapshot` to regenerate it",
			len(ix.API().Operations), path, len(api.Operations))
	}
}

package spec_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/polytomic-mcp/polytomic-mcp/internal/testspec"
	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

func miniIndex(t testing.TB) *spec.Index { return testspec.Mini(t) }

func TestSearchMini(t *testing.T) {
	ix := miniIndex(t)
	tests := []struct {
		query, method, want string
	}{
		{"list widgets", "", "GET /api/widgets"},
		{"show all the widgets", "", "GET /api/widgets"},
		{"get one widget by id", "", "GET /api/widgets/{widget_id}"},
		{"remove a widget", "", "DELETE /api/widgets/{widget_id}"},
		{"make a new widget", "", "POST /api/widgets"},
		{"wigdets", "", "GET /api/widgets"},                      // typo
		{"widgets with page_token", "", "GET /api/widgets"},      // parameter name
		{"widgets", "DELETE", "DELETE /api/widgets/{widget_id}"}, // method filter
		{"customer organizations of a partner", "", "GET /api/partners/orgs"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			hits := ix.Search(tt.query, spec.SearchOptions{Limit: 3, Method: tt.method})
			if len(hits) == 0 {
				t.Fatalf("no hits")
			}
			if got := hits[0].Op.Key(); got != tt.want {
				t.Errorf("top = %s, want %s", got, tt.want)
			}
			for _, h := range hits {
				if tt.method != "" && h.Op.Method != tt.method {
					t.Errorf("method filter let %s through", h.Op.Key())
				}
			}
		})
	}
}

func TestSearchEdges(t *testing.T) {
	ix := miniIndex(t)
	for _, q := range []string{"", "   ", "the of and", "\xff\xfe", strings.Repeat("widget ", 100000), "\x00\x00"} {
		hits := ix.Search(q, spec.SearchOptions{Limit: 5})
		if len(hits) > 5 {
			t.Errorf("%.20q: %d hits over the limit", q, len(hits))
		}
	}
	if hits := ix.Search("widgets", spec.SearchOptions{}); len(hits) == 0 || len(hits) > 5 {
		t.Errorf("default limit: %d hits", len(hits))
	}
}

func TestLookupAndNearest(t *testing.T) {
	ix := miniIndex(t)
	for ref, want := range map[string]string{
		"widgets_get":             "GET /api/widgets/{widget_id}",
		"WIDGETS_GET":             "GET /api/widgets/{widget_id}",
		"GET /api/widgets/{id}":   "GET /api/widgets/{widget_id}",
		"get /api/widgets/{x}/":   "GET /api/widgets/{widget_id}",
		"DELETE /api/widgets/{a}": "DELETE /api/widgets/{widget_id}",
	} {
		op, ok := ix.Lookup(ref)
		if !ok || op.Key() != want {
			t.Errorf("Lookup(%q) = %v, want %s", ref, op, want)
		}
	}
	for _, ref := range []string{"widgets_gte", "PUT /api/widgets/{id}", "nothing"} {
		if _, ok := ix.Lookup(ref); ok {
			t.Errorf("Lookup(%q) resolved", ref)
		}
		near := ix.Nearest(ref, 3)
		if len(near) != 3 {
			t.Errorf("Nearest(%q) = %d ops", ref, len(near))
		}
	}
	if near := ix.Nearest("widgets_gte", 1); near[0].ID != "widgets_get" {
		t.Errorf("Nearest(widgets_gte) = %s", near[0].ID)
	}
}

func TestNormalizeKey(t *testing.T) {
	for in, want := range map[string]string{
		"GET /api/bulk/syncs/{id}/executions/{exec_id}": "GET /api/bulk/syncs/{}/executions/{}",
		"post /api/connections/connect/":                "POST /api/connections/connect",
		" GET  /api/me ":                                "GET /api/me",
	} {
		if got := spec.NormalizeKey(in); got != want {
			t.Errorf("NormalizeKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	for name, data := range map[string]string{
		"not json":      "[",
		"no operations": `{"operations":[]}`,
		"bad path":      `{"operations":[{"method":"GET","path":"api"}]}`,
		"duplicate":     `{"operations":[{"method":"GET","path":"/a"},{"method":"GET","path":"/a"}]}`,
	} {
		if _, err := spec.Decode([]byte(data)); err == nil {
			t.Errorf("%s: Decode accepted it", name)
		}
	}
}

// FuzzSearch: any query string is answered within the limit, without panic.
func FuzzSearch(f *testing.F) {
	ix := miniIndex(f)
	for _, s := range []string{"list widgets", "wigdet delte", "not the widget, rather than orgs", "page_token=1", "\xff", "日本語 ウィジェット"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		hits := ix.Search(q, spec.SearchOptions{Limit: 5})
		if len(hits) > 5 {
			t.Fatalf("%d hits", len(hits))
		}
		for _, h := range hits {
			if h.Score <= 0 || !utf8.ValidString(h.Op.ID) {
				t.Fatalf("bad hit %+v", h)
			}
		}
	})
}

// FuzzDecode: the model decoder rejects garbage without panicking.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"operations":[{"method":"GET","path":"/a","params":[{"in":"path","name":"id"}]}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if api, err := spec.Decode(data); err == nil {
			spec.NewIndex(api).Search("a", spec.SearchOptions{Limit: 3})
		}
	})
}

// TestPool: pooled sets count by their sizes, overall and by kind.
func TestPool(t *testing.T) {
	a := spec.EvalResult{N: 10, Recall1: 0.5, Recall5: 1, MRR: 0.7, ByKind: map[string]*spec.EvalResult{"task": {N: 10, Recall1: 0.5, Recall5: 1, MRR: 0.7}}}
	b := spec.EvalResult{N: 30, Recall1: 0.9, Recall5: 0.8, MRR: 0.9, ByKind: map[string]*spec.EvalResult{"task": {N: 20, Recall1: 1, Recall5: 1, MRR: 1}, "typo": {N: 10, Recall1: 0.7, Recall5: 0.4, MRR: 0.7}}}
	p := spec.Pool(a, b)
	near := func(x, y float64) bool { return x-y < 1e-9 && y-x < 1e-9 }
	if p.N != 40 || !near(p.Recall1, 0.8) || !near(p.Recall5, 0.85) || !near(p.MRR, 0.85) {
		t.Errorf("pooled %+v", p)
	}
	if k := p.ByKind["task"]; k.N != 30 || !near(k.Recall1, 2.5/3) {
		t.Errorf("task %+v", k)
	}
	if k := p.ByKind["typo"]; k.N != 10 || !near(k.Recall5, 0.4) {
		t.Errorf("typo %+v", k)
	}
}

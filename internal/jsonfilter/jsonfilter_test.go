package jsonfilter

import (
	"errors"
	"strings"
	"testing"
)

func TestApply(t *testing.T) {
	doc := []byte(`{"data":[{"id":"a","name":"x","active":true},{"id":"b","name":"y","active":false}],"pagination":{"next_page_token":"t"}}`)
	tests := []struct {
		path, want, err string
	}{
		{"data.#.id", `["a","b"]`, ""},
		{"data.#.{id,active}", `[{"id":"a","active":true},{"id":"b","active":false}]`, ""},
		{"data.1.name", `"y"`, ""},
		{"pagination.next_page_token", `"t"`, ""},
		{"data.#(active==true).id", `"a"`, ""},
		{"nothing.here", "", "matched nothing"},
		{"data\x01", "", "control characters"},
		{strings.Repeat("a", MaxPathLen+1), "", "keep it under"},
	}
	for _, tt := range tests {
		got, err := Apply(doc, tt.path)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.path, err, tt.err)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("%q = %s, %v; want %s", tt.path, got, err, tt.want)
		}
	}
	if _, err := Apply([]byte("not json"), "a"); err == nil || errors.Is(err, ErrNoMatch) {
		t.Errorf("invalid JSON: %v", err)
	}
}

// A reply nested deeper than maxDepth is refused before gjson sees it
// (gjson recurses per level); strings with brackets do not count.
func TestApplyRefusesDeepNesting(t *testing.T) {
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	for _, f := range []string{"@this", `@flatten:{"deep":true}`, "0"} {
		if _, err := Apply([]byte(deep), f); !errors.Is(err, ErrBudget) {
			t.Errorf("%s: err = %v", f, err)
		}
	}
	ok := `{"data":[{"name":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"]"}]}`
	if got, err := Apply([]byte(ok), "data.0.name"); err != nil || !strings.HasPrefix(string(got), `"[[[`) {
		t.Errorf("brackets in strings: %s %v", got, err)
	}
}

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

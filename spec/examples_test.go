package spec

import (
	"slices"
	"testing"
)

// TestExampleRequests: every example names an operation of the API, every
// operation has examples, and only the words an example asks with are
// indexed.
func TestExampleRequests(t *testing.T) {
	ix := testIndex(t)
	examples := parseExamples(requestsTSV)
	ops := map[string]bool{}
	for _, op := range ix.API().Operations {
		ops[NormalizeKey(op.Key())] = true
		if n := len(examples[NormalizeKey(op.Key())]); n < 10 {
			t.Errorf("%s has %d example requests, want at least 10", op.Key(), n)
		}
	}
	for key := range examples {
		if !ops[key] {
			t.Errorf("examples for %q, which is no operation of the API", key)
		}
	}
}

// TestExampleWordsAskedOnly: what an example rules out or tells as done is
// not indexed for its operation.
func TestExampleWordsAskedOnly(t *testing.T) {
	got := exampleWords([]string{"cancel this one run, not the whole sync", "I started the export; now poll the job"})
	for _, w := range []string{"cancel", "run", "poll", "job"} {
		if !slices.Contains(got, w) {
			t.Errorf("asked word %q missing from %v", w, got)
		}
	}
	for _, w := range []string{"whole", "sync", "started", "export"} {
		if slices.Contains(got, w) {
			t.Errorf("negated or done word %q indexed: %v", w, got)
		}
	}
}

package spec

import (
	"slices"
	"strings"
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

// TestExamplesAreOurOwnWords: no example request repeats a run of seven
// words of the API description, which is third-party text that the
// repository never holds, copied or transformed.
func TestExamplesAreOurOwnWords(t *testing.T) {
	const run = 7
	ix := testIndex(t)
	seen := map[string]bool{}
	add := func(text string) {
		ws := words(text)
		for i := 0; i+run <= len(ws); i++ {
			seen[strings.Join(ws[i:i+run], " ")] = true
		}
	}
	for _, op := range ix.API().Operations {
		add(op.Summary)
		add(op.Description)
		for _, p := range op.Params {
			add(p.Description)
		}
	}
	for key, reqs := range parseExamples(requestsTSV) {
		for _, r := range reqs {
			ws := words(r)
			for i := 0; i+run <= len(ws); i++ {
				if s := strings.Join(ws[i:i+run], " "); seen[s] {
					t.Errorf("%s: %q repeats the description's %q", key, r, s)
					break
				}
			}
		}
	}
}

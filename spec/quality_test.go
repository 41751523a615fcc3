package spec_test

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// evalSet is one evaluation set and the floor its scores must stay above:
// a little under the current score, so a change that loses ground on any
// set fails, whichever set it was tuned on.
type evalSet struct {
	name, path       string
	recall1, recall5 float64
	// frozen sets are never studied: only their totals are logged, never
	// a query or a miss.
	frozen bool
}

// devPath is the development set that ships beside the repository;
// SEARCH_EVAL overrides it.
func devPath() string {
	if p := os.Getenv("SEARCH_EVAL"); p != "" {
		return p
	}
	return filepath.Join("..", "..", "shared", "eval", "search-dev.jsonl")
}

func evalSets() []evalSet {
	dir := filepath.Join("..", "testdata", "search")
	return []evalSet{
		// The product's bar on the dev set: a regression floor, not a target.
		{name: "dev", path: devPath(), recall1: 0.85, recall5: 0.97},
		{name: "holdout", path: filepath.Join(dir, "holdout.jsonl"), recall1: 0.87, recall5: 0.97},
		{name: "u1", path: filepath.Join(dir, "u1.jsonl"), recall1: 0.65, recall5: 0.85},
		{name: "u2", path: filepath.Join(dir, "u2.jsonl"), recall1: 0.63, recall5: 0.82, frozen: true},
		{name: "u3", path: filepath.Join(dir, "u3.jsonl"), recall1: 0.72, recall5: 0.88, frozen: true},
		{name: "u4", path: filepath.Join(dir, "u4.jsonl"), recall1: 0.64, recall5: 0.78, frozen: true},
		{name: "u5", path: filepath.Join(dir, "u5.jsonl"), recall1: 0.40, recall5: 0.68},
		{name: "u6", path: filepath.Join(dir, "u6.jsonl"), recall1: 0.63, recall5: 0.83, frozen: true},
	}
}

// evaluate runs an evaluation set and logs its scores; unless the set is
// frozen, also by kind and every case not ranked first.
func evaluate(t *testing.T, set evalSet) spec.EvalResult {
	t.Helper()
	f, err := os.Open(set.path)
	if err != nil {
		t.Fatalf("search eval set missing: %v\nfix: the dev set is ../shared/eval/search-dev.jsonl beside the repo (or set SEARCH_EVAL)", err)
	}
	defer f.Close()
	cases, err := spec.ReadEvalCases(f)
	if err != nil {
		t.Fatal(err)
	}
	res := spec.Evaluate(embeddedIndex(t), cases)
	if set.frozen {
		t.Logf("%s: n=%d Recall@1=%.3f Recall@5=%.3f MRR=%.3f", set.name, res.N, res.Recall1, res.Recall5, res.MRR)
		return res
	}
	for _, fl := range res.Failures {
		t.Logf("%s rank %d %q want %v got %v", fl.Case.ID, fl.Rank, fl.Case.Query, fl.Case.Expect, fl.Top)
	}
	kinds := make([]string, 0, len(res.ByKind))
	for k := range res.ByKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		r := res.ByKind[k]
		t.Logf("  %-11s n=%3d Recall@1=%.3f Recall@5=%.3f", k, r.N, r.Recall1, r.Recall5)
	}
	t.Logf("%s: n=%d Recall@1=%.3f Recall@5=%.3f MRR=%.3f", set.name, res.N, res.Recall1, res.Recall5, res.MRR)
	return res
}

// TestSearchQuality holds every evaluation set to its floor.
func TestSearchQuality(t *testing.T) {
	for _, set := range evalSets() {
		t.Run(set.name, func(t *testing.T) {
			res := evaluate(t, set)
			if res.Recall1 < set.recall1 || res.Recall5 < set.recall5 {
				t.Errorf("%s: Recall@1=%.3f (floor %.2f), Recall@5=%.3f (floor %.2f)", set.name, res.Recall1, set.recall1, res.Recall5, set.recall5)
			}
		})
	}
}

// embeddedIndex returns the index over the embedded snapshot, failing with
// the fix when the build has not prepared it.
func embeddedIndex(t testing.TB) *spec.Index {
	t.Helper()
	ix, err := spec.Embedded()
	if err != nil {
		t.Fatalf("%v", err)
	}
	return ix
}

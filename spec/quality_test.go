package spec_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// evalPath is where set is, seen from this package; SEARCH_EVAL
// overrides the dev set's.
func evalPath(set spec.EvalSet) string {
	if p := os.Getenv("SEARCH_EVAL"); p != "" && set.Name == "dev" {
		return p
	}
	return filepath.Join("..", filepath.FromSlash(set.Path))
}

// evaluate runs an evaluation set and logs its scores; unless the set is
// frozen, also by kind and every case not ranked first.
func evaluate(t *testing.T, set spec.EvalSet) spec.EvalResult {
	t.Helper()
	f, err := os.Open(evalPath(set))
	if err != nil {
		t.Fatalf("search eval set missing: %v\nfix: the dev set is ../shared/eval/search-dev.jsonl beside the repo (or set SEARCH_EVAL)", err)
	}
	defer f.Close()
	cases, err := spec.ReadEvalCases(f)
	if err != nil {
		t.Fatal(err)
	}
	res := spec.Evaluate(embeddedIndex(t), cases)
	if set.Frozen {
		t.Logf("%s: n=%d Recall@1=%.3f Recall@5=%.3f MRR=%.3f", set.Name, res.N, res.Recall1, res.Recall5, res.MRR)
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
	t.Logf("%s: n=%d Recall@1=%.3f Recall@5=%.3f MRR=%.3f", set.Name, res.N, res.Recall1, res.Recall5, res.MRR)
	return res
}

// TestSearchQuality holds every evaluation set to its floor, and logs the
// frozen sets together, by kind (totals only).
func TestSearchQuality(t *testing.T) {
	var frozen []spec.EvalResult
	for _, set := range spec.EvalSets() {
		t.Run(set.Name, func(t *testing.T) {
			res := evaluate(t, set)
			if res.Recall1 < set.Recall1 || res.Recall5 < set.Recall5 {
				t.Errorf("%s: Recall@1=%.3f (floor %.2f), Recall@5=%.3f (floor %.2f)", set.Name, res.Recall1, set.Recall1, res.Recall5, set.Recall5)
			}
			if set.Frozen {
				frozen = append(frozen, res)
			}
		})
	}
	if len(frozen) == 0 {
		return
	}
	pooled := spec.Pool(frozen...)
	for _, k := range slices.Sorted(maps.Keys(pooled.ByKind)) {
		r := pooled.ByKind[k]
		t.Logf("frozen %-11s n=%3d Recall@1=%.3f Recall@5=%.3f", k, r.N, r.Recall1, r.Recall5)
	}
	t.Logf("frozen sets together: n=%d Recall@1=%.3f Recall@5=%.3f", pooled.N, pooled.Recall1, pooled.Recall5)
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

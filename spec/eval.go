package spec

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
)

// EvalCase is one line of a search evaluation set: a query and the
// operations ("METHOD /path") that answer it.
type EvalCase struct {
	ID     string   `json:"id"`
	Query  string   `json:"q"`
	Expect []string `json:"expect"`
	Kind   string   `json:"kind,omitempty"`
}

// EvalResult is how an index did on an evaluation set.
type EvalResult struct {
	N        int
	Recall1  float64
	Recall5  float64
	MRR      float64
	Failures []EvalFailure // cases whose answer was not ranked first
	// ByKind breaks the scores down by query kind (task, paraphrase, …).
	ByKind map[string]*EvalResult
}

// EvalFailure records a case not answered at rank 1.
type EvalFailure struct {
	Case EvalCase
	Rank int // 1-based rank of the first acceptable answer; 0 if not in the top 20
	Top  []string
}

// EvalSet is one search evaluation set: where it is, what it is, and the
// floor its scores must stay above (a little under the current score, so a
// change that loses ground on any set fails, whichever set it was tuned on).
type EvalSet struct {
	Name string
	// Path is relative to the repository root; the dev set's is
	// ../shared/eval/search-dev.jsonl, beside the repository.
	Path, About      string
	Recall1, Recall5 float64
	// Frozen sets are never studied: only their totals are looked at,
	// never a query or a miss.
	Frozen bool
}

// EvalSets lists the evaluation sets, the dev set first. The quality test
// holds each to its floor; `make bench` reports them all.
func EvalSets() []EvalSet {
	return []EvalSet{
		// The product's bar on the dev set: a regression floor, not a target.
		{Name: "dev", Path: "../shared/eval/search-dev.jsonl", About: "dev set: tuned on, a regression floor", Recall1: 0.85, Recall5: 0.97},
		{Name: "holdout", Path: "testdata/search/holdout.jsonl", About: "written apart from the dev set; studied, no longer unseen", Recall1: 0.87, Recall5: 0.97},
		{Name: "u1", Path: "testdata/search/u1.jsonl", About: "unseen batch 1: the first session's tuning set since its first look", Recall1: 0.80, Recall5: 0.95},
		{Name: "u2", Path: "testdata/search/u2.jsonl", About: "unseen batch 2: frozen, never studied", Recall1: 0.74, Recall5: 0.95, Frozen: true},
		{Name: "u3", Path: "testdata/search/u3.jsonl", About: "unseen batch 3, written after the search work began: frozen, never studied", Recall1: 0.80, Recall5: 0.94, Frozen: true},
		{Name: "u4", Path: "testdata/search/u4.jsonl", About: "unseen batch 4, written after the first session's search was final: frozen, never studied", Recall1: 0.76, Recall5: 0.95, Frozen: true},
		{Name: "u5", Path: "testdata/search/u5.jsonl", About: "unseen batch 5 (paraphrases and symptoms): the second session's tuning set since its first look", Recall1: 0.74, Recall5: 0.93},
		{Name: "u6", Path: "testdata/search/u6.jsonl", About: "unseen batch 6, second session: frozen, never studied", Recall1: 0.75, Recall5: 0.91, Frozen: true},
		{Name: "u7", Path: "testdata/search/u7.jsonl", About: "unseen batch 7, written while the second session's search was being finished and scored once on the final search: frozen, never studied", Recall1: 0.78, Recall5: 0.94, Frozen: true},
		{Name: "u8", Path: "testdata/search/u8.jsonl", About: "unseen batch 8, written after the second session's search was final and scored once on it: frozen, never studied", Recall1: 0.83, Recall5: 0.97, Frozen: true},
	}
}

// ReadEvalCases parses a JSONL evaluation set.
func ReadEvalCases(r io.Reader) ([]EvalCase, error) {
	var out []EvalCase
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c EvalCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("eval line %d: %w", line, err)
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

var pathParam = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{[^}]*\}`) })

// NormalizeKey makes "METHOD /path" comparable: parameter names and trailing
// slashes do not matter.
func NormalizeKey(key string) string {
	method, path, _ := strings.Cut(strings.TrimSpace(key), " ")
	path = strings.TrimRight(pathParam().ReplaceAllString(strings.TrimSpace(path), "{}"), "/")
	return strings.ToUpper(method) + " " + path
}

// Evaluate runs every case through the index.
func Evaluate(ix *Index, cases []EvalCase) EvalResult {
	res := EvalResult{ByKind: map[string]*EvalResult{}}
	for _, c := range cases {
		rank, top := rankOf(ix, c)
		k := res.ByKind[c.Kind]
		if k == nil {
			k = &EvalResult{}
			res.ByKind[c.Kind] = k
		}
		for _, r := range []*EvalResult{&res, k} {
			r.add(rank)
		}
		if rank != 1 {
			res.Failures = append(res.Failures, EvalFailure{Case: c, Rank: rank, Top: top})
		}
	}
	res.finish()
	for _, k := range res.ByKind {
		k.finish()
	}
	return res
}

// rankOf is the 1-based rank of c's first acceptable answer in the top 20
// (0 if absent), and the top five operations.
func rankOf(ix *Index, c EvalCase) (int, []string) {
	want := map[string]bool{}
	for _, e := range c.Expect {
		want[NormalizeKey(e)] = true
	}
	rank := 0
	var top []string
	for i, h := range ix.Search(c.Query, SearchOptions{Limit: 20}) {
		if len(top) < 5 {
			top = append(top, h.Op.Key())
		}
		if rank == 0 && want[NormalizeKey(h.Op.Key())] {
			rank = i + 1
		}
	}
	return rank, top
}

// Pool scores several evaluation sets as one: each set counts by its
// number of cases, overall and by kind. Failures are not carried over.
func Pool(results ...EvalResult) EvalResult {
	out := EvalResult{ByKind: map[string]*EvalResult{}}
	for _, r := range results {
		out.addRates(r)
		for k, kr := range r.ByKind {
			if out.ByKind[k] == nil {
				out.ByKind[k] = &EvalResult{}
			}
			out.ByKind[k].addRates(*kr)
		}
	}
	out.finish()
	for _, k := range out.ByKind {
		k.finish()
	}
	return out
}

// addRates adds the counts behind o's rates to r's running counts.
func (r *EvalResult) addRates(o EvalResult) {
	n := float64(o.N)
	r.N += o.N
	r.Recall1 += o.Recall1 * n
	r.Recall5 += o.Recall5 * n
	r.MRR += o.MRR * n
}

// add counts one case answered at rank (0: not in the top 20).
func (r *EvalResult) add(rank int) {
	r.N++
	if rank == 1 {
		r.Recall1++
	}
	if rank >= 1 && rank <= 5 {
		r.Recall5++
	}
	if rank > 0 {
		r.MRR += 1 / float64(rank)
	}
}

// finish turns the counts into rates.
func (r *EvalResult) finish() {
	if r.N > 0 {
		n := float64(r.N)
		r.Recall1, r.Recall5, r.MRR = r.Recall1/n, r.Recall5/n, r.MRR/n
	}
}

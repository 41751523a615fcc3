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
}

// EvalFailure records a case not answered at rank 1.
type EvalFailure struct {
	Case EvalCase
	Rank int // 1-based rank of the first acceptable answer; 0 if not in the top 20
	Top  []string
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
	res := EvalResult{N: len(cases)}
	for _, c := range cases {
		want := map[string]bool{}
		for _, e := range c.Expect {
			want[NormalizeKey(e)] = true
		}
		hits := ix.Search(c.Query, SearchOptions{Limit: 20})
		rank := 0
		var top []string
		for i, h := range hits {
			if len(top) < 5 {
				top = append(top, h.Op.Key())
			}
			if rank == 0 && want[NormalizeKey(h.Op.Key())] {
				rank = i + 1
			}
		}
		if rank == 1 {
			res.Recall1++
		}
		if rank >= 1 && rank <= 5 {
			res.Recall5++
		}
		if rank > 0 {
			res.MRR += 1 / float64(rank)
		}
		if rank != 1 {
			res.Failures = append(res.Failures, EvalFailure{Case: c, Rank: rank, Top: top})
		}
	}
	if res.N > 0 {
		n := float64(res.N)
		res.Recall1, res.Recall5, res.MRR = res.Recall1/n, res.Recall5/n, res.MRR/n
	}
	return res
}

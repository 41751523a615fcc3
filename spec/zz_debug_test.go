package spec

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

func TestZZDebug(t *testing.T) {
	qs := os.Getenv("DQ")
	if qs == "" {
		t.Skip()
	}
	ix := testIndex(t)
	for _, qq := range strings.Split(qs, "||") {
		q := ix.analyze(qq)
		type kv struct {
			k string
			v float64
		}
		var kvs []kv
		for k, v := range q.terms {
			kvs = append(kvs, kv{k, v})
		}
		sort.Slice(kvs, func(a, b int) bool { return kvs[a].v > kvs[b].v })
		fmt.Printf("Q: %s\n  terms:", qq)
		for _, e := range kvs {
			fmt.Printf(" %s=%.2f", e.k, e.v)
		}
		fmt.Printf("\n  intent: %+v\n", q.intent)
		for i, h := range ix.Search(qq, SearchOptions{Limit: 5}) {
			fmt.Printf("  %d %.3f %s %s\n", i+1, h.Score, h.Op.Key(), h.Op.ID)
		}
	}
}

func TestZZRefs(t *testing.T) {
	if os.Getenv("DREFS") == "" {
		t.Skip()
	}
	ix := testIndex(t)
	for _, op := range ix.api.Operations {
		var out []string
		for _, r := range ix.links.refs[op] {
			out = append(out, r.to.Key())
		}
		if len(out) > 0 {
			fmt.Println(op.Key(), "->", out)
		}
	}
}

func TestZZKinds(t *testing.T) {
	if os.Getenv("DKINDS") == "" {
		t.Skip()
	}
	ix := testIndex(t)
	agg := map[string][3]float64{}
	for _, n := range []string{"u2", "u3", "u4", "u6"} {
		f, _ := os.Open("../testdata/search/" + n + ".jsonl")
		cases, _ := ReadEvalCases(f)
		f.Close()
		r := Evaluate(ix, cases)
		for k, v := range r.ByKind {
			a := agg[k]
			a[0] += float64(v.N)
			a[1] += v.Recall1 * float64(v.N)
			a[2] += v.Recall5 * float64(v.N)
			agg[k] = a
		}
	}
	var ks []string
	for k := range agg {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		a := agg[k]
		fmt.Printf("%-11s n=%3.0f R1=%.3f R5=%.3f\n", k, a[0], a[1]/a[0], a[2]/a[0])
	}
}

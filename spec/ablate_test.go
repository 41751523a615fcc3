package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAblateLexicon measures what each lexicon line is worth: it rebuilds
// the index without the line and logs the change in answered queries
// (Recall@1 and Recall@5 counts) on the dev, hold-out and tuning sets. A
// line worth nothing on any of them is a candidate for removal. The frozen
// set is not read. Run with ABLATE=1 go test ./spec -run AblateLexicon -v.
func TestAblateLexicon(t *testing.T) {
	if os.Getenv("ABLATE") == "" {
		t.Skip("set ABLATE=1 to measure every lexicon line")
	}
	ix0, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "testdata", "search")
	var sets [][]EvalCase
	for _, p := range []string{filepath.Join("..", "..", "shared", "eval", "search-dev.jsonl"), filepath.Join(dir, "holdout.jsonl"), filepath.Join(dir, "u1.jsonl")} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ReadEvalCases(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, c)
	}
	score := func(ix *Index) (out [6]int) {
		for i, c := range sets {
			r := Evaluate(ix, c)
			out[2*i], out[2*i+1] = int(r.Recall1*float64(r.N)+0.5), int(r.Recall5*float64(r.N)+0.5)
		}
		return out
	}
	base := score(ix0)
	lines := strings.Split(lexicon, "\n")
	for i, l := range lines {
		if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		lex := strings.Join(append(append([]string{}, lines[:i]...), lines[i+1:]...), "\n")
		s := score(newIndex(ix0.api, lex))
		var d [6]int
		for k := range s {
			d[k] = s[k] - base[k]
		}
		t.Logf("without line %3d: dev %+d/%+d holdout %+d/%+d u1 %+d/%+d  %.60s", i, d[0], d[1], d[2], d[3], d[4], d[5], l)
	}
}

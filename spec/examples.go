package spec

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
)

// requests are example requests for each operation, in the words agents
// and people use (spec/examples/README.md says who wrote them and how).
// They are indexed as a field of their operation, so that a request worded
// like none of the API's own text still finds the call.
//
//go:embed examples/requests.tsv
var requestsTSV []byte

// parseExamples maps a normalised "METHOD /path" to its example requests.
// The index keeps only their stems; the table itself is read once, while
// the index is built, and then dropped.
func parseExamples(tsv []byte) map[string][]string {
	out := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(tsv))
	for sc.Scan() {
		key, text, ok := strings.Cut(sc.Text(), "\t")
		if !ok || strings.HasPrefix(key, "#") {
			continue
		}
		k := NormalizeKey(key)
		out[k] = append(out[k], strings.TrimSpace(text))
	}
	return out
}

// exampleWords are the words example requests ask with:
// what an example rules out ("…, not the whole sync") or tells as already
// done ("I started the export; …") speaks for another call, so only the
// asked words count.
func exampleWords(requests []string) []string {
	var out []string
	for _, ex := range requests {
		ws, roles := clauseWords(ex)
		for i, w := range ws {
			if w != "" && roles[i] == roleAsked {
				out = append(out, w)
			}
		}
	}
	return out
}

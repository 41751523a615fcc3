// Command wordnetgen distils WordNet into the two small tables that search
// reads (spec/wordnet/), restricted to the API's vocabulary:
//
//   - related.tsv: an English word, then the API words it is related to in
//     WordNet (synonym, derivation, a more general verb or noun,
//     entailment), each with the relation's letter;
//   - words.txt: real English words within typo distance of an API word,
//     which typo correction must therefore leave alone.
//
// It runs by hand (`make wordnet`) on a machine with Debian's wordnet-base;
// the build and CI use the committed tables.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/polytomic-mcp/polytomic-mcp/internal/safefile"
	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

func main() {
	dict := flag.String("wordnet", "/usr/share/wordnet", "WordNet 3.0 database folder (Debian package wordnet-base)")
	model := flag.String("model", "spec/model/model.json", "API model made by `make snapshot`")
	out := flag.String("out", "spec/wordnet", "folder for the tables")
	flag.Parse()
	if err := run(*dict, *model, *out); err != nil {
		fmt.Fprintln(os.Stderr, "wordnetgen:", err)
		os.Exit(1)
	}
}

func run(dict, modelPath, out string) error {
	data, err := os.ReadFile(modelPath)
	if err != nil {
		return fmt.Errorf("%w (run `make snapshot` first)", err)
	}
	api, err := spec.Decode(data)
	if err != nil {
		return err
	}
	vocab := spec.NewIndex(api).Vocabulary()
	wn, err := load(dict)
	if err != nil {
		return fmt.Errorf("read WordNet from %s: %w (apt-get install wordnet-base)", dict, err)
	}
	related := wn.related(vocab)
	words := wn.nearWords(vocab)
	if err := write(filepath.Join(out, spec.WordNetRelated), related); err != nil {
		return err
	}
	if err := write(filepath.Join(out, spec.WordNetWords), words); err != nil {
		return err
	}
	fmt.Printf("wordnet: %d related words, %d dictionary words near the API's %d\n", len(related), len(words), len(vocab))
	return nil
}

func write(path string, lines []string) error {
	var b []byte
	for _, l := range lines {
		b = append(b, l...)
		b = append(b, '\n')
	}
	return safefile.Write(path, b, 0o644)
}

package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTablesCurrent: the committed tables are what the generator makes of
// WordNet and the current model. CI has no WordNet and skips it; run it
// after `make snapshot` when the API description changes.
func TestTablesCurrent(t *testing.T) {
	const dict = "/usr/share/wordnet"
	if _, err := os.Stat(dict); err != nil {
		t.Skip("WordNet is not installed (apt-get install wordnet-base)")
	}
	if testing.Short() {
		t.Skip("reads all of WordNet")
	}
	out := t.TempDir()
	if err := run(dict, filepath.Join("..", "model", "model.json"), out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"related.tsv", "words.txt"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "wordnet", name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("spec/wordnet/%s is stale: run make wordnet", name)
		}
	}
}

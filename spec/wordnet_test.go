package spec

import "testing"

// TestWordNetTables: the committed tables load, relate English words to the
// API's, and know real words that typo correction must leave alone.
func TestWordNetTables(t *testing.T) {
	db := wordnetDB()
	if len(db.related) < 1000 || len(db.words) < 1000 {
		t.Fatalf("tables too small: %d related, %d words (run make wordnet)", len(db.related), len(db.words))
	}
	has := func(rs []relatedStem, stem string) bool {
		for _, r := range rs {
			if r.stem == stem {
				return true
			}
		}
		return false
	}
	if !has(db.lookup("erase"), "delet") {
		t.Errorf("erase -> %v, want delete among them", db.lookup("erase"))
	}
	if !has(db.lookup("erased"), "delet") {
		t.Errorf("an inflected form is not looked up by its base")
	}
	for _, w := range []string{"contacts", "exclude", "host", "port"} {
		if !db.isEnglish(w) {
			t.Errorf("%q is not known as an English word", w)
		}
	}
	ix := testIndex(t)
	for _, w := range []string{"host", "port", "contacts"} {
		if wt := ix.correctionWeight(w); wt != 0 {
			t.Errorf("%q would be corrected (weight %v): it is a real word", w, wt)
		}
	}
	if wt := ix.correctionWeight("exectuions"); wt == 0 {
		t.Errorf("a typo is not corrected")
	}
}

func testIndex(t *testing.T) *Index {
	t.Helper()
	ix, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

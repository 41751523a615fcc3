package spec

import (
	"bufio"
	"bytes"
	"embed"
	"slices"
	"strings"
	"sync"
)

// The WordNet tables, distilled by spec/wordnetgen (`make wordnet`) and
// committed under WordNet's licence (wordnet/LICENSE), so that neither the
// build nor the binary needs WordNet.
//
//go:embed wordnet/related.tsv wordnet/words.txt
var wordnetFS embed.FS

// File names of the tables inside wordnet/.
const (
	WordNetRelated = "related.tsv"
	WordNetWords   = "words.txt"
)

// lexicalDB is what WordNet says about the words agents use: which API
// words each is related to, and which words are real English.
type lexicalDB struct {
	related map[string][]relatedStem
	// words is sorted: a slice of substrings of one string costs a
	// fraction of a set of the same words.
	words []string
}

type relatedStem struct {
	stem string
	rel  byte // s synonym, d derivation, e entailment, h hypernym
}

// relationWeight is the evidence a related API word gets next to a word the
// agent wrote (weight 1). A word's readings share it, so an ambiguous word
// says little about each, and no reading outweighs the word itself.
var relationWeight = map[byte]float64{'s': 0.5, 'd': 0.45, 'e': 0.3, 'h': 0.2}

// relationScale scales relationWeight as a whole.
const relationScale = 0.5

var wordnetDB = sync.OnceValue(func() *lexicalDB {
	db := &lexicalDB{related: map[string][]relatedStem{}}
	data, _ := wordnetFS.ReadFile("wordnet/" + WordNetRelated)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		word, rest, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		for _, f := range strings.Fields(rest) {
			st, rel, _ := strings.Cut(f, ":")
			if rel != "" {
				db.related[word] = append(db.related[word], relatedStem{stem: st, rel: rel[0]})
			}
		}
	}
	data, _ = wordnetFS.ReadFile("wordnet/" + WordNetWords)
	db.words = strings.Fields(string(data))
	slices.Sort(db.words)
	return db
})

// isEnglish reports whether w is a real word that typo correction must
// leave alone: a listed word, or a form of one WordNet relates.
func (db *lexicalDB) isEnglish(w string) bool {
	_, listed := slices.BinarySearch(db.words, w)
	return listed || db.lookup(w) != nil
}

// lookup finds what WordNet relates w to, trying its base form when w is
// inflected ("contacts", "offboarding").
func (db *lexicalDB) lookup(w string) []relatedStem {
	if r := db.related[w]; r != nil {
		return r
	}
	for _, suf := range []string{"ing", "ed", "es", "s", "able", "ible"} {
		base, ok := strings.CutSuffix(w, suf)
		if !ok || len(base) < 3 {
			continue
		}
		for _, b := range []string{base, base + "e", undouble(base)} {
			if r := db.related[b]; r != nil {
				return r
			}
		}
	}
	return nil
}

// undouble drops a doubled final consonant ("embedd" -> "embed").
func undouble(w string) string {
	if n := len(w); n >= 2 && w[n-1] == w[n-2] {
		return w[:n-1]
	}
	return w
}

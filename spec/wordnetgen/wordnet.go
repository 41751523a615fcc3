package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// senses is how many of a word's senses count, most frequent first: rare
// senses ("cancel" as a postage mark) would relate everything to
// everything.
const senses = 3

// Relation letters in related.tsv, strongest first.
const (
	relSynonym  = 's' // same synset
	relDeriv    = 'd' // derivationally related form (embed -> embedding)
	relEntail   = 'e' // verb entailment or verb group
	relHypernym = 'h' // the API word is a more general term
)

type synset struct {
	words []string
	ptrs  []pointer
}

type pointer struct {
	sym         string
	pos         byte
	offset      string
	source, tgt int // 1-based word numbers; 0 for the whole synset
}

type wordnet struct {
	synsets map[string]*synset  // pos+offset
	index   map[string][]string // lemma -> pos+offset of its senses, per POS in order
	lemmas  map[string]bool
}

func load(dir string) (*wordnet, error) {
	wn := &wordnet{synsets: map[string]*synset{}, index: map[string][]string{}, lemmas: map[string]bool{}}
	for _, pos := range []string{"noun", "verb", "adj", "adv"} {
		if err := wn.loadData(filepath.Join(dir, "data."+pos)); err != nil {
			return nil, err
		}
		if err := wn.loadIndex(filepath.Join(dir, "index."+pos)); err != nil {
			return nil, err
		}
	}
	for _, pos := range []string{"noun", "verb", "adj", "adv"} {
		if err := wn.loadExceptions(filepath.Join(dir, pos+".exc")); err != nil {
			return nil, err
		}
	}
	return wn, nil
}

func eachLine(path string, fn func(fields []string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, " ") || line == "" {
			continue // licence header
		}
		if i := strings.Index(line, " | "); i >= 0 {
			line = line[:i] // the gloss
		}
		if err := fn(strings.Fields(line)); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return sc.Err()
}

// loadData reads synsets: offset lex_filenum ss_type w_cnt (word lex_id)...
// p_cnt (sym offset pos src/tgt)...
func (wn *wordnet) loadData(path string) error {
	return eachLine(path, func(f []string) error {
		n, err := strconv.ParseInt(f[3], 16, 0)
		if err != nil {
			return err
		}
		ss := &synset{}
		i := 4
		for range n {
			ss.words = append(ss.words, strings.ToLower(f[i]))
			i += 2
		}
		pc, err := strconv.Atoi(f[i])
		if err != nil {
			return err
		}
		i++
		for range pc {
			st := f[i+3]
			src, _ := strconv.ParseInt(st[:2], 16, 0)
			tgt, _ := strconv.ParseInt(st[2:], 16, 0)
			ss.ptrs = append(ss.ptrs, pointer{sym: f[i], offset: f[i+1], pos: posKey(f[i+2]), source: int(src), tgt: int(tgt)})
			i += 4
		}
		wn.synsets[string(posKey(f[2]))+f[0]] = ss
		return nil
	})
}

// posKey folds adjective satellites into adjectives.
func posKey(p string) byte {
	if p == "s" {
		return 'a'
	}
	return p[0]
}

// loadIndex reads lemma pos synset_cnt p_cnt sym... sense_cnt tagsense_cnt offsets...
func (wn *wordnet) loadIndex(path string) error {
	return eachLine(path, func(f []string) error {
		lemma, pos := f[0], posKey(f[1])
		pc, err := strconv.Atoi(f[3])
		if err != nil {
			return err
		}
		offsets := f[4+pc+2:]
		wn.lemmas[lemma] = true
		for i, off := range offsets {
			if i >= senses {
				break
			}
			wn.index[lemma] = append(wn.index[lemma], string(pos)+off)
		}
		return nil
	})
}

// loadExceptions adds irregular forms ("ran", "children") to the word list.
func (wn *wordnet) loadExceptions(path string) error {
	return eachLine(path, func(f []string) error {
		wn.lemmas[f[0]] = true
		return nil
	})
}

// related maps each single English word to the API words WordNet relates
// it to through one of its frequent senses.
func (wn *wordnet) related(vocab []string) []string {
	target := map[string]string{} // surface word -> stem, for API words
	stems := map[string]bool{}
	for _, w := range vocab {
		target[w] = spec.Stem(w)
		stems[spec.Stem(w)] = true
	}
	all := map[string]map[string]byte{}
	lemmas := make([]string, 0, len(wn.index))
	for l := range wn.index {
		lemmas = append(lemmas, l)
	}
	sort.Strings(lemmas)
	for _, lemma := range lemmas {
		if !plainWord(lemma) {
			continue
		}
		own := spec.Stem(lemma)
		found := map[string]byte{}
		add := func(word string, rel byte) {
			st, ok := target[word]
			if !ok || st == own {
				return
			}
			if old, seen := found[st]; !seen || rank(rel) < rank(old) {
				found[st] = rel
			}
		}
		for _, key := range wn.index[lemma] {
			wn.relate(key, lemma, add)
		}
		if len(found) > 0 {
			all[lemma] = found
		}
	}
	// A general word that many words lead up to ("change", "make") tells
	// nothing about any of them.
	fanIn := map[string]int{}
	for _, found := range all {
		for st, rel := range found {
			if rel == relHypernym || rel == relEntail {
				fanIn[st]++
			}
		}
	}
	var out []string
	for _, lemma := range lemmas {
		var parts []string
		for st, rel := range all[lemma] {
			if (rel == relHypernym || rel == relEntail) && fanIn[st] > maxFanIn {
				continue
			}
			parts = append(parts, st+":"+string(rel))
		}
		if len(parts) > 0 {
			sort.Strings(parts)
			out = append(out, lemma+"\t"+strings.Join(parts, " "))
		}
	}
	return out
}

// maxFanIn: an API word that more English words reach only as a more
// general term than this is too general to be evidence.
const maxFanIn = 25

// relate calls add for the words of one sense of lemma's synset and of the
// synsets its pointers lead to.
func (wn *wordnet) relate(key, lemma string, add func(string, byte)) {
	ss := wn.synsets[key]
	if ss == nil {
		return
	}
	self := 0
	for i, w := range ss.words {
		if w == lemma {
			self = i + 1
		}
		add(w, relSynonym)
	}
	for _, p := range ss.ptrs {
		to := wn.synsets[string(p.pos)+p.offset]
		if to == nil {
			continue
		}
		switch p.sym {
		case "+":
			if p.source == self && p.tgt > 0 && p.tgt <= len(to.words) {
				add(to.words[p.tgt-1], relDeriv)
			}
		case "*", "$":
			for _, w := range to.words {
				add(w, relEntail)
			}
		case "@", "@i":
			for _, w := range to.words {
				add(w, relHypernym)
			}
		}
	}
}

func rank(rel byte) int { return strings.IndexByte("sdeh", rel) }

func plainWord(w string) bool {
	if len(w) < 3 {
		return false
	}
	for _, r := range w {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// nearWords lists the English words, with their regular inflections, that
// typo correction could mistake for an API word: those within the edit
// distance it allows of one.
func (wn *wordnet) nearWords(vocab []string) []string {
	byLen := map[int][]string{}
	known := map[string]bool{}
	for _, w := range vocab {
		byLen[len(w)] = append(byLen[len(w)], w)
		known[w] = true
	}
	seen := map[string]bool{}
	var out []string
	for lemma := range wn.lemmas {
		if !plainWord(lemma) {
			continue
		}
		for _, w := range inflections(lemma) {
			if seen[w] || known[w] || !spec.CouldCorrect(w, byLen) {
				continue
			}
			seen[w] = true
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return out
}

// inflections are a word and its regular plural, third person, past and
// gerund forms: enough to recognise "contacts" and "excluded" as English.
func inflections(w string) []string {
	out := []string{w, w + "s", w + "es", w + "ed", w + "ing", w + "d"}
	if strings.HasSuffix(w, "e") {
		out = append(out, w[:len(w)-1]+"ing")
	}
	if strings.HasSuffix(w, "y") {
		out = append(out, w[:len(w)-1]+"ies", w[:len(w)-1]+"ied")
	}
	return out
}

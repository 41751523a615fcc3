package spec

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Fields of an operation's search document, from most to least telling.
const (
	fLeaf    = iota // the last literal path segment: what the call acts on
	fName           // summary and operationId
	fPath           // every literal path segment
	fTag            // the resource tag, plus flags such as "partner"
	fParams         // parameter and top-level body field names
	fResp           // field names of the success response's payload
	fLead           // the description's first paragraph: what the call does
	fDesc           // the rest of the description, and parameter descriptions
	fRef            // sentences of other operations' descriptions that refer to this one
	fExample        // example requests for the call, in users' words (examples/)
	nFields
)

var fieldWeight = [nFields]float64{fLeaf: 2.0, fName: 3.0, fPath: 1.5, fTag: 1.0, fParams: 0.6, fResp: 0.4, fLead: 0.75, fDesc: 0.15, fRef: 0.6, fExample: 0.5}

const (
	bm25K1 = 1.2
	bm25B  = 0.6
	// expansionWeight is how much a word implied by the lexicon counts next to
	// a word the agent wrote (1), which keeps its weight: a reading adds
	// evidence, it never replaces or outweighs what the agent wrote.
	expansionWeight = 0.8
	// negationWeight is the (negative) weight of a word the agent ruled out.
	negationWeight = -0.5
	// nameWeight discounts proper nouns: connector and object names show up
	// in the API's examples, which says nothing about which call is meant.
	nameWeight = 0.3
	// maxQueryWords bounds the work one query can cause: nobody describes
	// one API call in more than a few sentences.
	maxQueryWords = 256
	// correctionWeight discounts a word recovered by typo correction.
	correctionWeight = 0.85
)

// Index answers "which operation does this task need?" over an API. It is
// immutable after NewIndex, so one index serves concurrent searches.
type Index struct {
	api      *API
	docs     []docInfo
	postings map[string][]posting
	idf      map[string]float64
	// core holds the surface words of names, paths, tags and parameters by
	// length, the vocabulary that typo correction maps unknown words onto.
	core   map[int][]string
	known  map[string]bool
	params map[string][]int // exact parameter or body field name -> docs
	// stems caches the stem of every word the index has seen; stemming is
	// the costliest step of building the index and of analysing a query.
	stems map[string]string
	rules []rule
	// Lexicon triggers by their first word: intentTrig for rules that only
	// steer the method, meaningTrig for rules that add words.
	intentTrig, meaningTrig map[string][]trigger
	links                   links
	situations              []situation
	// verbStems maps the stem of each one-word action verb of the lexicon
	// to the methods it asks for, for words WordNet relates to it.
	verbStems map[string][]string
}

type docInfo struct {
	op   *Operation
	kind string // the summary's verb: list, get, create, update, delete, start…
	item bool   // the path ends in a parameter: one resource
	leaf string // stem of the last literal path segment
	// leafStems are the stems of that segment and of its parts when it is
	// a compound ("targetobjects").
	leafStems []string
	// leafPlural: that segment names a collection ("syncs"), not a
	// singleton ("organization", "status").
	leafPlural bool
	// itemNouns are the stems of the path segments followed by a
	// parameter: the things one of which the call addresses
	// ("sync" and "execution" in /syncs/{id}/executions/{exec_id}).
	itemNouns []string
}

type posting struct {
	doc int
	tf  float64 // field-weighted, length-normalised term frequency (BM25F)
}

// Hit is one search result.
type Hit struct {
	Op    *Operation
	Score float64
}

// SearchOptions narrows a search.
type SearchOptions struct {
	Limit  int
	Method string // only operations with this HTTP method, if set
}

// Markdown link targets and `METHOD /path` references name other
// operations; they are dropped from descriptions before indexing. Compiled
// on first use: the binary's start-up should not pay for them.
var (
	mdLink    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\]\([^)]*\)`) })
	codeRoute = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("`(GET|POST|PUT|PATCH|DELETE) [^`]*`") })
)

// NewIndex builds the search index for api, in phases: read the lexicon,
// link the operations to each other, turn each operation into weighted
// fields of stems, then weigh the stems over the whole API (BM25F).
func NewIndex(api *API) *Index { return newIndex(api, lexicon) }

// newIndex builds the index with the lexicon source lex.
func newIndex(api *API, lex string) *Index {
	ix := &Index{
		api:      api,
		postings: map[string][]posting{},
		idf:      map[string]float64{},
		core:     map[int][]string{},
		known:    map[string]bool{},
		params:   map[string][]int{},
		stems:    map[string]string{},
	}
	ix.compileLexicon(lex)
	ix.compileSituations(situationLines)
	ix.links = buildLinks(api)
	vocab := nameVocabulary(api)
	examples := parseExamples(requestsTSV)
	texts := make([]fieldText, len(api.Operations))
	for i, op := range api.Operations {
		ft, d := ix.docText(i, op, vocab, examples)
		ix.learnWords(ft)
		texts[i] = ix.stemFields(ft)
		d.leafStems = texts[i][fLeaf]
		ix.docs = append(ix.docs, d)
	}
	ix.learnLexiconWords()
	ix.weigh(texts)
	return ix
}

// fieldText is one operation's words (then stems) by field.
type fieldText [nFields][]string

// compileLexicon parses the lexicon and files its triggers by first word.
func (ix *Index) compileLexicon(lex string) {
	ix.rules = parseLexicon(lex)
	ix.intentTrig, ix.meaningTrig = map[string][]trigger{}, map[string][]trigger{}
	for ri, r := range ix.rules {
		m := ix.meaningTrig
		if len(r.expand) == 0 {
			m = ix.intentTrig
		}
		for _, t := range r.triggers {
			m[t[0]] = append(m[t[0]], trigger{rule: ri, words: t, anchored: r.anchored})
		}
	}
	ix.verbStems = verbStems(ix.rules)
}

// nameVocabulary is the words of names and summaries, to split path
// compounds with.
func nameVocabulary(api *API) map[string]bool {
	vocab := map[string]bool{}
	for _, op := range api.Operations {
		for _, w := range words(op.Summary + " " + op.ID + " " + strings.Join(op.Tags, " ")) {
			vocab[w] = true
		}
	}
	return vocab
}

// docText splits operation i into its search fields (examples are the
// example requests by operation key), and records its
// parameter names.
func (ix *Index) docText(i int, op *Operation, vocab map[string]bool, examples map[string][]string) (fieldText, docInfo) {
	var ft fieldText
	var segs []string
	for _, seg := range strings.Split(op.Path, "/") {
		if seg != "" && seg != "api" && !strings.HasPrefix(seg, "{") {
			segs = append(segs, seg)
		}
	}
	d := docInfo{op: op, item: strings.HasSuffix(op.Path, "}")}
	parts := strings.Split(op.Path, "/")
	for j := 0; j+1 < len(parts); j++ {
		if !strings.HasPrefix(parts[j], "{") && strings.HasPrefix(parts[j+1], "{") {
			if ws := words(parts[j]); len(ws) > 0 {
				d.itemNouns = append(d.itemNouns, ix.stem(ws[len(ws)-1]))
			}
		}
	}
	if len(segs) > 0 {
		ft[fLeaf] = words(segs[len(segs)-1])
		if n := len(ft[fLeaf]); n > 0 {
			last := ft[fLeaf][n-1]
			d.leaf = ix.stem(last)
			d.leafPlural = strings.HasSuffix(last, "s") && d.leaf != last
		}
	}
	if w := words(op.Summary); len(w) > 0 {
		d.kind = w[0]
	}
	ft[fPath] = splitCompounds(words(strings.Join(segs, " ")), vocab)
	ft[fLeaf] = splitCompounds(ft[fLeaf], vocab)
	ft[fName] = append(words(op.Summary), words(op.ID)...)
	ft[fTag] = words(strings.Join(op.Tags, " "))
	if op.PartnerOnly {
		ft[fTag] = append(ft[fTag], "partner")
	}
	desc := codeRoute().ReplaceAllString(mdLink().ReplaceAllString(op.Description, "]"), "")
	lead, rest, _ := strings.Cut(strings.TrimSpace(desc), "\n\n")
	ft[fLead] = words(lead)
	ft[fDesc] = words(rest)
	for _, p := range op.Params {
		if ManagedHeader(p.Name) {
			continue
		}
		ft[fParams] = append(ft[fParams], words(p.Name)...)
		ft[fDesc] = append(ft[fDesc], words(p.Description)...)
		ix.params[strings.ToLower(p.Name)] = append(ix.params[strings.ToLower(p.Name)], i)
	}
	for _, f := range BodyFields(ix.api, op) {
		ft[fParams] = append(ft[fParams], words(f.Name)...)
		ix.params[strings.ToLower(f.Name)] = append(ix.params[strings.ToLower(f.Name)], i)
	}
	for _, name := range ResponseFields(ix.api, op) {
		ft[fResp] = append(ft[fResp], words(name)...)
	}
	// What other operations say about this one ("for details of one
	// execution use …", "poll … until done") describes when it is needed.
	for _, sentence := range ix.links.said[op] {
		ft[fRef] = append(ft[fRef], words(codeRoute().ReplaceAllString(sentence, ""))...)
	}
	ft[fExample] = exampleWords(examples[NormalizeKey(op.Key())])
	return ft, d
}

// learnWords adds the surface words of names, paths, tags and parameters to
// the vocabulary that typo correction maps unknown words onto.
func (ix *Index) learnWords(ft fieldText) {
	for f := range nFields {
		if f == fDesc || f == fLead || f == fRef || f == fExample {
			continue
		}
		for _, w := range ft[f] {
			ix.learnWord(w)
		}
	}
}

func (ix *Index) learnWord(w string) {
	if len(w) > 2 && !ix.known[w] {
		ix.known[w] = true
		ix.core[len(w)] = append(ix.core[len(w)], w)
	}
}

// stemFields replaces each field's words by their stems, dropping stopwords.
func (ix *Index) stemFields(ft fieldText) fieldText {
	for f := range nFields {
		stems := make([]string, 0, len(ft[f]))
		for _, w := range ft[f] {
			if stopwords[w] {
				continue
			}
			st, ok := ix.stems[w]
			if !ok {
				st = stem(w)
				ix.stems[w] = st
			}
			stems = append(stems, st)
		}
		ft[f] = stems
	}
	return ft
}

// learnLexiconWords makes the lexicon's trigger words known, so a typo of
// "replication" is corrected to it.
func (ix *Index) learnLexiconWords() {
	for _, r := range ix.rules {
		for _, t := range r.triggers {
			for _, w := range t {
				if _, ok := ix.stems[w]; !ok {
					ix.stems[w] = stem(w)
				}
				ix.learnWord(w)
			}
		}
	}
	for l := range ix.core {
		sort.Strings(ix.core[l])
	}
}

// weigh computes the BM25F postings and idf of every stem.
func (ix *Index) weigh(texts []fieldText) {
	n := float64(len(texts))
	var avg [nFields]float64
	for _, ft := range texts {
		for f := range nFields {
			avg[f] += float64(len(ft[f]))
		}
	}
	for f := range nFields {
		avg[f] = math.Max(avg[f]/n, 1)
	}
	df := map[string]int{}
	for i, ft := range texts {
		tf := map[string]float64{}
		for f := range nFields {
			norm := 1 - bm25B + bm25B*float64(len(ft[f]))/avg[f]
			for _, s := range ft[f] {
				tf[s] += fieldWeight[f] / norm
			}
		}
		for s, v := range tf {
			if v == 0 {
				continue
			}
			ix.postings[s] = append(ix.postings[s], posting{doc: i, tf: v})
			df[s]++
		}
	}
	for s, d := range df {
		ix.idf[s] = math.Log(1 + (n-float64(d)+0.5)/(float64(d)+0.5))
	}
}

// Vocabulary lists the surface words of the API's names, paths, tags and
// parameters and of the lexicon: the words typo correction maps onto and
// that WordNet relations point at.
func (ix *Index) Vocabulary() []string {
	out := make([]string, 0, len(ix.known))
	for w := range ix.known {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// stem returns the cached stem of w. Words first seen in a query are
// stemmed but not cached: the index stays immutable and safe to share.
func (ix *Index) stem(w string) string {
	if s, ok := ix.stems[w]; ok {
		return s
	}
	return stem(w)
}

// splitCompounds adds the parts of path words such as "targetobjects" or
// "consolelog" that run two known words together.
func splitCompounds(ws []string, vocab map[string]bool) []string {
	out := ws
	for _, w := range ws {
		if vocab[w] {
			continue
		}
		for i := 3; i <= len(w)-3; i++ {
			a, b := w[:i], w[i:]
			if vocab[a] && (vocab[b] || vocab[strings.TrimSuffix(b, "s")]) {
				out = append(out, a, b)
				break
			}
		}
	}
	return out
}

// API returns the model the index was built from.
func (ix *Index) API() *API { return ix.api }

// Search ranks operations for a task described in natural language.
func (ix *Index) Search(query string, opt SearchOptions) []Hit {
	if opt.Limit <= 0 {
		opt.Limit = 5
	}
	q := ix.analyze(query)
	if len(q.terms) == 0 && len(q.idents) == 0 {
		return nil
	}
	hits := ix.rank(q, opt.Method)
	if len(hits) > opt.Limit {
		hits = hits[:opt.Limit]
	}
	return hits
}

// Weights of the step a two-step request asks for: the calls the done
// step's description names next gain, the done step itself loses.
const (
	nextStepBoost = 1.3
	doneStepScale = 0.8
)

// nextSteps reads a request that tells what was already done ("I started
// the export; how do I get the link?"): the call that did it is the best
// match of the done words alone, and the calls its description names next
// ("poll … until done") are the likely step asked for.
func (ix *Index) nextSteps(q query) (done *Operation, next map[*Operation]bool) {
	if len(q.done) == 0 {
		return nil, nil
	}
	hits := ix.rank(ix.analyze(strings.Join(q.done, " ")), "")
	if len(hits) == 0 {
		return nil, nil
	}
	done = hits[0].Op
	next = map[*Operation]bool{}
	for _, r := range ix.links.refs[done] {
		next[r.to] = true
	}
	return done, next
}

// rank scores every operation for q, best first.
func (ix *Index) rank(q query, methodFilter string) []Hit {
	done, next := ix.nextSteps(q)
	scores := make([]float64, len(ix.docs))
	matched := make([]float64, len(ix.docs))
	var totalQW float64
	for s, w := range q.terms {
		if w > 0 {
			totalQW += w
		}
		idf := ix.idf[s]
		for _, p := range ix.postings[s] {
			scores[p.doc] += w * idf * p.tf * (bm25K1 + 1) / (p.tf + bm25K1)
			if w > 0 {
				matched[p.doc] += w
			}
		}
	}
	for _, id := range q.idents {
		for _, d := range ix.params[id] {
			scores[d] += 4
		}
	}
	method := strings.ToUpper(strings.TrimSpace(methodFilter))
	hits := make([]Hit, 0, len(ix.docs))
	for i, d := range ix.docs {
		if scores[i] <= 0 || (method != "" && d.op.Method != method) {
			continue
		}
		s := scores[i]
		if totalQW > 0 {
			// Reward covering more of the query, not repeating one word.
			s *= 0.6 + 0.4*matched[i]/totalQW
		}
		s *= q.factor(d)
		switch {
		case next[d.op]:
			s *= nextStepBoost
		case d.op == done:
			s *= doneStepScale
		}
		hits = append(hits, Hit{Op: d.op, Score: s})
	}
	// Keys are unique, so this order is total: no stable sort needed.
	slices.SortFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.Op.Key(), b.Op.Key())
	})
	return hits
}

package spec

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Fields of an operation's search document, from most to least telling.
const (
	fLeaf   = iota // the last literal path segment: what the call acts on
	fName          // summary and operationId
	fPath          // every literal path segment
	fTag           // the resource tag, plus flags such as "partner"
	fParams        // parameter and top-level body field names
	fResp          // field names of the success response's payload
	fLead          // the description's first paragraph: what the call does
	fDesc          // the rest of the description, and parameter descriptions
	nFields
)

var fieldWeight = [nFields]float64{fLeaf: 2.0, fName: 3.0, fPath: 1.5, fTag: 1.0, fParams: 0.6, fResp: 0.4, fLead: 0.5, fDesc: 0.15}

const (
	bm25K1 = 1.2
	bm25B  = 0.6
	// expansionWeight is how much a word implied by the lexicon counts next to
	// a word the agent wrote; consumedWeight is what is left of the agent's
	// own words once a lexicon phrase has interpreted them.
	expansionWeight = 0.8
	consumedWeight  = 0.25
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

var (
	mdLink    = regexp.MustCompile(`\]\([^)]*\)`)
	codeRoute = regexp.MustCompile("`(GET|POST|PUT|PATCH|DELETE) [^`]*`")
)

// NewIndex builds the search index for api.
func NewIndex(api *API) *Index {
	ix := &Index{
		api:      api,
		postings: map[string][]posting{},
		idf:      map[string]float64{},
		core:     map[int][]string{},
		known:    map[string]bool{},
		params:   map[string][]int{},
		stems:    map[string]string{},
	}
	ix.rules = parseLexicon(lexicon)
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

	// Words of names and summaries, to split path compounds with.
	vocab := map[string]bool{}
	for _, op := range api.Operations {
		for _, w := range words(op.Summary + " " + op.ID + " " + strings.Join(op.Tags, " ")) {
			vocab[w] = true
		}
	}
	type fieldText [nFields][]string
	texts := make([]fieldText, len(api.Operations))
	var totalLen [nFields]float64
	for i, op := range api.Operations {
		var ft fieldText
		var segs []string
		for _, seg := range strings.Split(op.Path, "/") {
			if seg == "" || seg == "api" || strings.HasPrefix(seg, "{") {
				continue
			}
			segs = append(segs, seg)
		}
		var leaf string
		var leafPlural bool
		if len(segs) > 0 {
			ft[fLeaf] = words(segs[len(segs)-1])
			if n := len(ft[fLeaf]); n > 0 {
				last := ft[fLeaf][n-1]
				leaf = ix.stem(last)
				leafPlural = strings.HasSuffix(last, "s") && leaf != last
			}
		}
		ft[fPath] = splitCompounds(words(strings.Join(segs, " ")), vocab)
		ft[fLeaf] = splitCompounds(ft[fLeaf], vocab)
		ft[fName] = append(words(op.Summary), words(op.ID)...)
		ft[fTag] = words(strings.Join(op.Tags, " "))
		if op.PartnerOnly {
			ft[fTag] = append(ft[fTag], "partner")
		}
		desc := codeRoute.ReplaceAllString(mdLink.ReplaceAllString(op.Description, "]"), "")
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
		for _, f := range BodyFields(api, op) {
			ft[fParams] = append(ft[fParams], words(f.Name)...)
			ix.params[strings.ToLower(f.Name)] = append(ix.params[strings.ToLower(f.Name)], i)
		}
		for _, name := range ResponseFields(api, op) {
			ft[fResp] = append(ft[fResp], words(name)...)
		}
		for f := range nFields {
			for _, w := range ft[f] {
				if f != fDesc && f != fLead && len(w) > 2 && !ix.known[w] {
					ix.known[w] = true
					ix.core[len(w)] = append(ix.core[len(w)], w)
				}
			}
			stems := make([]string, 0, len(ft[f]))
			for _, w := range ft[f] {
				if !stopwords[w] {
					st, ok := ix.stems[w]
					if !ok {
						st = stem(w)
						ix.stems[w] = st
					}
					stems = append(stems, st)
				}
			}
			ft[f] = stems
			totalLen[f] += float64(len(stems))
		}
		texts[i] = ft
		d := docInfo{op: op, item: strings.HasSuffix(op.Path, "}"), leaf: leaf, leafPlural: leafPlural, leafStems: ft[fLeaf]}
		if w := words(op.Summary); len(w) > 0 {
			d.kind = w[0]
		}
		ix.docs = append(ix.docs, d)
	}
	for _, r := range ix.rules {
		for _, t := range r.triggers {
			for _, w := range t {
				if _, ok := ix.stems[w]; !ok {
					ix.stems[w] = stem(w)
				}
				if len(w) > 2 && !ix.known[w] {
					ix.known[w] = true
					ix.core[len(w)] = append(ix.core[len(w)], w)
				}
			}
		}
	}
	for l := range ix.core {
		sort.Strings(ix.core[l])
	}

	n := float64(len(api.Operations))
	var avg [nFields]float64
	for f := range nFields {
		avg[f] = math.Max(totalLen[f]/n, 1)
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
			ix.postings[s] = append(ix.postings[s], posting{doc: i, tf: v})
			df[s]++
		}
	}
	for s, d := range df {
		ix.idf[s] = math.Log(1 + (n-float64(d)+0.5)/(float64(d)+0.5))
	}
	return ix
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
	method := strings.ToUpper(strings.TrimSpace(opt.Method))
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
		hits = append(hits, Hit{Op: d.op, Score: s})
	}
	sort.SliceStable(hits, func(a, b int) bool {
		if hits[a].Score != hits[b].Score {
			return hits[a].Score > hits[b].Score
		}
		return hits[a].Op.Key() < hits[b].Op.Key()
	})
	if len(hits) > opt.Limit {
		hits = hits[:opt.Limit]
	}
	return hits
}

// query is an analysed search string.
type query struct {
	terms  map[string]float64 // stem -> weight
	idents []string           // snake_case identifiers, for parameter names
	intent intent
	// plural and singular record how the agent inflected each noun: "list
	// the schedules" wants the collection, "the schedule" one of them.
	plural, singular map[string]bool
	// names are the agent's proper nouns: the things in its world
	// ("Salesforce", "Opportunity", "Globex"), not words about the API.
	names map[string]bool
}

func (ix *Index) analyze(text string) query {
	q := query{terms: map[string]float64{}, idents: identifiers(text), plural: map[string]bool{}, singular: map[string]bool{}, names: ix.properNames(text)}
	raw, negated := clauseWords(text)
	// Correct typos first so that the lexicon sees the intended words.
	ws := make([]string, len(raw))
	corrected := make([]bool, len(raw))
	for i, w := range raw {
		ws[i] = w
		if !ix.known[w] && !stopwords[w] && !isNumber(w) && ix.postings[ix.stem(w)] == nil {
			if c, ok := ix.correct(w); ok {
				ws[i], corrected[i] = c, true
			}
		}
	}
	// What the agent rules out ("…, not for a single table") is read apart:
	// its words count against an operation unless the rest of the query
	// asks for them too.
	var pos, neg []string
	var posCorr []bool
	for i, w := range ws {
		if negated[i] {
			neg = append(neg, w)
		} else {
			pos = append(pos, w)
			posCorr = append(posCorr, corrected[i])
		}
	}
	ix.addWords(pos, posCorr, &q, 1)
	nq := query{terms: map[string]float64{}, plural: q.plural, singular: map[string]bool{}}
	ix.addWords(neg, make([]bool, len(neg)), &nq, 0)
	for s := range nq.terms {
		if q.terms[s] <= 0 {
			q.terms[s] = negationWeight
		}
	}
	// A question asks to read, whatever verbs it mentions.
	if strings.Contains(text, "?") {
		q.intent.read += 0.5
	}
	fields := strings.Fields(strings.ToLower(text))
	for i, f := range fields {
		w := strings.Trim(f, ".,;:!?()[]\"'#")
		switch {
		case isNumber(w) && isCount(fields, i):
			// "the last 10 runs": a number of things, not an id.
			q.intent.list++
		case isNumber(w) || looksLikeID(w):
			q.intent.item += 0.6
		}
	}
	// "sync" on its own means a model sync in Polytomic's API (/api/syncs);
	// bulk syncs are always called bulk syncs.
	if q.terms["sync"] > 0 && q.terms["bulk"] <= 0 && q.terms["model"] <= 0 {
		q.terms["model"] += 0.3
		q.terms["bulk"] = negationWeight
	}
	// Likewise a "model" without "sync" is the model resource itself.
	if q.terms["model"] > 0 && q.terms["sync"] == 0 {
		q.terms["sync"] = negationWeight / 2
	}
	return q
}

// addWords adds a clause's words, and what the lexicon reads into them, to q.
// intentScale scales the intent they express.
func (ix *Index) addWords(ws []string, corrected []bool, q *query, intentScale float64) {
	saved := q.intent
	consumed := ix.applyLexicon(ws, q)
	if intentScale == 0 {
		q.intent = saved
	}
	for i, w := range ws {
		if w == "" || stopwords[w] || isNumber(w) || len(w) < 2 {
			continue
		}
		wt := 1.0
		if corrected[i] {
			wt = correctionWeight
		}
		if q.names[w] {
			wt *= nameWeight
		}
		if consumed[i] {
			wt *= consumedWeight
		}
		s := ix.stem(w)
		q.terms[s] += wt
		if s != w && strings.HasSuffix(w, "s") {
			q.plural[s] = true
		} else {
			q.singular[s] = true
		}
	}
}

// properNames finds capitalised words that are not the first of a sentence,
// not acronyms and not words of the API itself.
func (ix *Index) properNames(text string) map[string]bool {
	names := map[string]bool{}
	start := true
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' || r == '\'' }) {
		w := strings.TrimRight(f, ".,;:!?")
		r := []rune(w)
		if !start && len(r) > 1 && unicode.IsUpper(r[0]) && strings.ToLower(w) != w && strings.ToUpper(w) != w {
			for _, part := range queryWords(w) {
				if !ix.known[part] {
					names[part] = true
				}
			}
		}
		start = strings.ContainsAny(f[len(f)-1:], ".!?")
	}
	return names
}

// clauseWords splits text into query words and marks those that follow a
// negation ("not", "rather than", "instead of", "except") within their
// clause.
func clauseWords(text string) (ws []string, negated []bool) {
	clauses := strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(",.;:!?()", r) })
	for _, c := range clauses {
		cw := queryWords(c)
		neg := false
		for i, w := range cw {
			if len(ws) >= maxQueryWords {
				return ws, negated
			}
			switch {
			case w == "not" || w == "except" || w == "excluding" || w == "besides":
				neg = true
			case (w == "than" && i > 0 && cw[i-1] == "rather") || (w == "of" && i > 0 && cw[i-1] == "instead"):
				neg = true
				if n := len(ws); n > 0 {
					ws[n-1] = "" // "rather" / "instead" carry no meaning of their own
				}
			}
			ws = append(ws, w)
			negated = append(negated, neg)
		}
	}
	return ws, negated
}

// applyLexicon interprets the query's phrases and reports which words it
// consumed. Two passes, each taking the longest phrase at every position:
// one reads intent (what kind of call), the other meaning (which resource),
// so that "list" can say both "read" and "collection" while "start
// replicating" still means a bulk sync.
func (ix *Index) applyLexicon(ws []string, q *query) []bool {
	consumed := make([]bool, len(ws))
	// Meaning first: a phrase such as "seat list" is a thing, and the
	// intent pass must not read its "list" as a verb.
	inPhrase := make([]bool, len(ws))
	ix.scan(ws, ix.meaningTrig, func(i int, ts []trigger) {
		if i < 0 {
			return
		}
		r := ix.rules[ts[0].rule]
		// The phrase's number carries over to what it means: "sub-accounts"
		// asks for organizations.
		last := ws[i+len(ts[0].words)-1]
		plural := strings.HasSuffix(last, "s") && ix.stem(last) != last
		for _, e := range r.expand {
			q.terms[e] += expansionWeight
			if plural {
				q.plural[e] = true
			} else {
				q.singular[e] = true
			}
		}
		q.intent.add(r.intents, 0.5)
		for j := i; j < i+len(ts[0].words); j++ {
			consumed[j] = true
			inPhrase[j] = len(ts[0].words) > 1
		}
	})
	question := len(ws) > 0 && questionWords[ws[0]]
	leading := true
	masked := make([]string, len(ws))
	for i, w := range ws {
		if !inPhrase[i] {
			masked[i] = w
		}
	}
	ix.scan(masked, ix.intentTrig, func(i int, ts []trigger) {
		if i < 0 {
			if w := masked[-i-1]; w != "" && !stopwords[w] {
				leading = false
			}
			return
		}
		w := 0.5
		switch {
		case leading:
			w = 1
		case question:
			// In "which user deleted X?" the verb describes, it does not ask.
			w = 0.2
		}
		for _, t := range ts {
			q.intent.add(ix.rules[t.rule].intents, w)
		}
		for j := i; j < i+len(ts[0].words); j++ {
			consumed[j] = true
		}
		leading = false
	})
	return consumed
}

// questionWords open a question rather than a command.
var questionWords = toSet("what which who whom whose when where why how is are was were does do did has have can could")

// scan walks ws and calls fn with the start and the rules of the longest
// trigger matching at each position (all rules sharing that trigger), or
// with -(i+1) and nil for a word no trigger starts at.
func (ix *Index) scan(ws []string, byFirst map[string][]trigger, fn func(int, []trigger)) {
	for i := 0; i < len(ws); {
		var best []trigger
		for _, t := range byFirst[ws[i]] {
			if (t.anchored && i != 0) || i+len(t.words) > len(ws) || !equalWords(ws[i:i+len(t.words)], t.words) {
				continue
			}
			switch {
			case len(best) == 0 || len(t.words) > len(best[0].words):
				best = append(best[:0:0], t)
			case len(t.words) == len(best[0].words) && t.anchored && !best[0].anchored:
				// "^run" (the imperative) outranks "run" (the noun).
				best = append([]trigger{t}, best...)
			case len(t.words) == len(best[0].words):
				best = append(best, t)
			}
		}
		if len(best) == 0 {
			fn(-(i + 1), nil)
			i++
			continue
		}
		fn(i, best)
		i += len(best[0].words)
	}
}

func equalWords(a, b []string) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// correct maps an unknown word onto the closest known one, if it is close
// enough to be a typo: one edit for short words, two for long ones.
func (ix *Index) correct(w string) (string, bool) {
	if len(w) < 4 || !isAlpha(w) {
		return "", false
	}
	max := 1
	if len(w) >= 7 {
		max = 2
	}
	best, bestD := "", max+1
	for l := len(w) - max; l <= len(w)+max; l++ {
		for _, c := range ix.core[l] {
			if d := osaDistance(w, c, max); d < bestD || (d == bestD && len(ix.postings[ix.stem(c)]) > len(ix.postings[ix.stem(best)])) {
				best, bestD = c, d
			}
		}
	}
	return best, bestD <= max
}

// countWords precede a number that counts things.
var countWords = toSet("last first top latest recent past previous next most")

// isCount reports whether the number at i counts things: after "last",
// "top"… or before a plural noun ("10 runs").
func isCount(fields []string, i int) bool {
	if i > 0 && countWords[strings.Trim(fields[i-1], ".,;:!?")] {
		return true
	}
	if i+1 < len(fields) {
		next := strings.Trim(fields[i+1], ".,;:!?")
		return len(next) > 3 && strings.HasSuffix(next, "s") && !strings.HasSuffix(next, "ss")
	}
	return false
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return w != ""
}

func isAlpha(w string) bool {
	for _, r := range w {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// looksLikeID spots identifiers such as "41c2" or a UUID fragment: the
// agent names one resource.
func looksLikeID(w string) bool {
	var digits, letters int
	for _, r := range w {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsLetter(r), r == '-':
			letters++
		default:
			return false
		}
	}
	return digits > 0 && letters > 0 && len(w) >= 4
}

// Lookup finds an operation by operationId or "METHOD /path" (parameter
// names and trailing slashes are ignored, case-insensitively for the id).
func (ix *Index) Lookup(ref string) (*Operation, bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, false
	}
	for _, op := range ix.api.Operations {
		if op.ID == ref {
			return op, true
		}
	}
	if method, path, ok := strings.Cut(ref, " "); ok && strings.HasPrefix(strings.TrimSpace(path), "/") {
		want := NormalizeKey(method + " " + strings.TrimSpace(path))
		for _, op := range ix.api.Operations {
			if NormalizeKey(op.Key()) == want {
				return op, true
			}
		}
	}
	for _, op := range ix.api.Operations {
		if strings.EqualFold(op.ID, ref) {
			return op, true
		}
	}
	return nil, false
}

// Nearest suggests the n operations closest to a reference that did not
// resolve: those a few edits away from its operationId or "METHOD /path"
// first, then what a search for it finds, then the closest spellings.
func (ix *Index) Nearest(ref string, n int) []*Operation {
	const closeEdits = 6
	ref = strings.TrimSpace(ref)
	if len(ref) > 200 {
		ref = ref[:200]
	}
	lower, key := strings.ToLower(ref), strings.ToLower(NormalizeKey(ref))
	type cand struct {
		op *Operation
		d  int
	}
	cands := make([]cand, 0, len(ix.api.Operations))
	for _, op := range ix.api.Operations {
		limit := len(lower) + len(op.Key())
		d := min(
			osaDistance(lower, strings.ToLower(op.ID), limit),
			osaDistance(key, strings.ToLower(NormalizeKey(op.Key())), limit),
			osaDistance(lower, strings.ToLower(op.Path), limit),
		)
		cands = append(cands, cand{op, d})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].d < cands[j].d })
	out := make([]*Operation, 0, n)
	seen := map[*Operation]bool{}
	add := func(op *Operation) {
		if len(out) < n && !seen[op] {
			out, seen[op] = append(out, op), true
		}
	}
	for _, c := range cands {
		if c.d <= closeEdits {
			add(c.op)
		}
	}
	for _, h := range ix.Search(ref, SearchOptions{Limit: 2 * n}) {
		add(h.Op)
	}
	for _, c := range cands {
		add(c.op)
	}
	return out
}

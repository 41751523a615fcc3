package spec

import (
	"sort"
	"strings"
	"unicode"
)

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
	// addressed are the stems of nouns the agent gave an id ("run 6").
	addressed map[string]bool
	// done are the words of the steps the agent has already taken, when it
	// asks for another one.
	done []string
	// family is the sync family the wording names (bulkFamily,
	// modelFamily), or "".
	family string
}

// The tags of the two sync families.
const (
	bulkFamily  = "Bulk Sync"
	modelFamily = "Model Sync"
)

func (ix *Index) analyze(text string) query {
	q := query{terms: map[string]float64{}, idents: identifiers(text), plural: map[string]bool{}, singular: map[string]bool{}, names: ix.properNames(text)}
	raw, roles := clauseWordsJoined(withoutIDs(text), ix.joinParticles)
	// Correct typos first so that the lexicon sees the intended words.
	ws := make([]string, len(raw))
	corrected := make([]float64, len(raw)) // weight of a corrected word; 0 if not corrected
	for i, w := range raw {
		ws[i] = w
		if wt := ix.correctionWeight(w); wt > 0 {
			if c, ok := ix.correct(w); ok {
				ws[i], corrected[i] = c, wt
			}
		}
	}
	// What the agent rules out ("…, not for a single table") is read apart:
	// its words count against an operation unless the rest of the query
	// asks for them too. What it has already done ("after starting the
	// sync, …") is context: weaker words, and no say in the action.
	var byRole [3][]string
	var corr [3][]float64
	for i, w := range ws {
		byRole[roles[i]] = append(byRole[roles[i]], w)
		corr[roles[i]] = append(corr[roles[i]], corrected[i])
	}
	if len(byRole[roleAsked]) == 0 {
		byRole[roleAsked], corr[roleAsked] = byRole[roleDone], corr[roleDone]
		byRole[roleDone], corr[roleDone] = nil, nil
	}
	q.done = byRole[roleDone]
	neg := byRole[roleNegated]
	ix.addWords(byRole[roleAsked], corr[roleAsked], &q, 1)
	ix.addWords(byRole[roleDone], corr[roleDone], &q, 0, contextWeight)
	nq := query{terms: map[string]float64{}, plural: q.plural, singular: map[string]bool{}}
	ix.addWords(neg, make([]float64, len(neg)), &nq, 0)
	for s := range nq.terms {
		if q.terms[s] <= 0 {
			q.terms[s] = negationWeight
		}
	}
	ix.readSituations(ws, &q)
	ix.readOthersOrgs(ws, &q)
	// A question asks to read, whatever verbs it mentions.
	if strings.Contains(text, "?") {
		q.intent.read += 0.5
	}
	fields := strings.Fields(strings.ToLower(text))
	ix.readNumbers(fields, &q)
	// Asking who did something ("who deleted the connection?", "I need
	// to know who did it") asks for the audit trail, whatever was done.
	if asksForActor(fields) {
		q.terms[ix.stem("event")] += expansionWeight
		q.intent.read++
	}
	// "sync" on its own means a model sync in Polytomic's API (/api/syncs);
	// bulk syncs are always called bulk syncs.
	if q.terms["sync"] > 0 && q.terms["bulk"] <= 0 && q.terms["model"] <= 0 {
		q.terms["model"] += 0.3
		q.terms["bulk"] = negationWeight
	}
	// "model sync" and "bulk sync" are competing readings of one product
	// word: naming one rules the other out.
	if q.terms["sync"] > 0 && q.terms["model"] > 0 && q.terms["bulk"] == 0 {
		q.terms["bulk"] = negationWeight / 2
	}
	// Likewise a "model" without "sync" is the model resource itself.
	if q.terms["model"] > 0 && q.terms["sync"] == 0 {
		q.terms["sync"] = negationWeight / 2
	}
	switch {
	case q.terms["bulk"] > 0 && q.terms["model"] <= 0:
		q.family = bulkFamily
	case q.terms["bulk"] <= 0 && q.terms["model"] > 0 && q.terms["sync"] > 0:
		q.family = modelFamily
	}
	return q
}

// readNumbers reads the numbers and ids in the text: a count asks for a
// collection, an id for one item.
func (ix *Index) readNumbers(fields []string, q *query) {
	for i, f := range fields {
		w := bareToken(f)
		switch {
		case isNumber(w) && isCount(fields, i):
			// "the last 10 runs": a number of things, not an id.
			q.intent.list++
		case isNumber(w) || looksLikeID(w):
			q.intent.item += 0.6
			if i > 0 {
				ix.addressItem(strings.Trim(fields[i-1], ".,;:!?()[]\"'#"), q)
			}
		}
	}
}

// bareToken is a whitespace-separated token without the punctuation
// around it, and without a possessive: "sync 9's settings" addresses sync 9.
func bareToken(f string) string {
	return strings.TrimSuffix(strings.Trim(f, ".,;:!?()[]\"'#"), "'s")
}

// withoutIDs blanks the ids in text ("sync abc123", "run 8f2c"): an id
// says which item is meant (readNumbers), but its letters are no words.
func withoutIDs(text string) string {
	fields := strings.Fields(text)
	changed := false
	for i, f := range fields {
		w := bareToken(f)
		if looksLikeID(w) && !isNumber(w) {
			fields[i] = strings.Replace(f, w, "", 1)
			changed = true
		}
	}
	if !changed {
		return text
	}
	return strings.Join(fields, " ")
}

// addressItem records that the agent names one w by its id ("run 6",
// "sync 8f2c"): calls that address one w fit better than those on all of
// them. The lexicon's reading of w counts too ("run" is an execution).
func (ix *Index) addressItem(w string, q *query) {
	if q.addressed == nil {
		q.addressed = map[string]bool{}
	}
	q.addressed[ix.stem(w)] = true
	for _, t := range ix.meaningTrig[w] {
		if len(t.words) == 1 {
			for _, e := range ix.rules[t.rule].expand {
				q.addressed[e] = true
			}
		}
	}
}

// addWords adds a clause's words, and what the lexicon reads into them, to q.
// intentScale scales the intent they express; weight, if given, scales the
// words themselves.
func (ix *Index) addWords(ws []string, corrected []float64, q *query, intentScale float64, weight ...float64) {
	saved := q.intent
	scale := 1.0
	if len(weight) > 0 {
		scale = weight[0]
	}
	ix.applyLexicon(ws, q, scale)
	if intentScale == 0 {
		q.intent = saved
	}
	for i, w := range ws {
		if w == "" || stopwords[w] || isNumber(w) || len(w) < 2 {
			continue
		}
		wt := 1.0
		if len(weight) > 0 {
			wt = weight[0]
		}
		if corrected[i] > 0 {
			wt *= corrected[i]
		}
		if q.names[w] {
			wt *= nameWeight
		}
		s := ix.stem(w)
		q.terms[s] += wt
		if s != w && strings.HasSuffix(w, "s") {
			q.plural[s] = true
		} else {
			q.singular[s] = true
		}
		if corrected[i] == 0 && !q.names[w] {
			ix.addRelated(w, s, wt, q)
		}
	}
}

// addRelated adds what WordNet relates w to as evidence: the readings share
// a weight below the word's own, so they compete with each other and never
// outweigh what the agent wrote.
func (ix *Index) addRelated(w, own string, wt float64, q *query) {
	rel := wordnetDB().lookup(w)
	var n int
	for _, r := range rel {
		if r.stem != own && ix.postings[r.stem] != nil {
			n++
		}
	}
	for _, r := range rel {
		if r.stem == own || ix.postings[r.stem] == nil {
			continue
		}
		q.terms[r.stem] += wt * relationScale * relationWeight[r.rel] / float64(n)
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

// Roles of a query's words.
const (
	roleAsked   = iota // what the agent asks for
	roleNegated        // what it rules out
	roleDone           // what it has already done: context for the step asked
)

// contextWeight is what a word of an already-done step counts.
const contextWeight = 0.35

// contractions end in "n't", which splits into the word and a "t".
var contractions = toSet("don doesn didn isn aren wasn weren won can couldn shouldn wouldn haven hasn")

// uncertain words after a negation make it doubt or a change of state, not
// exclusion: "I don't know which org", "not sure whether", "no idea", "no
// longer".
var uncertain = toSet("know sure idea certain clear longer")

// notExclusion reports whether the negation at i describes rather than
// excludes: doubt ("not sure"), a change of state ("no longer"), or a
// symptom, where something fails to appear or work ("it doesn't show up",
// "not loading"); only a bare "don't" at the start of a clause is an order
// ("don't show the paused ones").
func notExclusion(cw []string, i int) bool {
	if i+1 >= len(cw) {
		return false
	}
	next := cw[i+1]
	if uncertain[next] {
		return true
	}
	// "the view has no primary key": a lack, not an exclusion.
	if cw[i] == "no" && i > 0 && haveWords[cw[i-1]] {
		return true
	}
	imperative := cw[i] == "t" && i == 1 && cw[0] == "don"
	if imperative {
		return false
	}
	// "never got the email", "didn't receive any callbacks": a report of
	// what did not happen. "without running it" stays an exclusion.
	report := cw[i] == "t" || cw[i] == "never" || cw[i] == "not"
	return failsToHappen[next] || (report && (isReportVerb(next) || (cw[i] == "never" && pastTense(next))))
}

// isReportVerb reports whether w is a report verb, or a long one misspelt
// by one edit ("recieve"): typo correction only runs after negation is read.
func isReportVerb(w string) bool {
	if reportVerbs[w] {
		return true
	}
	if len(w) < 6 {
		return false
	}
	for v := range reportVerbs {
		if len(v) >= 6 && osaDistance(w, v, 1) <= 1 {
			return true
		}
	}
	return false
}

// haveWords before "no" describe a lack ("has no key", "with no owner").
var haveWords = toSet("has have had with there")

// reportVerbs are verbs whose negation, after "never", "not" or a
// contraction, tells what failed to happen.
var reportVerbs = toSet("get gets getting got receive receives receiving received hear heard fire fires fired trigger triggered run runs ran start starts started finish finishes finished complete completes completed")

// inability are the contractions whose negation reports that something
// cannot be done, not that it is unwanted.
var inability = toSet("can couldn won wouldn")

// failsToHappen are verbs whose negation reports a symptom.
var failsToHappen = toSet("show shows showing appear appears appearing work works working load loads loading exist exists arrive arrives arriving come comes coming update updating refresh refreshing")

// negators open a negated stretch of a clause.
var negators = toSet("not except excluding besides without never no")

// clauseWords splits text into query words and gives each its role: words
// after a negation ("not", "don't", "without", "rather than", "instead
// of") within their clause are negated; a clause that tells what was
// already done ("after starting…", "I exported…", "kicked off…") is
// context.
func clauseWords(text string) (ws []string, roles []int) {
	return clauseWordsJoined(text, func([]string) {})
}

// clauseWordsJoined is clauseWords with each clause's words first passed to
// join, which may reorder them.
func clauseWordsJoined(text string, join func([]string)) (ws []string, roles []int) {
	for _, c := range clauses(text) {
		cw := queryWords(c)
		join(cw)
		done := doneClause(cw)
		neg := false
		for i, w := range cw {
			if len(ws) >= maxQueryWords {
				return ws, roles
			}
			switch {
			case w == "t" && i > 0 && inability[cw[i-1]]:
				// "can't remove it" asks about removing it: neither word
				// says more.
				ws[len(ws)-1] = ""
				w = ""
			case negators[w] && !notExclusion(cw, i):
				neg = true
			case w == "t" && i > 0 && contractions[cw[i-1]] && !notExclusion(cw, i):
				neg = true
				ws[len(ws)-1] = ""
				w = ""
			case (w == "than" && i > 0 && cw[i-1] == "rather") || (w == "of" && i > 0 && cw[i-1] == "instead"):
				neg = true
				if n := len(ws); n > 0 {
					ws[n-1] = "" // "rather" / "instead" carry no meaning of their own
				}
			}
			role := roleAsked
			switch {
			case neg:
				role = roleNegated
			case done:
				role = roleDone
			}
			ws = append(ws, w)
			roles = append(roles, role)
		}
	}
	return ws, roles
}

// clauses splits text at punctuation and at clauseBreaks.
func clauses(text string) []string {
	var out []string
	for _, c := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(",.;:!?()", r) }) {
		start := 0
		fs := strings.Fields(c)
		for i, f := range fs {
			if i > start && clauseBreaks[strings.ToLower(f)] {
				out = append(out, strings.Join(fs[start:i], " "))
				start = i + 1
			}
		}
		out = append(out, strings.Join(fs[start:], " "))
	}
	return out
}

// clauseBreaks open a clause of their own: the words that join steps
// ("then"), and conjunctions, past which a negation does not reach ("don't
// delete it but pause it").
var clauseBreaks = toSet("then afterwards but because although though whereas unless")

// doneOpeners open a clause about a step already taken.
var doneOpeners = toSet("after once having since")

// doneClause reports whether a clause tells what was already done: it opens
// with "after"/"once", or its subject is followed by a past-tense verb ("I
// exported", "we kicked off"), or it opens with one ("kicked off a
// refresh").
func doneClause(cw []string) bool {
	if len(cw) == 0 {
		return false
	}
	if doneOpeners[cw[0]] {
		return true
	}
	for i, w := range cw {
		if i > 2 {
			break
		}
		if (i == 0 || subjects[cw[i-1]] || cw[i-1] == "just" || cw[i-1] == "already") && pastTense(w) {
			return true
		}
	}
	return false
}

var subjects = toSet("i we you")

// pastTense spots a regular past form ("exported", "requested") or a
// common irregular one.
func pastTense(w string) bool {
	return (len(w) > 5 && strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "eed")) || irregularPast[w]
}

var irregularPast = toSet("ran sent got made built began set wrote put took")

// applyLexicon adds what the query's phrases mean, as evidence beside the
// words themselves, which keep their weight. Two passes, each taking the
// longest phrase at every position:
// one reads intent (what kind of call), the other meaning (which resource),
// so that "list" can say both "read" and "collection" while "start
// replicating" still means a bulk sync.
func (ix *Index) applyLexicon(ws []string, q *query, scale float64) {
	consumed := make([]bool, len(ws))
	request := requestStart(ws)
	// Meaning first: a phrase such as "seat list" is a thing, and the
	// intent pass must not read its "list" as a verb.
	inPhrase := ix.readMeaning(ws, q, scale, request, consumed)
	question := len(ws) > 0 && questionWords[ws[0]]
	leading := true
	masked := make([]string, len(ws))
	for i, w := range ws {
		if !inPhrase[i] {
			masked[i] = w
		}
	}
	if request >= 0 {
		question = false
		for j := 0; j < request; j++ {
			masked[j] = ""
		}
	}
	ix.scan(masked, ix.intentTrig, func(i int, ts []trigger) {
		w := 0.5
		switch {
		case leading:
			w = 1
		case question:
			// In "which user deleted X?" the verb describes, it does not ask.
			w = 0.2
		}
		if i < 0 {
			if mw := masked[-i-1]; mw != "" && !stopwords[mw] {
				// "last"/"first" open a count, not an action.
				if leading && !consumed[-i-1] && !countWords[mw] {
					ix.relatedIntent(mw, q, w)
				}
				leading = false
			}
			return
		}
		for _, t := range ts {
			q.intent.add(ix.rules[t.rule].intents, w)
		}
		for j := i; j < i+len(ts[0].words); j++ {
			consumed[j] = true
		}
		leading = false
	})
}

// requestStart is where the request of a how-to question starts ("how do
// I pause it?", "what's the right way to switch it off?"): its opener asks
// nothing to be read; the verb after it is the request. -1 if none.
func requestStart(ws []string) int {
	request := howTo(ws)
	for request >= 0 && request < len(ws) && stopwords[ws[request]] {
		request++
	}
	return request
}

// readMeaning is applyLexicon's meaning pass: it adds what the phrases of
// ws mean, marks the words it consumed, and reports which of them were in
// a phrase of several words. A phrase at request states the request.
func (ix *Index) readMeaning(ws []string, q *query, scale float64, request int, consumed []bool) []bool {
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
			q.terms[e] += expansionWeight * scale
			if plural {
				q.plural[e] = true
			} else {
				q.singular[e] = true
			}
		}
		iw := 0.5
		if i == request {
			iw = 1
		}
		q.intent.add(r.intents, iw)
		for j := i; j < i+len(ts[0].words); j++ {
			consumed[j] = true
			inPhrase[j] = len(ts[0].words) > 1
		}
	})
	return inPhrase
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

// correctionWeight is how much the correction of w may count, 0 when w
// must be left alone: only a word that is in no dictionary is taken for a
// typo. A real English word the API does not use ("host", "port") is the
// agent's word, not a misspelling of "post".
func (ix *Index) correctionWeight(w string) float64 {
	if ix.known[w] || stopwords[w] || isNumber(w) || ix.postings[ix.stem(w)] != nil || wordnetDB().isEnglish(w) {
		return 0
	}
	return correctionWeight
}

// correct maps an unknown word onto the closest known one, if it is close
// enough to be a typo: one edit for short words, two for long ones.
func (ix *Index) correct(w string) (string, bool) {
	best, d := nearest(w, ix.core, func(a, b string) bool {
		return len(ix.postings[ix.stem(a)]) > len(ix.postings[ix.stem(b)])
	})
	return best, d <= maxEdits(w)
}

// maxEdits is how far a typo may be from the word meant.
func maxEdits(w string) int {
	if len(w) >= 7 {
		return 2
	}
	return 1
}

// nearest finds the word of byLen (words by length) closest to w, within
// maxEdits(w); better breaks ties. It returns maxEdits(w)+1 when none is.
func nearest(w string, byLen map[int][]string, better func(a, b string) bool) (string, int) {
	max := maxEdits(w)
	if len(w) < 4 || !isAlpha(w) {
		return "", max + 1
	}
	best, bestD := "", max+1
	for l := len(w) - max; l <= len(w)+max; l++ {
		for _, c := range byLen[l] {
			if d := osaDistance(w, c, max); d < bestD || (d == bestD && d <= max && better(c, best)) {
				best, bestD = c, d
			}
		}
	}
	return best, bestD
}

// CouldCorrect reports whether typo correction over the words byLen (by
// length) would rewrite w: the generator of the WordNet word list keeps
// exactly those English words.
func CouldCorrect(w string, byLen map[int][]string) bool {
	_, d := nearest(w, byLen, func(string, string) bool { return false })
	return d <= maxEdits(w)
}

// asksForActor reports whether the text asks who did something: "who" or
// "which user" followed closely by a verb in the past ("who deleted",
// "who did it", "which user changed").
func asksForActor(fields []string) bool {
	for i, f := range fields {
		w := strings.Trim(f, ".,;:!?()[]\"'")
		start := i + 1
		switch {
		case w == "who" || w == "whoever":
		case (w == "which" || w == "what") && i+1 < len(fields) && strings.Trim(fields[i+1], ".,;:!?") == "user":
			start = i + 2
		default:
			continue
		}
		for j := start; j < len(fields) && j < start+2; j++ {
			if v := strings.Trim(fields[j], ".,;:!?()[]\"'"); pastTense(v) || v == "did" || v == "made" {
				return true
			}
		}
	}
	return false
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

// particles complete a phrasal verb ("switch off", "throw away").
var particles = toSet("on off away out back up down over")

// maxParticleGap is how many words may separate a verb from its particle
// ("switch the CRM push pipeline back on").
const maxParticleGap = 5

// joinParticles moves a separated particle back to its verb when the two
// make a lexicon phrase ("switch it off" -> "switch off it"), so that the
// phrase is read whatever object sits in between. ws is one clause's
// words; it works in place.
func (ix *Index) joinParticles(ws []string) {
	for i, w := range ws {
		for _, t := range ix.particleTail(w) {
			if j := findRun(ws, t, i+2, i+2+maxParticleGap); j >= 0 {
				rotate(ws[i+1:j+len(t)], j-i-1)
				break
			}
		}
	}
}

// particleTail lists, longest first, the particle runs that complete w
// into a lexicon trigger.
func (ix *Index) particleTail(w string) [][]string {
	var out [][]string
	for _, m := range []map[string][]trigger{ix.meaningTrig, ix.intentTrig} {
		for _, t := range m[w] {
			rest := t.words[1:]
			if len(rest) == 0 || !allIn(rest, particles) {
				continue
			}
			out = append(out, rest)
		}
	}
	sort.Slice(out, func(a, b int) bool { return len(out[a]) > len(out[b]) })
	return out
}

// findRun finds run in ws starting at an index in [from, to).
func findRun(ws, run []string, from, to int) int {
	for j := from; j < to && j+len(run) <= len(ws); j++ {
		if equalWords(ws[j:j+len(run)], run) {
			return j
		}
	}
	return -1
}

func allIn(ws []string, set map[string]bool) bool {
	for _, w := range ws {
		if !set[w] {
			return false
		}
	}
	return true
}

// rotate moves the last len(s)-k elements of s to its front.
func rotate[T any](s []T, k int) {
	out := append(append([]T{}, s[k:]...), s[:k]...)
	copy(s, out)
}

// howTo finds a question that asks how to do something ("how do I …", "how
// can we …", "how to …", "the right way to …", "is it possible to …") and
// returns the index of the word after its opener, or -1.
func howTo(ws []string) int {
	for i := 0; i+1 < len(ws); i++ {
		switch {
		case ws[i] == "how" && ws[i+1] == "to", (ws[i] == "way" || ws[i] == "possible") && ws[i+1] == "to":
			return i + 2
		case ws[i] == "how" && i+2 < len(ws) && modals[ws[i+1]] && subjects[ws[i+2]]:
			return i + 3
		}
	}
	return -1
}

var modals = toSet("do can could should would may")

// readOthersOrgs reads an organization that belongs to someone else ("our
// client tenants", "a customer's workspace", "each managed account") as
// partner work, whatever the words between: only partner keys reach
// organizations other than the caller's own.
func (ix *Index) readOthersOrgs(ws []string, q *query) {
	if q.intent.partner > 0 {
		return
	}
	for i, w := range ws {
		if !othersQualifiers[w] {
			continue
		}
		for j := i + 1; j < len(ws) && j <= i+2; j++ {
			if orgWords[ws[j]] {
				q.intent.partner++
				q.terms[ix.stem("organization")] += expansionWeight
				return
			}
		}
	}
}

var (
	othersQualifiers = toSet("customer customers client clients child children managed downstream end")
	orgWords         = toSet("org orgs organization organizations organisation organisations tenant tenants workspace workspaces account accounts")
)

package spec

import (
	"strings"
)

// rule is one lexicon line.
type rule struct {
	triggers [][]string
	anchored bool
	expand   []string // stems
	intents  []string
}

// ruleLines splits a rule table (the lexicon, the situations) into its
// "left => right" lines, skipping blanks and # comments. The tables are
// compiled into the binary, so a malformed line is a programming error.
func ruleLines(src, table string) [][2]string {
	var out [][2]string
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lhs, rhs, ok := strings.Cut(line, "=>")
		if !ok {
			panic("spec: " + table + " line without =>: " + line)
		}
		out = append(out, [2]string{lhs, rhs})
	}
	return out
}

// ruleMeaning reads the right side of a rule line: the stems of its words,
// and its @intents.
func ruleMeaning(rhs string) (stems, intents []string) {
	for _, f := range strings.Fields(rhs) {
		if strings.HasPrefix(f, "@") {
			intents = append(intents, f[1:])
			continue
		}
		for _, w := range words(f) {
			stems = append(stems, stem(w))
		}
	}
	return stems, intents
}

// trigger is one phrase of a rule.
type trigger struct {
	rule     int
	words    []string
	anchored bool
}

func parseLexicon(src string) []rule {
	var rules []rule
	for _, lr := range ruleLines(src, "lexicon") {
		lhs, rhs := lr[0], lr[1]
		var r rule
		for _, t := range strings.Split(lhs, "|") {
			t = strings.TrimSpace(t)
			if strings.HasPrefix(t, "^") {
				r.anchored = true
				t = t[1:]
			}
			// Triggers are split like queries, so "sub-account" matches the
			// words "sub account" as the query tokenizer produces them.
			ws := words(t)
			if len(ws) == 0 {
				continue
			}
			r.triggers = append(r.triggers, ws)
		}
		r.expand, r.intents = ruleMeaning(rhs)
		rules = append(rules, r)
	}
	return rules
}

// intent is what the wording says about the kind of call: its method and
// whether it addresses one resource or a collection. Each field is a
// strength; the verb at the start of a request counts double.
type intent struct {
	create, update, del, read, post float64
	item, list                      float64
	// partner: the wording is about customer orgs under a partner account,
	// which only partner-key endpoints serve.
	partner float64
	// existing: the task changes something that exists ("add X to the
	// existing Y"), whatever its first verb says.
	existing bool
	// on and off: the task switches something on or off, which tells
	// "enable" and "disable" apart where the API has both.
	on, off float64
}

func (in *intent) add(names []string, w float64) {
	for _, n := range names {
		switch n {
		case "create":
			in.create += w
		case "update":
			in.update += w
		case "delete":
			in.del += w
		case "read":
			in.read += w
		case "post":
			in.post += w
		case "item":
			// Shape words are not verbs: where they sit does not matter.
			in.item++
		case "list":
			in.list++
		case "partner":
			in.partner++
		case "existing":
			in.existing = true
		case "on":
			in.on += w
		case "off":
			in.off += w
		case "plain":
		default:
			panic("spec: unknown lexicon intent @" + n)
		}
	}
}

// factor scales an operation's text score by how well its method and shape
// fit the intent. It only reorders close candidates: words decide the
// resource, intent decides between the calls on it.
func (q *query) factor(d docInfo) float64 {
	in := q.intent
	if in.existing {
		// "the existing Y" names one thing that is there: "add X to the
		// existing Y" changes it rather than creating anything; without
		// such a verb, reading or changing it is up to the other words.
		if in.create > 0 {
			in.update++
			in.create /= 2
		}
		in.item += 0.5
	}
	f := 1 + 0.5*clamp(methodFit(in, d), -1.5, 2)
	// The resource a call acts on is the last literal segment of its path,
	// and its last word is the head noun ("types" in connection_types,
	// "objects" in targetobjects); naming it is the strongest sign of which
	// call is meant.
	if n := len(d.leafStems); n > 0 && q.terms[d.leafStems[n-1]] > 0 {
		f *= 1.2
	}
	// "run 6": a call that takes one run's id fits; one on all runs less.
	for _, n := range d.itemNouns {
		if q.addressed[n] {
			f *= addressedBoost
		}
	}
	f *= q.twinFit(in, d)
	if d.op.Method == "GET" {
		f *= 1 + 0.2*clamp(q.shapeFit(in, d), -1.5, 1.5)
	}
	return f
}

// methodFit is how well the kind of call the wording asks for fits d's
// method: positive for a fit, negative for a clash.
func methodFit(in intent, d docInfo) float64 {
	switch d.op.Method {
	case "GET", "HEAD":
		return in.read - 0.7*(in.create+in.update+in.del+in.post)
	case "POST":
		if d.kind == "create" {
			return in.create - 0.5*(in.read+in.del) - 0.3*in.update
		}
		return in.post + 0.5*in.create - 0.5*in.del - 0.3*in.read
	case "PUT", "PATCH":
		return in.update - 0.5*(in.read+in.del) - 0.2*in.create
	case "DELETE":
		return in.del - 0.7*(in.read+in.create+in.update)
	}
	return 0
}

// twinFit tells apart calls that share their words: opposite switches,
// the two sync families, and the partner and own-organization versions of
// a call.
func (q *query) twinFit(in intent, d docInfo) float64 {
	f := 1.0
	// Of a pair of opposite switches, the one the wording asks for.
	if sw := switchOf(d.kind); sw != 0 && in.on != in.off {
		if (sw > 0) == (in.on > in.off) {
			f *= 1.1
		} else {
			f *= 0.75
		}
	}
	// The two sync families share their words (run, logs, schedule,
	// cancel): the family the wording names decides between twins.
	if tag := firstTag(d.op); q.family != "" && (tag == bulkFamily || tag == modelFamily) && tag != q.family {
		f *= familyMismatch
	}
	// Partner endpoints need a partner key, which few callers hold: prefer
	// the caller's own organization unless the wording is about others'.
	switch {
	case d.op.PartnerOnly && in.partner == 0:
		f *= 0.85
	case !d.op.PartnerOnly && in.partner > 0:
		f *= 0.9
	}
	return f
}

// shapeFit is how well a read's shape, one resource or many, fits what the
// wording asks for and how it inflects the noun the call acts on.
func (q *query) shapeFit(in intent, d docInfo) float64 {
	collection := !d.item && d.leafPlural
	shape := in.list - in.item
	if d.item {
		shape = -shape
	}
	switch {
	case q.plural[d.leaf] && collection:
		shape += 0.8
	case q.plural[d.leaf]:
		shape -= 0.4
	case q.singular[d.leaf] && !collection:
		shape += 0.5
	case q.singular[d.leaf]:
		shape -= 0.3
	}
	return shape
}

// switchOf is +1 for a call that switches something on, -1 for one that
// switches it off, by its summary's verb; 0 for anything else.
func switchOf(kind string) int {
	switch kind {
	case "enable":
		return 1
	case "disable":
		return -1
	}
	return 0
}

// familyMismatch scales a call of the sync family the wording does not
// name.
const familyMismatch = 0.85

func firstTag(op *Operation) string {
	if len(op.Tags) == 0 {
		return ""
	}
	return op.Tags[0]
}

// addressedBoost rewards a call for each noun of its path that takes the
// id the agent gave.
const addressedBoost = 1.1

func clamp(v, lo, hi float64) float64 { return max(lo, min(hi, v)) }

// methodIntents are the intents that name a kind of call rather than a
// shape of answer.
var methodIntents = toSet("create update delete read post")

// verbStems maps the stem of every one-word, unanchored action trigger to
// the method intents its rule gives.
func verbStems(rules []rule) map[string][]string {
	out := map[string][]string{}
	for _, r := range rules {
		if r.anchored {
			continue
		}
		var in []string
		for _, n := range r.intents {
			if methodIntents[n] {
				in = append(in, n)
			}
		}
		if len(in) == 0 {
			continue
		}
		for _, t := range r.triggers {
			if len(t) == 1 {
				s := stem(t[0])
				out[s] = append(out[s], in...)
			}
		}
	}
	return out
}

// relatedVerbWeight is how much an action read through WordNet ("throw" is
// a synonym of "drop") counts next to the verb written in the lexicon.
const relatedVerbWeight = 0.5

// relatedIntent adds the actions WordNet relates w to (synonyms and
// entailments only), at weight w8 scaled down: a verb the lexicon does not
// list still says which kind of call is meant.
func (ix *Index) relatedIntent(w string, q *query, w8 float64) bool {
	found := false
	for _, r := range wordnetDB().lookup(w) {
		if r.rel != 's' && r.rel != 'e' {
			continue
		}
		if in := ix.verbStems[r.stem]; len(in) > 0 {
			q.intent.add(in, w8*relatedVerbWeight)
			found = true
		}
	}
	return found
}

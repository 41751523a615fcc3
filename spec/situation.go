package spec

import "strings"

// situations read a described problem as the call that diagnoses or
// remedies it. An agent often names no action ("a teammate left the
// company", "the webhook receiver is flooded"): the problem's kind and the
// thing it affects say which call helps. Each line is
//
//	signs / things => remedy words  @intents
//
// A situation holds when the query has a word stemming like one of its
// signs and, if things are listed, one stemming like one of its things.
// Matching on stems keeps a line general over inflections ("flood",
// "flooded", "flooding"). The remedy is evidence below the agent's own
// words (situationWeight), and its intents are a moderate push.
const situationLines = `
# someone gone: remove their account
left leave leaving quit resign resigned depart departed fired offboard offboarding longer / teammate colleague coworker co-worker employee contractor user member person someone somebody team account access => user @delete
# a credential changed under a connection: update the connection
rotated rotate expired expire changed reset revoked renewed / password passwords secret token credential credentials login => connection @update
# too much of something: switch it off
flooded flood flooding spamming spammed overwhelmed hammering noisy storm barrage => activate disable @post @off
# refused by the API: find out who the key belongs to
403 401 forbidden unauthorized unauthorised denied rejected reject / key token credential => identity me @read
# an id nobody recognises: resolve it
mystery unknown unrecognised unrecognized idea kind random strange unfamiliar weird mysterious unidentified / uuid uuids id ids identifier => entity resolved @read
# tables or columns of a source that Polytomic does not list: re-read its
# schema ("notshown" stands for a negated "show up", "appear", "work")
missing unlisted absent notshown / table tables object objects column columns field fields => refresh schema @post
# a setting that is wrong: change it
wrong incorrect misconfigured mistaken mistake => update @update
# data that looks out of date or missing: the runs that should have
# brought it
stale outdated lagging delayed behind missing / data number numbers record records row rows value values figure figures table tables report reports dashboard dashboards => execution @read
# records a run could not write: that run's error log files
rejected reject refused failed errored skipped invalid dropped / record records row rows => error log execution @read
# what something is doing now: its status
doing moment / sync syncs pipeline pipelines replication job jobs => status @read
# an alert that never came: who is subscribed to failure emails
nobody noone never missed miss / email emails alert alerts notified notification notifications warned => notification global error subscriber @read
# a run that goes on too long or costs too much: cancel it
stuck hung frozen burning burn wasting forever overrunning runaway / running run runs hours => cancel @post
# a cost spike: how often things run
bill bills cost costs spend spending credits expensive pricey / => schedule @read
# a run that is slow: its per-table timings
slow sluggish crawling / run runs sync copy load job => execution @read
# starting refused because one is under way: its status
409 conflict already / running start starting run trigger => status @read
# cannot reach a system: test the connection
unreachable timeout timeouts ssl tls handshake / connect connection host database db server => test connection
# callbacks that stopped: the webhook and its state
firing receiving silent quiet / webhook webhooks callback callbacks endpoint => webhook @read
# someone with too much access: their roles
privileged overprivileged read-only readonly / access permission permissions edit admin => user role @update
# things nobody selected showing up: the sync's settings
unexpected unwanted appeared appearing / table tables object objects column columns => bulk sync @read
# a run at the wrong time, or none: the schedule
skipped late early timezone / run ran runs sync => schedule @read
# data that vanished from a destination: what happened and which run
wiped blanked emptied truncated erased overwritten / data record records row rows table tables field fields => event execution @read
# something that runs too often: its schedule
often frequently frequent / => schedule @read
# something nobody needs any more: remove it
anymore unused obsolete leftover unneeded lingering hanging deprecated / => @delete
# something that disappeared: the audit trail says who removed it
vanished disappeared vanish disappear / => event @read
# duplicated rows: the key rows are matched on
duplicate duplicates duplicated dupes dupe / row rows record records table tables key => primary key @update
# a connect link that ran out: a new connect session
expired expire expiring / link links url invitation => connect session @create
# output of something that went wrong: its logs
printed printing print output wrote said / error erroring errored failed failing crash crashed => log console @read
`

// situationWeight scales a remedy's words next to the agent's words.
const situationWeight = 0.6

// situation is one compiled line.
type situation struct {
	signs, things map[string]bool // stems
	remedy        []string        // stems
	intents       []string
}

func (ix *Index) compileSituations(src string) {
	for _, lr := range ruleLines(src, "situation") {
		lhs, rhs := lr[0], lr[1]
		signs, things, _ := strings.Cut(lhs, "/")
		s := situation{signs: ix.stemSet(signs), things: ix.stemSet(things)}
		s.remedy, s.intents = ruleMeaning(rhs)
		ix.situations = append(ix.situations, s)
	}
}

func (ix *Index) stemSet(ws string) map[string]bool {
	set := map[string]bool{}
	for _, w := range words(ws) {
		set[stem(w)] = true
	}
	return set
}

// readSituations adds the remedy of every situation the words describe.
func (ix *Index) readSituations(ws []string, q *query) {
	stems := make(map[string]bool, len(ws))
	for i, w := range ws {
		// "what went wrong" tells of an event, which the failure words
		// read; "the rule is wrong" of a state.
		if w != "" && (i == 0 || !goForms[ws[i-1]]) {
			stems[ix.stem(w)] = true
		}
		if failsToHappen[w] && i > 0 && (negators[ws[i-1]] || ws[i-1] == "t") {
			stems["notshown"] = true
		}
	}
	// Where the agent wrote no action at all, the situation stands in for
	// the verb it would have led with.
	in := q.intent
	iw := situationIntent
	if in.create+in.update+in.del+in.read+in.post == 0 {
		iw = 1
	}
	for _, s := range ix.situations {
		if !anyIn(s.signs, stems) || (len(s.things) > 0 && !anyIn(s.things, stems)) {
			continue
		}
		for _, r := range s.remedy {
			q.terms[r] += expansionWeight * situationWeight
		}
		q.intent.add(s.intents, iw)
	}
}

var goForms = toSet("go goes going gone went")

// situationIntent is how strongly a remedy's intent counts next to the
// verbs the agent wrote: as much as a verb further into a request.
const situationIntent = 0.5

func anyIn(set, in map[string]bool) bool {
	if len(in) < len(set) {
		set, in = in, set
	}
	for s := range set {
		if in[s] {
			return true
		}
	}
	return false
}

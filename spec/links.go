package spec

import (
	"path"
	"strings"
)

// links are the relations between operations that a search result shows so
// that an agent can chain calls without guessing: where a path parameter's
// values come from, and which calls the description or the resource point
// to next.
type links struct {
	// from maps an operation's path parameter to the list operation whose
	// results supply it, by operation index and parameter name.
	from map[*Operation]map[string]*Operation
	// refs are the operations an operation's description names, in order,
	// with the sentence that names each (evidence for the one named).
	refs map[*Operation][]crossRef
	// siblings are the other actions on the same resource.
	siblings map[*Operation][]*Operation
	// said holds, for each operation, the sentences of other descriptions
	// that refer to it.
	said map[*Operation][]string
}

type crossRef struct {
	to       *Operation
	sentence string
}

// maxSeeAlso bounds the see-also list of one result: a few next steps, not
// the resource's whole surface (the catalogue has that).
const maxSeeAlso = 3

// ParamSource names the operation whose results supply the path parameter
// name of op, or nil when no list operation does (a job type, a file name).
func (ix *Index) ParamSource(op *Operation, name string) *Operation {
	return ix.links.from[op][name]
}

// SeeAlso lists the operations an agent may need next: those op's
// description refers to, then the other actions on the same resource.
func (ix *Index) SeeAlso(op *Operation) []*Operation {
	var out []*Operation
	seen := map[*Operation]bool{op: true}
	add := func(o *Operation) {
		if len(out) < maxSeeAlso && !seen[o] {
			out, seen[o] = append(out, o), true
		}
	}
	for _, r := range ix.links.refs[op] {
		add(r.to)
	}
	for _, o := range ix.links.siblings[op] {
		add(o)
	}
	return out
}

// buildLinks derives the links of every operation from the paths and the
// descriptions.
func buildLinks(api *API) links {
	l := links{
		from:     map[*Operation]map[string]*Operation{},
		refs:     map[*Operation][]crossRef{},
		siblings: map[*Operation][]*Operation{},
		said:     map[*Operation][]string{},
	}
	lists := map[string]*Operation{} // collection path ("/api/syncs") -> its GET
	// Each operation's "METHOD /path" with parameters blanked, worked out
	// once: the relations below compare every pair of operations.
	keys := make(map[*Operation]string, len(api.Operations))
	for _, op := range api.Operations {
		keys[op] = NormalizeKey(op.Key())
		if op.Method == "GET" && !strings.HasSuffix(op.Path, "}") {
			lists[keys[op]] = op
		}
	}
	for _, op := range api.Operations {
		l.from[op] = paramSources(op, lists)
		l.refs[op] = crossRefs(api, op, keys)
		for _, r := range l.refs[op] {
			l.said[r.to] = append(l.said[r.to], r.sentence)
		}
	}
	for _, op := range api.Operations {
		kin := make([]int, len(api.Operations))
		for i, o := range api.Operations {
			if o != op {
				kin[i] = kinship(pathOf(keys[op]), pathOf(keys[o]))
			}
		}
		for rank := 1; rank <= 3; rank++ {
			for i, o := range api.Operations {
				if kin[i] == rank {
					l.siblings[op] = append(l.siblings[op], o)
				}
			}
		}
	}
	return l
}

// pathOf is the path of a normalised "METHOD /path" key.
func pathOf(key string) string {
	_, p, _ := strings.Cut(key, " ")
	return p
}

// paramSources finds, for each path parameter, the list at the path before
// it ("/api/syncs/{sync_id}" -> GET /api/syncs) or, failing that, the list
// its name calls for ("connection_id" -> GET /api/connections).
func paramSources(op *Operation, lists map[string]*Operation) map[string]*Operation {
	out := map[string]*Operation{}
	segs := strings.Split(op.Path, "/")
	for i, seg := range segs {
		if !strings.HasPrefix(seg, "{") {
			continue
		}
		name := strings.Trim(seg, "{}")
		if p := paramByName(op, name); p != nil && len(p.Enum) > 0 {
			continue // an enum's values are in the schema, not in a list
		}
		if src := lists[NormalizeKey("GET "+strings.Join(segs[:i], "/"))]; src != nil {
			out[name] = src
			continue
		}
		if res, ok := strings.CutSuffix(name, "_id"); ok && lists["GET /api/"+res+"s"] != nil {
			out[name] = lists["GET /api/"+res+"s"]
		}
	}
	return out
}

func paramByName(op *Operation, name string) *Param {
	for i := range op.Params {
		if op.Params[i].In == "path" && op.Params[i].Name == name {
			return &op.Params[i]
		}
	}
	return nil
}

// crossRefs finds the `METHOD /path` references in op's description, with
// the sentence around each.
func crossRefs(api *API, op *Operation, keys map[*Operation]string) []crossRef {
	var out []crossRef
	// Prose is wrapped at single newlines; paragraphs end sentences.
	text := mdLink().ReplaceAllString(op.Description, "]")
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\n\n", ". "), "\n", " ")
	for _, loc := range codeRoute().FindAllStringIndex(text, -1) {
		to := resolveRoute(api, strings.Trim(text[loc[0]:loc[1]], "`"), keys)
		if to == nil || to == op {
			continue
		}
		dup := false
		for _, r := range out {
			dup = dup || r.to == to
		}
		if !dup {
			out = append(out, crossRef{to: to, sentence: sentenceAround(text, loc[0], loc[1])})
		}
	}
	return out
}

// resolveRoute finds the operation a "METHOD /path" reference names. The
// prose sometimes spells a parameter segment as a literal example
// ("/api/jobs/exportlogs/{id}" for /api/jobs/{type}/{id}).
func resolveRoute(api *API, ref string, keys map[*Operation]string) *Operation {
	want := NormalizeKey(ref)
	method, path, _ := strings.Cut(want, " ")
	ws := strings.Split(path, "/")
	var loose *Operation
	for _, op := range api.Operations {
		key := keys[op]
		if key == want {
			return op
		}
		m, p, _ := strings.Cut(key, " ")
		ps := strings.Split(p, "/")
		if m != method || len(ps) != len(ws) {
			continue
		}
		match := true
		for i := range ps {
			match = match && (ps[i] == ws[i] || ps[i] == "{}")
		}
		if match && loose == nil {
			loose = op
		}
	}
	return loose
}

// sentenceAround returns the sentence of text that holds [start, end).
func sentenceAround(text string, start, end int) string {
	from := 0
	for _, sep := range []string{". ", "? ", "! "} {
		if i := strings.LastIndex(text[:start], sep); i >= 0 && i+len(sep) > from {
			from = i + len(sep)
		}
	}
	to := len(text)
	for _, sep := range []string{". ", "? ", "! "} {
		if i := strings.Index(text[end:], sep); i >= 0 && end+i < to {
			to = end + i
		}
	}
	return strings.TrimSpace(text[from:to])
}

// kinship ranks how closely two operations (by normalised path) are related, 0 for not at all:
// 1 the same path or its list/get pair, 2 the same action on the whole and
// on a part ("cancel a sync", "cancel one execution"), 3 an action and the
// item it acts on, or two actions on the same item ("/syncs/{id}/cancel",
// "/syncs/{id}/activate").
func kinship(pa, pb string) int {
	switch {
	case pa == pb, pa+"/{}" == pb, pb+"/{}" == pa:
		return 1
	}
	da, db := parentItem(pa), parentItem(pb)
	switch {
	case da == pb || db == pa:
		return 3
	case da == "" || db == "":
		return 0
	case da == db:
		return 3
	case path.Base(pa) == path.Base(pb) && (strings.HasPrefix(da, db) || strings.HasPrefix(db, da)):
		return 2
	}
	return 0
}

// parentItem is "/api/syncs/{}" for "/api/syncs/{}/cancel": the item an
// action path hangs off, or "" when the path is not an action on an item.
func parentItem(p string) string {
	i := strings.LastIndex(p, "/")
	if i < 0 || strings.HasSuffix(p, "}") {
		return ""
	}
	parent := p[:i]
	if !strings.HasSuffix(parent, "{}") {
		return ""
	}
	return parent
}

// closeRatio: a runner-up scoring this close to the first result is a
// competing reading of the task, not a worse match.
const closeRatio = 0.85

// CloseCall reports whether the first two hits are near-ties, so an agent
// should read past the first before it acts.
func CloseCall(hits []Hit) bool {
	return len(hits) > 1 && hits[1].Score >= closeRatio*hits[0].Score
}

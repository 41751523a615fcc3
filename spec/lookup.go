package spec

import (
	"sort"
	"strings"
)

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

// NearestList names the three operations nearest to a reference that did
// not resolve, "id (METHOD /path), ...": so that a refusal, from search or
// from a call, itself points at the fix.
func (ix *Index) NearestList(ref string) string {
	var parts []string
	for _, op := range ix.Nearest(ref, 3) {
		parts = append(parts, op.ID+" ("+op.Key()+")")
	}
	return strings.Join(parts, ", ")
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

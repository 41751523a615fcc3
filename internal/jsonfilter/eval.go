package jsonfilter

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// Budget limits. A filter is evaluated stage by stage (pipes, multipaths,
// array iteration and modifiers are ours; gjson only ever sees plain paths
// that cannot select more than their input), and both limits are checked
// after every piece, so a filter stops while it runs instead of after it
// has built a huge result.
const (
	// maxOutputBytes bounds the result and every intermediate result. A
	// reply is cut to --max-response-bytes (100 KB by default) anyway, so
	// more than this is never useful.
	maxOutputBytes = 8 << 20
	// maxWorkBytes bounds the bytes handed to gjson over one evaluation
	// (about a quarter of a second of scanning).
	maxWorkBytes = 256 << 20
	// callCost is charged per call on top of its input, about what a call
	// costs beyond scanning at gjson's ~1 GB/s, so that iterating a tiny
	// path over millions of elements is bounded too.
	callCost = 512
	// evalCost is charged per evaluated sub-path, which may call gjson
	// nothing (an empty multipath) yet costs time.
	evalCost = 128
)

// ErrBudget means a filter needed more output or work than allowed.
var ErrBudget = errors.New("response_filter is too expensive")

// growing modifiers can make their output larger than their input, and
// dig can copy nested values many times; the others are allowed.
var allowedModifiers = map[string]bool{
	"this": true, "reverse": true, "ugly": true, "flatten": true, "join": true,
	"keys": true, "values": true, "valid": true, "fromstr": true,
}

var refusedModifiers = map[string]string{
	"pretty": "the reply is compacted anyway",
	"tostr":  "it grows its input",
	"group":  "it repeats keys for every element",
	"dig":    "it copies nested values once per level",
}

type budget struct {
	work int64
	// dry checks a path without a document: every plain path selects a
	// 4-byte value, so that every part of the path is visited and the
	// output measures how many times the path multiplies its input.
	dry bool
}

// maxDryOutput bounds a dry run's output: one stage of a path within
// MaxPathLen makes at most a few KB of 4-byte values, so more means
// stages that multiply each other (a chain of [@this,@this]), refused
// before any request.
const maxDryOutput = 16 * MaxPathLen

const narrowIt = "narrow it (select the fields you need, e.g. data.#.{id,name}, instead of repeating @this or large parts)"

// result is an evaluated piece: raw JSON, or nothing.
type result struct {
	raw    string
	exists bool
}

// charge pays for a gjson call: its input once, and once more per query,
// since a query's condition is evaluated on every element (nested queries
// scan nested elements again).
func (b *budget) charge(input, path string) error {
	scans := int64(1 + strings.Count(path, "#("))
	return b.spend(scans*int64(len(input)) + int64(len(path)+callCost))
}

func (b *budget) spend(n int64) error {
	b.work -= n
	if b.work < 0 {
		return fmt.Errorf("%w: it would scan more than %d MB; %s", ErrBudget, maxWorkBytes>>20, narrowIt)
	}
	return nil
}

func (b *budget) checkSize(n int) error {
	switch {
	case b.dry && n > maxDryOutput:
		return fmt.Errorf("%w: its stages multiply its input thousands of times; %s", ErrBudget, narrowIt)
	case n > maxOutputBytes:
		return fmt.Errorf("%w: its output would pass %d MB; %s", ErrBudget, maxOutputBytes>>20, narrowIt)
	}
	return nil
}

// gget runs gjson on a plain path, charging the work.
func (b *budget) gget(doc, path string) (result, error) {
	if b.dry {
		return result{raw: "[{}]", exists: true}, nil // 4 bytes
	}
	if err := b.charge(doc, path); err != nil {
		return result{}, err
	}
	r := gjson.Get(doc, path)
	return fromGJSON(r), nil
}

func fromGJSON(r gjson.Result) result {
	if !r.Exists() {
		return result{}
	}
	if r.Raw != "" {
		return result{raw: r.Raw, exists: true}
	}
	if r.Type == gjson.String {
		return result{raw: string(gjson.AppendJSONString(nil, r.Str)), exists: true}
	}
	if s := r.String(); s != "" {
		return result{raw: s, exists: true}
	}
	return result{raw: "null", exists: true}
}

// eval evaluates path on doc: pipes split it into stages, each applied to
// the previous stage's result, as gjson does.
func (b *budget) eval(doc, path string) (result, error) {
	if err := b.spend(int64(len(path) + evalCost)); err != nil {
		return result{}, err
	}
	stages, err := split(path, '|')
	if err != nil {
		return result{}, err
	}
	cur := result{raw: doc, exists: true}
	for _, st := range stages {
		if cur, err = b.stage(cur.raw, st); err != nil || !cur.exists {
			return cur, err
		}
		if err := b.checkSize(len(cur.raw)); err != nil {
			return result{}, err
		}
	}
	return cur, nil
}

// stage evaluates one pipe-free path.
func (b *budget) stage(doc, path string) (result, error) {
	switch {
	case path == "":
		return b.gget(doc, path)
	case strings.HasPrefix(path, ".."):
		return result{}, errors.New("response_filter: JSON Lines paths (..) are not supported")
	case path[0] == '[' || path[0] == '{':
		return b.multipath(doc, path)
	case path[0] == '!':
		if strings.ContainsAny(path, "[{") {
			return result{}, errors.New("response_filter: a literal (!) may only be true, false, null, a number or a string")
		}
		return b.gget(doc, path)
	}
	comps, err := split(path, '.')
	if err != nil {
		return result{}, err
	}
	for i, c := range comps {
		if i == 0 && isModifier(c) {
			return b.modifier(doc, c, comps[1:])
		}
		if i > 0 && c != "" && (isModifier(c) || c[0] == '[' || c[0] == '{') {
			// gjson reads a.@mod and a.[x,y] as a|@mod and a|[x,y].
			head, err := b.gget(doc, strings.Join(comps[:i], "."))
			if err != nil || !head.exists {
				return head, err
			}
			return b.eval(head.raw, strings.Join(comps[i:], "."))
		}
		if i < len(comps)-1 && (c == "#" || isQueryAll(c)) {
			return b.iterate(doc, comps[:i+1], strings.Join(comps[i+1:], "."))
		}
		if err := checkQuery(c); err != nil {
			return result{}, err
		}
	}
	return b.gget(doc, path)
}

// modifier applies an allowed modifier (with its arguments), then the rest.
func (b *budget) modifier(doc, comp string, rest []string) (result, error) {
	name := modifierName(comp)
	if why, ok := refusedModifiers[name]; ok {
		return result{}, fmt.Errorf("response_filter: @%s is not allowed (%s); allowed modifiers: @this, @reverse, @keys, @values, @flatten, @join, @ugly, @valid, @fromstr", name, why)
	}
	if !allowedModifiers[name] {
		return result{}, fmt.Errorf("response_filter: unknown modifier @%s", name)
	}
	r, err := b.gget(doc, comp)
	if b.dry {
		r = result{raw: doc, exists: true} // what an allowed modifier may return at most
	}
	if err != nil || !r.exists || len(rest) == 0 {
		return r, err
	}
	if err := b.checkSize(len(r.raw)); err != nil {
		return result{}, err
	}
	return b.stage(r.raw, strings.Join(rest, "."))
}

// iterate evaluates rest on every element selected by head (ending in # or
// a #(...)# query), as gjson does for a.#.rest, checking the budget after
// each element.
func (b *budget) iterate(doc string, head []string, rest string) (result, error) {
	sel := head
	if head[len(head)-1] == "#" {
		sel = head[:len(head)-1]
	}
	for _, c := range head {
		if err := checkQuery(c); err != nil {
			return result{}, err
		}
	}
	arr := result{raw: doc, exists: true}
	if len(sel) > 0 {
		var err error
		if arr, err = b.gget(doc, strings.Join(sel, ".")); err != nil || !arr.exists {
			return arr, err
		}
	}
	parsed := gjson.Parse(arr.raw)
	if !parsed.IsArray() {
		return result{}, nil
	}
	out := []byte{'['}
	var err error
	n := 0
	parsed.ForEach(func(_, el gjson.Result) bool {
		var r result
		if r, err = b.eval(el.Raw, rest); err != nil || !r.exists {
			return err == nil
		}
		if err = b.checkSize(len(out) + len(r.raw) + 2); err != nil {
			return false
		}
		if n > 0 {
			out = append(out, ',')
		}
		out = append(out, r.raw...)
		n++
		return true
	})
	if err != nil {
		return result{}, err
	}
	return result{raw: string(append(out, ']')), exists: true}, nil
}

// multipath builds [a,b] or {a,b} from sub-paths, each evaluated with the
// budget, then applies what follows.
func (b *budget) multipath(doc, path string) (result, error) {
	subs, rest, ok := subSelectors(path)
	if !ok {
		return result{}, errors.New("response_filter: unbalanced brackets in a multipath")
	}
	if rest != "" && rest[0] != '.' {
		return result{}, fmt.Errorf("response_filter: unexpected %q after a multipath", rest)
	}
	kind := path[0]
	out := []byte{kind}
	n := 0
	for _, s := range subs {
		r, err := b.eval(doc, s.path)
		if err != nil {
			return result{}, err
		}
		if !r.exists {
			continue
		}
		if err := b.checkSize(len(out) + len(s.name) + len(s.path) + len(r.raw) + 8); err != nil {
			return result{}, err
		}
		if n > 0 {
			out = append(out, ',')
		}
		if kind == '{' {
			out = appendName(out, s)
			out = append(out, ':')
		}
		out = append(out, r.raw...)
		n++
	}
	out = append(out, kind+2)
	if rest == "" {
		return result{raw: string(out), exists: true}, nil
	}
	return b.stage(string(out), rest[1:])
}

func appendName(out []byte, s subSelector) []byte {
	if s.name != "" {
		if s.name[0] == '"' && gjson.Valid(s.name) {
			return append(out, s.name...)
		}
		return gjson.AppendJSONString(out, s.name)
	}
	if last := nameOfLast(s.path); isSimpleName(last) {
		return gjson.AppendJSONString(out, last)
	}
	return gjson.AppendJSONString(out, "_")
}

func isModifier(c string) bool {
	if len(c) < 2 || c[0] != '@' {
		return false
	}
	name := modifierName(c)
	return allowedModifiers[name] || refusedModifiers[name] != ""
}

func modifierName(c string) string {
	if i := strings.IndexByte(c, ':'); i >= 0 {
		return c[1:i]
	}
	return c[1:]
}

func isQueryAll(c string) bool {
	return strings.HasPrefix(c, "#(") && strings.HasSuffix(c, ")#")
}

// checkQuery refuses a #(...) query whose condition is more than a plain
// path: gjson evaluates it once per element, out of our reach.
func checkQuery(c string) error {
	if !strings.HasPrefix(c, "#(") {
		return nil
	}
	for i := 0; i < len(c); i++ {
		switch c[i] {
		case '\\':
			i++
		case '"':
			i = skipString(c, i)
		case '[', '{', '@', '|', '!':
			if c[i] == '!' && i+1 < len(c) && (c[i+1] == '=' || c[i+1] == '%') {
				continue
			}
			return fmt.Errorf("response_filter: a query #(...) compares plain paths only; %q is not allowed in %s", c[i], c)
		}
	}
	return nil
}

// skipString returns the index of the quote closing the string at i.
func skipString(s string, i int) int {
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return i
}

// split cuts s at sep outside brackets, parentheses, strings and escapes.
func split(s string, sep byte) ([]string, error) {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			i++
		case '"':
			if depth > 0 {
				i = skipString(s, i)
			}
		case '[', '{', '(':
			depth++
		case ']', '}', ')':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("response_filter: unbalanced %q", c)
			}
		case sep:
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, errors.New("response_filter: unbalanced brackets")
	}
	return append(parts, s[start:]), nil
}

type subSelector struct{ name, path string }

// subSelectors parses the [..] or {..} at the start of path as gjson does
// (parseSubSelectors) and returns what follows it.
func subSelectors(path string) (sels []subSelector, rest string, ok bool) {
	modifier, depth, colon, start := 0, 1, 0, 1
	push := func(i int) {
		if colon == 0 {
			sels = append(sels, subSelector{path: path[start:i]})
		} else {
			sels = append(sels, subSelector{name: path[start:colon], path: path[colon+1 : i]})
		}
		colon, modifier, start = 0, 0, i+1
	}
	for i := 1; i < len(path); i++ {
		switch path[i] {
		case '\\':
			i++
		case '@':
			if modifier == 0 && (path[i-1] == '.' || path[i-1] == '|') {
				modifier = i
			}
		case ':':
			if modifier == 0 && colon == 0 && depth == 1 {
				colon = i
			}
		case ',':
			if depth == 1 {
				push(i)
			}
		case '"':
			i = skipString(path, i)
		case '[', '(', '{':
			depth++
		case ']', ')', '}':
			depth--
			if depth == 0 {
				push(i)
				return sels, path[i+1:], true
			}
		}
	}
	return nil, "", false
}

// nameOfLast and isSimpleName name an unnamed {..} member as gjson does.
func nameOfLast(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if (path[i] == '|' || path[i] == '.') && (i == 0 || path[i-1] != '\\') {
			return path[i+1:]
		}
	}
	return path
}

func isSimpleName(c string) bool {
	for i := 0; i < len(c); i++ {
		if c[i] < ' ' || strings.IndexByte("[]{}()#|!", c[i]) >= 0 {
			return false
		}
	}
	return true
}

package clients

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/tailscale/hujson"
)

// jsonEntry is a new server entry in a client's JSON config, fields in the
// order people write them.
type jsonEntry struct {
	Type    string            `json:"type,omitempty"`
	Command string            `json:"command"`
	Args    []string          `json:"args"`
	Env     map[string]string `json:"env,omitempty"`
}

// jsonUpsert sets the keys install owns (type, command, args and the env
// keys it writes) in container.name of a JSON (or JSONC) document; every
// other key of the entry, and every other byte of the file, stays as it is.
func jsonUpsert(doc []byte, container, name string, e jsonEntry) ([]byte, Action, error) {
	root, obj, err := parseRoot(doc)
	if err != nil {
		return nil, "", err
	}
	servers := member(obj, container)
	if servers == nil {
		val, err := indented(map[string]any{}, memberIndent(obj, ""))
		if err != nil {
			return nil, "", err
		}
		addMember(obj, container, val, memberIndent(obj, ""))
		servers = member(obj, container)
	}
	sobj, ok := servers.Value.Value.(*hujson.Object)
	if !ok {
		return nil, "", fmt.Errorf("%q is not an object; fix the file by hand", container)
	}
	indent := memberIndent(sobj, memberIndent(obj, "")+"  ")
	existing := member(sobj, name)
	if existing == nil {
		val, err := indented(e, indent)
		if err != nil {
			return nil, "", err
		}
		addMember(sobj, name, val, indent)
		return finish(root), Added, nil
	}
	eobj, ok := existing.Value.Value.(*hujson.Object)
	if !ok {
		return nil, "", fmt.Errorf("%s.%s is not an object; fix it by hand", container, name)
	}
	changed, err := setOwned(eobj, e, memberIndent(eobj, indent+"  "))
	if err != nil {
		return nil, "", fmt.Errorf("%s.%s: %w", container, name, err)
	}
	if !changed {
		return doc, Unchanged, nil
	}
	return finish(root), Updated, nil
}

// setOwned sets the entry's owned keys, leaving the others alone.
func setOwned(eobj *hujson.Object, e jsonEntry, indent string) (bool, error) {
	changed := false
	set := func(obj *hujson.Object, key string, v any, indent string) {
		m := member(obj, key)
		if m != nil && sameJSON(m.Value, v) {
			return
		}
		changed = true
		if m != nil {
			// Keep the old value's style: on one line, or laid out.
			old := hujson.Value{Value: m.Value.Value}
			oneLine := !bytes.Contains(old.Pack(), []byte("\n"))
			m.Value.Value = render(v, indent, oneLine).Value
			return
		}
		addMember(obj, key, render(v, indent, isInline(obj)), indent)
	}
	if e.Type != "" {
		set(eobj, "type", e.Type, indent)
	}
	set(eobj, "command", e.Command, indent)
	set(eobj, "args", e.Args, indent)
	if len(e.Env) == 0 {
		return changed, nil
	}
	env := member(eobj, "env")
	if env == nil {
		set(eobj, "env", e.Env, indent)
		return changed, nil
	}
	envObj, ok := env.Value.Value.(*hujson.Object)
	if !ok {
		return false, fmt.Errorf(`"env" is not an object; fix it by hand`)
	}
	for _, k := range sortedKeys(e.Env) {
		set(envObj, k, e.Env[k], memberIndent(envObj, indent+"  "))
	}
	return changed, nil
}

// jsonAllow adds rules to the "permissions.allow" list of a Claude Code
// settings file, keeping the rules and settings already there.
func jsonAllow(doc []byte, rules []string) ([]byte, Action, error) {
	root, obj, err := parseRoot(doc)
	if err != nil {
		return nil, "", err
	}
	indent := memberIndent(obj, "")
	perms := member(obj, "permissions")
	if perms == nil {
		val, err := indented(map[string]any{"allow": rules}, indent)
		if err != nil {
			return nil, "", err
		}
		addMember(obj, "permissions", val, indent)
		return finish(root), Added, nil
	}
	pobj, ok := perms.Value.Value.(*hujson.Object)
	if !ok {
		return nil, "", fmt.Errorf(`"permissions" is not an object; fix it by hand`)
	}
	pindent := memberIndent(pobj, indent+"  ")
	allow := member(pobj, "allow")
	if allow == nil {
		val, err := indented(rules, pindent)
		if err != nil {
			return nil, "", err
		}
		addMember(pobj, "allow", val, pindent)
		return finish(root), Added, nil
	}
	arr, ok := allow.Value.Value.(*hujson.Array)
	if !ok {
		return nil, "", fmt.Errorf(`"permissions.allow" is not a list; fix it by hand`)
	}
	have := map[string]bool{}
	for _, el := range arr.Elements {
		if lit, ok := el.Value.(hujson.Literal); ok && lit.Kind() == '"' {
			have[lit.String()] = true
		}
	}
	action := Unchanged
	for _, r := range rules {
		if !have[r] {
			appendString(arr, r, pindent+"  ")
			action = Updated
		}
	}
	if action == Unchanged {
		return doc, Unchanged, nil
	}
	return finish(root), action, nil
}

// jsonRemove deletes container.name; ok is false when it was not there.
func jsonRemove(doc []byte, container, name string) ([]byte, bool, error) {
	root, obj, err := parseRoot(doc)
	if err != nil {
		return nil, false, err
	}
	servers := member(obj, container)
	if servers == nil {
		return doc, false, nil
	}
	sobj, ok := servers.Value.Value.(*hujson.Object)
	if !ok {
		return doc, false, nil
	}
	for i, m := range sobj.Members {
		if memberName(m) != name {
			continue
		}
		// A comment on the line of the member before this one is stored
		// ahead of this member's name: keep it; this member's own trailing
		// comment is stored ahead of the next one (or the closing brace):
		// drop it with the member.
		keep, _ := splitFirstLine(m.Name.BeforeExtra)
		if i+1 < len(sobj.Members) {
			next := &sobj.Members[i+1].Name
			_, rest := splitFirstLine(next.BeforeExtra)
			next.BeforeExtra = append(append(hujson.Extra{}, keep...), rest...)
		} else if i > 0 {
			_, rest := splitFirstLine(sobj.AfterExtra)
			sobj.AfterExtra = append(append(hujson.Extra{}, keep...), rest...)
		}
		sobj.Members = append(sobj.Members[:i], sobj.Members[i+1:]...)
		return finish(root), true, nil
	}
	return doc, false, nil
}

// splitFirstLine splits whitespace/comments at the first newline: the text
// still on the previous line, and the rest (from the newline on).
func splitFirstLine(x hujson.Extra) (hujson.Extra, hujson.Extra) {
	if i := bytes.IndexByte(x, '\n'); i >= 0 {
		return x[:i], x[i:]
	}
	return x, nil
}

func parseRoot(doc []byte) (*hujson.Value, *hujson.Object, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		doc = []byte("{}\n")
	}
	root, err := hujson.Parse(doc)
	if err != nil {
		return nil, nil, &ParseError{Detail: strings.TrimPrefix(err.Error(), "hujson: ")}
	}
	obj, ok := root.Value.(*hujson.Object)
	if !ok {
		return nil, nil, &ParseError{Detail: "not a JSON object: the top level must be {...}", NotObject: true}
	}
	return &root, obj, nil
}

func finish(root *hujson.Value) []byte {
	out := root.Pack()
	if !bytes.HasSuffix(out, []byte("\n")) {
		out = append(out, '\n')
	}
	return out
}

func memberName(m hujson.ObjectMember) string {
	lit, ok := m.Name.Value.(hujson.Literal)
	if !ok {
		return ""
	}
	return lit.String()
}

func member(obj *hujson.Object, name string) *hujson.ObjectMember {
	for i := range obj.Members {
		if memberName(obj.Members[i]) == name {
			return &obj.Members[i]
		}
	}
	return nil
}

// memberIndent is the indentation the object's members use.
func memberIndent(obj *hujson.Object, fallback string) string {
	for _, m := range obj.Members {
		ws := string(m.Name.BeforeExtra)
		if i := strings.LastIndexByte(ws, '\n'); i >= 0 {
			return ws[i+1:]
		}
	}
	if fallback == "" {
		return "  "
	}
	return fallback
}

// splitClosing splits the text before a closing brace or bracket: what is
// still on the last member's line (a trailing comment), and the line break
// and indentation of the closing character itself.
func splitClosing(after hujson.Extra, indent string) (lead, closing hujson.Extra) {
	i := bytes.LastIndexByte(after, '\n')
	if i < 0 {
		return after, hujson.Extra("\n" + strings.TrimSuffix(indent, "  "))
	}
	lead, closing = after[:i], after[i:]
	if len(bytes.TrimSpace(lead)) == 0 {
		lead = nil
	}
	return append(hujson.Extra{}, lead...), append(hujson.Extra{}, closing...)
}

// isInline reports whether an object's members are all on one line.
func isInline(obj *hujson.Object) bool {
	if len(obj.Members) == 0 {
		return false
	}
	for _, m := range obj.Members {
		if bytes.Contains(m.Name.BeforeExtra, []byte("\n")) {
			return false
		}
	}
	return true
}

// addMember appends name: val. A comment that trailed the last member
// stays on that member's line; an object written on one line stays so.
func addMember(obj *hujson.Object, name string, val hujson.Value, indent string) {
	key, _ := json.Marshal(name)
	if isInline(obj) {
		obj.Members = append(obj.Members, hujson.ObjectMember{
			Name:  hujson.Value{BeforeExtra: hujson.Extra(" "), Value: hujson.Literal(key)},
			Value: hujson.Value{BeforeExtra: hujson.Extra(" "), Value: val.Value},
		})
		return
	}
	lead, closing := splitClosing(obj.AfterExtra, indent)
	obj.Members = append(obj.Members, hujson.ObjectMember{
		Name:  hujson.Value{BeforeExtra: append(lead, "\n"+indent...), Value: hujson.Literal(key)},
		Value: hujson.Value{BeforeExtra: hujson.Extra(" "), Value: val.Value},
	})
	obj.AfterExtra = closing
}

func appendString(arr *hujson.Array, s, indent string) {
	lit, _ := json.Marshal(s)
	if len(arr.Elements) > 0 && !bytes.Contains(arr.Elements[len(arr.Elements)-1].BeforeExtra, []byte("\n")) {
		// A list on one line stays on one line.
		arr.Elements = append(arr.Elements, hujson.Value{BeforeExtra: hujson.Extra(" "), Value: hujson.Literal(lit)})
		return
	}
	lead, closing := splitClosing(arr.AfterExtra, indent)
	arr.Elements = append(arr.Elements, hujson.Value{BeforeExtra: append(lead, "\n"+indent...), Value: hujson.Literal(lit)})
	arr.AfterExtra = closing
}

// render is v as a hujson value: on one line ({"a": "b"}, ["x", "y"]),
// or laid out for a member at indent.
func render(v any, indent string, oneLine bool) hujson.Value {
	var val hujson.Value
	var err error
	if oneLine {
		val, err = inline(v)
	} else {
		val, err = indented(v, indent)
	}
	if err != nil {
		panic(err) // strings, string slices and string maps always marshal
	}
	return val
}

// inline is v on one line with a space after each ',' and ':'.
func inline(v any) (hujson.Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return hujson.Value{}, err
	}
	var out []byte
	inString, escaped := false, false
	for _, c := range b {
		out = append(out, c)
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == ',' || c == ':'):
			out = append(out, ' ')
		}
	}
	return hujson.Parse(out)
}

// indented is v as a hujson value laid out for a member at indent.
func indented(v any, indent string) (hujson.Value, error) {
	b, err := json.MarshalIndent(v, indent, "  ")
	if err != nil {
		return hujson.Value{}, err
	}
	return hujson.Parse(b)
}

func standard(v hujson.Value) []byte {
	c := v.Clone()
	c.Standardize()
	return c.Pack()
}

func sameJSON(v hujson.Value, want any) bool {
	var got any
	if json.Unmarshal(standard(v), &got) != nil {
		return false
	}
	b, _ := json.Marshal(want)
	var w any
	_ = json.Unmarshal(b, &w)
	return reflect.DeepEqual(got, w)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

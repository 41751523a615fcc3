package clients

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/tailscale/hujson"
)

// jsonSet puts entry under container.name in a JSON (or JSONC: VS Code
// allows comments) document, keeping every other byte where it was. It
// returns the document unchanged when the entry is already there.
func jsonSet(doc []byte, container, name string, entry any) ([]byte, error) {
	root, obj, err := parseRoot(doc)
	if err != nil {
		return nil, err
	}
	servers := member(obj, container)
	if servers == nil {
		indent := memberIndent(obj, "")
		val, err := indented(map[string]any{}, indent)
		if err != nil {
			return nil, err
		}
		addMember(obj, container, val, indent)
		servers = member(obj, container)
	}
	sobj, ok := servers.Value.Value.(*hujson.Object)
	if !ok {
		return nil, fmt.Errorf("%q is not an object; fix the file by hand", container)
	}
	indent := memberIndent(sobj, memberIndent(obj, "")+"  ")
	if existing := member(sobj, name); existing != nil {
		if sameJSON(existing.Value, entry) {
			return doc, nil
		}
		val, err := indented(entry, indent)
		if err != nil {
			return nil, err
		}
		existing.Value.Value = val.Value
	} else {
		val, err := indented(entry, indent)
		if err != nil {
			return nil, err
		}
		addMember(sobj, name, val, indent)
	}
	return finish(root), nil
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
		if memberName(m) == name {
			sobj.Members = append(sobj.Members[:i], sobj.Members[i+1:]...)
			return finish(root), true, nil
		}
	}
	return doc, false, nil
}

func parseRoot(doc []byte) (*hujson.Value, *hujson.Object, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		doc = []byte("{}\n")
	}
	root, err := hujson.Parse(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	obj, ok := root.Value.(*hujson.Object)
	if !ok {
		return nil, nil, fmt.Errorf("%w: the top level is not an object", ErrMalformed)
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

func addMember(obj *hujson.Object, name string, val hujson.Value, indent string) {
	key, _ := json.Marshal(name)
	closing := obj.AfterExtra
	if len(obj.Members) == 0 && !bytes.Contains(closing, []byte("\n")) {
		// "{}": open it up so that the new member gets its own line.
		closing = hujson.Extra("\n" + strings.TrimSuffix(indent, "  "))
	}
	obj.Members = append(obj.Members, hujson.ObjectMember{
		Name:  hujson.Value{BeforeExtra: hujson.Extra("\n" + indent), Value: hujson.Literal(key)},
		Value: hujson.Value{BeforeExtra: hujson.Extra(" "), Value: val.Value},
	})
	obj.AfterExtra = closing
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

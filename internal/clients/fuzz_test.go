package clients

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/tailscale/hujson"
)

func seeds(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := readFixture(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// Whatever JSON(C) document install edits, the result parses, holds our
// entry, and keeps every other server as it was.
func FuzzJSONUpsert(f *testing.F) {
	seeds(f, "others.json", "modified.json", "malformed.json", "notobject.json", "settings.json")
	f.Add([]byte("{}"))
	f.Add([]byte(`{"mcpServers": {"a": 1} // c` + "\n}"))
	e := jsonEntry{Type: "stdio", Command: "/bin/p", Args: []string{"serve"}, Env: map[string]string{"POLYTOMIC_ACCESS_MODE": "read-only"}}
	f.Fuzz(func(t *testing.T, doc []byte) {
		out, _, err := jsonUpsert(doc, "mcpServers", "polytomic", e)
		if err != nil {
			return
		}
		before, after := decodeServers(t, doc), decodeServers(t, out)
		got, _ := after["polytomic"].(map[string]any)
		if got["command"] != "/bin/p" || !reflect.DeepEqual(got["args"], []any{"serve"}) {
			t.Fatalf("entry missing from\n%s", out)
		}
		delete(before, "polytomic")
		delete(after, "polytomic")
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("other servers changed:\n%s\n->\n%s", doc, out)
		}
		if again, action, err := jsonUpsert(out, "mcpServers", "polytomic", e); err != nil || action != Unchanged || !bytes.Equal(again, out) {
			t.Fatalf("second run: %s %v", action, err)
		}
	})
}

func decodeServers(t *testing.T, doc []byte) map[string]any {
	v, err := hujson.Standardize(append([]byte{}, doc...))
	if err != nil {
		if len(bytes.TrimSpace(doc)) == 0 {
			return map[string]any{}
		}
		t.Fatalf("does not parse: %v\n%s", err, doc)
	}
	var m map[string]any
	if err := json.Unmarshal(v, &m); err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	s, _ := m["mcpServers"].(map[string]any)
	if s == nil {
		s = map[string]any{}
	}
	return s
}

// tomlUpsert checks its own result against the decoder; the fuzzer looks
// for a document where that check or a second run fails.
func FuzzTOMLUpsert(f *testing.F) {
	seeds(f, "others.toml", "modified.toml", "malformed.toml", "inline-env.toml")
	e := tomlEntry{Command: "/bin/p", Args: []string{"serve"}, Env: map[string]string{"POLYTOMIC_API_URL": "https://x"}, Approve: []string{"search"}}
	f.Fuzz(func(t *testing.T, doc []byte) {
		out, _, err := tomlUpsert(doc, "mcp_servers", "polytomic", e)
		if err != nil {
			return
		}
		if again, action, err := tomlUpsert(out, "mcp_servers", "polytomic", e); err != nil || action != Unchanged || !bytes.Equal(again, out) {
			t.Fatalf("second run: %s %v\n%s", action, err, out)
		}
		if _, found, err := tomlRemove(out, "mcp_servers", "polytomic"); !found || err != nil {
			t.Fatalf("remove: %v %v\n%s", found, err, out)
		}
	})
}

package clients

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// tomlSet puts [mcp_servers.NAME] into a TOML document. The table is
// replaced or appended as text, and go-toml checks the result: every other
// table and value must decode exactly as before, so the user's content,
// comments and layout are kept.
func tomlSet(doc []byte, name string, entry map[string]any) ([]byte, error) {
	before, err := decodeTOML(doc)
	if err != nil {
		return nil, err
	}
	if cur, ok := serversOf(before)[name]; ok && sameTOML(cur, entry) {
		return doc, nil
	}
	stripped, err := cutTable(doc, name, before)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(stripped)
	if len(bytes.TrimSpace(stripped)) > 0 {
		if !bytes.HasSuffix(stripped, []byte("\n")) {
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
	}
	b.WriteString(tomlTable(name, entry))
	out := b.Bytes()
	after, err := decodeTOML(out)
	if err != nil {
		return nil, fmt.Errorf("internal error: the edited file does not parse: %w", err)
	}
	want := clone(before)
	serversOf(want)[name] = normalize(entry)
	if !reflect.DeepEqual(after, want) {
		return nil, fmt.Errorf("could not add [mcp_servers.%s] without changing other settings; add it by hand", name)
	}
	return out, nil
}

// tomlRemove deletes [mcp_servers.NAME]; ok is false when it was absent.
func tomlRemove(doc []byte, name string) ([]byte, bool, error) {
	before, err := decodeTOML(doc)
	if err != nil {
		return nil, false, err
	}
	if _, ok := serversOf(before)[name]; !ok {
		return doc, false, nil
	}
	out, err := cutTable(doc, name, before)
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// cutTable removes the [mcp_servers.NAME] table and its sub-tables as text,
// and checks with the decoder that nothing else changed.
func cutTable(doc []byte, name string, before map[string]any) ([]byte, error) {
	if _, ok := serversOf(before)[name]; !ok {
		return doc, nil
	}
	header := regexp.MustCompile(`^\s*\[\s*mcp_servers\s*\.\s*(?:` + regexp.QuoteMeta(name) + `|"` + regexp.QuoteMeta(name) + `")\s*(\.[^\]]*)?\]\s*(#.*)?$`)
	anyHeader := regexp.MustCompile(`^\s*\[`)
	lines := strings.SplitAfter(string(doc), "\n")
	var keep []string
	in := false
	for _, l := range lines {
		trimmed := strings.TrimRight(l, "\r\n")
		switch {
		case header.MatchString(trimmed):
			in = true
			continue
		case anyHeader.MatchString(trimmed):
			in = false
		}
		if !in {
			keep = append(keep, l)
		}
	}
	out := []byte(strings.Join(keep, ""))
	after, err := decodeTOML(out)
	want := clone(before)
	delete(serversOf(want), name)
	if len(serversOf(want)) == 0 {
		if _, had := after["mcp_servers"]; !had {
			delete(want, "mcp_servers")
		}
	}
	if err != nil || !reflect.DeepEqual(after, want) {
		return nil, fmt.Errorf("mcp_servers.%s is written in a form this command does not edit (inline or dotted keys); change it by hand", name)
	}
	return out, nil
}

func decodeTOML(doc []byte) (map[string]any, error) {
	m := map[string]any{}
	if err := toml.Unmarshal(doc, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return m, nil
}

func serversOf(m map[string]any) map[string]any {
	s, ok := m["mcp_servers"].(map[string]any)
	if !ok {
		s = map[string]any{}
		m["mcp_servers"] = s
	}
	return s
}

func sameTOML(cur any, entry map[string]any) bool {
	return reflect.DeepEqual(cur, normalize(entry))
}

// normalize makes entry look as it decodes from TOML.
func normalize(entry map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range entry {
		if ss, ok := v.([]string); ok {
			arr := make([]any, len(ss))
			for i, s := range ss {
				arr[i] = s
			}
			out[k] = arr
			continue
		}
		out[k] = v
	}
	return out
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			out[k] = clone(sub)
			continue
		}
		out[k] = v
	}
	return out
}

// tomlTable renders our table: command and args.
func tomlTable(name string, entry map[string]any) string {
	var b strings.Builder
	key := name
	if !regexp.MustCompile(`^[A-Za-z0-9_-]+$`).MatchString(name) {
		key = strconv.Quote(name)
	}
	fmt.Fprintf(&b, "[mcp_servers.%s]\n", key)
	fmt.Fprintf(&b, "command = %s\n", strconv.Quote(entry["command"].(string)))
	var args []string
	for _, a := range entry["args"].([]string) {
		args = append(args, strconv.Quote(a))
	}
	fmt.Fprintf(&b, "args = [%s]\n", strings.Join(args, ", "))
	return b.String()
}

package clients

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// tomlEntry is what install owns in [mcp_servers.NAME]: command, args, the
// env keys it writes and, for pre-approved reads, tools.TOOL.approval_mode.
type tomlEntry struct {
	Command string
	Args    []string
	Env     map[string]string
	Approve []string
}

// apply sets the owned keys in a decoded entry (a copy).
func (e tomlEntry) apply(cur map[string]any) map[string]any {
	out := cloneMap(cur)
	out["command"] = e.Command
	out["args"] = anySlice(e.Args)
	if len(e.Env) > 0 {
		env, _ := out["env"].(map[string]any)
		env = cloneMap(env)
		for k, v := range e.Env {
			env[k] = v
		}
		out["env"] = env
	}
	if len(e.Approve) > 0 {
		tools, _ := out["tools"].(map[string]any)
		tools = cloneMap(tools)
		for _, t := range e.Approve {
			tool, _ := tools[t].(map[string]any)
			tool = cloneMap(tool)
			tool["approval_mode"] = "approve"
			tools[t] = tool
		}
		out["tools"] = tools
	}
	return out
}

// tomlUpsert sets our keys in [mcp_servers.NAME] of a TOML document, as
// text, keeping every other key, table, comment and blank line. go-toml
// checks the result: every other value must decode exactly as before.
func tomlUpsert(doc []byte, container, name string, e tomlEntry) ([]byte, Action, error) {
	before, err := decodeTOML(doc)
	if err != nil {
		return nil, "", err
	}
	cur, exists := serversOf(before, container)[name]
	curMap, ok := cur.(map[string]any)
	if exists && !ok {
		return nil, "", fmt.Errorf("%s.%s is not a table; change it by hand", container, name)
	}
	want := e.apply(curMap)
	if exists && reflect.DeepEqual(want, curMap) {
		return doc, Unchanged, nil
	}
	t := &tomlDoc{lines: splitLines(doc)}
	action := Added
	if !exists {
		t.appendBlock(tomlNewEntry([]string{container, name}, e))
	} else if err := t.update([]string{container, name}, e, want); err != nil {
		return nil, "", err
	} else {
		action = Updated
	}
	out := []byte(strings.Join(t.lines, ""))
	after, err := decodeTOML(out)
	expect := cloneMap(before)
	serversOf(expect, container)[name] = want
	if err != nil || !reflect.DeepEqual(after, expect) {
		return nil, "", fmt.Errorf("%s.%s is written in a form this command does not edit (inline tables or dotted keys); change it by hand", container, name)
	}
	return out, action, nil
}

// update edits an existing entry in place.
func (t *tomlDoc) update(main []string, e tomlEntry, want map[string]any) error {
	if t.find(main) < 0 {
		return fmt.Errorf("%s is not a [%s] table; change it by hand", tomlKeyPath(main), tomlKeyPath(main))
	}
	if err := t.setKey(main, "command", tomlString(e.Command)); err != nil {
		return err
	}
	if err := t.setKey(main, "args", tomlArray(e.Args)); err != nil {
		return err
	}
	var blocks []string
	if len(e.Env) > 0 {
		envPath := append(main[:2:2], "env")
		switch {
		case t.find(envPath) >= 0:
			for _, k := range sortedKeys(e.Env) {
				if err := t.setKey(envPath, tomlKey(k), tomlString(e.Env[k])); err != nil {
					return err
				}
			}
		case t.keyLine(main, "env") >= 0:
			// env = { ... } inline: rewrite it with the merged keys.
			inline, err := tomlInline(want["env"])
			if err != nil {
				return err
			}
			if err := t.setKey(main, "env", inline); err != nil {
				return err
			}
		default:
			blocks = append(blocks, tomlTable(envPath, e.Env))
		}
	}
	for _, tool := range e.Approve {
		p := append(main[:2:2], "tools", tool)
		if t.find(p) >= 0 {
			if err := t.setKey(p, "approval_mode", tomlString("approve")); err != nil {
				return err
			}
			continue
		}
		blocks = append(blocks, tomlTable(p, map[string]string{"approval_mode": "approve"}))
	}
	if len(blocks) > 0 {
		t.insertAfterFamily(main, strings.Join(blocks, "\n"))
	}
	return nil
}

// tomlRemove deletes [mcp_servers.NAME] and its sub-tables; ok is false
// when it was absent.
func tomlRemove(doc []byte, container, name string) ([]byte, bool, error) {
	before, err := decodeTOML(doc)
	if err != nil {
		return nil, false, err
	}
	if _, ok := serversOf(before, container)[name]; !ok {
		return doc, false, nil
	}
	t := &tomlDoc{lines: splitLines(doc)}
	t.cutFamily([]string{container, name})
	out := []byte(strings.Join(t.lines, ""))
	after, err := decodeTOML(out)
	want := cloneMap(before)
	delete(serversOf(want, container), name)
	if len(serversOf(want, container)) == 0 {
		if _, had := after[container]; !had {
			delete(want, container)
		}
	}
	if err != nil || !reflect.DeepEqual(after, want) {
		return nil, false, fmt.Errorf("%s.%s is written in a form this command does not edit (inline tables or dotted keys); change it by hand", container, name)
	}
	return out, true, nil
}

// tomlDoc is a TOML file as lines (each with its newline).
type tomlDoc struct{ lines []string }

func splitLines(doc []byte) []string {
	if len(doc) == 0 {
		return nil
	}
	return strings.SplitAfter(string(doc), "\n")
}

var headerRE = regexp.MustCompile(`^\s*\[([^\[\]]+)\]\s*(#.*)?$`)

// header is the key path of a [table] header line, or nil.
func header(line string) []string {
	m := headerRE.FindStringSubmatch(strings.TrimRight(line, "\r\n"))
	if m == nil {
		return nil
	}
	return splitKeyPath(m[1])
}

// splitKeyPath splits a dotted TOML key, unquoting quoted parts.
func splitKeyPath(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote = r
		case r == '.':
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}

func samePath(a, b []string) bool { return reflect.DeepEqual(a, b) }

// find is the line index of the table's header, or -1.
func (t *tomlDoc) find(path []string) int {
	for i, l := range t.lines {
		if samePath(header(l), path) {
			return i
		}
	}
	return -1
}

// end is the index after the last line of the table starting at i.
func (t *tomlDoc) end(i int) int {
	for j := i + 1; j < len(t.lines); j++ {
		if header(t.lines[j]) != nil || strings.HasPrefix(strings.TrimSpace(t.lines[j]), "[[") {
			return j
		}
	}
	return len(t.lines)
}

// lastContent is the index after the table's last non-blank line.
func (t *tomlDoc) lastContent(i int) int {
	last := i + 1
	for j := i + 1; j < t.end(i); j++ {
		s := strings.TrimSpace(t.lines[j])
		if s != "" && !strings.HasPrefix(s, "#") {
			last = j + 1
		}
	}
	return last
}

// keyLine is the line where key is set in the table, or -1.
func (t *tomlDoc) keyLine(path []string, key string) int {
	i := t.find(path)
	if i < 0 {
		return -1
	}
	re := regexp.MustCompile(`^\s*(` + regexp.QuoteMeta(key) + `|"` + regexp.QuoteMeta(strings.Trim(key, `"`)) + `")\s*=`)
	for j := i + 1; j < t.end(i); j++ {
		if re.MatchString(t.lines[j]) {
			return j
		}
	}
	return -1
}

// setKey sets key = value in a table: the old value (which may span
// lines) is replaced, or the key is added after the table's last setting.
func (t *tomlDoc) setKey(path []string, key, value string) error {
	line := key + " = " + value + "\n"
	j := t.keyLine(path, key)
	if j < 0 {
		at := t.lastContent(t.find(path))
		if at > 0 && !strings.HasSuffix(t.lines[at-1], "\n") {
			t.lines[at-1] += "\n"
		}
		t.lines = append(t.lines[:at], append([]string{line}, t.lines[at:]...)...)
		return nil
	}
	end := t.end(t.find(path))
	for k := j + 1; k <= end; k++ {
		var m map[string]any
		if toml.Unmarshal([]byte(strings.Join(t.lines[j:k], "")), &m) == nil {
			indent := t.lines[j][:len(t.lines[j])-len(strings.TrimLeft(t.lines[j], " \t"))]
			t.lines = append(t.lines[:j], append([]string{indent + line}, t.lines[k:]...)...)
			return nil
		}
	}
	return fmt.Errorf("cannot tell where the value of %s ends", key)
}

// family reports whether a header is the entry's table or one of its
// sub-tables.
func family(h, entry []string) bool {
	return len(h) >= len(entry) && samePath(h[:len(entry)], entry)
}

// insertAfterFamily puts block after the last table of the entry.
func (t *tomlDoc) insertAfterFamily(entry []string, block string) {
	at := -1
	for i, l := range t.lines {
		if family(header(l), entry) {
			at = t.lastContent(i)
		}
	}
	if at > 0 && !strings.HasSuffix(t.lines[at-1], "\n") {
		t.lines[at-1] += "\n"
	}
	t.lines = append(t.lines[:at], append([]string{"\n" + block}, t.lines[at:]...)...)
}

// appendBlock adds a table at the end, after exactly one blank line, so
// that install and uninstall cycles do not grow the file.
func (t *tomlDoc) appendBlock(block string) {
	text := strings.Join(t.lines, "")
	if strings.TrimSpace(text) != "" {
		for !strings.HasSuffix(text, "\n\n") {
			text += "\n"
		}
	}
	t.lines = splitLines([]byte(text + block))
}

// cutFamily removes the entry's tables; when they ended the file, the blank
// lines left before them go too.
func (t *tomlDoc) cutFamily(entry []string) {
	var keep []string
	atEnd := false
	for i := 0; i < len(t.lines); {
		if family(header(t.lines[i]), entry) {
			e := t.end(i)
			atEnd = e == len(t.lines)
			i = e
			continue
		}
		keep = append(keep, t.lines[i])
		i++
	}
	if atEnd {
		for len(keep) > 0 && strings.TrimSpace(keep[len(keep)-1]) == "" {
			keep = keep[:len(keep)-1]
		}
	}
	t.lines = keep
}

func decodeTOML(doc []byte) (map[string]any, error) {
	m := map[string]any{}
	if err := toml.Unmarshal(doc, &m); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, &ParseError{Detail: fmt.Sprintf("line %d, column %d: %s", row, col, strings.TrimPrefix(de.Error(), "toml: "))}
		}
		return nil, &ParseError{Detail: err.Error()}
	}
	return m, nil
}

func serversOf(m map[string]any, container string) map[string]any {
	s, ok := m[container].(map[string]any)
	if !ok {
		s = map[string]any{}
		m[container] = s
	}
	return s
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			out[k] = cloneMap(sub)
			continue
		}
		out[k] = v
	}
	return out
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// tomlNewEntry renders a new entry: our table and its sub-tables.
func tomlNewEntry(path []string, e tomlEntry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s]\n", tomlKeyPath(path))
	fmt.Fprintf(&b, "command = %s\n", tomlString(e.Command))
	fmt.Fprintf(&b, "args = %s\n", tomlArray(e.Args))
	if len(e.Env) > 0 {
		b.WriteString("\n" + tomlTable(append(path[:2:2], "env"), e.Env))
	}
	for _, tool := range e.Approve {
		b.WriteString("\n" + tomlTable(append(path[:2:2], "tools", tool), map[string]string{"approval_mode": "approve"}))
	}
	return b.String()
}

func tomlTable(path []string, kv map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s]\n", tomlKeyPath(path))
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s = %s\n", tomlKey(k), tomlString(kv[k]))
	}
	return b.String()
}

var bareKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func tomlKey(k string) string {
	if bareKey.MatchString(k) {
		return k
	}
	return tomlString(k)
}

func tomlKeyPath(path []string) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = tomlKey(p)
	}
	return strings.Join(parts, ".")
}

// tomlString is a TOML basic string (Go's %q escapes are not all TOML).
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// tomlInline renders a table of strings inline: { A = "x", B = "y" }.
func tomlInline(v any) (string, error) {
	m, _ := v.(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		s, ok := m[k].(string)
		if !ok {
			return "", fmt.Errorf("env.%s is not a string; change it by hand", k)
		}
		parts[i] = tomlKey(k) + " = " + tomlString(s)
	}
	return "{ " + strings.Join(parts, ", ") + " }", nil
}

func tomlArray(ss []string) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = tomlString(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/polytomic-mcp/polytomic-mcp/internal/safefile"
)

// CorruptError is a settings or key file that does not parse. Writes never
// overwrite such a file: they move it aside first (MovedTo), since it may
// hold other profiles' keys or settings.
type CorruptError struct {
	Path    string
	Detail  string // the parser's message, with line and column
	MovedTo string // where the file was moved, if it was
}

func (e *CorruptError) Error() string {
	if e.MovedTo != "" {
		return fmt.Sprintf("%s does not parse (%s), so it was moved to %s rather than overwritten (copy any keys or settings you need from there); run the command again to write a new one", e.Path, e.Detail, e.MovedTo)
	}
	return fmt.Sprintf("%s does not parse (%s): fix it, or move it away", e.Path, e.Detail)
}

// decodeFile reads a JSON object file into v. A missing file, or a config
// folder that is not a folder (so the file cannot exist), leaves v as is and
// returns false: only a command that must write there needs the folder.
func decodeFile(path string, v any) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := decodeObject(data, v); err != nil {
		return false, &CorruptError{Path: path, Detail: err.Error()}
	}
	return true, nil
}

// decodeObject decodes a JSON object, saying where it went wrong. A field
// this version does not know makes the file unreadable too: rewriting it
// would drop that field (another profile's key, a newer setting), so it is
// moved aside instead, never silently lost.
func decodeObject(data []byte, v any) error {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] != '{' && json.Valid(trimmed) {
		return errors.New("not a JSON object")
	}
	err := json.Unmarshal(data, v)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return fmt.Errorf("%v (written by a newer version, or by hand?)", err)
		}
	}
	var off int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	}
	if err == nil || off < 0 {
		return err
	}
	line, col := 1, 1
	for _, b := range data[:min(int(off), len(data))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("line %d, column %d: %v", line, col, err)
}

// moveAside keeps a corrupt file out of the way of a write.
func moveAside(ce *CorruptError) error {
	dst, err := safefile.MoveAside(ce.Path, "corrupt", time.Now().UTC().Format("20060102T150405Z"))
	if err != nil {
		return fmt.Errorf("%s does not parse (%s) and could not be moved aside: %w", ce.Path, ce.Detail, err)
	}
	ce.MovedTo = dst
	return ce
}

// writeJSON writes v to path, mode 0600, in a folder only the user can
// open, never through a symbolic link.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := safefile.MkdirPrivate(filepath.Dir(path)); err != nil {
		return err
	}
	return safefile.Write(path, append(data, '\n'), 0o600)
}

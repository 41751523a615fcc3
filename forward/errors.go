package forward

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrBadInput marks a request the caller must fix; the message says how.
var ErrBadInput = errors.New("invalid input")

// ErrReadOnly marks a write refused by read-only mode.
var ErrReadOnly = errors.New("refused in read-only mode")

func badInput(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadInput, fmt.Sprintf(format, args...))
}

// JSONType names the JSON type of a decoded value, for messages such as
// "max_pages must be an integer, got a string".
func JSONType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

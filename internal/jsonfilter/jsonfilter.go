// Package jsonfilter narrows a JSON document with a gjson path, the
// response_filter of the execute tool. It wraps github.com/tidwall/gjson with
// our policy: the input must be valid JSON, the path must be short and
// printable, a path that selects nothing is an error that says so instead of
// an empty answer the agent might misread, and a path may not use more than
// a fixed budget of output and work (see eval.go): a 335-byte path of
// repeated [@this,@this]| stages once took the server to 552 MB and then out
// of memory.
package jsonfilter

import (
	"errors"
	"fmt"
	"unicode"

	"github.com/tidwall/gjson"
)

// MaxPathLen bounds a filter path.
const MaxPathLen = 512

// ErrNoMatch means the path selected nothing in the document.
var ErrNoMatch = errors.New("response_filter matched nothing")

// Validate checks a path before any request is made: its length, its
// characters and its syntax (modifiers that grow their input, queries with
// more than a plain path, unbalanced brackets are refused).
func Validate(path string) error {
	if len(path) > MaxPathLen {
		return fmt.Errorf("response_filter is %d bytes; keep it under %d", len(path), MaxPathLen)
	}
	for _, r := range path {
		if unicode.IsControl(r) {
			return errors.New("response_filter contains control characters")
		}
	}
	b := &budget{work: maxWorkBytes, dry: true}
	_, err := b.eval("{}", path)
	return err
}

// Apply returns the JSON that path selects in doc, or ErrBudget when it
// would need more than the budget.
func Apply(doc []byte, path string) ([]byte, error) {
	if err := Validate(path); err != nil {
		return nil, err
	}
	// gjson recurses once per level of nesting (in validation, @flatten and
	// more): a reply nested thousands deep would cost memory and time far
	// beyond its size. The API's own replies nest a few levels.
	if d := depth(doc); d > maxDepth {
		return nil, fmt.Errorf("%w: the reply nests %d levels deep (filters apply up to %d)", ErrBudget, d, maxDepth)
	}
	if !gjson.ValidBytes(doc) {
		return nil, errors.New("response is not valid JSON, so response_filter cannot apply")
	}
	b := &budget{work: maxWorkBytes}
	res, err := b.eval(string(doc), path)
	if err != nil {
		return nil, err
	}
	if !res.exists {
		return nil, fmt.Errorf("%w: %q (gjson syntax, e.g. data.#.{id,name} or data.0.id)", ErrNoMatch, path)
	}
	if res.raw == "" {
		return []byte("null"), nil
	}
	return []byte(res.raw), nil
}

// maxDepth is the deepest nesting a filter runs on.
const maxDepth = 64

// depth is the deepest nesting of arrays and objects in doc, found with one
// pass over the bytes (no recursion), skipping strings.
func depth(doc []byte) int {
	d, deepest, inString, escaped := 0, 0, false, false
	for _, c := range doc {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			d++
			deepest = max(deepest, d)
		case c == ']' || c == '}':
			d--
		}
	}
	return deepest
}

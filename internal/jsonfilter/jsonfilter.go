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

// Package jsonfilter narrows a JSON document with a gjson path, the
// response_filter of the execute tool. It wraps github.com/tidwall/gjson with
// our policy: the input must be valid JSON, the path must be short and
// printable, and a path that selects nothing is an error that says so
// instead of an empty answer the agent might misread.
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

// Validate checks a path before any request is made.
func Validate(path string) error {
	if len(path) > MaxPathLen {
		return fmt.Errorf("response_filter is %d bytes; keep it under %d", len(path), MaxPathLen)
	}
	for _, r := range path {
		if unicode.IsControl(r) {
			return errors.New("response_filter contains control characters")
		}
	}
	return nil
}

// Apply returns the JSON that path selects in doc.
func Apply(doc []byte, path string) ([]byte, error) {
	if err := Validate(path); err != nil {
		return nil, err
	}
	if !gjson.ValidBytes(doc) {
		return nil, errors.New("response is not valid JSON, so response_filter cannot apply")
	}
	res := gjson.GetBytes(doc, path)
	if !res.Exists() {
		return nil, fmt.Errorf("%w: %q (gjson syntax, e.g. data.#.{id,name} or data.0.id)", ErrNoMatch, path)
	}
	if res.Raw == "" {
		return []byte("null"), nil
	}
	return []byte(res.Raw), nil
}

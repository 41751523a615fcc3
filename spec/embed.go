package spec

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sync"
)

// model holds the operation model generated from the OpenAPI file, and
// nothing else: the OpenAPI file itself stays on disk in snapshot/. It is
// gitignored (the API description is third-party data); only
// model/README.md is committed, so the package compiles on a clean checkout
// and reports how to fix a missing model at run time.
//
//go:embed model
var model embed.FS

// ModelFile is the generated model inside model/; OpenAPIFile is the copy
// of the OpenAPI file inside snapshot/, which tests read from disk.
const (
	ModelFile   = "model.json"
	OpenAPIFile = "openapi.json"
)

// ErrNoSnapshot means the binary was built without running `make`.
var ErrNoSnapshot = errors.New("the Polytomic API snapshot is not embedded in this build: run `make` " +
	"(it copies SPEC_SOURCE, default ../shared/polytomic/openapi.json, into spec/snapshot/ and generates spec/model/) and rebuild")

// embedded decodes the model once; it is immutable afterwards.
var embedded = sync.OnceValues(func() (*Index, error) {
	data, err := model.ReadFile("model/" + ModelFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoSnapshot
	}
	if err != nil {
		return nil, fmt.Errorf("read embedded API model: %w", err)
	}
	api, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("embedded API model is corrupt (rebuild with `make`): %w", err)
	}
	return NewIndex(api), nil
})

// Embedded returns the search index over the API snapshot compiled into
// the binary. The first call decodes it (a few milliseconds); later calls
// are free.
func Embedded() (*Index, error) { return embedded() }

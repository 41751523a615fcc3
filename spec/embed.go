package spec

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sync"
)

// snapshot holds the build's copy of the OpenAPI file and the model generated
// from it. Both are gitignored (the API description is third-party data);
// only snapshot/README.md is committed, so the package compiles on a clean
// checkout and reports how to fix a missing snapshot at run time.
//
//go:embed snapshot
var snapshot embed.FS

// ModelFile and OpenAPIFile are the generated files inside snapshot/.
const (
	ModelFile   = "model.json"
	OpenAPIFile = "openapi.json"
)

// ErrNoSnapshot means the binary was built without running `make`.
var ErrNoSnapshot = errors.New("the Polytomic API snapshot is not embedded in this build: run `make` " +
	"(it copies SPEC_SOURCE, default ../shared/polytomic/openapi.json, into spec/snapshot/) and rebuild")

// embedded decodes the model once; it is immutable afterwards.
var embedded = sync.OnceValues(func() (*Index, error) {
	data, err := snapshot.ReadFile("snapshot/" + ModelFile)
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

// EmbeddedOpenAPI returns the OpenAPI document the model was generated from.
func EmbeddedOpenAPI() ([]byte, error) {
	data, err := snapshot.ReadFile("snapshot/" + OpenAPIFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoSnapshot
	}
	return data, err
}

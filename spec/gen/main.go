// Command gen prepares the API model that the binary embeds: it copies the
// OpenAPI file from a path or URL (for tests; the binary does not embed it),
// validates it with libopenapi, and writes the compact model the search
// index is built from. Files are rewritten only
// when their content changes, so make and the Go build cache stay warm.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/polytomic-mcp/polytomic-mcp/internal/safefile"
	"github.com/polytomic-mcp/polytomic-mcp/spec"
	"github.com/polytomic-mcp/polytomic-mcp/spec/openapi"
)

func main() {
	source := flag.String("source", "../shared/polytomic/openapi.json", "OpenAPI file: a path or an http(s) URL")
	dir := flag.String("dir", "spec/snapshot", "folder to copy the OpenAPI file into (read by tests, not embedded)")
	modelDir := flag.String("model", "spec/model", "folder to write the embedded model into")
	flag.Parse()
	if err := run(*source, *dir, *modelDir); err != nil {
		fmt.Fprintln(os.Stderr, "spec/gen:", err)
		os.Exit(1)
	}
}

func run(source, dir, modelDir string) error {
	data, err := fetch(source)
	if err != nil {
		return err
	}
	api, err := openapi.Load(data)
	if err != nil {
		return fmt.Errorf("%s is not a valid OpenAPI 3 document: %w", source, err)
	}
	model, err := api.Encode()
	if err != nil {
		return err
	}
	if _, err := spec.Decode(model); err != nil {
		return fmt.Errorf("generated model does not round-trip: %w", err)
	}
	if err := writeIfChanged(filepath.Join(dir, spec.OpenAPIFile), data); err != nil {
		return err
	}
	if err := writeIfChanged(filepath.Join(modelDir, spec.ModelFile), model); err != nil {
		return err
	}
	fmt.Printf("snapshot: %s %s, %d operations, %d schemas (from %s)\n", api.Title, api.Version, len(api.Operations), len(api.Schemas), source)
	return nil
}

func fetch(source string) ([]byte, error) {
	if strings.HasPrefix(source, "http://") || strings.HasPrefix(source, "https://") {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, source, nil)
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, fmt.Errorf("download SPEC_SOURCE: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("download SPEC_SOURCE %s: HTTP %s", source, resp.Status)
		}
		return io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	}
	data, err := os.ReadFile(source)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("the OpenAPI file %s does not exist: set SPEC_SOURCE to the path or URL of the Polytomic OpenAPI file (make SPEC_SOURCE=...)", source)
	}
	return data, err
}

func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return safefile.Write(path, data, 0o644)
}

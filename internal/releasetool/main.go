// Command releasetool prepares release artifacts that need more than the Go
// build: the MCPB manifest of each Claude Desktop bundle, and the MCP
// Registry's server.json with each bundle's URL and SHA-256.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: releasetool manifest|server-json [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "manifest":
		err = manifest(os.Args[2:])
	case "server-json":
		err = serverJSON(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "releasetool:", err)
		os.Exit(1)
	}
}

// manifest renders mcpb/manifest.json for one platform.
func manifest(args []string) error {
	fs := flag.NewFlagSet("manifest", flag.ExitOnError)
	tmpl := fs.String("template", "mcpb/manifest.json", "manifest template")
	version := fs.String("version", "", "semantic version")
	goos := fs.String("goos", "", "darwin, linux or windows")
	out := fs.String("out", "", "where to write the manifest")
	_ = fs.Parse(args)
	data, err := os.ReadFile(*tmpl)
	if err != nil {
		return err
	}
	platform, binary := *goos, "polytomic-mcp"
	if *goos == "windows" {
		platform, binary = "win32", "polytomic-mcp.exe"
	}
	s := strings.NewReplacer("__VERSION__", semver(*version), "__PLATFORM__", platform, "__BINARY__", binary).Replace(string(data))
	if !json.Valid([]byte(s)) {
		return fmt.Errorf("%s does not render to valid JSON", *tmpl)
	}
	return os.WriteFile(*out, []byte(s), 0o644)
}

// semver turns `git describe` output into something MCPB accepts.
func semver(v string) string {
	v = strings.TrimPrefix(v, "v")
	if v == "" || v == "dev" || !strings.ContainsAny(v[:1], "0123456789") {
		return "0.0.0-dev"
	}
	return v
}

// serverJSON fills server.json with one MCPB package per bundle in dist.
func serverJSON(args []string) error {
	fs := flag.NewFlagSet("server-json", flag.ExitOnError)
	path := fs.String("file", "server.json", "server.json to update")
	version := fs.String("version", "", "release version, e.g. 1.2.3")
	dist := fs.String("dist", "dist", "folder with polytomic-mcp-*.mcpb")
	base := fs.String("base-url", "https://github.com/polytomic-mcp/polytomic-mcp/releases/download", "release download URL")
	_ = fs.Parse(args)
	data, err := os.ReadFile(*path)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return err
	}
	pkgs, _ := doc["packages"].([]any)
	if len(pkgs) == 0 {
		return fmt.Errorf("%s has no package to copy settings from", *path)
	}
	proto, _ := pkgs[0].(map[string]any)
	bundles, _ := filepath.Glob(filepath.Join(*dist, "polytomic-mcp-*.mcpb"))
	sort.Strings(bundles)
	if len(bundles) == 0 {
		return fmt.Errorf("no bundles in %s: run make mcpb first", *dist)
	}
	v := semver(*version)
	var out []any
	for _, b := range bundles {
		sum, err := fileSHA256(b)
		if err != nil {
			return err
		}
		p := map[string]any{}
		for k, val := range proto {
			p[k] = val
		}
		p["identifier"] = fmt.Sprintf("%s/v%s/%s", *base, v, filepath.Base(b))
		p["version"], p["fileSha256"] = v, sum
		out = append(out, p)
	}
	doc["version"], doc["packages"] = v, out
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(*path, append(b, '\n'), 0o644)
}

func fileSHA256(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

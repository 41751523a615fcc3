# polytomic-mcp build. `make run` builds and serves; `make test` runs every test.

SPEC_SOURCE ?= ../shared/polytomic/openapi.json
SNAPSHOT    := spec/snapshot
MODEL       := spec/model
BIN         := bin/polytomic-mcp
GO          ?= go

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DATE    ?= $(shell git log -1 --format=%cI 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)

FUZZTIME ?= 30s

MCPB_VERSION   ?= 2.1.2
GORELEASER     ?= github.com/goreleaser/goreleaser/v2@v2.15.1
PLATFORMS      := darwin/amd64 darwin/arm64 linux/amd64 linux/arm64 windows/amd64 windows/arm64

.PHONY: all build snapshot wordnet run test test-short test-keyring vet bench fuzz fuzz-ci cross clean mcpb mcpb-validate server-json goreleaser release-check release-snapshot

all: build

# Copy the OpenAPI file from SPEC_SOURCE (a path or URL) into spec/snapshot
# for tests, validate it with libopenapi and generate the model the binary
# embeds into spec/model. Both outputs are gitignored.
snapshot:
	@$(GO) run ./spec/gen -source "$(SPEC_SOURCE)" -dir $(SNAPSHOT) -model $(MODEL)

# Distil WordNet into the committed tables spec/wordnet/ (synonyms,
# derivations and verb relations of the API's words; real words near them).
# Needs Debian's wordnet-base; the build and CI use the committed tables.
wordnet: snapshot
	@test -d /usr/share/wordnet || { echo "make wordnet needs WordNet: apt-get install wordnet-base"; exit 1; }
	@$(GO) run ./spec/wordnetgen -wordnet /usr/share/wordnet -model $(MODEL)/model.json -out spec/wordnet

build: snapshot
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) .

# Build quietly (make's and go's output to stderr): stdout is the MCP
# client's, and carries only JSON-RPC.
run:
	@$(MAKE) --no-print-directory -s build >&2
	@exec ./$(BIN) serve

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

test: snapshot vet
	$(GO) test -race -count=1 ./...

test-short: snapshot
	$(GO) test -count=1 ./...

# login/serve/logout against a real Secret Service (gnome-keyring) in a
# private D-Bus session with a throw-away, unlocked keyring. Needs the
# packages gnome-keyring, dbus and libsecret-tools.
test-keyring: snapshot
	@command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null && command -v secret-tool >/dev/null || \
	  { echo "test-keyring needs dbus-run-session, gnome-keyring-daemon and secret-tool (apt-get install dbus gnome-keyring libsecret-tools)"; exit 1; }
	XDG_DATA_HOME=$$(mktemp -d) dbus-run-session -- sh -c '\
	  echo polytomic-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
	  $(GO) test -tags secretservice -run "^TestSecretService$$" -count=1 -v .'

# Benchmarks and measurements, written to BENCHMARKS.md.
bench: build
	$(GO) run ./internal/benchreport -bin $(BIN) -eval ../shared/eval/search-dev.jsonl -out BENCHMARKS.md

fuzz: snapshot
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

fuzz-ci:
	$(MAKE) fuzz FUZZTIME=15s

# Every OS's keychain code must compile.
cross: snapshot
	@for os in darwin windows linux; do for arch in amd64 arm64; do \
	  echo "GOOS=$$os GOARCH=$$arch"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -o /dev/null . || exit 1; \
	done; done

# Claude Desktop bundles, one per OS and CPU, packed by the official MCPB
# packer from the npm registry.
mcpb: snapshot
	@rm -rf dist/mcpb && mkdir -p dist/mcpb
	@set -e; for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; dir=dist/mcpb/$$os-$$arch; exe=polytomic-mcp; \
	  [ $$os = windows ] && exe=polytomic-mcp.exe; \
	  mkdir -p $$dir/server; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $$dir/server/$$exe .; \
	  $(GO) run ./internal/releasetool manifest -version "$(VERSION)" -goos $$os -out $$dir/manifest.json; \
	  cp LICENSE README.md $$dir/; \
	  npx -y @anthropic-ai/mcpb@$(MCPB_VERSION) pack $$dir dist/polytomic-mcp-$$os-$$arch.mcpb >/dev/null; \
	  echo "dist/polytomic-mcp-$$os-$$arch.mcpb"; \
	done

# Check the manifest against the MCPB schema.
mcpb-validate:
	@mkdir -p dist/mcpb-check
	$(GO) run ./internal/releasetool manifest -version "$(VERSION)" -goos linux -out dist/mcpb-check/manifest.json
	npx -y @anthropic-ai/mcpb@$(MCPB_VERSION) validate dist/mcpb-check/manifest.json

# server.json for the MCP Registry, with each bundle's URL and SHA-256.
server-json: mcpb
	$(GO) run ./internal/releasetool server-json -version "$(VERSION)" -dist dist

goreleaser:
	@command -v goreleaser >/dev/null || $(GO) install $(GORELEASER)

release-check: goreleaser
	goreleaser check

# A full local release without publishing; then show the version stamped
# into the linux/amd64 binary.
release-snapshot: goreleaser
	goreleaser release --snapshot --clean
	./dist/polytomic-mcp_linux_amd64_v1/polytomic-mcp version

clean:
	rm -rf bin dist completions $(SNAPSHOT)/openapi.json $(MODEL)/model.json

# polytomic-mcp build. `make run` builds and serves; `make test` runs every test.

SPEC_SOURCE ?= ../shared/polytomic/openapi.json
SNAPSHOT    := spec/snapshot
BIN         := bin/polytomic-mcp
GO          ?= go

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DATE    ?= $(shell git log -1 --format=%cI 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)

FUZZTIME ?= 30s

.PHONY: all build snapshot run test test-short test-keyring vet bench fuzz fuzz-ci cross clean

all: build

# Copy the OpenAPI file from SPEC_SOURCE (a path or URL), validate it with
# libopenapi and generate the embedded model. Both outputs are gitignored.
snapshot:
	@$(GO) run ./spec/gen -source "$(SPEC_SOURCE)" -dir $(SNAPSHOT)

build: snapshot
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) .

run: build
	exec ./$(BIN) serve

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

clean:
	rm -rf bin dist $(SNAPSHOT)/openapi.json $(SNAPSHOT)/model.json

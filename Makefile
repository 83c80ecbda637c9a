# statusd developer and CI targets. `make help` lists them.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO ?= go
FUZZTIME ?= 10s
# The short fuzz run of make test: this many new inputs for each target.
FUZZ_SHORT ?= 1000x
# Packages for test, bench, fuzz and lint; narrow it with e.g. PKGS=./aggregator/...
PKGS ?= ./...
# staticcheck 2026.2.2; it understands Go 1.26.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
SERVICES_ENV := .dev/services.env

.PHONY: help build run services services-down test bench bench-aggregator bench-agent bench-api bench-page fuzz lint

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-17s %s\n", $$1, $$2}'

build: ## build bin/statusd
	@mkdir -p bin
	$(GO) build -o bin/statusd ./cmd/statusd

run: build ## build, then run statusd standalone with deploy/examples/standalone.yaml
	./bin/statusd standalone --config deploy/examples/standalone.yaml

services: ## start ClickHouse, Kafka, PostgreSQL and DNS (knot) on loopback (idempotent); writes .dev/services.env
	bash deploy/dev/services.sh up

services-down: ## stop the services that `make services` started
	bash deploy/dev/services.sh down

test: services ## go vet, every test with -race against the dev services (never -short), then a short run of every fuzz target
	@case " $${GOFLAGS:-} " in *" -short"*) echo "make test: GOFLAGS must not contain -short" >&2; exit 1;; esac
	source $(SERVICES_ENV) && $(GO) vet $(PKGS) && $(GO) test -race -count=1 -timeout 15m $(PKGS)
	source $(SERVICES_ENV) && $(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZ_SHORT)

bench: services ## benchmarks, 5 runs each, benchstat format in bench.txt
	source $(SERVICES_ENV) && $(GO) test -run '^$$' -bench . -benchmem -count 5 -timeout 60m $(PKGS) | tee bench.txt

bench-aggregator: services ## the aggregator end to end on 10,000 components x 3 regions; JSON lines (BENCH_FLAGS=-h lists flags)
	source $(SERVICES_ENV) && $(GO) run ./deploy/dev/benchaggregator $(BENCH_FLAGS)

bench-agent: services ## one agent process on 1,000 and 10,000 HTTP checks at 10 s beside a bare net/http floor, and 1,000 ICMP checks beside pro-bing; JSON lines (BENCH_FLAGS=-h lists flags)
	source $(SERVICES_ENV) && $(GO) run ./deploy/dev/benchagent $(BENCH_FLAGS)

bench-api: services ## the operators' API at concurrency 64, 20 s per endpoint, on SQLite (standalone) and PostgreSQL (aggregator); JSON lines (BENCH_FLAGS=-h lists flags)
	source $(SERVICES_ENV) && $(GO) run ./deploy/dev/benchapi $(BENCH_FLAGS)

bench-page: ## summary.json and the HTML page at concurrency 256, 30 s each, statusd beside Debian's nginx serving the same bytes; JSON lines (BENCH_FLAGS=-h lists flags)
	bash deploy/dev/services.sh nginx
	$(GO) run ./deploy/dev/benchpage $(BENCH_FLAGS)

fuzz: ## run every Fuzz* target for FUZZTIME (default 10s), one instrumented test binary per package
	@targets=$$($(GO) test -list '^Fuzz' $(PKGS) | awk '/^Fuzz/ {names = names " " $$1} /^ok/ {if (names != "") print $$2 names; names = ""}'); \
	if [ -z "$$targets" ]; then echo "fuzz: no Fuzz* targets found"; exit 0; fi; \
	cache="$$($(GO) env GOCACHE)/fuzz"; bin=$$(mktemp -d); trap 'rm -rf "$$bin"' EXIT; \
	failed=""; \
	while read -r pkg names; do \
		dir=$$($(GO) list -f '{{.Dir}}' "$$pkg"); \
		if ! $(GO) test -c -fuzz=. -o "$$bin/fuzz.test" "$$pkg"; then failed="$$failed $$pkg"; continue; fi; \
		for name in $$names; do \
			echo "== $$pkg $$name (-fuzztime $(FUZZTIME))"; \
			(cd "$$dir" && "$$bin/fuzz.test" -test.run='^$$' -test.fuzz="^$$name\$$" -test.fuzztime=$(FUZZTIME) \
				-test.fuzzcachedir="$$cache") || failed="$$failed $$pkg.$$name"; \
		done; \
	done <<<"$$targets"; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed" >&2; exit 1; fi

lint: ## gofmt, go vet and staticcheck
	@files=$$(find . -name '*.go' -not -path './.git/*' -not -path './.dev/*' -not -path '*/testdata/*' | xargs -r gofmt -l); \
		if [ -n "$$files" ]; then echo "gofmt -l: these files need gofmt -w:" >&2; echo "$$files" >&2; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)

# Developer and CI entry points. `make test` is the README's test command and what .ci/run runs.

GO ?= go
# Keep in step with staticcheck_version in .ci/run.
STATICCHECK_VERSION ?= v0.8.2

.PHONY: run test bench bench-import build lint compat

## run: start the daemon on the embedded default configuration
run:
	$(GO) run ./cmd/tandem serve

## test: all tests: the Go tests with the race detector (never cached), then the HubSpot Node
## SDK compatibility suite (needs Node.js 20+ and npm)
test:
	$(GO) test -race -count=1 ./...
	$(MAKE) compat

## bench: benchmarks, 5 runs each. Report each benchmark as the median of the 5 runs
## (e.g. benchstat), not the best or the mean.
## The store against a plain-insert baseline, the API against a from-memory handler; the search
## benchmarks over a million contacts run with TANDEM_BENCH_1M=1 (see internal/api/search_bench_test.go).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./crmstore/ ./internal/api/
	$(MAKE) bench-import

## bench-import: the issue's import benchmark, 5 runs: a generated 1,000,000-row contacts CSV
## imported by the real binary into an empty store against sqlite3 ".import" of the same file
## (ratio, target <= 5), the import's peak RSS (rss_MB, target < 200) and an unchanged rerun
## (rerun_ratio, target < 0.5). Needs sqlite3 on PATH; TANDEM_BENCH_IMPORT_ROWS changes the size.
bench-import:
	TANDEM_BENCH_IMPORT=1 $(GO) test -run '^$$' -bench ImportMillionContacts -benchtime 1x -count 5 -timeout 60m ./internal/importer/

## build: the tandem binary in bin/
build:
	$(GO) build -o bin/tandem ./cmd/tandem

## lint: formatting, go vet and staticcheck (fetched at the pinned version)
lint:
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then \
		echo "gofmt would change these files:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

## compat: build the binary and run the HubSpot Node SDK compatibility suite (compat/) against it
compat:
	$(GO) build -o bin/tandem ./cmd/tandem && cd compat && npm ci --no-audit --no-fund && TANDEM_BIN=$(CURDIR)/bin/tandem npm test

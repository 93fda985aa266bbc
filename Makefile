# Maintenant: `make run` starts the app with demo data, `make test` runs every test.
# Both install what the project needs (npm packages, the CSS build, Chromium for browser tests).

SHELL := /bin/bash
GO ?= go
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin

CSS_SOURCES := $(shell find views -name '*.html') $(shell find app -name '*.go' -not -name '*_test.go') static/css/input.css static/js/app.js tailwind.config.js

.PHONY: run test test-domain test-web build frontend system-deps stripe-mock lint clean bench fuzz cluster

## run: build the front end and start the server on http://127.0.0.1:8080 with demo data
run: frontend
	$(GO) run ./cmd/maintenant serve

## build: one binary in bin/maintenant, with templates, static files and migrations embedded
build: frontend
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/maintenant ./cmd/maintenant

## test: the front end, then every Go test (real PostgreSQL, headless Chromium) and a short run of
## each fuzz target. The domain packages run under the race detector, then the fuzz targets; the web
## packages (handlers, browser journeys, which mostly wait on PostgreSQL and Chromium) run at the same
## time without it, about four times faster; their concurrency lives in the domain packages.
WEB_PKGS = $(shell $(GO) list ./app/web/...)
test: frontend system-deps stripe-mock
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-domain test-web

test-domain:
	$(GO) test -race -count=1 -timeout 20m $$($(GO) list ./... | grep -v '/app/web')
	@$(MAKE) --no-print-directory fuzz

test-web:
	$(GO) test -count=1 -timeout 20m $(WEB_PKGS)

## fuzz: each fuzz target (parsers, recurrence rules, SLA arithmetic, totals, CSV cells) for
## FUZZTIME (4 s by default; `make fuzz FUZZTIME=10m` for a long run). Crashers land in testdata/fuzz.
FUZZTIME ?= 4s
FUZZ_TARGETS := app/billing:FuzzComputeTotals app/sla:FuzzCalendarAddBetween app/scheduling:FuzzRecurrenceRule \
	app/interventions:FuzzSafeCell app/interventions:FuzzParseQuantity \
	app/web/backoffice:FuzzParseContractDecimal app/web/backoffice:FuzzParseInterventionMinutes \
	app/web/backoffice:FuzzParseInvoiceForm
fuzz:
	@set -eo pipefail; for t in $(FUZZ_TARGETS); do pkg=./$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run "^$$name\$$" -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg | grep -v '^fuzz: elapsed'; \
	done

## cluster: two instances on loopback behind HAProxy (scripts/cluster.sh, scripts/haproxy.cfg),
## on the dev database or DATABASE_URL; the balancer on CLUSTER_PORT (8090)
cluster: build system-deps
	@bash scripts/cluster.sh

## bench: the load test (scripts/bench.sh): seeds BENCH_SCALE (small, medium (default) or large), starts
## the binary, logs in, runs wrk on the pages of issue 10 and their floors, writes BENCHMARKS.md
bench: frontend
	@bash scripts/bench.sh

## stripe-mock: Stripe's API simulator the payment tests call (started by the tests themselves)
STRIPE_MOCK_VERSION := v0.203.0
stripe-mock:
	@command -v stripe-mock >/dev/null || test -x "$$($(GO) env GOPATH)/bin/stripe-mock" || $(GO) install github.com/stripe/stripe-mock@$(STRIPE_MOCK_VERSION)

frontend: static/css/app.css static/js/htmx.min.js

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install it with 'apt-get install nodejs npm'"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/css/app.css: node_modules/.installed $(CSS_SOURCES)
	npx tailwindcss -i static/css/input.css -o static/css/app.css --minify

static/js/htmx.min.js: node_modules/.installed
	cp node_modules/htmx.org/dist/htmx.min.js static/js/htmx.min.js

## system-deps: Debian packages the tests need (Chromium for the browser journeys)
system-deps:
	@bash scripts/system-deps.sh

## lint: gofmt, go vet and staticcheck
lint:
	@test -z "$$(gofmt -l app cmd migrations static views)" || { gofmt -l app cmd; exit 1; }
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

clean:
	rm -rf bin static/css/app.css static/js/htmx.min.js node_modules .tmp

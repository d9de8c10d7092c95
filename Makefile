# Gatehouse: `make run` starts the local stack, `make test` runs every test.
SHELL := /bin/bash
GO ?= go
FUNCTIONS := api mailer slack sync webhooks
# The flags every Lambda binary is built with (sam build runs the build-* targets below).
LAMBDA_ENV := CGO_ENABLED=0 GOOS=linux GOARCH=arm64
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags="-s -w"

BENCH_OUT := bin/bench.txt

SES_LOCAL := tools/ses-local/node_modules/.bin/aws-ses-v2-local

.PHONY: run test test-moto lint bench build clean ses-local

## run: the whole product locally (API on http://127.0.0.1:3000, embedded DynamoDB, the
## SES emulator's inbox on http://127.0.0.1:8005)
run: ses-local
	$(GO) run ./cmd/gatehouse dev

## test: every test (each fuzz target's seed corpus and saved inputs among them; make fuzz
## searches for new ones); prints each package as it finishes, the slowest tests, and how long
## it took (the JSON of every test's result is left in bin/test.json). TESTFLAGS adds flags.
test: ses-local chromium
	@mkdir -p bin; start=$$(date +%s); \
	  $(GO) tool gotestsum --format pkgname-and-test-fails --format-hide-empty-pkg --jsonfile bin/test.json -- $(TESTFLAGS) -count=1 ./... || exit 1; \
	  echo "slowest tests:"; $(GO) tool gotestsum tool slowest --jsonfile bin/test.json --threshold 5s | head -15; \
	  echo "make test passed in $$(( $$(date +%s) - start )) s"

## test-race: every test under the race detector, as CI runs them (it takes half as long again)
.PHONY: test-race
test-race:
	$(MAKE) test TESTFLAGS="-race $(TESTFLAGS)"

## fuzz: every fuzz target searching for new inputs for FUZZTIME each (default a minute; CI 2s)
.PHONY: fuzz
fuzz:
	FUZZTIME=$${FUZZTIME:-60s} GO=$(GO) ./scripts/fuzz.sh

## chromium: the headless browser the Settings page tests drive (Debian's chromium), installed
## when missing
.PHONY: chromium screenshots
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	  else sudo -n apt-get update && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; fi; }

## screenshots: the Settings page's main screens into docs/screenshots/, as the README shows them
screenshots: ses-local chromium
	GATEHOUSE_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 \
	  -run '^(TestSettingsPageInABrowser|TestInvitationSearchAndBatchesInABrowser|TestWebhooksTabInABrowser|TestTokensTabInABrowser|TestAuditLogFiltersAndExportInABrowser)$$' ./cmd/gatehouse/

## ses-local: the SES v2 emulator, pinned by tools/ses-local/package-lock.json
ses-local: $(SES_LOCAL)
$(SES_LOCAL): tools/ses-local/package.json tools/ses-local/package-lock.json
	cd tools/ses-local && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

## test-moto: the store tests and the organization service's behaviour against moto_server, a second
## DynamoDB implementation
test-moto:
	set -o pipefail; ./scripts/with-moto.sh $(GO) test -v -count=1 ./internal/dynamo/... ./internal/org/... | grep -E '^(--- |    |ok|FAIL|PASS|panic)'


## lint: formatting, vet, go.mod tidiness and the SAM template (I3510, off by default, checks
## that each IAM action's resources are of a type the action acts on)
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go') $$(git ls-files --others --exclude-standard '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	@tmp=$$(mktemp -d); cp go.mod go.sum $$tmp/; $(GO) mod tidy; \
	  if ! diff -q $$tmp/go.mod go.mod >/dev/null || ! diff -q $$tmp/go.sum go.sum >/dev/null; then \
	    diff -u $$tmp/go.mod go.mod; cp $$tmp/go.mod $$tmp/go.sum .; echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; fi
	@command -v cfn-lint >/dev/null || { echo "cfn-lint is required for make lint (pip install cfn-lint)"; exit 1; }
	cfn-lint --include-checks I3510 -- template.yaml

## bench: the benchmarks of the performance targets, five runs each, then benchstat's medians of
## all of them and each target's pair with its ratio (the raw output stays in bin/bench.txt). Iteration counts
## are fixed, so that each benchmark and its baseline write the same number of items.
## BulkInvite1000TableSize runs its rounds itself and prints the medians on an empty and on
## a 45,000-item table and their ratio; Transact3Puts is one transaction at either size.
bench: ses-local
	@mkdir -p bin; rm -f $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'BulkInvite1000$$' -benchtime 1x -benchmem -count 5 ./internal/dynamo/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'BulkInvite1000TableSize' -benchtime 1x ./internal/dynamo/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'BulkInvite1000Latency' -benchtime 1x ./internal/dynamo/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'Transact3Puts' -benchmem -count 5 ./internal/localdb/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'SingleInvite|SCIM(Create|Filter|Deactivate)User' -benchtime 300x -benchmem -count 5 ./internal/httpapi/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'SCIMGroupPatch1000' -benchtime 1x -benchmem -count 5 ./internal/httpapi/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'Drain' -benchtime 1x -count 3 ./internal/mailer/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'Webhooks1000' -benchtime 1x -count 3 ./internal/hooks/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'SlackCommand' -benchtime 200x -benchmem -count 5 ./internal/slack/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'ParseAndPlan100k|Baseline100k' -benchmem -count 5 ./internal/idp/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'ResyncUnchanged100k' -benchmem -count 5 ./internal/dirsync/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'ResyncUnchanged$$' -benchtime 3x -count 3 ./internal/dynamo/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench . -benchmem -count 5 ./internal/scim/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'Connector' -benchtime 1x -benchmem -count 5 ./internal/connector/ | tee -a $(BENCH_OUT)
	set -o pipefail; LAMBDA_RIE=$(CURDIR)/$(RIE) $(GO) test -run '^$$' -bench 'ColdStart' -benchtime 20x -count 5 ./internal/lambdatest/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'Load' -benchtime 1x -count 1 -timeout 5m ./cmd/gatehouse/ | tee -a $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench 'RequestMetrics' -benchmem -count 5 ./internal/metrics/ | tee -a $(BENCH_OUT)
	$(GO) tool benchstat $(BENCH_OUT)
	awk -f scripts/bench-ratios.awk $(BENCH_OUT)

# aws-lambda-rie, the Lambda Runtime Interface Emulator that make smoke and make bench run the
# functions under: pinned, and installed into a folder named for its version.
RIE_VERSION := v0.0.0-20261030222936-bef5c4ba774d
RIE := bin/tools/aws-lambda-rie-$(RIE_VERSION)/aws-lambda-rie

## smoke: every function built for this machine and run under the Lambda Runtime Interface
## Emulator with template.yaml's environment, against the local stack, with each event in events/;
## it lists each function, its start-up check and each event it ran
.PHONY: smoke
smoke: ses-local $(RIE)
	LAMBDA_RIE=$(CURDIR)/$(RIE) $(GO) tool gotestsum --format testname -- -tags smoke -count=1 -timeout 8m -run '^TestSmoke$$' ./internal/lambdatest/

bench: $(RIE)
$(RIE):
	GOBIN=$(CURDIR)/$(dir $(RIE)) $(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)

## build: every Lambda function, as sam build makes them, into bin/<function>/bootstrap
build:
	@for f in $(FUNCTIONS); do \
	  echo "build $$f"; \
	  $(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o bin/$$f/bootstrap ./functions/$$f || exit 1; \
	done

# sam build (BuildMethod: makefile) calls build-<LogicalId> with ARTIFACTS_DIR set.
build-ApiFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/api

build-MailerFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/mailer

build-SlackFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/slack

build-SyncFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/sync

build-WebhooksFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/webhooks

clean:
	rm -rf bin .aws-sam tools/ses-local/node_modules

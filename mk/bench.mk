# The benchmark harness (issue 11): bench/run.py drives the release binary with wrk, next to the
# peers Prism and WireMock. Not part of `make test`. `make bench-harness` is the full run (1M
# people, ~10 minutes); `make bench-quick` (or `make bench-harness QUICK=1`) is the short one.

BENCH_WRK_VERSION := 4.1.0-3+b2
BENCH_STAMPS := target/bench/.stamps

.PHONY: bench-harness bench-quick bench-deps

$(BENCH_STAMPS)/wrk:
	@mkdir -p $(BENCH_STAMPS)
	@if ! command -v wrk >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq wrk=$(BENCH_WRK_VERSION); fi
	@command -v taskset >/dev/null || apt-get install -y -qq util-linux
	touch $@

# Java for WireMock when it is missing; a failure here only makes the harness skip WireMock.
$(BENCH_STAMPS)/java:
	@mkdir -p $(BENCH_STAMPS)
	@command -v java >/dev/null || apt-get install -y -qq default-jre-headless || \
		echo "bench: java could not be installed; WireMock will be skipped"
	touch $@

# Prism and WireMock, pinned in bench/peers/package-lock.json; a failure skips the peers.
$(BENCH_STAMPS)/peers: bench/peers/package-lock.json
	@mkdir -p $(BENCH_STAMPS)
	@cd bench/peers && npm ci --no-audit --no-fund --loglevel=error || \
		echo "bench: npm ci failed; Prism and WireMock will be skipped"
	touch $@

bench-deps: $(BENCH_STAMPS)/wrk $(BENCH_STAMPS)/java $(BENCH_STAMPS)/peers

bench-harness: bench-deps
	$(CARGO) build --release
	QUICK=$(QUICK) $(PYTHON) bench/run.py

bench-quick:
	$(MAKE) bench-harness QUICK=1

# `make test` runs everything CI runs: formatting, clippy, the Rust suites and the SDK contract
# tests (it creates .venv and installs the pinned SDKs, and runs `npm ci` for the npm SDK, itself).

CARGO ?= cargo
PYTHON ?= python3
VENV := .venv
JS := tests/sdk/js

.PHONY: test lint test-rust test-sdk release openapi bench clean-sdk js-deps

# Each suite beyond the core ones lives in its own fragment under mk/ and appends its target to
# TEST_SUITES (run by `make test`, in CI) or to the targets it alone defines (bench, soak).
TEST_SUITES :=
include $(sort $(wildcard mk/*.mk))

test: lint test-rust test-sdk $(TEST_SUITES)

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

test-rust:
	$(CARGO) test

release:
	$(CARGO) build --release

$(VENV)/.installed: tests/sdk/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/sdk/requirements.txt
	touch $@

js-deps:
	@if [ -f $(JS)/package.json ]; then cd $(JS) && npm ci --no-audit --no-fund --loglevel=error; fi

test-sdk: release $(VENV)/.installed js-deps
	USER_SANDBOX_BIN=$(CURDIR)/target/release/user-sandbox $(VENV)/bin/pytest -q tests/sdk

# Rewrite openapi/*.json from the code.
openapi:
	UPDATE_OPENAPI=1 $(CARGO) test --test api openapi

# Every vendor under wrk against a trivial endpoint of the same server, same run, with the peers
# (mk/bench.mk; `make bench QUICK=1` is the short run).
bench:
	$(MAKE) $(if $(QUICK),bench-quick,bench-harness)

clean-sdk:
	rm -rf $(VENV) $(JS)/node_modules

# Contract fuzzing: openapi-spec-validator on the four committed documents, then schemathesis
# against each document served by the release binary (tests/fuzz/run.py). Bounded to a few
# minutes; FUZZ_MAX_EXAMPLES and FUZZ_SEED override the defaults.

FUZZ_VENV := .venv-fuzz

.PHONY: test-fuzz

$(FUZZ_VENV)/.installed: tests/fuzz/requirements.txt
	$(PYTHON) -m venv $(FUZZ_VENV)
	echo '*' > $(FUZZ_VENV)/.gitignore
	$(FUZZ_VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/fuzz/requirements.txt
	touch $@

test-fuzz: release $(FUZZ_VENV)/.installed
	$(FUZZ_VENV)/bin/python tests/fuzz/run.py --binary $(CURDIR)/target/release/user-sandbox

TEST_SUITES += test-fuzz

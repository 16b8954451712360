# The inspector page in headless Chromium, and the container files linted (no container engine
# here; hadolint is not in Debian, so BuildKit's parser from PyPI reads the Dockerfile).
# Chromium comes from Debian (no browser download), Playwright for Python from PyPI, pinned.

INSPECTOR_VENV := .venv-inspector

.PHONY: test-inspector inspector-deps

TEST_SUITES += test-inspector

$(INSPECTOR_VENV)/.installed: tests/inspector/requirements.txt
	$(PYTHON) -m venv $(INSPECTOR_VENV)
	@echo '*' > $(INSPECTOR_VENV)/.gitignore
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(INSPECTOR_VENV)/bin/pip install --quiet --disable-pip-version-check \
		-r tests/inspector/requirements.txt
	touch $@

# Chromium is Debian's, installed by the e2e fragment's $(E2E_CHROMIUM) target.
inspector-deps: $(E2E_CHROMIUM) $(INSPECTOR_VENV)/.installed

test-inspector: release inspector-deps
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 USER_SANDBOX_BIN=$(CURDIR)/target/release/user-sandbox \
		INSPECTOR_CHROMIUM=$(E2E_CHROMIUM) $(INSPECTOR_VENV)/bin/pytest -q -p no:cacheprovider tests/inspector

# Swagger UI, documented examples and CORS, proved in headless Chromium (Debian's `chromium`,
# driven by Playwright for Python from PyPI; no browser download) against the release binary.
#   make test-e2e

E2E_VENV := .venv-e2e
E2E_CHROMIUM := /usr/bin/chromium
# Debian's security updates replace chromium in the archive; when this pin is gone, the current
# build is installed instead (and said so).
E2E_CHROMIUM_VERSION := 156.0.8078.114-1~deb12u1

.PHONY: test-e2e e2e-deps

$(E2E_CHROMIUM):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium=$(E2E_CHROMIUM_VERSION) \
		|| { echo "chromium $(E2E_CHROMIUM_VERSION) is no longer in the archive; installing the current one"; \
		     DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }

$(E2E_VENV)/.installed: tests/e2e/requirements.txt
	$(PYTHON) -m venv $(E2E_VENV)
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(E2E_VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/e2e/requirements.txt
	touch $@

e2e-deps: $(E2E_CHROMIUM) $(E2E_VENV)/.installed

test-e2e: release e2e-deps
	mkdir -p target/e2e
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 CHROMIUM=$(E2E_CHROMIUM) USER_SANDBOX_BIN=$(CURDIR)/target/release/user-sandbox \
		$(E2E_VENV)/bin/pytest -q -p no:cacheprovider tests/e2e

TEST_SUITES += test-e2e

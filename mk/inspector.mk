# The inspector page in headless Chromium, and the container files linted (no container engine
# here; hadolint is not in Debian, so BuildKit's parser from PyPI reads the Dockerfile).
# Chromium comes from Debian (no browser download), Playwright for Python from PyPI, pinned.

INSPECTOR_VENV := .venv-inspector
INSPECTOR_CHROMIUM_VERSION := 156.0.8078.114-1~deb12u1
INSPECTOR_STAMP := target/.inspector-chromium-$(INSPECTOR_CHROMIUM_VERSION)

.PHONY: test-inspector inspector-deps

TEST_SUITES += test-inspector

# Debian's Chromium at the pinned version (apt-get only when it is not already there).
$(INSPECTOR_STAMP):
	@if [ "$$(dpkg-query -W -f='$${Version}' chromium 2>/dev/null)" != "$(INSPECTOR_CHROMIUM_VERSION)" ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			chromium=$(INSPECTOR_CHROMIUM_VERSION) chromium-common=$(INSPECTOR_CHROMIUM_VERSION); \
	fi
	@mkdir -p $(@D) && touch $@

$(INSPECTOR_VENV)/.installed: tests/inspector/requirements.txt
	$(PYTHON) -m venv $(INSPECTOR_VENV)
	@echo '*' > $(INSPECTOR_VENV)/.gitignore
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(INSPECTOR_VENV)/bin/pip install --quiet --disable-pip-version-check \
		-r tests/inspector/requirements.txt
	touch $@

inspector-deps: $(INSPECTOR_STAMP) $(INSPECTOR_VENV)/.installed

test-inspector: release inspector-deps
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 USER_SANDBOX_BIN=$(CURDIR)/target/release/user-sandbox \
		INSPECTOR_CHROMIUM=/usr/bin/chromium $(INSPECTOR_VENV)/bin/pytest -q -p no:cacheprovider tests/inspector

# `make soak`: 60 s at 1,000 keep-alive connections against the release binary on loopback,
# mixed reads and writes across all vendors and four sandboxes (stdlib Python, no installs).
# Stops by itself; fails on an unexpected status, an error line in the log, or leaked fds.
# Not part of `make test`.
SOAK_SECONDS ?= 60
SOAK_CONNECTIONS ?= 1000
# `SOAK_ARGS=--read-only` drops the creates, so RSS shows the server's own growth.
SOAK_ARGS ?=

.PHONY: soak
soak: release
	$(PYTHON) soak/soak.py --binary target/release/user-sandbox \
		--seconds $(SOAK_SECONDS) --connections $(SOAK_CONNECTIONS) --log target/soak.log $(SOAK_ARGS)

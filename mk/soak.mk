# `make soak`: 1,000 keep-alive connections against the release binary on loopback, mixed reads
# and writes across all vendors and four sandboxes (stdlib Python, no installs): a warm-up of at
# least SOAK_WARMUP s and 1,000 requests per connection, then SOAK_SECONDS s measured on the same
# connections. Stops by itself; fails on an unexpected status, an error line in the log, leaked
# fds, or RSS growing in the measured phase beyond 1 % plus 2,048 B per record created in it
# (see RELIABILITY.md "## Soak"). Not part of `make test`.
SOAK_WARMUP ?= 60
SOAK_SECONDS ?= 120
SOAK_CONNECTIONS ?= 1000
# `SOAK_ARGS=--read-only` drops the creates, so RSS shows the server's own growth (1 % allowed).
SOAK_ARGS ?=

.PHONY: soak
soak: release
	$(PYTHON) soak/soak.py --binary target/release/user-sandbox --warmup $(SOAK_WARMUP) \
		--seconds $(SOAK_SECONDS) --connections $(SOAK_CONNECTIONS) --log target/soak.log $(SOAK_ARGS)

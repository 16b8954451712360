# syntax=docker/dockerfile:1
# user-sandbox as a container image: a static musl build on a distroless base, run as non-root.
#   docker build -t user-sandbox .
#   docker run --rm -p 8080:8080 user-sandbox
# Inside the container the server binds 0.0.0.0 (the port is only reachable where you publish
# it); without USER_SANDBOX_ADMIN_TOKEN the banner warns that /__admin is open to anyone who
# can reach that port.

FROM rust:1.95-bookworm AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends musl-tools=1.2.3-1 \
    && rm -rf /var/lib/apt/lists/* \
    && rustup target add x86_64-unknown-linux-musl
WORKDIR /src
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl \
    && install -D -m 0755 target/x86_64-unknown-linux-musl/release/user-sandbox /out/user-sandbox \
    && install -d -o 65532 -g 65532 /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=builder /out/user-sandbox /usr/local/bin/user-sandbox
# A home for --state-file that the non-root user (65532 in distroless) may write; a named volume
# mounted here takes over this ownership.
COPY --from=builder --chown=65532:65532 /out/data /data
USER nonroot:nonroot
ENV USER_SANDBOX_HOST=0.0.0.0 \
    USER_SANDBOX_PORT=8080
EXPOSE 8080
# distroless has no shell and no curl: the binary probes itself (it sends
# USER_SANDBOX_ADMIN_TOKEN when the server has one).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/user-sandbox", "health", "--url", "http://127.0.0.1:8080"]
ENTRYPOINT ["/usr/local/bin/user-sandbox"]
CMD ["serve"]

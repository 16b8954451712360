#!/usr/bin/env python3
"""Soak: N keep-alive connections against a release binary on loopback, mixed reads and writes
across finAPI, OBP and Authress in several sandboxes. Stdlib only.

The load runs a warm-up phase (at least --warmup seconds and --warmup-requests per connection),
then the measured phase, on the same connections. Fails (exit 1)
on any unexpected status, any error line in the server log, file descriptors not back to their
baseline afterwards, or RSS growing during the measured phase beyond what is allowed: in
`--read-only` mode at most `--rss-tolerance` (1 %) from the start to the end of the measured
phase; with creates, at most that plus `--bytes-per-record` (2,048 B) per record created in the
measured phase. Prints RSS at the end of the warm-up and over the first and last minute of the
measured phase.
"""

import argparse
import asyncio
import json
import os
import random
import re
import resource
import subprocess
import sys
import time

SANDBOXES = ["", "/sandboxes/soak-a", "/sandboxes/soak-b", "/sandboxes/soak-c"]


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def request(reader, writer, method, path, headers=None, body=None):
    data = b"" if body is None else json.dumps(body).encode()
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body is not None or method in ("POST", "PUT", "PATCH"):
        lines.append("Content-Type: application/json")
    lines.append(f"Content-Length: {len(data)}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    text = head.decode("latin-1").lower()
    m = re.search(r"content-length:\s*(\d+)", text)
    if m:
        payload = await reader.readexactly(int(m.group(1)))
    elif "transfer-encoding: chunked" in text:
        payload = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            payload += chunk[:-2]
    else:
        payload = b""
    closed = "connection: close" in text
    return status, payload, closed


async def one_shot(port, method, path, headers=None, body=None):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        status, payload, _ = await request(reader, writer, method, path, headers, body)
        return status, json.loads(payload) if payload else None
    finally:
        writer.close()


async def credentials(port, prefix):
    _, client = await one_shot(
        port, "POST",
        f"{prefix}/oauth/token?grant_type=client_credentials&client_id=sandbox-client"
        "&client_secret=sandbox-client-secret")
    _, admin = await one_shot(
        port, "POST",
        f"{prefix}/oauth/token?grant_type=client_credentials&client_id=sandbox-admin"
        "&client_secret=sandbox-admin-secret")
    status, obp = await one_shot(
        port, "POST", f"{prefix}/my/logins/direct",
        {"DirectLogin": "username=sandbox.admin, password=Admin-Sandbox-2026!, "
                        "consumer_key=sandbox-consumer-key"}, {})
    assert status == 201, obp
    status, minted = await one_shot(
        port, "POST", f"{prefix}/__admin/authress/service-clients", None,
        {"name": "soak", "access": ["users:read", "tenants:read"]})
    assert status < 300, minted
    return {
        "finapi": client["access_token"],
        "admin": admin["access_token"],
        "obp": obp["token"],
        "authress": minted["accessToken"],
    }


READ_ONLY = False


def operations(prefix, creds, worker, counter):
    """The mix: (weight, method, path, headers, body, expected statuses)."""
    n = next(counter)
    uid = f"s{worker}x{n}"
    fin = {"Authorization": f"Bearer {creds['finapi']}"}
    ops = [
        (3, "GET", f"{prefix}/api/v1/mandatorAdmin/getUserList?perPage=20",
         {"Authorization": f"Bearer {creds['admin']}"}, None, {200}),
        (2, "POST", f"{prefix}/api/v1/users", fin, {"id": uid, "password": "soak-secret"}, {201}),
        (2, "GET", f"{prefix}/api/v1/users/verificationStatus?userId=felixsmith", fin, None, {200}),
        (3, "GET", f"{prefix}/obp/v4.0.0/users?limit=20",
         {"DirectLogin": f"token={creds['obp']}"}, None, {200}),
        (2, "POST", f"{prefix}/obp/v4.0.0/users", None,
         {"email": f"{uid}@example.com", "username": f"soak.{uid}",
          "password": "Soak-Sandbox-2026!", "first_name": "Soak", "last_name": "Test"}, {201}),
        (3, "GET", f"{prefix}/v1/users?limit=20",
         {"Authorization": f"Bearer {creds['authress']}"}, None, {200}),
        (1, "GET", f"{prefix}/v1/tenants",
         {"Authorization": f"Bearer {creds['authress']}"}, None, {200}),
    ]
    # `--read-only` drops the creates, so RSS shows the server's own growth, not the data's.
    return [o for o in ops if not (READ_ONLY and o[1] == "POST")]


async def worker(port, index, phase, creds, stats):
    rng = random.Random(index)
    counter = iter(range(10**9))
    reader = writer = None
    while time.monotonic() < phase["deadline"]:
        prefix = SANDBOXES[index % len(SANDBOXES)]
        ops = operations(prefix, creds[prefix], index, counter)
        weights = [o[0] for o in ops]
        _, method, path, headers, body, expected = rng.choices(ops, weights)[0]
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            status, _, closed = await request(reader, writer, method, path, headers, body)
        except (OSError, asyncio.IncompleteReadError) as e:
            stats["transport_errors"] += 1
            stats["examples"].append(f"{method} {path}: {e!r}")
            writer = None
            continue
        stats["requests"] += 1
        if method == "POST" and status in expected:
            stats["creates"] += 1
        if status not in expected:
            stats["unexpected"] += 1
            if len(stats["examples"]) < 20:
                stats["examples"].append(f"{method} {path}: {status}")
        if closed:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()
        await writer.wait_closed()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


async def sample(pid, phase, samples, every, stats):
    """(seconds since the load started, RSS KiB, requests so far, creates so far), taken while
    the connections are open (closing them frees their buffers, a few MB at 1,000)."""
    start = time.monotonic()
    while time.monotonic() < phase["deadline"]:
        samples.append((time.monotonic() - start, rss_kib(pid), stats["requests"],
                        stats["creates"]))
        await asyncio.sleep(every)


async def main(args):
    global READ_ONLY
    READ_ONLY = args.read_only
    raise_fd_limit()
    log = open(args.log, "w")
    server = subprocess.Popen(
        [args.binary, "--port", "0", "--users", str(args.users), "--max-sandboxes", "16"],
        stdout=subprocess.PIPE, stderr=log, text=True, preexec_fn=raise_fd_limit)
    port = None
    for line in server.stdout:
        log.write(line)
        m = re.search(r"listening on http://[^:]+:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    assert port, "no banner"

    async def drain():
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, server.stdout.readline)
            if not line:
                return
            log.write(line)

    drainer = asyncio.ensure_future(drain())
    try:
        creds = {p: await credentials(port, p) for p in SANDBOXES}
        await asyncio.sleep(1)
        baseline_fds = fds(server.pid)
        stats = {"requests": 0, "creates": 0, "unexpected": 0, "transport_errors": 0,
                 "examples": []}
        started = time.monotonic()
        # The warm-up lasts --warmup seconds and at least --warmup-requests per connection: the
        # connections' buffers plateau after a number of requests, not of seconds.
        phase = {"deadline": float("inf"), "measured_from": None}

        async def warm_up():
            while (time.monotonic() - started < args.warmup
                   or stats["requests"] < args.warmup_requests * args.connections):
                await asyncio.sleep(0.5)
            phase["measured_from"] = time.monotonic() - started
            phase["deadline"] = time.monotonic() + args.seconds

        samples = []
        await asyncio.gather(
            warm_up(), sample(server.pid, phase, samples, args.sample_every, stats),
            *(worker(port, i, phase, creds, stats) for i in range(args.connections)))
        elapsed = time.monotonic() - started
        await asyncio.sleep(3)
        after_fds = fds(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        drainer.cancel()
        log.close()
    with open(args.log) as f:
        error_lines = [l for l in f if re.search(r"\berror\b|panic", l, re.I)]
    # The measured phase starts after the warm-up, on the same connections. RSS of its first and
    # last minute (the whole phase if it is shorter than two minutes, so they may overlap).
    measured = [x for x in samples if x[0] >= phase["measured_from"]] or samples[-1:]
    t0, t1 = measured[0][0], measured[-1][0]
    first = [x[1] for x in measured if x[0] <= t0 + 60]
    last = [x[1] for x in measured if x[0] >= t1 - 60]
    growth = measured[-1][1] - measured[0][1]
    creates = measured[-1][3] - measured[0][3]
    allowed = measured[0][1] * args.rss_tolerance / 100 + creates * args.bytes_per_record / 1024
    rss_ok = growth <= allowed
    summary = {
        "connections": args.connections,
        "warmup_seconds": round(phase["measured_from"], 1),
        "seconds": round(elapsed, 1),
        "requests": stats["requests"],
        "requests_per_second": round(stats["requests"] / elapsed, 1),
        "measured_requests": measured[-1][2] - measured[0][2],
        "measured_creates": creates,
        "unexpected_statuses": stats["unexpected"],
        "transport_errors": stats["transport_errors"],
        "examples": stats["examples"][:20],
        "error_log_lines": len(error_lines),
        "rss_kib_before_load": samples[0][1],
        "rss_kib_end_of_warmup": measured[0][1],
        "rss_kib_first_minute": [min(first), max(first)],
        "rss_kib_last_minute": [min(last), max(last)],
        "rss_kib_end": measured[-1][1],
        "rss_kib_growth_measured": growth,
        "rss_kib_growth_allowed": round(allowed),
        "rss_bytes_per_measured_create": round(growth * 1024 / creates) if creates else None,
        "rss_ok": rss_ok,
        "fds_baseline": baseline_fds,
        "fds_after": after_fds,
    }
    if args.series:
        summary["rss_series"] = [[round(t), r, n, c] for t, r, n, c in samples]
    print(json.dumps(summary, indent=2))
    ok = (stats["unexpected"] == 0 and stats["transport_errors"] == 0 and not error_lines
          and after_fds <= baseline_fds and rss_ok)
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/user-sandbox")
    parser.add_argument("--warmup", type=float, default=60, help="seconds before measuring")
    parser.add_argument("--warmup-requests", type=int, default=1000,
                        help="requests per connection, at least, before measuring")
    parser.add_argument("--seconds", type=float, default=120, help="measured seconds")
    parser.add_argument("--rss-tolerance", type=float, default=1.0,
                        help="%% of RSS the measured phase may add beyond its creates")
    parser.add_argument("--bytes-per-record", type=float, default=2048,
                        help="RSS allowed per record created in the measured phase")
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--log", default="target/soak.log")
    parser.add_argument("--read-only", action="store_true")
    parser.add_argument("--sample-every", type=float, default=5)
    parser.add_argument("--series", action="store_true")
    sys.exit(asyncio.run(main(parser.parse_args())))

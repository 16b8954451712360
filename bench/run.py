#!/usr/bin/env python3
"""The benchmark harness behind `make bench-harness` (and `make bench-quick`, QUICK=1).

It starts the release binary as its own process on 127.0.0.1, pinned to one core, and drives it
with wrk pinned to the other core (keep-alive, fixed connections and duration). Every workload is
reported as requests/s, p50/p99/p99.9 latency, unexpected statuses (anything not 2xx/3xx, counted
in Lua), socket errors, the server's RSS, and the ratio to `GET /__admin/health` of the same server
in the same run. Then the scale figures (time to first 200 and RSS per `--users`, state import and
checkpoints at the largest size) and the peers (Prism, WireMock) on the same endpoint.

Output: a table appended to BENCHMARKS.md and target/bench/latest.json. Standard library only.

Environment: QUICK=1 (short run, <= 2 minutes), BENCH_USERS (fake people of the main server),
BENCH_DURATION (seconds per workload), BENCH_CONNECTIONS, BENCH_BIN, BENCH_NO_PEERS=1,
BENCH_NO_APPEND=1 (do not touch BENCHMARKS.md).
"""

import base64
import datetime
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LUA = os.path.join(ROOT, "bench", "lua")
PEERS = os.path.join(ROOT, "bench", "peers")
OUT = os.path.join(ROOT, "target", "bench")

QUICK = os.environ.get("QUICK") == "1"
USERS = int(os.environ.get("BENCH_USERS", "100000" if QUICK else "1000000"))
DURATION = int(os.environ.get("BENCH_DURATION", "2" if QUICK else "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
SCALE = [0, 100_000] if QUICK else [0, 100_000, 1_000_000]
BIN = os.environ.get("BENCH_BIN", os.path.join(ROOT, "target", "release", "user-sandbox"))
SERVER_CORE, LOAD_CORE = "0", "1"


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_bytes(pid):
    """Resident set size of a process and its children (Prism and WireMock may fork)."""
    total = 0
    for p in [pid] + children(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(k) for k in f.read().split()]
    except OSError:
        return []
    return kids + [g for k in kids for g in children(k)]


def http(method, url, body=None, headers=None, form=None, timeout=600):
    """One request; returns (status, body bytes). Never raises on an HTTP status."""
    data, headers = None, dict(headers or {})
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def http_json(method, url, **kw):
    status, body = http(method, url, **kw)
    if status >= 400:
        raise RuntimeError(f"{method} {url}: {status} {body[:300]!r}")
    return json.loads(body)


class Process:
    """A server under test: started pinned to the server core, stopped by its own pid."""

    def __init__(self, name, argv, port, ready_path="/", env=None, cwd=None):
        self.name, self.port = name, port
        self.base = f"http://127.0.0.1:{port}"
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log", delete=False)
        started = time.monotonic()
        self.proc = subprocess.Popen(
            ["taskset", "-c", SERVER_CORE] + argv, stdout=self.log, stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})}, cwd=cwd, start_new_session=True)
        self.first_200 = self.wait_ready(ready_path, started)

    def wait_ready(self, path, started, limit=300):
        while time.monotonic() - started < limit:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log.name}")
            try:
                status, _ = http("GET", self.base + path, timeout=2)
                if status < 500:
                    return time.monotonic() - started
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not answer within {limit}s; see {self.log.name}")

    def rss(self):
        return rss_bytes(self.proc.pid)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)  # its own session: the server and any child it forked
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        self.log.close()
        os.unlink(self.log.name)


def sandbox(users, journal=None):
    port = free_port()
    argv = [BIN, "--host", "127.0.0.1", "--port", str(port), "--users", str(users),
            "--seed", "42"]
    if journal is not None:
        argv += ["--journal-size", str(journal)]
    return Process(f"sandbox-{users}", argv, port, ready_path="/__admin/health")


TEMP_DIRS = []


def drain(base, limit=120):
    """Waits until the server answers the trivial endpoint promptly again: requests wrk left in
    flight (slow listings keep computing after wrk closes their connections) must not slow the
    next workload down."""
    started = time.monotonic()
    fast = 0
    while time.monotonic() - started < limit and fast < 3:
        t0 = time.monotonic()
        try:
            http("GET", base + "/__admin/health", timeout=limit)
        except OSError:
            pass
        fast = fast + 1 if time.monotonic() - t0 < 0.005 else 0
        time.sleep(0.05)


# A workload whose single request takes longer than this is run over one connection: 64 queued
# requests of seconds each would keep the one-core server busy long after wrk stops.
SLOW_S = 0.1


def probe(base, path, env):
    """How long one request of a workload takes, before wrk runs it."""
    headers = dict(h.split(": ", 1) for h in env.get("BENCH_HEADERS", "").split("\n") if h)
    body = env.get("BENCH_BODY")
    t0 = time.monotonic()
    http(env.get("BENCH_METHOD", "GET"), base + path, body=body.encode() if body else None,
         headers=headers, timeout=120)
    return time.monotonic() - t0


def wrk(base, name, script="get.lua", path="/", env=None, duration=None, settle=True,
        connections=None):
    """One wrk run pinned to the load core; returns the figures common.lua printed."""
    duration = duration or DURATION
    connections = connections or CONNECTIONS
    argv = ["taskset", "-c", LOAD_CORE, "wrk", "-t1", f"-c{connections}", f"-d{duration}s",
            "--timeout", "5s", "-s", script, base + path]
    out = subprocess.run(argv, cwd=LUA, env={**os.environ, **(env or {})},
                         capture_output=True, text=True, timeout=duration + 60)
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result for {name}: {out.stdout}\n{out.stderr}")
    r = json.loads(line[len("BENCH_RESULT "):])
    if settle:
        drain(base)
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["connections"] = connections
    if r["unexpected"] or r["socket_errors"] or r["timeouts"]:
        log(f"  ! {name}: {r['unexpected']} unexpected statuses, {r['socket_errors']} socket "
            f"errors, {r['timeouts']} timeouts; first: {r['first_unexpected']}")
    return r


def get_env(headers=None, method="GET", body=None):
    env = {"BENCH_METHOD": method, "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in (headers or {}).items())}
    if body is not None:
        env["BENCH_BODY"] = body
    return env


# ---- credentials and data the workloads need ----------------------------------------------------

def finapi_token(base, **form):
    return http_json("POST", base + "/oauth/token", form=form)["access_token"]


def credentials(base):
    c = {}
    client = {"client_id": "sandbox-client", "client_secret": "sandbox-client-secret"}
    c["finapi_client"] = finapi_token(base, grant_type="client_credentials", **client)
    c["finapi_admin"] = finapi_token(base, grant_type="client_credentials", client_id="sandbox-admin",
                                     client_secret="sandbox-admin-secret")
    c["finapi_user"] = finapi_token(base, grant_type="password", username="felixsmith",
                                    password="Felix-Sandbox-2026!", **client)
    login = ("username=sandbox.admin, password=Admin-Sandbox-2026!, "
             "consumer_key=sandbox-consumer-key")
    c["obp_login"] = login
    c["obp"] = http_json("POST", base + "/my/logins/direct", body={},
                         headers={"DirectLogin": login})["token"]
    c["authress"] = http_json("POST", base + "/__admin/authress/service-clients", body={})["accessToken"]
    return c


def victims(base, c, count):
    """Ids of existing fake users per vendor, for the deletes of the mixed workloads: each is
    deleted once. Taken from the far end of each listing so the read workloads' pages stay put."""
    v = {"finapi": [], "obp": [], "authress": []}
    admin = {"Authorization": "Bearer " + c["finapi_admin"]}
    page = 1
    while len(v["finapi"]) < count:
        r = http_json("GET", f"{base}/api/v1/mandatorAdmin/getUserList?perPage=500&page={page}"
                             "&order=userId,desc&isDeleted=false", headers=admin)
        ids = [u["userId"] for u in r["users"]]
        v["finapi"] += [i for i in ids if i not in FIXTURE_NAMES]
        if len(ids) < 500:
            break
        page += 1
    obp = {"DirectLogin": "token=" + c["obp"]}
    offset = 0
    while len(v["obp"]) < count:
        r = http_json("GET", f"{base}/obp/v4.0.0/users?limit=500&offset={offset}",
                      headers=obp)
        v["obp"] += [u["user_id"] for u in r["users"] if "." in u["username"] and u["username"] not in FIXTURE_NAMES]
        if len(r["users"]) < 500:
            break
        offset += 500
    auth = {"Authorization": "Bearer " + c["authress"]}
    cursor = cursor_of("samlp|")  # the far end: ids sort auth0 < google-oauth2 < samlp
    while len(v["authress"]) < count:
        r = http_json("GET", f"{base}/v1/users?limit=100&cursor={cursor}", headers=auth)
        v["authress"] += [urllib.parse.quote(u["userId"], safe="") for u in r["users"]]
        nxt = r.get("pagination", {}).get("next")
        if not nxt:
            break
        cursor = nxt["cursor"]
    return {k: ids[:count] for k, ids in v.items()}


FIXTURE_NAMES = {"felixsmith", "sandbox.admin", "ada.lovelace", "grace.hopper", "max.mustermann",
                 "erika.musterfrau", "jan.novak"}


def cursor_of(user_id):
    return base64.urlsafe_b64encode(user_id.encode()).decode().rstrip("=")


# ---- workloads ----------------------------------------------------------------------------------

def read_workloads(c, users, prefix=""):
    """(vendor, name, path, headers, method, body, kind) of every single-request workload."""
    fu = {"Authorization": "Bearer " + c["finapi_user"]}
    fa = {"Authorization": "Bearer " + c["finapi_admin"]}
    ob = {"DirectLogin": "token=" + c["obp"]}
    au = {"Authorization": "Bearer " + c["authress"]}
    total = users + 7  # fake people plus fixture people, roughly
    last_page = max(1, total // 20)
    deep_page = max(1, last_page // 2)
    deep_offset = max(0, (total // 2) // 50 * 50)
    token_form = "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-client-secret"
    deep_cursor = cursor_of("google-oauth2|15")  # the middle of the Google ids, deep in the list
    gl = "/api/v1/mandatorAdmin/getUserList"
    return [
        ("finapi", "GET /api/v1/users (user token)", "/api/v1/users", fu, "GET", None, "single"),
        ("finapi", "POST /oauth/token (client)", "/oauth/token", {"Content-Type": "application/x-www-form-urlencoded"}, "POST", token_form, "token"),
        ("finapi", "getUserList first page", gl, fa, "GET", None, "list"),
        ("finapi", f"getUserList deep page {deep_page}", f"{gl}?page={deep_page}", fa, "GET", None, "list"),
        ("finapi", f"getUserList last page {last_page}", f"{gl}?page={last_page}", fa, "GET", None, "list"),
        ("finapi", "getUserList minRegistrationDate", f"{gl}?minRegistrationDate=2026-06-01", fa, "GET", None, "list"),
        ("finapi", "getUserList isLocked=true", f"{gl}?isLocked=true", fa, "GET", None, "list"),
        ("finapi", "getUserList userId", f"{gl}?userId=felixsmith", fa, "GET", None, "list"),
        ("obp", "GET users/user_id/{id}", "/obp/v4.0.0/users/user_id/9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1", ob, "GET", None, "single"),
        ("obp", "GET users/username/{name}", "/obp/v4.0.0/users/username/felixsmith", ob, "GET", None, "single"),
        ("obp", "GET users?limit=50 first", "/obp/v4.0.0/users?limit=50&offset=0", ob, "GET", None, "list"),
        ("obp", f"GET users?limit=50&offset={deep_offset}", f"/obp/v4.0.0/users?limit=50&offset={deep_offset}", ob, "GET", None, "list"),
        ("obp", "GET users?locked_status=locked", "/obp/v4.0.0/users?limit=50&locked_status=locked", ob, "GET", None, "list"),
        ("obp", "POST /my/logins/direct", "/my/logins/direct", {"DirectLogin": c["obp_login"], "Content-Type": "application/json"}, "POST", "{}", "token"),
        ("authress", "GET /v1/users/{id}", "/v1/users/google-oauth2%7C108915727483261245613", au, "GET", None, "single"),
        ("authress", "GET /v1/users first page of 100", "/v1/users?limit=100", au, "GET", None, "list"),
        ("authress", "GET /v1/users cursor page of 100, deep", f"/v1/users?limit=100&cursor={deep_cursor}", au, "GET", None, "list"),
        ("authress", "GET /v1/users?filter=smith", "/v1/users?limit=100&filter=smith", au, "GET", None, "list"),
        ("authress", "GET /v1/users?filter=(no match)", "/v1/users?limit=100&filter=zzqqxx", au, "GET", None, "list"),
        ("authress", "GET /v1/users?tenantId=ten_acme", "/v1/users?limit=100&tenantId=ten_acme", au, "GET", None, "list"),
    ]


def deck_lines(vendor, c):
    """About 20 % writes next to reads: creates, edits, deletes, lock/unlock."""
    fu = f"Authorization: Bearer {c['finapi_user']}"
    fc = f"Authorization: Bearer {c['finapi_client']}|Content-Type: application/json"
    fa = f"Authorization: Bearer {c['finapi_admin']}"
    ob = f"DirectLogin: token={c['obp']}"
    obj = ob + "|Content-Type: application/json"
    au = f"Authorization: Bearer {c['authress']}"
    auj = au + "|Content-Type: application/json"
    reads = {
        "finapi": [("GET", "/api/v1/users", fu, ""),
                   ("GET", "/api/v1/mandatorAdmin/getUserList?perPage=20", fa, ""),
                   ("GET", "/api/v1/users/verificationStatus?userId=felixsmith", f"Authorization: Bearer {c['finapi_client']}", ""),
                   ("GET", "/api/v1/mandatorAdmin/getUserList?page=3&perPage=20", fa, "")],
        "obp": [("GET", "/obp/v4.0.0/users/username/felixsmith", ob, ""),
                ("GET", "/obp/v4.0.0/users/user_id/9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1", ob, ""),
                ("GET", "/obp/v4.0.0/users?limit=50&offset=100", ob, ""),
                ("GET", "/obp/v4.0.0/users/current", ob, "")],
        "authress": [("GET", "/v1/users/google-oauth2%7C108915727483261245613", au, ""),
                     ("GET", "/v1/users?limit=100", au, ""),
                     ("GET", "/v1/users?limit=20&tenantId=ten_acme", au, ""),
                     ("GET", "/v1/tenants/ten_acme", au, "")],
    }[vendor]
    writes = {
        # finAPI has no lock endpoint (users lock by failed logins): create, edit, delete.
        "finapi": [("POST", "/api/v1/users", fc, '{"id":"bench-{n}","password":"bench-pass-{n}"}'),
                   ("PATCH", "/api/v1/users", fu + "|Content-Type: application/json", '{"isAutoUpdateEnabled":true}'),
                   ("POST", "/api/v1/mandatorAdmin/deleteUsers", fa + "|Content-Type: application/json", '{"userIds":["{victim}"]}'),
                   ("POST", "/api/v1/users", fc, '{"id":"bench2-{n}","email":"{n}@example.com"}')],
        "obp": [("POST", "/obp/v4.0.0/users", obj, '{"email":"{n}@example.com","username":"bench.{n}","password":"Bench-Pass-123","first_name":"Bench","last_name":"User"}'),
                ("POST", "/obp/v4.0.0/users/ada.lovelace/locks", obj, ""),
                ("PUT", "/obp/v4.0.0/users/ada.lovelace/lock-status", obj, ""),
                ("DELETE", "/obp/v4.0.0/users/{victim}", ob, "")],
        # Authress's user API has no create: links (an edit), deletes.
        "authress": [("PATCH", "/v1/tenants/ten_acme/users", auj, '{"userId":"google-oauth2|108915727483261245613"}'),
                     ("PATCH", "/v1/tenants/ten_globex/users", auj, '{"userId":"google-oauth2|108915727483261245613"}'),
                     ("DELETE", "/v1/users/{victim}", au, ""),
                     ("PATCH", "/v1/tenants/ten_acme/users", auj, '{"userId":"google-oauth2|108915727483261245613"}')],
    }[vendor]
    # 20 operations: 4 writes, 16 reads.
    deck = []
    for i in range(4):
        deck.append(writes[i])
        deck += reads * 1
    return ["\t".join(op) for op in deck]


def mixed(base, name, vendors, c, victim_ids, tag):
    with tempfile.TemporaryDirectory() as tmp:
        lines = []
        for v in vendors:
            lines += deck_lines(v, c)
        deck = os.path.join(tmp, "deck.tsv")
        with open(deck, "w") as f:
            f.write("\n".join(lines) + "\n")
        # One victim list: each vendor's deletes take the ids meant for them (by pattern), so a
        # deck spanning vendors gets a file per vendor merged in deck order.
        env = {"BENCH_DECK": deck, "BENCH_TAG": tag}
        if len(vendors) == 1:
            vf = os.path.join(tmp, "victims.txt")
            with open(vf, "w") as f:
                f.write("\n".join(victim_ids[vendors[0]]) + "\n")
            env["BENCH_VICTIMS"] = vf
        else:
            # Across vendors the deck's delete lines would share one list: give them none, so the
            # cross-vendor mix creates, edits and locks but deletes nothing it cannot own.
            lines = [l for l in lines if "{victim}" not in l]
            with open(deck, "w") as f:
                f.write("\n".join(lines) + "\n")
        return wrk(base, name, script="mixed.lua", env=env)


# ---- peers --------------------------------------------------------------------------------------

def prism(dynamic):
    binary = os.path.join(PEERS, "node_modules", ".bin", "prism")
    if not os.path.exists(binary):
        return None, "Prism is not installed (bench/peers: npm ci failed or was skipped)"
    port = free_port()
    argv = [binary, "mock", "-h", "127.0.0.1", "-p", str(port), "--errors", "false",
            os.path.join(ROOT, "openapi", "finapi.json")] + (["--dynamic"] if dynamic else [])
    return Process("prism-dynamic" if dynamic else "prism-static", argv, port, ready_path="/api/v1/users"), None


def wiremock(journal, body):
    jar_dir = os.path.join(PEERS, "node_modules", "wiremock", "build")
    jars = [j for j in os.listdir(jar_dir) if j.endswith(".jar")] if os.path.isdir(jar_dir) else []
    if not jars:
        return None, "WireMock is not installed (bench/peers: npm ci failed or was skipped)"
    if not shutil.which("java"):
        return None, "WireMock needs java (Debian default-jre-headless), which is not installed"
    root = tempfile.mkdtemp(prefix="bench-wiremock-")
    TEMP_DIRS.append(root)
    os.makedirs(os.path.join(root, "mappings"))
    with open(os.path.join(root, "mappings", "users.json"), "w") as f:
        json.dump({"request": {"method": "GET", "url": "/api/v1/users"},
                   "response": {"status": 200, "jsonBody": body,
                                "headers": {"Content-Type": "application/json"}}}, f)
    port = free_port()
    argv = ["java", "-jar", os.path.join(jar_dir, jars[0]), "--port", str(port),
            "--bind-address", "127.0.0.1", "--root-dir", root, "--disable-banner"]
    if not journal:
        argv.append("--no-request-journal")
    return Process("wiremock-journal-" + ("on" if journal else "off"), argv, port,
                   ready_path="/__admin/health"), None


# ---- the run ------------------------------------------------------------------------------------

def ms(us):
    return us / 1000.0


def main():
    if not os.path.exists(BIN):
        sys.exit(f"no release binary at {BIN}: run `cargo build --release` first")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: `make bench-harness` installs it (apt-get install wrk)")
    started = time.monotonic()
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip(),
        "dirty": bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()),
        "machine": machine(),
        "load_average": round(os.getloadavg()[0], 2),
        "quick": QUICK, "users": USERS, "duration_s": DURATION, "connections": CONNECTIONS,
        "pinning": f"server on core {SERVER_CORE}, wrk (1 thread) on core {LOAD_CORE} (taskset)",
        "workloads": [], "scale": [], "state": {}, "peers": [], "skipped": [],
    }

    # Scale: time to first 200 and RSS per size; the largest size stays up for the workloads.
    server = None
    for n in sorted(set(SCALE + [USERS])):
        s = sandbox(n)
        time.sleep(0.3)
        row = {"users": n, "first_200_s": s.first_200, "rss_bytes": s.rss()}
        result["scale"].append(row)
        log(f"--users {n}: first 200 after {s.first_200:.2f} s, RSS {row['rss_bytes'] / 2**20:.0f} MiB")
        if n == USERS:
            server = s
        else:
            s.stop()
    empty = next(r["rss_bytes"] for r in result["scale"] if r["users"] == 0)
    for r in result["scale"]:
        r["bytes_per_user_above_empty"] = (r["rss_bytes"] - empty) / r["users"] if r["users"] else None

    try:
        base = server.base
        c = credentials(base)
        baseline = run_workload(result, server, "admin", "GET /__admin/health (baseline)", "/__admin/health", {}, "GET", None, "baseline")
        for v, name, path, headers, method, body, kind in read_workloads(c, USERS):
            run_workload(result, server, v, name, path, headers, method, body, kind)
        # The baseline again once the server has run a while: a first measurement taken while
        # the freshly seeded server still settles (page faults, allocator purges) reads low and
        # would inflate every ratio. Ratios are to the higher of the two.
        run_workload(result, server, "admin", "GET /__admin/health (baseline, again)", "/__admin/health", {}, "GET", None, "baseline")
        # The same single GET through an isolated sandbox (its own world, its own token).
        sb = server.base + "/sandboxes/bench"
        sbt = finapi_token(sb, grant_type="password", username="felixsmith", password="Felix-Sandbox-2026!",
                           client_id="sandbox-client", client_secret="sandbox-client-secret")
        run_workload(result, server, "finapi", "GET /sandboxes/bench/api/v1/users", "/sandboxes/bench/api/v1/users",
                     {"Authorization": "Bearer " + sbt}, "GET", None, "single")

        # Mixed read/write last: its deletes change the data.
        need = max(2000, int(DURATION * 40_000 / 20 * 1.5))
        v = victims(base, c, need)
        for i, vendor in enumerate(["finapi", "obp", "authress"]):
            r = mixed(base, f"mixed {vendor} (20 % writes)", [vendor], c, v, f"m{i}")
            record(result, server, vendor, f"mixed read/write {vendor} (20 % writes)", "mixed", r)
        r = mixed(base, "mixed all vendors", ["finapi", "obp", "authress"], c, v, "ma")
        record(result, server, "all", "mixed read/write, all vendors (creates, edits, locks)", "mixed", r)

        ours = next(w for w in result["workloads"] if w["name"] == "GET /api/v1/users (user token)")
        users_body = json.loads(http("GET", base + "/api/v1/users", headers={"Authorization": "Bearer " + c["finapi_user"]})[1])

        if not QUICK:
            state_figures(result, server)
    finally:
        server.stop()

    # Journal cost: the same operation on a server without a journal, same size class.
    journal_cost(result)

    if os.environ.get("BENCH_NO_PEERS") != "1":
        peers(result, ours, users_body, c)
    for d in TEMP_DIRS:
        shutil.rmtree(d, ignore_errors=True)

    base_rps = max(w["rps"] for w in result["workloads"] if w["kind"] == "baseline")
    for w in result["workloads"]:
        w["ratio"] = w["rps"] / base_rps
    result["baseline_rps"] = base_rps
    result["elapsed_s"] = time.monotonic() - started
    result["targets"] = targets(result)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "latest.json"), "w") as f:
        json.dump(result, f, indent=2)
    table = markdown(result)
    print(table)
    if os.environ.get("BENCH_NO_APPEND") != "1":
        with open(os.path.join(ROOT, "BENCHMARKS.md"), "a") as f:
            f.write("\n" + table)
    log(f"done in {result['elapsed_s']:.0f} s: target/bench/latest.json" +
        ("" if os.environ.get("BENCH_NO_APPEND") == "1" else ", BENCHMARKS.md"))


def run_workload(result, server, vendor, name, path, headers, method, body, kind):
    env = get_env(headers, method, body)
    one = probe(server.base, path, env) if method == "GET" else 0
    r = wrk(server.base, name, path=path, env=env, connections=1 if one > SLOW_S else None)
    r["probe_s"] = one
    return record(result, server, vendor, name, kind, r)


def record(result, server, vendor, name, kind, r):
    base = result["workloads"][0]["rps"] if result["workloads"] else r["rps"]
    row = {"vendor": vendor, "name": name, "kind": kind, "rps": r["rps"], "ratio": r["rps"] / base,
           "p50_ms": ms(r["p50_us"]), "p99_ms": ms(r["p99_us"]), "p999_ms": ms(r["p999_us"]),
           "unexpected": r["unexpected"], "socket_errors": r["socket_errors"] + r["timeouts"],
           "first_unexpected": r["first_unexpected"], "rss_bytes": server.rss(),
           "connections": r["connections"], "probe_s": r.get("probe_s")}
    result["workloads"].append(row)
    log(f"  {name}: {row['rps']:.0f} req/s ({row['ratio']:.2f}x), p50 {row['p50_ms']:.2f} ms, "
        f"p99 {row['p99_ms']:.2f} ms, unexpected {row['unexpected']}")
    return row


def state_figures(result, server):
    """Export, import and checkpoints at the main size, with RSS sampled while they run."""
    base = server.base
    peak = [server.rss()]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], server.rss())
            time.sleep(0.02)

    before = server.rss()
    t = threading.Thread(target=sample)
    t.start()
    t0 = time.monotonic()
    status, state = http("GET", base + "/__admin/state")
    export_s = time.monotonic() - t0
    stop.set()
    t.join()
    s = result["state"]
    s.update({"export_s": export_s, "export_bytes": len(state), "rss_before": before,
              "rss_peak_during_export": peak[0], "export_status": status})
    t0 = time.monotonic()
    status, _ = http("PUT", base + "/__admin/state", body=state)
    s.update({"put_state_s": time.monotonic() - t0, "put_status": status})
    del state
    t0 = time.monotonic()
    status, _ = http("POST", base + "/__admin/checkpoints", body={"name": "bench"})
    s.update({"checkpoint_save_s": time.monotonic() - t0, "save_status": status})
    t0 = time.monotonic()
    status, _ = http("POST", base + "/__admin/checkpoints/bench/restore", body={})
    s.update({"checkpoint_restore_s": time.monotonic() - t0, "restore_status": status,
              "rss_after": server.rss()})
    log(f"state at {USERS}: export {export_s:.2f} s ({len_mib(s['export_bytes'])}), PUT {s['put_state_s']:.2f} s, "
        f"checkpoint save {s['checkpoint_save_s'] * 1000:.0f} ms, restore {s['checkpoint_restore_s'] * 1000:.0f} ms")


def len_mib(n):
    return f"{n / 2**20:.0f} MiB"


def journal_cost(result):
    """finAPI GET /api/v1/users as a ratio to the baseline, journal on (default) and off."""
    rows = []
    for journal in (None, 0):
        s = sandbox(1000, journal)
        try:
            c = credentials(s.base)
            b = wrk(s.base, "baseline", path="/__admin/health")
            r = wrk(s.base, "finapi users", path="/api/v1/users",
                    env=get_env({"Authorization": "Bearer " + c["finapi_user"]}))
            rows.append({"journal": "default (1000)" if journal is None else "off (--journal-size 0)",
                         "rps": r["rps"], "ratio": r["rps"] / b["rps"], "p99_ms": ms(r["p99_us"])})
        finally:
            s.stop()
    result["journal"] = rows
    log(f"journal on/off: {rows[0]['ratio']:.2f}x vs {rows[1]['ratio']:.2f}x of the baseline")


def peers(result, ours, users_body, c):
    auth = {"Authorization": "Bearer " + c["finapi_user"]}
    for name, start in [("Prism static", lambda: prism(False)), ("Prism --dynamic", lambda: prism(True)),
                        ("WireMock, journal on", lambda: wiremock(True, users_body)),
                        ("WireMock, journal off", lambda: wiremock(False, users_body))]:
        try:
            p, why = start()
        except (RuntimeError, OSError) as e:
            p, why = None, f"did not start: {e}"
        if p is None:
            log(f"  skipped {name}: {why}")
            result["skipped"].append({"peer": name, "why": why})
            continue
        try:
            r = wrk(p.base, name, path="/api/v1/users", env=get_env(auth), settle=False)
            row = {"peer": name, "rps": r["rps"], "p50_ms": ms(r["p50_us"]), "p99_ms": ms(r["p99_us"]),
                   "unexpected": r["unexpected"], "socket_errors": r["socket_errors"] + r["timeouts"],
                   "rss_bytes": p.rss(), "first_200_s": p.first_200, "ours_over_peer": ours["rps"] / max(r["rps"], 1e-9)}
            result["peers"].append(row)
            log(f"  {name}: {row['rps']:.0f} req/s, ours/peer {row['ours_over_peer']:.1f}x")
        finally:
            p.stop()


def targets(result):
    """Where each of issue 11's targets stands in this run."""
    w = result["workloads"]
    t = []

    def add(what, ok, detail):
        t.append({"target": what, "met": bool(ok), "detail": detail})

    singles = [x for x in w if x["kind"] == "single"]
    add("single-record GETs >= 0.8x baseline", all(x["ratio"] >= 0.8 for x in singles),
        ", ".join(f"{x['name']} {x['ratio']:.2f}" for x in singles))
    tokens = [x for x in w if x["kind"] == "token"]
    add("token/login >= 0.5x", all(x["ratio"] >= 0.5 for x in tokens),
        ", ".join(f"{x['name']} {x['ratio']:.2f}" for x in tokens))
    lists = [x for x in w if x["kind"] == "list"]
    bad = [x for x in lists if not (x["p50_ms"] < 2 and x["p99_ms"] < 10 and x["ratio"] >= 0.3)]
    add(f"list pages p50 < 2 ms, p99 < 10 ms, >= 0.3x (at {result['users']} users)", not bad,
        "missed by: " + (", ".join(x["name"] for x in bad) or "none"))
    mixed_rows = [x for x in w if x["kind"] == "mixed"]
    bad = [x for x in mixed_rows if not (x["p99_ms"] < 5 and x["unexpected"] == 0 and x["ratio"] >= 0.5)]
    add(f"mixed at {result['connections']} connections: p99 < 5 ms, 0 unexpected, >= 0.5x", not bad,
        "missed by: " + (", ".join(x["name"] for x in bad) or "none"))
    for peer, factor in [("Prism static", 20), ("WireMock, journal off", 10)]:
        row = next((p for p in result["peers"] if p["peer"] == peer), None)
        if row:
            add(f">= {factor}x {peer}", row["ours_over_peer"] >= factor, f"{row['ours_over_peer']:.1f}x")
    big = max(result["scale"], key=lambda r: r["users"])
    add(f"startup < 2 s at {big['users']}", big["first_200_s"] < 2, f"{big['first_200_s']:.2f} s")
    if big["bytes_per_user_above_empty"]:
        add("RSS < 600 B per user above the empty server", big["bytes_per_user_above_empty"] < 600,
            f"{big['bytes_per_user_above_empty']:.0f} B")
    if result["state"]:
        add("checkpoint restore < 50 ms", result["state"]["checkpoint_restore_s"] < 0.05,
            f"{result['state']['checkpoint_restore_s'] * 1000:.0f} ms")
        grew = result["state"]["rss_peak_during_export"] / result["state"]["rss_before"]
        add("state export without doubling RSS", grew < 2, f"peak {grew:.2f}x the RSS before")
    if len(result.get("journal", [])) == 2:
        on, off = result["journal"]
        cost = 1 - on["ratio"] / off["ratio"]
        add("journal costs <= 10 % throughput", cost <= 0.10, f"{cost * 100:.0f} %")
    return t


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} vCPU {cpu}, {mem:.0f} GiB, Linux {platform.release()}"


def markdown(r):
    mib = lambda b: f"{b / 2**20:.0f} MiB"
    out = [f"## {r['date']} — {'QUICK ' if r['quick'] else ''}run at {r['users']:,} fake people (`bench/run.py`)", "",
           f"Machine: {r['machine']}. Commit `{r['commit']}`{' (with uncommitted changes)' if r['dirty'] else ''}. "
           f"{r['pinning']}; {r['connections']} keep-alive connections, {r['duration_s']} s per workload. "
           f"Load average (1 min) when the run started: {r.get('load_average', 'not recorded')}; on a "
           "shared 2-core machine absolute figures are noise, the ratios to the baseline of the same "
           "run are what to compare (each ratio is to the higher of the run's two baseline measurements).", "",
           "| vendor | workload | req/s | ratio | p50 | p99 | p99.9 | unexpected | server RSS |",
           "|---|---|---|---|---|---|---|---|---|"]
    for w in r["workloads"]:
        bad = w["unexpected"] + w["socket_errors"]
        slow = f" (1 connection: one request took {w['probe_s']:.2f} s)" if w["connections"] == 1 else ""
        out.append(f"| {w['vendor']} | {w['name']}{slow} | {w['rps']:.0f} | {w['ratio']:.2f} | {w['p50_ms']:.2f} ms | "
                   f"{w['p99_ms']:.2f} ms | {w['p999_ms']:.2f} ms | {bad} | {mib(w['rss_bytes'])} |")
    out += ["", "| `--users` | time to first 200 | RSS | per user above empty |", "|---|---|---|---|"]
    for s in r["scale"]:
        per = f"{s['bytes_per_user_above_empty']:.0f} B" if s["bytes_per_user_above_empty"] else "—"
        out.append(f"| {s['users']:,} | {s['first_200_s']:.2f} s | {mib(s['rss_bytes'])} | {per} |")
    if r["state"]:
        s = r["state"]
        out += ["", f"State at {r['users']:,}: `GET /__admin/state` {s['export_s']:.2f} s ({mib(s['export_bytes'])} of JSON, "
                f"RSS {mib(s['rss_before'])} → peak {mib(s['rss_peak_during_export'])}), `PUT /__admin/state` "
                f"{s['put_state_s']:.2f} s (status {s['put_status']}), checkpoint save {s['checkpoint_save_s'] * 1000:.0f} ms, restore "
                f"{s['checkpoint_restore_s'] * 1000:.0f} ms."]
    if r.get("journal"):
        out += ["", "Journal (1,000 fake people, finAPI `GET /api/v1/users` / baseline): " +
                "; ".join(f"{j['journal']} {j['ratio']:.2f}x (p99 {j['p99_ms']:.2f} ms)" for j in r["journal"]) + "."]
    if r["peers"] or r["skipped"]:
        out += ["", "Peers on `GET /api/v1/users` (same machine, same pinning, same wrk settings):", "",
                "| peer | req/s | ours / peer | p50 | p99 | unexpected | RSS |", "|---|---|---|---|---|---|---|"]
        for p in r["peers"]:
            out.append(f"| {p['peer']} | {p['rps']:.0f} | {p['ours_over_peer']:.1f}x | {p['p50_ms']:.2f} ms | "
                       f"{p['p99_ms']:.2f} ms | {p['unexpected'] + p['socket_errors']} | {mib(p['rss_bytes'])} |")
        for s in r["skipped"]:
            out.append(f"| {s['peer']} | skipped: {s['why']} | | | | | |")
    out += ["", "Targets (issue 11):", ""]
    for t in r["targets"]:
        out.append(f"- {'met' if t['met'] else '**missed**'}: {t['target']} — {t['detail']}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()

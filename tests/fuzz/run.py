"""Contract fuzzing of the four served OpenAPI documents.

1. Validates `openapi/{finapi,obp,authress,admin}.json` with openapi-spec-validator.
2. Starts the release binary on 127.0.0.1 (a free port, `--users 50`, `--seed 42`, the sandbox
   clock fixed at CLOCK, an admin token generated now) and runs schemathesis against each served
   document, one phase per run with the sandbox reset before each: examples, coverage, fuzzing
   and stateful in positive mode, then coverage and fuzzing in negative mode. All checks are on.
   Every run is reproducible: the seed and examples per operation are fixed, generation is
   derandomised with no example database, the sandbox is reseeded and its clock fixed, so the
   same binary gives the same requests, answers and findings run after run.
   Failures recorded in tests/fuzz/baseline/<doc>.json (open findings, each listed in
   RELIABILITY.md) are reported but do not fail the run; any other failure does.

Exits non-zero on any failure and prints one line per run and a closing `N passed, N failed`.
Usage: run.py [--binary PATH] [--doc NAME ...] [--phase NAME ...] [--max-examples N] [--seed N]
              [--update-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DOCS = ["finapi", "obp", "authress", "admin"]
# The sandbox clock of every run: token expiry, lock timeouts and dates never depend on when the
# fuzzer runs. A reset puts it back (it is the server's clock).
CLOCK = "2026-01-15T10:00:00Z"
# (phase, mode): positive phases first, then negative data, which must get the vendor's 4xx.
RUNS = [
    ("examples", "positive"),
    ("coverage", "positive"),
    ("fuzzing", "positive"),
    ("stateful", "positive"),
    ("coverage", "negative"),
    ("fuzzing", "negative"),
]


def validate_documents() -> list[str]:
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    failures = []
    for name in DOCS:
        path = os.path.join(ROOT, "openapi", f"{name}.json")
        spec, _ = read_from_filename(path)
        try:
            validate(spec)
            print(f"valid    openapi/{name}.json ({count_operations(spec)} operations)")
        except Exception as exc:  # the validator's error names the offending node
            print(f"INVALID  openapi/{name}.json: {str(exc).splitlines()[0]} at {getattr(exc, 'json_path', '?')}")
            failures.append(name)
    return failures


def count_operations(spec: dict) -> int:
    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    return sum(1 for item in spec["paths"].values() for m in item if m in methods)


class Server:
    def __init__(self, binary: str, admin_token: str):
        self.log = tempfile.NamedTemporaryFile(prefix="fuzz-server-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [binary, "--host", "127.0.0.1", "--port", "0", "--users", "50", "--seed", "42",
             "--clock", f"fixed:{CLOCK}", "--admin-token", admin_token],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.admin_token = admin_token
        self.url = None
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line and self.proc.poll() is not None:
                break
            self.log.write(line.encode())
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                self.url = match.group(1)
                break
        if self.url is None:
            self.stop()
            raise RuntimeError(f"the sandbox did not start (log: {self.log.name})")
        # Keep draining the server's output into the log so it never blocks on a full pipe.
        import threading

        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stdout:
            self.log.write(line.encode())
            self.log.flush()

    def admin(self, method: str, path: str) -> dict:
        request = urllib.request.Request(
            self.url + path, method=method,
            headers={"Authorization": f"Bearer {self.admin_token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def reset(self):
        # Every named sandbox (the isolated one included) goes, and the default one is reseeded.
        for sandbox in self.admin("GET", "/__admin/sandboxes"):
            if sandbox.get("name") not in (None, "default"):
                self.admin("DELETE", f"/__admin/sandboxes/{sandbox['name']}")
        self.admin("DELETE", "/__admin/faults")
        self.admin("POST", "/__admin/reset")

    def alive(self) -> bool:
        try:
            self.admin("GET", "/__admin/health")
            return True
        except Exception:
            return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def run_schemathesis(args, server: Server, doc: str, phase: str, mode: str, report: str) -> tuple[int, dict]:
    schemathesis = os.path.join(os.path.dirname(sys.executable), "schemathesis")
    command = [
        schemathesis, "--config-file", os.path.join(HERE, "schemathesis.toml"),
        "run", f"{server.url}/openapi/{doc}.json",
        "--url", server.url,
        "--phases", phase,
        "--mode", mode,
        "--checks", "all",
        "--max-examples", str(args.max_examples),
        "--seed", str(args.seed),
        # Deterministic mode also means no example database.
        "--generation-deterministic",
        "--workers", "1",
        "--request-timeout", "10",
        "--no-color",
        "--report", "junit",
        "--report-junit-path", report,
        "--continue-on-failure",
        # Hypothesis's own generator health checks, not API checks: `too_slow` depends on the
        # machine's load, `filter_too_much` trips on finAPI's many-optional-fields token request.
        "--suppress-health-check", "filter_too_much,too_slow",
    ]
    baseline = os.path.join(HERE, "baseline", f"{doc}.json")
    command += ["--baseline", baseline]
    if args.update_baseline:
        command += ["--baseline-update"]
    env = dict(os.environ)
    env.update(
        SCHEMATHESIS_HOOKS="hooks",
        PYTHONPATH=HERE + os.pathsep + env.get("PYTHONPATH", ""),
        FUZZ_BASE=server.url,
        FUZZ_ADMIN_TOKEN=server.admin_token,
        FUZZ_DOC=doc,
    )
    started = time.time()
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=HERE)
    output = result.stdout + result.stderr
    log_path = report.replace(".xml", ".log")
    with open(log_path, "w") as log:
        log.write(output)
    stats = {"seconds": round(time.time() - started, 1), "log": log_path}
    match = re.search(r"Tested: (\d+)", output)
    if match:
        stats["operations"] = int(match.group(1))
    match = re.search(r"Test cases:\s+(\d+) generated, (\d+) found (\d+) unique failures?", output)
    if match:
        stats["cases"], stats["failures"] = int(match.group(1)), int(match.group(3))
    else:
        match = re.search(r"Test cases:\s+(\d+) generated", output)
        if match:
            stats["cases"] = int(match.group(1))
    match = re.search(r"Known failures: (\d+)", output)
    stats["known"] = int(match.group(1)) if match else 0
    return result.returncode, stats


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.environ.get("USER_SANDBOX_BIN")
                        or os.path.join(ROOT, "target", "release", "user-sandbox"))
    parser.add_argument("--doc", action="append", choices=DOCS)
    parser.add_argument("--phase", action="append")
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", 10)))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", 20261203)))
    parser.add_argument("--update-baseline", action="store_true",
                        help="record this run's failures in tests/fuzz/baseline/<doc>.json")
    parser.add_argument("--reports", default=os.path.join(ROOT, "target", "fuzz"))
    args = parser.parse_args()
    os.makedirs(args.reports, exist_ok=True)

    passed, failed = 0, 0
    invalid = validate_documents()
    passed += len(DOCS) - len(invalid)
    failed += len(invalid)

    server = Server(args.binary, secrets.token_urlsafe(24))
    summary = []
    try:
        for doc in args.doc or DOCS:
            for phase, mode in RUNS:
                if args.phase and phase not in args.phase:
                    continue
                server.reset()
                report = os.path.join(args.reports, f"{doc}-{phase}-{mode}.xml")
                code, stats = run_schemathesis(args, server, doc, phase, mode, report)
                # A document without examples has nothing for the examples phase to run.
                skipped = "Every selected operation was skipped" in open(stats["log"]).read()
                ok = (code == 0 or skipped) and server.alive()
                passed, failed = passed + ok, failed + (not ok)
                summary.append({"doc": doc, "phase": phase, "mode": mode, "ok": ok, **stats})
                print(
                    f"{'ok  ' if ok else 'FAIL'} {doc:8} {phase:8} {mode:8} "
                    f"ops={stats.get('operations', '?')} cases={stats.get('cases', '?')} "
                    f"failures={stats.get('failures', 0)} baselined={stats['known']} {stats['seconds']}s"
                    + ("" if ok else f"  (see {stats['log']})"),
                    flush=True,
                )
    finally:
        server.stop()
    with open(os.path.join(args.reports, "summary.json"), "w") as out:
        json.dump(summary, out, indent=2)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

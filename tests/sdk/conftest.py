"""Starts the release binary once for the whole SDK suite and hands its base URL to the tests."""

import os
import re
import subprocess
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("USER_SANDBOX_BIN") or os.path.join(ROOT, "target", "release", "user-sandbox")


@pytest.fixture(scope="session")
def sandbox_url():
    # The system clock: SDKs that sign JWTs stamp them with the real time.
    proc = subprocess.Popen(
        [BINARY, "--port", "0", "--users", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = None
    deadline = time.time() + 30
    while time.time() < deadline:
        line = proc.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line or "")
        if match:
            url = match.group(1)
            break
    if url is None:
        proc.kill()
        raise RuntimeError("the sandbox did not start")
    urllib.request.urlopen(url + "/__admin/health", timeout=5).read()
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture()
def fresh_sandbox(sandbox_url):
    """The base URL of a freshly reset default sandbox."""
    request = urllib.request.Request(sandbox_url + "/__admin/reset", method="POST")
    urllib.request.urlopen(request, timeout=5).read()
    return sandbox_url

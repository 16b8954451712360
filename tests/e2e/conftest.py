"""Starts the release binary for the e2e suite: the default seed and fixtures, a free port."""

import json
import os
import re
import secrets
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("USER_SANDBOX_BIN") or os.path.join(ROOT, "target", "release", "user-sandbox")
ARTIFACTS = os.path.join(ROOT, "target", "e2e")


class Sandbox:
    """A running sandbox: its base URL and, when it has one, the admin token."""

    def __init__(self, url, admin_token=None):
        self.url = url
        self.admin_token = admin_token

    def admin_headers(self):
        return {"Authorization": f"Bearer {self.admin_token}"} if self.admin_token else {}

    def call(self, method, path, body=None, headers=None, form=None):
        """(status, parsed JSON or text) of one request; never raises on an HTTP error."""
        headers = dict(headers or {})
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif body is not None:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text

    def reset(self):
        """Back to a fresh server: the default sandbox reset, named sandboxes and checkpoints gone."""
        admin = self.admin_headers()
        status, body = self.call("GET", "/__admin/sandboxes", headers=admin)
        assert status == 200, body
        for entry in body.get("sandboxes", []) if isinstance(body, dict) else body:
            name = entry["name"] if isinstance(entry, dict) else entry
            if name != "default":
                self.call("DELETE", f"/__admin/sandboxes/{urllib.parse.quote(name)}", headers=admin)
        status, body = self.call("GET", "/__admin/checkpoints", headers=admin)
        assert status == 200, body
        for entry in body.get("checkpoints", []) if isinstance(body, dict) else body:
            name = entry["name"] if isinstance(entry, dict) else entry
            self.call("DELETE", f"/__admin/checkpoints/{urllib.parse.quote(name)}", headers=admin)
        status, body = self.call("POST", "/__admin/reset", headers=admin)
        assert status == 200, body


def start(*args):
    proc = subprocess.Popen(
        [BINARY, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        match = re.search(r"listening on (http://\S+)", proc.stdout.readline() or "")
        if match:
            return proc, match.group(1)
    proc.kill()
    raise RuntimeError("the sandbox did not start")


def stop(proc):
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def sandbox():
    """The sandbox as `cargo run --release` starts it (no admin token)."""
    proc, url = start()
    urllib.request.urlopen(url + "/__admin/health", timeout=5).read()
    yield Sandbox(url)
    stop(proc)


@pytest.fixture(scope="session")
def guarded_sandbox():
    """A sandbox started with `--admin-token` (a token made up for this run)."""
    token = secrets.token_urlsafe(24)
    proc, url = start("--admin-token", token)
    yield Sandbox(url, token)
    stop(proc)


# --- the browser ---------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory):
    """Debian's Chromium, headless, with a fresh profile (`--user-data-dir`), driven by
    Playwright; no browser is downloaded."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        yield context
        context.close()


@pytest.fixture()
def page(browser_context, request):
    """A fresh tab; on failure its screenshot goes to target/e2e/<test>.png."""
    page = browser_context.new_page()
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        os.makedirs(ARTIFACTS, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)
    page.close()

"""Headless-browser tests of the inspector page at `/`.

The sandbox binary runs on a free loopback port with a fixed clock; Playwright for Python drives
Debian's Chromium (/usr/bin/chromium, no browser download) with a fresh profile per test.
Screenshots go to target/e2e/: one per test on failure, and inspector-*.png for review.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("USER_SANDBOX_BIN", str(ROOT / "target" / "release" / "user-sandbox"))
CHROMIUM = os.environ.get("INSPECTOR_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "target" / "e2e"
NOW = "2026-01-15T10:00:00+00:00"
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sandbox:
    """A running user-sandbox and a tiny JSON client for arranging state over HTTP."""

    def __init__(self, *extra, users=40):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_token = None
        if "--admin-token" in extra:
            self.admin_token = extra[list(extra).index("--admin-token") + 1]
        self.process = subprocess.Popen(
            [BINARY, "--port", str(self.port), "--users", str(users), "--clock", f"fixed:{NOW}", *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={k: v for k, v in os.environ.items() if not k.startswith("USER_SANDBOX_")},
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.call("GET", "/__admin/health")
                break
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the sandbox did not start: " + self.process.stderr.read().decode())
                time.sleep(0.1)

    def call(self, method, path, body=None, headers=None, form=None):
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = "&".join(f"{k}={v}" for k, v in form.items()).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if path.startswith("/__admin") and self.admin_token:
            headers.setdefault("Authorization", f"Bearer {self.admin_token}")
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            return error.code, (json.loads(text) if text else None)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def sandbox():
    server = Sandbox()
    yield server
    server.stop()


@pytest.fixture
def guarded_sandbox():
    server = Sandbox("--admin-token", "inspector-e2e-token")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_instance():
    with sync_playwright() as p:
        yield p


@pytest.fixture
def page(playwright_instance, request):
    profile = tempfile.mkdtemp(prefix="inspector-chromium-")
    context = playwright_instance.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1400, "height": 900},
    )
    page = context.pages[0] if context.pages else context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"inspector-failed-{request.node.name}.png"), full_page=True)
    context.close()
    shutil.rmtree(profile, ignore_errors=True)
    assert not errors, f"script errors on the page: {errors}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


def screenshot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"inspector-{name}.png"), full_page=True)

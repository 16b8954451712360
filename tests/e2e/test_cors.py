"""CORS from the browser itself: a page served from another port on 127.0.0.1 calls each vendor
with `fetch`, and a call succeeds exactly when the real vendor's would."""

import functools
import http.server
import threading

import pytest

from conftest import start, stop

PAGE = b"<!doctype html><html><head><title>frontend</title></head><body>a frontend</body></html>"


class Frontend:
    """A page on its own port (its own origin), standing in for a dev server on :3000."""

    def __init__(self):
        handler = functools.partial(_Page)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def frontend():
    page = Frontend()
    yield page
    page.close()


# Runs in the page: one fetch, reported as {ok, status, body, headers} or {error} when the
# browser blocks it (CORS failures surface as a TypeError, with no status to read).
FETCH = """async ([url, init, read]) => {
  try {
    const response = await fetch(url, init);
    const text = await response.text();
    const headers = {};
    for (const name of read || []) headers[name] = response.headers.get(name);
    return {ok: response.ok, status: response.status, body: text, headers};
  } catch (e) {
    return {error: String(e)};
  }
}"""


def call(page, url, method="GET", headers=None, body=None, read=None, credentials=None):
    init = {"method": method, "headers": headers or {}}
    if body is not None:
        init["body"] = body
    if credentials:
        init["credentials"] = credentials
    return page.evaluate(FETCH, [url, init, read or []])


@pytest.fixture()
def frontend_page(page, frontend):
    page.goto(frontend.origin + "/")
    return page


def test_finapi_from_a_frontend_token_read_and_preflighted_patch(frontend_page, sandbox):
    sandbox.reset()
    page, base = frontend_page, sandbox.url
    form = "grant_type=password&client_id=sandbox-client&client_secret=sandbox-client-secret&username=felixsmith&password=Felix-Sandbox-2026!"
    token = call(page, f"{base}/oauth/token", "POST", {"Content-Type": "application/x-www-form-urlencoded"}, form)
    assert token.get("status") == 200, token
    bearer = {"Authorization": "Bearer " + __import__("json").loads(token["body"])["access_token"]}
    read = call(page, f"{base}/api/v1/users", headers=bearer, read=["x-request-id"])
    assert read.get("status") == 200, read
    assert read["headers"]["x-request-id"], "finAPI's X-Request-Id is exposed to the page"
    patch = call(
        page, f"{base}/api/v1/users", "PATCH",
        {**bearer, "Content-Type": "application/json", "X-Request-Id": "frontend-1"},
        '{"phone": "+49 30 1234567"}',
    )
    assert patch.get("status") == 200, patch
    # No cookies: a credentialed call is refused, as the page's origin is not allowed credentials.
    credentialed = call(page, f"{base}/api/v1/users", headers=bearer, credentials="include")
    assert "error" in credentialed, credentialed


def test_obp_from_a_frontend_direct_login_works_and_credentialed_calls_do_not(frontend_page, sandbox):
    sandbox.reset()
    page, base = frontend_page, sandbox.url
    login = call(
        page, f"{base}/my/logins/direct", "POST",
        {
            "Content-Type": "application/json",
            "DirectLogin": "username=sandbox.admin, password=Admin-Sandbox-2026!, consumer_key=sandbox-consumer-key",
        },
        "{}",
        read=["correlation-id"],
    )
    assert login.get("status") == 201, login
    assert login["headers"]["correlation-id"] is None, "OBP exposes no headers"
    token = __import__("json").loads(login["body"])["token"]
    felix = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1"
    delete = call(page, f"{base}/obp/v4.0.0/users/{felix}/auth-context", "DELETE", {"DirectLogin": f"token={token}"})
    assert delete.get("status") == 200, delete
    # OBP's `Access-Control-Allow-Origin: *` rules out cookies: a credentialed call is blocked.
    blocked = call(
        page, f"{base}/obp/v4.0.0/users/{felix}/auth-context", "DELETE",
        {"DirectLogin": f"token={token}"}, credentials="include",
    )
    assert "error" in blocked, blocked


def test_authress_from_a_frontend_preflighted_patch_and_delete(frontend_page, sandbox):
    sandbox.reset()
    page, base = frontend_page, sandbox.url
    minted = call(page, f"{base}/__admin/authress/service-clients", "POST", {"Content-Type": "application/json"}, "{}")
    assert minted.get("status") in (200, 201), minted
    bearer = {"Authorization": "Bearer " + __import__("json").loads(minted["body"])["accessToken"]}
    link = call(
        page, f"{base}/v1/tenants/ten_globex/users", "PATCH",
        {**bearer, "Content-Type": "application/json"},
        '{"userId": "google-oauth2|108915727483261245613"}',
    )
    assert link.get("status") == 204, link
    delete = call(page, f"{base}/v1/users/google-oauth2%7C108915727483261245613", "DELETE", bearer)
    assert delete.get("status") == 202, delete
    gone = call(page, f"{base}/v1/users/google-oauth2%7C108915727483261245613", headers=bearer)
    assert gone.get("status") == 404, gone


def test_cors_origins_lets_only_the_listed_origin_call(page, frontend):
    other = Frontend()
    proc, base = start("--cors-origins", frontend.origin)
    try:
        for origin, allowed in [(frontend.origin, True), (other.origin, False)]:
            page.goto(origin + "/")
            minted = call(page, f"{base}/__admin/authress/service-clients", "POST", {"Content-Type": "application/json"}, "{}")
            assert ("error" not in minted) == allowed, (origin, minted)
            users = call(page, f"{base}/obp/v4.0.0/users/current", headers={"DirectLogin": "token=x"})
            assert ("error" not in users) == allowed, (origin, users)
    finally:
        stop(proc)
        other.close()

"""The inspector in a real browser: it renders, shows writes made through the vendor APIs after a
reload, and its clock buttons move the sandbox clock."""

import re

from playwright.sync_api import expect

from conftest import NOW, Sandbox, screenshot


def open_inspector(page, sandbox, path="/"):
    page.goto(sandbox.url + path)
    # Loaded: the people table and the clock come from /__admin.
    expect(page.locator("#people-table tbody tr").first).to_be_visible()
    expect(page.locator("#clock-now")).not_to_have_text("…")


def finapi_client_token(sandbox):
    status, token = sandbox.call(
        "POST",
        "/oauth/token",
        form={
            "grant_type": "client_credentials",
            "client_id": "sandbox-client",
            "client_secret": "sandbox-client-secret",
        },
    )
    assert status == 200, token
    return token["access_token"]


def test_the_page_renders_every_section_with_credentials_people_and_paging(page, sandbox):
    open_inspector(page, sandbox)
    credentials = page.locator("#credentials")
    for text in ["finAPI", "Open Bank Project", "Authress", "sandbox-client-secret", "felixsmith", "Felix-Sandbox-2026!"]:
        expect(credentials).to_contain_text(text)
    expect(page.locator("#clock-now")).to_have_text(NOW)
    expect(page.locator("#clock-mode")).to_have_text("fixed")
    expect(page.locator("#sandbox-select")).to_have_value("default")
    expect(page.locator("#faults")).to_contain_text("No fault rules")
    expect(page.locator("#outbox")).to_contain_text("Nothing sent yet")

    # 40 generated people plus the fixture people: more than one page of 25.
    expect(page.locator("#people-table tbody tr")).to_have_count(25)
    expect(page.locator("#people-range")).to_have_text(re.compile(r"^1–25 of (\d+)$"))
    page.click("#people-next")
    expect(page.locator("#people-range")).to_have_text(re.compile(r"^26–\d+ of \d+$"))
    expect(page.locator("#people-prev")).to_be_enabled()

    # Search narrows to one person, with their state in every vendor.
    page.fill("#people-search", "felixsmith@")
    rows = page.locator("#people-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Felix Smith")
    expect(rows.first).to_contain_text("verified")
    page.fill("#people-search", "CanGetAnyUser")
    expect(page.locator("#people-table tbody tr").first).to_contain_text("ada")
    page.fill("#people-search", "Acme Corporation")
    expect(page.locator("#people-table tbody tr").first).to_contain_text("Acme Corporation")
    page.fill("#people-search", "")

    # Copy buttons put the value on the clipboard.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=sandbox.url)
    button = page.locator('#credentials button.copy[data-copy="sandbox-client-secret"]')
    button.click()
    expect(button).to_have_text("copied")
    assert page.evaluate("navigator.clipboard.readText()") == "sandbox-client-secret"
    screenshot(page, "default")


def test_writes_through_the_vendor_apis_show_up_after_a_reload(page, sandbox):
    open_inspector(page, sandbox)
    page.fill("#people-search", "inspector.probe")
    expect(page.locator("#people")).to_contain_text("Nobody matches")
    expect(page.locator("#journal")).to_contain_text("No vendor requests yet")

    token = finapi_client_token(sandbox)
    status, _ = sandbox.call(
        "POST",
        "/api/v1/users",
        body={"id": "inspector.probe", "password": "Probe-Secret-2026", "email": "inspector.probe@example.com"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert status == 201
    # An OBP admin "emails" a password-reset link: it lands in the outbox.
    status, login = sandbox.call(
        "POST",
        "/my/logins/direct",
        headers={
            "Content-Type": "application/json",
            "DirectLogin": 'username="sandbox.admin", password="Admin-Sandbox-2026!", consumer_key="sandbox-consumer-key"',
        },
    )
    assert status == 201, login
    status, reset = sandbox.call(
        "POST",
        "/obp/v4.0.0/management/user/reset-password-url",
        body={"username": "felixsmith", "email": "felixsmith@example.com", "user_id": "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1"},
        headers={"DirectLogin": f'token="{login["token"]}"'},
    )
    assert status == 201 and reset["reset_password_url"], reset
    status, _ = sandbox.call(
        "PUT", "/__admin/faults", body={"rules": [{"operationId": "getUserList", "latencyMs": 250}]}
    )
    assert status == 200

    page.reload()
    expect(page.locator("#people-table tbody tr").first).to_be_visible()
    page.fill("#people-search", "inspector.probe")
    row = page.locator("#people-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.first).to_contain_text("inspector.probe@example.com")
    # sandbox-client does not auto-verify: finAPI keeps the new user unverified.
    expect(row.first).to_contain_text("unverified")

    journal = page.locator("#journal-table tbody tr", has_text="/api/v1/users")
    expect(journal).to_have_count(1)
    for text in ["POST", "201", "createUser", " ms"]:
        expect(journal).to_contain_text(text)
    journal.get_by_role("link", name="request/response").click()
    expect(page).to_have_url(re.compile(r"#request-\d+$"))
    expect(page.locator("#request-detail")).to_be_visible()
    expect(page.locator("#response-body")).to_contain_text('"id": "inspector.probe"')
    # The journal redacts secrets, and so does the page.
    expect(page.locator("#request-body")).to_contain_text("[redacted]")
    expect(page.locator("#request-detail")).not_to_contain_text("Probe-Secret-2026")

    expect(page.locator("#outbox-table tbody tr")).to_have_count(1)
    expect(page.locator("#outbox")).to_contain_text("felixsmith@example.com")
    expect(page.locator("#outbox")).to_contain_text(reset["reset_password_url"])
    expect(page.locator("#faults")).to_contain_text("getUserList")
    expect(page.locator("#faults")).to_contain_text("250")
    screenshot(page, "after-writes")


def test_the_clock_buttons_change_the_shown_time(page, sandbox):
    open_inspector(page, sandbox)
    clock = page.locator("#clock-now")
    expect(clock).to_have_text(NOW)
    page.get_by_role("button", name="+1 hour").click()
    expect(clock).to_have_text("2026-01-15T11:00:00+00:00")
    page.get_by_role("button", name="+1 day").click()
    expect(clock).to_have_text("2026-01-16T11:00:00+00:00")
    page.get_by_role("button", name="+1 min").click()
    expect(clock).to_have_text("2026-01-16T11:01:00+00:00")
    page.fill("#clock-input", "2030-05-01T08:30:00Z")
    page.get_by_role("button", name="Set fixed").click()
    expect(clock).to_have_text("2030-05-01T08:30:00+00:00")
    # It is the sandbox clock that moved, not just the page.
    assert sandbox.call("GET", "/__admin/clock")[1]["now"] == "2030-05-01T08:30:00+00:00"
    page.reload()
    expect(clock).to_have_text("2030-05-01T08:30:00+00:00")
    # Bad input gets the control plane's error, shown, and the clock stays.
    page.fill("#clock-input", "next tuesday")
    page.get_by_role("button", name="Set fixed").click()
    expect(page.locator("#error-banner")).to_contain_text("RFC 3339")
    expect(clock).to_have_text("2030-05-01T08:30:00+00:00")
    page.get_by_role("button", name="Use system time").click()
    expect(page.locator("#clock-mode")).to_have_text("system")


def test_a_named_sandbox_is_chosen_from_the_selector_and_kept_on_reload(page, sandbox):
    status, _ = sandbox.call("POST", "/__admin/sandboxes", body={"name": "team-b", "users": 3})
    assert status == 201
    open_inspector(page, sandbox)
    page.select_option("#sandbox-select", "team-b")
    expect(page).to_have_url(re.compile(r"\?sandbox=team-b$"))
    expect(page.locator("#credentials")).to_contain_text(f"{sandbox.url}/sandboxes/team-b")
    page.get_by_role("button", name="+1 hour").click()
    expect(page.locator("#clock-now")).to_have_text("2026-01-15T11:00:00+00:00")
    # Only team-b's clock moved.
    assert sandbox.call("GET", "/__admin/clock")[1]["now"] == NOW
    page.reload()
    expect(page.locator("#sandbox-select")).to_have_value("team-b")
    expect(page.locator("#clock-now")).to_have_text("2026-01-15T11:00:00+00:00")
    # A sandbox's own root opens the inspector on it.
    open_inspector(page, sandbox, "/sandboxes/team-b/")
    expect(page.locator("#sandbox-select")).to_have_value("team-b")


def test_with_an_admin_token_the_page_asks_for_it_and_then_reads_everything(page, guarded_sandbox):
    page.goto(guarded_sandbox.url + "/")
    expect(page.locator("#token-panel")).to_be_visible()
    expect(page.locator("#credentials")).not_to_contain_text("sandbox-client-secret")
    page.fill("#token-input", "wrong-token")
    page.get_by_role("button", name="Use token").click()
    expect(page.locator("#token-error")).to_contain_text("refused")
    page.fill("#token-input", "inspector-e2e-token")
    page.get_by_role("button", name="Use token").click()
    expect(page.locator("#token-panel")).to_be_hidden()
    expect(page.locator("#credentials")).to_contain_text("sandbox-client-secret")
    expect(page.locator("#people-table tbody tr").first).to_be_visible()
    page.get_by_role("button", name="+1 hour").click()
    expect(page.locator("#clock-now")).to_have_text("2026-01-15T11:00:00+00:00")
    # The token stays for this tab's reloads.
    page.reload()
    expect(page.locator("#token-panel")).to_be_hidden()
    expect(page.locator("#credentials")).to_contain_text("sandbox-client-secret")


def test_a_large_population_waits_for_a_click_before_reading_the_state_export(page):
    big = Sandbox(users=6000)
    try:
        page.goto(big.url + "/")
        expect(page.locator("#clock-now")).to_have_text(NOW)
        expect(page.locator("#people")).to_contain_text("6000 generated people")
        expect(page.locator("#people-table")).to_have_count(0)
        page.click("#people-load")
        expect(page.locator("#people-table tbody tr")).to_have_count(25)
        expect(page.locator("#people-range")).to_have_text(re.compile(r"^1–25 of 60\d\d$"))
    finally:
        big.stop()

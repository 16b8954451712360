"""Swagger UI at /swagger-ui/, driven in headless Chromium as a person would: pick a document,
Authorize as the README says, then "Try it out" and "Execute" a read and a write."""

import json
import re

import pytest
from playwright.sync_api import expect


def open_document(page, sandbox, title):
    page.goto(f"{sandbox.url}/swagger-ui/")
    page.locator(".topbar select").select_option(label=title)
    expect(page.locator(".information-container .title")).to_contain_text("user-sandbox")
    expect(page.locator(".opblock").first).to_be_visible()


def operation(page, operation_id):
    """The expanded operation block of `operation_id`."""
    # Swagger UI escapes the dots of an operationId in the element id (`OBPv4\\.0\\.0-...`).
    escaped = operation_id.replace(".", "\\.").replace("\\", "\\\\")
    block = page.locator(f'[id^="operations-"][id$="-{escaped}"]').first
    if not block.locator(".opblock-body").is_visible():
        block.locator(".opblock-summary").first.click()
    return block


def try_it_out(page, operation_id, fill=None):
    """Try it out, optionally fill parameters, Execute; returns (status, body text)."""
    block = operation(page, operation_id)
    button = block.locator("button.try-out__btn")
    if button.inner_text().strip() == "Try it out":
        button.click()
    if block.locator("button.btn-clear").is_visible():
        block.locator("button.btn-clear").click()
    for name, value in (fill or {}).items():
        block.locator(f"tr[data-param-name='{name}'] input").fill(value)
    block.locator("button.execute").click()
    row = block.locator(".live-responses-table .response").first
    expect(row).to_be_visible()
    status = int(row.locator(".response-col_status").inner_text().strip().split()[0])
    body = row.locator(".response-col_description pre").first.inner_text()
    return status, body


def authorize(page, fill):
    """Opens Authorize, lets `fill` enter the credentials in the dialog, authorizes, closes."""
    page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".modal-ux")
    expect(dialog).to_be_visible()
    fill(dialog)
    page.locator(".modal-ux button.close-modal").click()
    expect(page.locator(".auth-wrapper button.authorize.locked")).to_be_visible()


def test_finapi_password_flow_then_read_and_edit_the_user(page, sandbox):
    sandbox.reset()
    open_document(page, sandbox, "finAPI")

    def password_flow(dialog):
        flow = dialog.locator(".auth-container").filter(has_text="Flow: password")
        flow.locator("#oauth_username").fill("felixsmith")
        flow.locator("#oauth_password").fill("Felix-Sandbox-2026!")
        flow.locator("#client_id_password").fill("sandbox-client")
        flow.locator("#client_secret_password").fill("sandbox-client-secret")
        flow.locator("button.authorize").click()
        # Swagger UI has called /oauth/token itself: the flow now shows who is authorized.
        expect(dialog.get_by_text("felixsmith", exact=True)).to_be_visible()

    authorize(page, password_flow)
    status, body = try_it_out(page, "getAuthorizedUser")
    assert status == 200, body
    user = json.loads(body)
    assert user["id"] == "felixsmith" and set(user["password"]) == {"X"}
    status, body = try_it_out(page, "editAuthorizedUser")
    assert status == 200, body
    edited = json.loads(body)
    assert edited["id"] == "felixsmith" and edited["email"] == "new@example.com"
    status, body = try_it_out(page, "getAuthorizedUser")
    assert json.loads(body)["email"] == "new@example.com", "the edit was stored"


def test_obp_direct_login_in_the_page_then_read_a_user_and_add_an_attribute(page, sandbox):
    sandbox.reset()
    open_document(page, sandbox, "Open Bank Project")
    status, body = try_it_out(page, "directLogin")
    assert status == 201, body
    token = json.loads(body)["token"]

    def direct_login(dialog):
        dialog.locator(".auth-container input[type='text']").first.fill(f"token={token}")
        dialog.locator(".auth-container button.authorize").first.click()

    authorize(page, direct_login)
    status, body = try_it_out(page, "OBPv4.0.0-getUserByUsername")
    assert status == 200, body
    assert json.loads(body)["username"] == "felixsmith"
    status, body = try_it_out(page, "OBPv4.0.0-createMyPersonalUserAttribute")
    assert status == 201, body
    created = json.loads(body)
    assert created["user_attribute_id"] and created["name"]


def test_authress_minted_token_then_read_and_link_a_user(page, sandbox):
    sandbox.reset()
    open_document(page, sandbox, "Authress")
    status, body = try_it_out(page, "createSandboxServiceClient")
    assert status in (200, 201), body
    token = json.loads(body)["accessToken"]

    def bearer(dialog):
        dialog.locator(".auth-container input").first.fill(token)
        dialog.locator(".auth-container button.authorize").first.click()

    authorize(page, bearer)
    status, body = try_it_out(page, "getUser")
    assert status == 200, body
    assert json.loads(body)["userId"] == "google-oauth2|108915727483261245613"
    status, body = try_it_out(page, "linkTenantUser")
    assert status == 204, body


def test_the_control_plane_document_authorizes_with_the_admin_token(page, guarded_sandbox):
    guarded_sandbox.reset()
    open_document(page, guarded_sandbox, "Sandbox control plane")
    status, body = try_it_out(page, "getClock")
    assert status == 401, body

    def admin_token(dialog):
        dialog.locator(".auth-container input").first.fill(guarded_sandbox.admin_token)
        dialog.locator(".auth-container button.authorize").first.click()

    authorize(page, admin_token)
    status, body = try_it_out(page, "getClock")
    assert status == 200, body
    assert "now" in json.loads(body)
    status, body = try_it_out(page, "saveCheckpoint")
    assert status == 201, body
    assert json.loads(body)["checkpoint"] == "before-test"

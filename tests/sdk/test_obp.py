"""Contract test: the real PyPI `obp-api` 0.1.0a1 client against the sandbox.

The SDK calls `/obp/v5.1.0/...`, sends `Content-Type: application/json` on every request and has
no DirectLogin helper: the token is fetched with httpx (the SDK's own HTTP library) and passed as
the `DirectLogin` default header. Its user operations return raw responses (`.json()`).
"""

import urllib.parse

import httpx
import obp_api
import pytest

CONSUMER_KEY = "sandbox-consumer-key"
ADMIN = ("sandbox.admin", "Admin-Sandbox-2026!")
FELIX = ("felixsmith", "Felix-Sandbox-2026!")
FELIX_ID = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1"
# The local identity provider, URL-encoded for v5.1.0's /users/PROVIDER/USERNAME/... paths.
PROVIDER = urllib.parse.quote("http://127.0.0.1:8080", safe="")


def direct_login(base_url, username, password):
    response = httpx.post(
        f"{base_url}/my/logins/direct",
        headers={
            "Content-Type": "application/json",
            "DirectLogin": f"username={username}, password={password}, consumer_key={CONSUMER_KEY}",
        },
    )
    return response


def token(base_url, user):
    response = direct_login(base_url, *user)
    assert response.status_code == 201, response.text
    return response.json()["token"]


def client(base_url, user=None):
    headers = {"DirectLogin": f"token={token(base_url, user)}"} if user else None
    # 0.1.0a1 builds its own httpx client with `proxies=`, which httpx 0.28 removed: hand it one.
    http_client = httpx.Client(base_url=base_url, follow_redirects=True, timeout=30)
    return obp_api.ObpAPI(
        base_url=base_url, default_headers=headers, max_retries=0, http_client=http_client
    )


def test_create_a_user_and_manage_their_personal_attributes(fresh_sandbox):
    anonymous = client(fresh_sandbox)
    created = anonymous.users.create(
        body={
            "email": "tom.smith@example.com",
            "username": "tom.smith",
            "password": "Tom-Sandbox-2026!",
            "first_name": "Tom",
            "last_name": "Smith",
        }
    ).json()
    assert created["username"] == "tom.smith"
    assert created["entitlements"] == {"list": []}

    tom = client(fresh_sandbox, ("tom.smith", "Tom-Sandbox-2026!"))
    attribute = tom.user.attributes.create(body={"name": "SHOE_SIZE", "type": "INTEGER", "value": "44"}).json()
    listed = tom.user.attributes.list().json()
    assert listed == {"user_attributes": [attribute]}
    assert tom.spaces.list().json() == {"bank_ids": []}
    assert tom.entitlements.list().json() == {"list": []}

    # The SDK's update sends the literal path `.../attributes/USER_ATTRIBUTE_ID`: no such attribute.
    with pytest.raises(obp_api.BadRequestError) as error:
        tom.user.attributes.update(body={"name": "SHOE_SIZE", "type": "INTEGER", "value": "45"})
    assert error.value.status_code == 400
    assert error.value.body["message"].startswith("OBP-50200: ")

    with pytest.raises(obp_api.APIStatusError) as taken:
        anonymous.users.create(
            body={
                "email": "tom2@example.com",
                "username": "tom.smith",
                "password": "Tom-Sandbox-2026!",
                "first_name": "Tom",
                "last_name": "Smith",
            }
        )
    assert taken.value.status_code == 409


def test_admin_lists_locks_unlocks_and_deletes_users(fresh_sandbox):
    admin = client(fresh_sandbox, ADMIN)
    users = admin.users.list(extra_query={"limit": 500}).json()["users"]
    assert any(u["user_id"] == FELIX_ID for u in users)
    felix = client(fresh_sandbox, FELIX)

    locked = admin.users.locks.create("felixsmith", provider=PROVIDER).json()
    assert locked["user_id"] == FELIX_ID
    assert locked["type_of_lock"] == "lock_via_api"
    assert direct_login(fresh_sandbox, *FELIX).status_code == 401
    with pytest.raises(obp_api.AuthenticationError) as error:
        felix.spaces.list()
    assert error.value.body["message"].startswith("OBP-20013: ")

    status = admin.users.lock_status.retrieve("felixsmith", provider=PROVIDER).json()
    assert status["username"] == "felixsmith"
    unlocked = admin.users.lock_status.update("felixsmith", provider=PROVIDER).json()
    assert unlocked["bad_attempts_since_last_success_or_reset"] == 0
    assert felix.spaces.list().json() == {"bank_ids": ["gh.29.uk"]}

    url = admin.users.reset_password_url(
        body={"username": "felixsmith", "email": "felixsmith@example.com", "user_id": FELIX_ID}
    ).json()["reset_password_url"]
    assert "/user_mgt/reset_password/" in url

    assert admin.users.delete(FELIX_ID) is None
    with pytest.raises(obp_api.AuthenticationError) as deleted:
        felix.spaces.list()
    assert deleted.value.body["message"].startswith("OBP-20064: ")


def test_roles_gate_the_admin_operations(fresh_sandbox):
    felix = client(fresh_sandbox, FELIX)
    with pytest.raises(obp_api.PermissionDeniedError) as error:
        felix.users.list()
    assert error.value.body == {
        "code": 403,
        "message": "OBP-20006: User is missing one or more roles: CanGetAnyUser",
    }
    with pytest.raises(obp_api.AuthenticationError):
        client(fresh_sandbox).users.list()


def test_the_auth_context_update_otp_is_read_from_the_outbox(fresh_sandbox):
    felix = client(fresh_sandbox, FELIX)
    updates = felix.users.auth_context_updates
    requested = updates.create(
        "EMAIL", bank_id="gh.29.uk", body={"key": "CUSTOMER_NUMBER", "value": "78987432"}
    ).json()
    assert requested["status"] == "INITIATED"

    outbox = httpx.get(f"{fresh_sandbox}/__admin/outbox").json()["messages"]
    assert outbox[0]["to"] == "felixsmith@example.com"
    otp = outbox[0]["body"]

    answered = updates.challenge(
        requested["user_auth_context_update_id"], bank_id="gh.29.uk", body={"answer": otp}
    ).json()
    assert answered["status"] == "ACCEPTED"

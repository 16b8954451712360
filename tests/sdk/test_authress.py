"""Contract test: the real PyPI `authress` 3.1.126 client against the sandbox.

The client is configured only with the sandbox URL and a fixture access key from
`GET /__admin/credentials`; it signs its own EdDSA JWTs, which the sandbox verifies.
"""

import base64
import json
import os
import urllib.request

import pytest
from authress import AuthressClient
from authress.exceptions import ForbiddenException, NotFoundException, UnauthorizedException
from authress.models import TenantUser
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conftest import ROOT

# conftest starts the sandbox with `--users 50` fake people next to the fixture people.
FAKE_USERS = 50
FELIX = "google-oauth2|108915727483261245613"
GRACE = "oauth2|login.example.org/grace.hopper"
JAN = "github|4711042"


def fixture_people():
    with open(os.path.join(ROOT, "fixtures", "people.json")) as f:
        return len(json.load(f))


def access_key(base_url, client_id="sc_key_001"):
    with urllib.request.urlopen(base_url + "/__admin/credentials", timeout=5) as response:
        credentials = json.load(response)["authress"]
    return next(c["accessKey"] for c in credentials["serviceClients"] if c["clientId"] == client_id)


def client(base_url, client_id="sc_key_001"):
    return AuthressClient(authress_api_url=base_url, service_client_access_key=access_key(base_url, client_id))


def test_paging_with_cursors_lists_every_fixture_user(fresh_sandbox):
    users = client(fresh_sandbox).users

    ids, cursor = [], None
    while True:
        page = users.get_users(limit=17, cursor=cursor)
        assert len(page.users) <= 17
        ids += [u.user_id for u in page.users]
        if page.pagination is None or page.pagination.next is None:
            assert page.links.next is None
            break
        cursor = page.pagination.next.cursor
        assert page.links.next.href.endswith("cursor=" + cursor)

    assert len(ids) == fixture_people() + FAKE_USERS
    assert len(set(ids)) == len(ids)
    assert len(users.get_users().users) == min(100, len(ids))


def test_filter_get_and_percent_encoded_ids(fresh_sandbox):
    users = client(fresh_sandbox).users

    found = users.get_users(filter="LOVELACE").users
    felix = users.get_user(FELIX)
    grace = users.get_user(GRACE)

    assert [(u.user_id, u.name, u.email) for u in found] == [
        ("auth0|64f1c2a9e4b0a7d3c1e2f3a4", "Ada Lovelace", "ada@example.com")
    ]
    assert (felix.user_id, felix.name, felix.email) == (FELIX, "Felix Smith", "felixsmith@example.com")
    assert felix.picture.startswith("https://")
    assert grace.user_id == GRACE


def test_deleting_a_user_makes_it_404(fresh_sandbox):
    users = client(fresh_sandbox).users

    users.delete_user(JAN)

    with pytest.raises(NotFoundException) as raised:
        users.get_user(JAN)
    assert raised.value.status == 404
    assert json.loads(raised.value.body)["errorCode"] == "UserNotFound"
    assert JAN not in [u.user_id for u in users.get_users(filter="github").users]
    with pytest.raises(NotFoundException):
        users.delete_user(JAN)


def test_linking_a_user_to_a_tenant_lists_it_by_tenant(fresh_sandbox):
    authress = client(fresh_sandbox)

    assert authress.users.get_users(tenant_id="ten_initech").users == []
    authress.tenants.link_tenant_user("ten_initech", TenantUser(user_id=JAN))

    page = authress.users.get_users(tenant_id="ten_initech")
    assert [u.user_id for u in page.users] == [JAN]
    with pytest.raises(NotFoundException):
        authress.tenants.link_tenant_user("ten_nobody", TenantUser(user_id=JAN))


def test_a_client_without_permission_gets_403(fresh_sandbox):
    read_only = client(fresh_sandbox, "sc_reporting")

    assert read_only.users.get_user(FELIX).user_id == FELIX
    with pytest.raises(ForbiddenException):
        read_only.users.delete_user(FELIX)
    with pytest.raises(ForbiddenException):
        read_only.tenants.link_tenant_user("ten_acme", TenantUser(user_id=FELIX))


def test_an_access_key_with_an_unregistered_private_key_gets_401(fresh_sandbox):
    client_id, key_id, account_id, _ = access_key(fresh_sandbox).split(".")
    der = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    forged = f"{client_id}.{key_id}.{account_id}.{base64.b64encode(der).decode()}"

    with pytest.raises(UnauthorizedException) as raised:
        AuthressClient(authress_api_url=fresh_sandbox, service_client_access_key=forged).users.get_user(FELIX)
    assert json.loads(raised.value.body)["errorCode"] == "Unauthorized"


def test_a_minted_service_client_works_with_the_sdk(fresh_sandbox):
    request = urllib.request.Request(
        fresh_sandbox + "/__admin/authress/service-clients",
        data=json.dumps({"name": "Contract test", "access": ["users:read"]}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        minted = json.load(response)

    authress = AuthressClient(authress_api_url=fresh_sandbox, service_client_access_key=minted["accessKey"])
    assert authress.users.get_user(FELIX).name == "Felix Smith"
    with pytest.raises(ForbiddenException):
        authress.users.delete_user(FELIX)

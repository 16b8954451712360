"""Contract test: the real PyPI `finapi` 0.9.9 client against the sandbox.

0.9.9's field regexes reject every email, phone and password value client-side (see
docs/fidelity.md), so bodies carrying those are passed as plain dicts, which the client sends
unchanged; everything else goes through the generated model classes.
"""

import finapi
import pytest
from finapi.rest import ApiException

CLIENT = ("sandbox-client", "sandbox-client-secret")
ADMIN = ("sandbox-admin", "sandbox-admin-secret")

_clients = []


@pytest.fixture(autouse=True)
def _close_thread_pools():
    # Each 0.9.9 ApiClient owns a ThreadPool that its __del__ closes; left to interpreter
    # shutdown, that fails noisily, so close them after every test.
    yield
    while _clients:
        client = _clients.pop()
        client.pool.close()
        client.pool.join()


def api_client(base_url, token=None, request_id=None):
    cfg = finapi.Configuration()
    cfg.host = base_url
    cfg.access_token = token or ""
    if request_id:
        client = finapi.ApiClient(cfg, header_name="X-Request-Id", header_value=request_id)
    else:
        client = finapi.ApiClient(cfg)
    _clients.append(client)
    return client


def token(base_url, grant_type, credentials, **kwargs):
    auth = finapi.AuthorizationApi(api_client(base_url))
    return auth.get_token(grant_type, credentials[0], credentials[1], **kwargs)


def test_a_full_user_lifecycle_through_the_python_client(fresh_sandbox):
    url = fresh_sandbox

    # Client token: parameters in the query string, empty JSON body.
    client_token = token(url, "client_credentials", CLIENT)
    assert isinstance(client_token, finapi.AccessToken)
    assert client_token.token_type == "bearer"
    assert client_token.scope == "all"
    assert 0 < client_token.expires_in <= 3600
    assert client_token.refresh_token is None
    assert token(url, "client_credentials", CLIENT).access_token == client_token.access_token
    users = finapi.UsersApi(api_client(url, client_token.access_token))

    # Create: a model for the id alone, a dict when a password and an email go along.
    generated = users.create_user(finapi.UserCreateParams())
    assert isinstance(generated, finapi.User)
    assert len(generated.id) == 36 and len(generated.password) >= 6
    created = users.create_user(
        {"id": "Carol.SDK", "password": "carol-secret-1", "email": "carol@example.com", "phone": "+49 30 1234567"}
    )
    assert (created.id, created.password, created.email) == ("Carol.SDK", "carol-secret-1", "carol@example.com")
    assert created.is_auto_update_enabled is False
    with pytest.raises(ApiException) as duplicate:
        users.create_user(finapi.UserCreateParams(id="carol.sdk"))
    assert duplicate.value.status == 422 and "ENTITY_EXISTS" in duplicate.value.body

    # Unverified users cannot log in; verify (case-insensitively), then they can.
    status = users.get_verification_status("CAROL.SDK")
    assert isinstance(status, finapi.VerificationStatusResource)
    assert (status.user_id, status.is_user_verified) == ("Carol.SDK", False)
    with pytest.raises(ApiException) as unverified:
        token(url, "password", CLIENT, username="carol.sdk", password="carol-secret-1")
    assert unverified.value.status == 403
    users.verify_user("carol.sdk")
    assert users.get_verification_status("carol.sdk").is_user_verified is True
    with pytest.raises(ApiException) as twice:
        users.verify_user("Carol.SDK")
    assert twice.value.status == 422

    # User login (password grant) and the refresh token grant.
    login = token(url, "password", CLIENT, username="carol.sdk", password="carol-secret-1")
    assert login.refresh_token
    refreshed = token(url, "refresh_token", CLIENT, refresh_token=login.refresh_token)
    assert refreshed.access_token != login.access_token
    me_api = finapi.UsersApi(api_client(url, refreshed.access_token))
    me = me_api.get_authorized_user()
    assert (me.id, me.email, me.phone) == ("Carol.SDK", "carol@example.com", "+49 30 1234567")
    assert me.password == "X" * len("carol-secret-1")

    # Edit: an empty string clears the phone; an empty model is a 400.
    edited = me_api.edit_authorized_user({"phone": "", "isAutoUpdateEnabled": True})
    assert isinstance(edited, finapi.User)
    assert (edited.phone, edited.is_auto_update_enabled, edited.email) == (None, True, "carol@example.com")
    with pytest.raises(ApiException) as empty:
        me_api.edit_authorized_user(finapi.UserUpdateParams())
    assert empty.value.status == 400

    # Password change: request with a model, execute with a dict (the password field).
    change = users.request_password_change(body=finapi.RequestPasswordChangeParams(user_id="carol.sdk"))
    assert isinstance(change, finapi.PasswordChangingResource)
    assert (change.user_id, change.user_email) == ("Carol.SDK", "carol@example.com")
    users.execute_password_change(
        body={"userId": "CAROL.SDK", "password": "carol-secret-2", "passwordChangeToken": change.password_change_token}
    )
    with pytest.raises(ApiException) as revoked:
        me_api.get_authorized_user()
    assert revoked.value.status == 401
    assert '"invalid_token"' in revoked.value.body
    with pytest.raises(ApiException) as old_password:
        token(url, "password", CLIENT, username="carol.sdk", password="carol-secret-1")
    assert old_password.value.status == 400
    relogin = token(url, "password", CLIENT, username="Carol.SDK", password="carol-secret-2")
    assert finapi.UsersApi(api_client(url, relogin.access_token)).get_authorized_user().id == "Carol.SDK"

    # Mandator admin: the list with a repeated order and Python's True/False booleans.
    admin_token = token(url, "client_credentials", ADMIN)
    admin = finapi.MandatorAdministrationApi(api_client(url, admin_token.access_token))
    listed = admin.get_user_list(
        is_deleted=False,
        include_monthly_stats=True,
        monthly_stats_start_date="2025-12",
        page=1,
        per_page=500,
        order=["userId,desc", "userId"],
    )
    assert isinstance(listed, finapi.PageableUserInfoList)
    ids = [u.user_id for u in listed.users]
    assert ids == sorted(ids, key=str.lower, reverse=True)
    assert "Carol.SDK" in ids and generated.id in ids
    # The fixture people, 50 fake ones and the two users created above.
    assert listed.paging.total_count == 6 + 50 + 2
    assert (listed.paging.page, listed.paging.per_page, listed.paging.page_count) == (1, 500, 1)
    carol = next(u for u in listed.users if u.user_id == "Carol.SDK")
    assert carol.deletion_date is None and carol.last_active_date is not None
    # Newest month first, back to the registration month.
    assert carol.monthly_stats and carol.monthly_stats[-1].month == carol.registration_date[:7]
    second = admin.get_user_list(page=2, per_page=5)
    assert len(second.users) == 5 and second.paging.page == 2

    # Delete: unknown ids are left out, the busy fixture user is not deleted, tokens are revoked.
    result = admin.delete_users(finapi.UserIdentifiersParams(user_ids=["carol.sdk", "max.mustermann", "nobody"]))
    assert isinstance(result, finapi.UserIdentifiersList)
    assert (result.deleted_users, result.non_deleted_users) == (["Carol.SDK"], ["max.mustermann"])
    with pytest.raises(ApiException) as gone:
        finapi.UsersApi(api_client(url, relogin.access_token)).get_authorized_user()
    assert gone.value.status == 401
    deleted = admin.get_user_list(is_deleted=True, per_page=500)
    assert "CXXXXXXXK" in [u.user_id for u in deleted.users]
    assert all(u.deletion_date for u in deleted.users)


def test_the_client_recovers_from_errors_it_raises(fresh_sandbox):
    url = fresh_sandbox
    # No access token configured: the client sends `Authorization: Bearer ` and gets a 401.
    with pytest.raises(ApiException) as anonymous:
        finapi.UsersApi(api_client(url)).get_authorized_user()
    assert anonymous.value.status == 401

    with pytest.raises(ApiException) as bad_client:
        token(url, "client_credentials", ("sandbox-client", "wrong"))
    assert bad_client.value.status == 401 and "invalid_client" in bad_client.value.body

    client_token = token(url, "client_credentials", CLIENT).access_token
    traced = finapi.UsersApi(api_client(url, client_token, request_id="sdk-trace-1"))
    with pytest.raises(ApiException) as missing:
        traced.get_verification_status("nobody")
    assert missing.value.status == 404
    assert missing.value.headers["X-Request-Id"] == "sdk-trace-1"
    assert '"requestId":"sdk-trace-1"' in missing.value.body

    # Percent-encoded path parameters are decoded: `al.ice@x+y` goes out as `al.ice%40x%2By`.
    users = finapi.UsersApi(api_client(url, client_token))
    users.create_user(finapi.UserCreateParams(id="al.ice@x+y"))
    users.delete_unverified_user("AL.ICE@X+Y")
    with pytest.raises(ApiException) as deleted:
        users.get_verification_status("al.ice@x+y")
    assert deleted.value.status == 404

    # A user token on a client operation is refused with 403; the change of a client secret
    # revokes the client's tokens.
    user_token = token(url, "password", CLIENT, username="felixsmith", password="Felix-Sandbox-2026!").access_token
    with pytest.raises(ApiException) as forbidden:
        finapi.UsersApi(api_client(url, user_token)).verify_user("erika.musterfrau")
    assert forbidden.value.status == 403 and "UNAUTHORIZED_ACCESS" in forbidden.value.body
    admin = finapi.MandatorAdministrationApi(api_client(url, token(url, "client_credentials", ADMIN).access_token))
    new_secret = "0123abcd-89ab-cdef-0123-456789abcdef"
    admin.change_client_credentials(
        finapi.ChangeClientCredentialsParams(
            client_id=CLIENT[0], old_client_secret=CLIENT[1], new_client_secret=new_secret
        )
    )
    with pytest.raises(ApiException) as stale:
        users.get_verification_status("felixsmith")
    assert stale.value.status == 401
    assert finapi.UsersApi(api_client(url, user_token)).get_authorized_user().id == "felixsmith"
    fresh = token(url, "client_credentials", (CLIENT[0], new_secret)).access_token
    assert finapi.UsersApi(api_client(url, fresh)).get_verification_status("felixsmith").is_user_verified

    # Revoking through the client's own revoke operation.
    auth = finapi.AuthorizationApi(api_client(url, fresh))
    auth.revoke_token(user_token, token_type_hint="access_token")
    with pytest.raises(ApiException) as revoked:
        finapi.UsersApi(api_client(url, user_token)).get_authorized_user()
    assert revoked.value.status == 401

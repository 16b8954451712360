"""Schemathesis hooks for the contract fuzzer: each vendor's real credentials, per operation.

Loaded by `schemathesis run` through `SCHEMATHESIS_HOOKS=hooks` (see run.py). The harness passes the
server's base URL, the admin token and the document under test in the environment.

Every credential is minted from the running sandbox the way a client would get it:
- finAPI: client tokens (`client_credentials`, the fixture client and the mandator admin client)
  and user tokens (`password`) of a user this hook creates, so no fuzzed call can know its id;
- OBP: a DirectLogin token of the super admin `sandbox.admin`;
- Authress: a service-client JWT from `POST /__admin/authress/service-clients`;
- the control plane's admin token on every `/__admin/...` call.

The fuzzer must not wedge itself. Operations that invalidate the caller's own credentials
(finAPI's delete of the authorized user, password change, revoke, client secret change, user
deletion; OBP's lock and delete of a user) get fresh credentials of their own for each call, and
every cached credential is dropped after them. OBP calls that would lock or delete the fuzzer's own
super admin are sent to the named sandbox `/sandboxes/fuzz-isolated/...` with a token minted
there, so they still run, against a copy the other calls do not depend on.
"""

from __future__ import annotations

import itertools
import os
import threading
from urllib.parse import quote, urlsplit, urlunsplit

import requests
import schemathesis

BASE = os.environ["FUZZ_BASE"].rstrip("/")
ADMIN_TOKEN = os.environ.get("FUZZ_ADMIN_TOKEN") or None
DOC = os.environ["FUZZ_DOC"]
ISOLATED = "fuzz-isolated"

FINAPI_CLIENT = "sandbox-client"
FINAPI_ADMIN_CLIENT = "sandbox-admin"
OBP_ADMIN = ("sandbox.admin", "Admin-Sandbox-2026!")
OBP_CONSUMER_KEY = "sandbox-consumer-key"

# finAPI operations by the token role they need (src/vendors/finapi/handlers/*).
FINAPI_USER_OPS = {"getAuthorizedUser", "editAuthorizedUser", "deleteAuthorizedUser"}
FINAPI_ADMIN_OPS = {"changeClientCredentials", "deleteUsers", "getUserList"}
# Operations that revoke or delete the credentials they are called with, or others' credentials.
INVALIDATING = {
    "finapi": {
        "deleteAuthorizedUser",
        "executePasswordChange",
        "revokeToken",
        "changeClientCredentials",
        "deleteUsers",
    },
    "obp": set(),
    "authress": set(),
    "admin": set(),
}
# OBP operations that lock or delete the user their path names.
OBP_USER_TARGETING = {
    "OBPv3.1.0-unlockUser",
    "OBPv4.0.0-lockUser",
    "OBPv4.0.0-deleteUser",
    "OBPv5.1.0-lockUserByProviderAndUsername",
    "OBPv5.1.0-unlockUserByProviderAndUsername",
}

_lock = threading.Lock()
_cache: dict[tuple[str, str], str] = {}
_counter = itertools.count(1)
_http = requests.Session()


def _admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"} if ADMIN_TOKEN else {}


def _root(sandbox: str) -> str:
    return BASE if sandbox == "default" else f"{BASE}/sandboxes/{sandbox}"


def _ok(response: requests.Response, what: str) -> dict:
    if response.status_code >= 300:
        raise RuntimeError(f"{what}: {response.status_code} {response.text[:300]}")
    return response.json()


# ---- minting ------------------------------------------------------------------------------------


def _finapi_secret(sandbox: str, client_id: str) -> str:
    # The current secret: `changeClientCredentials` may have changed the fixture one.
    query = "" if sandbox == "default" else f"?sandbox={sandbox}"
    creds = _ok(
        _http.get(f"{BASE}/__admin/credentials{query}", headers=_admin_headers(), timeout=10),
        "credentials",
    )
    for client in creds["finapi"]["clients"]:
        if client["clientId"] == client_id:
            return client["clientSecret"]
    raise RuntimeError(f"no finAPI client {client_id}")


def _finapi_client_token(sandbox: str, client_id: str) -> str:
    body = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": _finapi_secret(sandbox, client_id),
    }
    token = _http.post(f"{_root(sandbox)}/oauth/token", data=body, timeout=10)
    return _ok(token, "finAPI client token")["access_token"]


def _finapi_user_token(sandbox: str) -> str:
    """A user token of a user made for this purpose, whose id no generated case contains."""
    client = _finapi_client_token(sandbox, FINAPI_CLIENT)
    # Numbered per run (not per process id), so every run sends the same ids.
    user_id = f"fuzz-owner-{next(_counter)}"
    password = f"Fuzz-{user_id}-pw"
    _ok(
        _http.post(
            f"{_root(sandbox)}/api/v1/users",
            json={"id": user_id, "password": password},
            headers={"Authorization": f"Bearer {client}"},
            timeout=10,
        ),
        "finAPI create user",
    )
    # Fixture clients auto-verify new users; verify explicitly in case a fixture says otherwise.
    _http.post(
        f"{_root(sandbox)}/api/v1/users/verify/{quote(user_id)}",
        headers={"Authorization": f"Bearer {client}"},
        timeout=10,
    )
    body = {
        "grant_type": "password",
        "client_id": FINAPI_CLIENT,
        "client_secret": _finapi_secret(sandbox, FINAPI_CLIENT),
        "username": user_id,
        "password": password,
    }
    token = _http.post(f"{_root(sandbox)}/oauth/token", data=body, timeout=10)
    return _ok(token, "finAPI user token")["access_token"]


def _obp_token(sandbox: str) -> str:
    username, password = OBP_ADMIN
    header = f"username={username}, password={password}, consumer_key={OBP_CONSUMER_KEY}"
    login = _http.post(
        f"{_root(sandbox)}/my/logins/direct",
        headers={"DirectLogin": header},
        json={},
        timeout=10,
    )
    return _ok(login, "OBP DirectLogin")["token"]


def _authress_token(sandbox: str) -> str:
    client = _http.post(
        f"{_root(sandbox)}/__admin/authress/service-clients",
        json={"name": "contract fuzzer"},
        headers=_admin_headers(),
        timeout=10,
    )
    return _ok(client, "Authress service client")["accessToken"]


def mint(kind: str, sandbox: str = "default") -> str:
    if kind == "finapi-client":
        return _finapi_client_token(sandbox, FINAPI_CLIENT)
    if kind == "finapi-admin":
        return _finapi_client_token(sandbox, FINAPI_ADMIN_CLIENT)
    if kind == "finapi-user":
        return _finapi_user_token(sandbox)
    if kind == "obp":
        return _obp_token(sandbox)
    if kind == "authress":
        return _authress_token(sandbox)
    raise ValueError(kind)


def cached(kind: str, sandbox: str = "default") -> str:
    with _lock:
        key = (kind, sandbox)
        if key not in _cache:
            _cache[key] = mint(kind, sandbox)
        return _cache[key]


def forget() -> None:
    with _lock:
        _cache.clear()


# ---- which credential a case needs ---------------------------------------------------------------


def _is_admin_path(case) -> bool:
    return case.operation.path.startswith("/__admin")


def _kind(case) -> str | None:
    op = case.operation.definition.raw.get("operationId")
    if DOC == "finapi":
        if op == "getToken":
            return None
        if op in FINAPI_USER_OPS:
            return "finapi-user"
        if op in FINAPI_ADMIN_OPS:
            return "finapi-admin"
        return "finapi-client"
    if DOC == "obp":
        return None if op == "directLogin" else "obp"
    if DOC == "authress":
        return "authress"
    return None


def _operation_id(case) -> str:
    return case.operation.definition.raw.get("operationId", "")


_obp_admin_user_id: str | None = None


def _obp_admin_id() -> str:
    global _obp_admin_user_id
    if _obp_admin_user_id is None:
        me = _http.get(
            f"{BASE}/obp/v4.0.0/users/current",
            headers={"DirectLogin": f"token={cached('obp')}"},
            timeout=10,
        )
        _obp_admin_user_id = _ok(me, "OBP current user")["user_id"]
    return _obp_admin_user_id


def _targets_own_obp_admin(case) -> bool:
    op = _operation_id(case)
    params = {k: str(v) for k, v in (case.path_parameters or {}).items()}
    if op in OBP_USER_TARGETING:
        return params.get("USERNAME") == OBP_ADMIN[0] or params.get("USER_ID") == _obp_admin_id()
    if op == "directLogin":
        # A wrong password for the super admin counts towards its bad-login lock.
        header = str((case.headers or {}).get("DirectLogin", ""))
        return OBP_ADMIN[0] in header and OBP_ADMIN[1] not in header
    return False


@schemathesis.auth(refresh_interval=None)
class SandboxAuth:
    """The vendor credential each operation needs, set as the vendor's SDK would send it."""

    def get(self, case, ctx):
        if _is_admin_path(case):
            return ("admin", ADMIN_TOKEN) if ADMIN_TOKEN else None
        kind = _kind(case)
        if kind is None:
            return None
        sandbox = "default"
        if DOC == "obp" and _targets_own_obp_admin(case):
            sandbox = ISOLATED
        if sandbox != "default":
            # A fresh copy each time: an earlier routed call may have locked the admin there.
            _ok(
                _http.post(
                    f"{BASE}/__admin/reset?sandbox={sandbox}", headers=_admin_headers(), timeout=10
                ),
                "reset the isolated sandbox",
            )
        if _operation_id(case) in INVALIDATING[DOC] or sandbox != "default":
            # Its own credential: what the call revokes or deletes is nobody else's.
            return (kind, mint(kind, sandbox), sandbox)
        return (kind, cached(kind), sandbox)

    def set(self, case, data, ctx):
        kind, token = data[0], data[1]
        case.headers = case.headers or {}
        if kind == "obp":
            case.headers["DirectLogin"] = f"token={token}"
        else:
            case.headers["Authorization"] = f"Bearer {token}"
        if len(data) > 2 and data[2] != "default":
            case.headers["X-Fuzz-Sandbox"] = data[2]


@schemathesis.hook
def before_call(context, case, kwargs):
    # A case routed to the isolated sandbox (see `SandboxAuth.get`) goes to its URL; the marker
    # header is the harness's own and is not sent. Unauthenticated OBP logins are routed here too.
    headers = case.headers or {}
    sandbox = headers.pop("X-Fuzz-Sandbox", None)
    if sandbox is None and DOC == "obp" and _targets_own_obp_admin(case):
        sandbox = ISOLATED
    if sandbox is None:
        return
    url = case.as_transport_kwargs(base_url=BASE)["url"]
    parts = urlsplit(url)
    kwargs["url"] = urlunsplit(parts._replace(path=f"/sandboxes/{sandbox}{parts.path}"))


# finAPI users created and deleted in this run (lower-case ids): `createUser` 201s, and
# `deleteUnverifiedUser` by path, `deleteUsers` by body. finAPI names the user in the body of
# `requestPasswordChange` and `executePasswordChange`, so schemathesis's "created resource not
# found" check (ST302) cannot tell whether the body names the user a preceding `createUser` made
# (it counts an operation without parameters as fed entirely by the link) or that the user was
# deleted since (it only sees DELETEs of the same URI). Its 404 is a finding only for a user this
# run created and did not delete.
_finapi_created: set[str] = set()
_finapi_deleted: set[str] = set()


@schemathesis.hook
def after_call(context, case, response):
    if _operation_id(case) in INVALIDATING[DOC] and response.status_code < 300:
        forget()
    if DOC == "finapi" and response.status_code < 300:
        op = _operation_id(case)
        if op == "createUser" and response.status_code == 201:
            try:
                _finapi_created.add(str(response.json().get("id", "")).lower())
            except Exception:
                pass
        elif op == "deleteUnverifiedUser":
            _finapi_deleted.add(str((case.path_parameters or {}).get("userId", "")).lower())
        elif op == "deleteUsers":
            try:
                deleted = response.json().get("deletedUsers", [])
            except Exception:
                deleted = []
            _finapi_deleted.update(str(u).lower() for u in deleted)


# ---- vendor semantics the generic checks do not know ---------------------------------------------
#
# Each filter drops one kind of failure only where the response is the vendor's documented answer
# (reference/obp.md; OBP-API's ErrorMessages). Everything else a check reports stays a failure.

# OBP answers "not found" and connector lookups with 400 (not 404) for these codes: a schema-valid
# request that names something absent is refused with them, as OBP-API does. The same holds for
# the state an entitlement meets: OBP-30216 (the user already has it; 400 where other APIs use
# 409), OBP-30213 (the ENTITLEMENT_ID is not that USER_ID's) and OBP-30001 (no such bank for a
# bank role).
OBP_STATE_CODES = (
    "OBP-20057",
    "OBP-30056",
    "OBP-30057",
    "OBP-50200",
    "OBP-30216",
    "OBP-30213",
    "OBP-30001",
)


def _obp_message(response) -> str:
    try:
        body = response.json()
    except Exception:
        return ""
    return str(body.get("message", "")) if isinstance(body, dict) else ""


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if DOC == "finapi":
        # A 404 for a user this run did not create, or deleted, is finAPI's right answer.
        body = case.body if isinstance(case.body, dict) else {}
        user = str(body.get("userId", "")).lower()
        live = user in _finapi_created and user not in _finapi_deleted
        return not (type(failure).code == "ST302" and "userId" in body and not live)
    if DOC != "obp":
        return True
    code = type(failure).code
    message = _obp_message(response)
    if code == "ST202" and response.status_code == 400 and message.startswith(OBP_STATE_CODES):
        return False
    # These checks send requests of their own; what they got is in the failure's message.
    text = str(failure.message or "")
    # schemathesis's invalid credential is a DirectLogin header without `token=`: OBP answers it
    # 400 OBP-20002 (missing parameters), not 401. A missing header or a wrong token gets 401.
    if code == "ST401" and "got `400 Bad Request`" in text and "invalid credentials" in text:
        return False
    # OBP has no per-path method table: another method on a known path is its 404 OBP-10404.
    if code == "ST204" and "returned 404" in text:
        return False
    # A POST without a JSON Content-Type (the "missing required header" case sends no body at
    # all) is OBP's 404 OBP-10404 before any header is read (documented on every POST and PUT).
    if code == "ST203" and response.status_code == 404 and message.startswith("OBP-10404"):
        request = getattr(response, "request", None)
        sent = str(getattr(request, "headers", {}).get("Content-Type", ""))
        if "json" not in sent.lower():
            return False
    return True

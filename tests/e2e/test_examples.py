"""Every documented operation, executed with the example values its document gives (as Swagger UI
fills them in for "Try it out") against a freshly reset default sandbox, succeeds."""

import json
import urllib.parse
import urllib.request

import pytest

DOCUMENTS = ["finapi", "obp", "authress", "admin"]

# Which of finAPI's tokens an operation takes (its description says so; Swagger UI's user picks
# the client in Authorize).
FINAPI_TOKEN = {
    "changeClientCredentials": "admin",
    "deleteUsers": "admin",
    "getUserList": "admin",
    "createUser": "client",
    "getVerificationStatus": "client",
    "verifyUser": "client",
    "deleteUnverifiedUser": "client",
    "requestPasswordChange": "client",
    "executePasswordChange": "client",
    "revokeToken": "client",
}
FINAPI_CLIENTS = {
    "client": ("sandbox-client", "sandbox-client-secret"),
    "admin": ("sandbox-admin", "sandbox-admin-secret"),
}
OBP_LOGIN = "username=sandbox.admin, password=Admin-Sandbox-2026!, consumer_key=sandbox-consumer-key"


def document(url, name):
    with urllib.request.urlopen(f"{url}/openapi/{name}.json", timeout=10) as response:
        return json.load(response)


def operations():
    """(document, method, path) of every documented operation, read from the committed files."""
    import os

    root = os.path.join(os.path.dirname(__file__), "..", "..", "openapi")
    for name in DOCUMENTS:
        with open(os.path.join(root, f"{name}.json")) as f:
            doc = json.load(f)
        for path, item in doc["paths"].items():
            for method in item:
                if method != "parameters":
                    yield pytest.param(name, method, path, id=f"{name}:{item[method]['operationId']}")


class Sample:
    """Swagger UI's sample generator, in short: an `example` wins, objects are built from their
    properties, and what has neither gets the type's placeholder (which no server accepts)."""

    def __init__(self, doc):
        self.doc = doc

    def resolve(self, schema):
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.doc["components"]["schemas"][name]
        return schema

    def of(self, schema):
        schema = self.resolve(schema)
        if "example" in schema:
            return schema["example"]
        if "examples" in schema and schema["examples"]:
            return schema["examples"][0]
        for key in ("allOf", "oneOf", "anyOf"):
            if key in schema:
                if key == "allOf":
                    merged = {}
                    for part in schema[key]:
                        merged.update(self.of(part) or {})
                    return merged
                return self.of(next(s for s in schema[key] if self.resolve(s).get("type") != "null"))
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind == "object" or "properties" in schema:
            return {k: self.of(v) for k, v in schema.get("properties", {}).items()}
        if kind == "array":
            return [self.of(schema.get("items", {}))]
        if "enum" in schema:
            return schema["enum"][0]
        return {"string": "string", "integer": 0, "number": 0, "boolean": True}.get(kind)

    def parameter(self, parameter):
        if "example" in parameter:
            return parameter["example"]
        schema = self.resolve(parameter.get("schema", {}))
        if "example" in schema:
            return schema["example"]
        if "default" in schema:
            return schema["default"]
        return None


def authorize(sandbox, doc, name, op):
    """The headers Authorize gives, as the README tells for each document."""
    security = op.get("security")
    if name == "admin":
        return sandbox.admin_headers()
    if not security or all(not s for s in security):
        return {}
    if name == "finapi":
        kind = FINAPI_TOKEN.get(op["operationId"], "user")
        client_id, secret = FINAPI_CLIENTS["admin" if kind == "admin" else "client"]
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        if kind == "user":
            form.update(grant_type="password", username="felixsmith", password="Felix-Sandbox-2026!")
        status, body = sandbox.call("POST", "/oauth/token", form=form)
        assert status == 200, body
        return {"Authorization": f"Bearer {body['access_token']}"}
    if name == "obp":
        status, body = sandbox.call("POST", "/my/logins/direct", body={}, headers={"DirectLogin": OBP_LOGIN})
        assert status == 201, body
        return {"DirectLogin": f"token={body['token']}"}
    if name == "authress":
        # The README's way: mint a service client with the documented example, paste its token.
        method, path = find(doc, "createSandboxServiceClient")
        minted = execute(sandbox, doc, name, method, path, sandbox.admin_headers())
        return {"Authorization": f"Bearer {minted['accessToken']}"}
    raise AssertionError(f"no Authorize for {name}")


def find(doc, operation_id):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method != "parameters" and op["operationId"] == operation_id:
                return method, path
    raise AssertionError(f"no operation {operation_id}")


def outbox_otp(sandbox, _answer):
    status, body = sandbox.call("GET", "/__admin/outbox", headers=sandbox.admin_headers())
    assert status == 200, body
    return body["messages"][0]["body"]


# Operations that act on what another one made: Swagger UI's user runs that one first (with its
# own example) and pastes the value it returned, as the operation's description says. Each entry:
# the prerequisite's operationId, then (where, name, how to get the value from its answer).
CHAINS = {
    "executePasswordChange": (
        "requestPasswordChange",
        [("body", "passwordChangeToken", lambda sandbox, answer: answer["passwordChangeToken"])],
    ),
    "OBPv3.1.0-answerUserAuthContextUpdateChallenge": (
        "OBPv3.1.0-createUserAuthContextUpdateRequest",
        [
            ("path", "AUTH_CONTEXT_UPDATE_ID", lambda sandbox, answer: answer["user_auth_context_update_id"]),
            ("body", "answer", outbox_otp),
        ],
    ),
    "OBPv4.0.0-updateMyPersonalUserAttribute": (
        "OBPv4.0.0-createMyPersonalUserAttribute",
        [("path", "USER_ATTRIBUTE_ID", lambda sandbox, answer: answer["user_attribute_id"])],
    ),
    "restoreCheckpoint": ("saveCheckpoint", []),
    "deleteCheckpoint": ("saveCheckpoint", []),
    "deleteSandbox": ("createSandbox", []),
    "putState": ("getState", [("body", None, lambda sandbox, answer: answer)]),
}


def execute(sandbox, doc, name, method, path, headers, pasted=()):
    """Runs one operation as "Try it out" fills it in; `pasted` overrides single values."""
    op = doc["paths"][path][method]
    sample = Sample(doc)
    headers = dict(headers)
    pasted = {(where, key): value for where, key, value in pasted}
    query = {}
    for parameter in op.get("parameters", []):
        value = pasted.get((parameter["in"], parameter["name"]), sample.parameter(parameter))
        if value is None:
            assert not parameter.get("required"), f"required `{parameter['name']}` has no example"
            continue
        if isinstance(value, bool):
            value = str(value).lower()
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", urllib.parse.quote(str(value), safe=""))
        elif parameter["in"] == "query":
            query[parameter["name"]] = value
        elif parameter["in"] == "header":
            headers[parameter["name"]] = str(value)
    if query:
        path += "?" + urllib.parse.urlencode(query, doseq=True)
    body = form = None
    content = (op.get("requestBody") or {}).get("content", {})
    if "application/json" in content:
        media = content["application/json"]
        body = media["example"] if "example" in media else sample.of(media.get("schema", {}))
        if ("body", None) in pasted:
            body = pasted[("body", None)]
        for (where, key), value in pasted.items():
            if where == "body" and key is not None:
                body[key] = value
    elif "application/x-www-form-urlencoded" in content:
        media = content["application/x-www-form-urlencoded"]
        # Swagger UI leaves a form field without an example empty, and sends no empty field.
        schema = sample.resolve(media.get("schema", {}))
        form = {
            k: sample.of(v) for k, v in schema.get("properties", {}).items() if "example" in sample.resolve(v)
        }
    status, answer = sandbox.call(method.upper(), path, body=body, headers=headers, form=form)
    shown = json.dumps(body) if body is not None else form
    assert 200 <= status < 300, f"{method.upper()} {path} {shown}: {status} {answer}"
    return answer


@pytest.mark.parametrize("name,method,path", list(operations()))
def test_the_documented_example_succeeds_on_a_fresh_sandbox(sandbox, name, method, path):
    doc = document(sandbox.url, name)
    op = doc["paths"][path][method]
    sandbox.reset()
    headers = authorize(sandbox, doc, name, op)
    pasted = []
    if op["operationId"] in CHAINS:
        first, paste = CHAINS[op["operationId"]]
        first_method, first_path = find(doc, first)
        answer = execute(sandbox, doc, name, first_method, first_path, headers)
        pasted = [(where, key, get(sandbox, answer)) for where, key, get in paste]
    execute(sandbox, doc, name, method, path, headers, pasted)

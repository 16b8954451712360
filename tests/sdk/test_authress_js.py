"""Contract test: the real npm `@authress/sdk` (pinned in tests/sdk/js/package.json) against the
sandbox, run with `node --test` after `npm ci` when `node_modules` is missing."""

import json
import os
import shutil
import subprocess
import urllib.request

import pytest

from conftest import ROOT

JS = os.path.join(ROOT, "tests", "sdk", "js")
# conftest starts the sandbox with `--users 50` fake people next to the fixture people.
FAKE_USERS = 50


def fixture_people():
    with open(os.path.join(ROOT, "fixtures", "people.json")) as f:
        return len(json.load(f))


@pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None, reason="needs node and npm")
def test_the_npm_sdk_passes_its_contract_scenarios(fresh_sandbox):
    if not os.path.isdir(os.path.join(JS, "node_modules")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, timeout=300)
    with urllib.request.urlopen(fresh_sandbox + "/__admin/credentials", timeout=5) as response:
        clients = {c["clientId"]: c["accessKey"] for c in json.load(response)["authress"]["serviceClients"]}
    env = dict(
        os.environ,
        AUTHRESS_BASE_URL=fresh_sandbox,
        AUTHRESS_ACCESS_KEY=clients["sc_key_001"],
        AUTHRESS_READ_ONLY_ACCESS_KEY=clients["sc_reporting"],
        AUTHRESS_EXPECTED_USERS=str(fixture_people() + FAKE_USERS),
    )

    result = subprocess.run(
        ["node", "--test", "authress.test.js"], cwd=JS, env=env, capture_output=True, text=True, timeout=300
    )

    assert result.returncode == 0, result.stdout + result.stderr

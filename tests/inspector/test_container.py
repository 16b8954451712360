"""The container image, linted without a container engine (none on this machine, and hadolint is
not in Debian): the Dockerfile is read by the `dockerfile` package (BuildKit's own parser) and
checked for what the image promises; its HEALTHCHECK command is run against a live sandbox."""

import subprocess
from pathlib import Path

import dockerfile
import yaml

from conftest import BINARY, ROOT, Sandbox

DOCKERFILE = ROOT / "Dockerfile"


def stages():
    """[(FROM command, [commands of that stage])]."""
    result = []
    for command in dockerfile.parse_file(str(DOCKERFILE)):
        if command.cmd == "FROM":
            result.append((command, []))
        else:
            assert result, f"line {command.start_line}: {command.cmd} before any FROM"
            result[-1][1].append(command)
    return result


def only(commands, name):
    found = [c for c in commands if c.cmd == name]
    assert len(found) == 1, f"expected one {name}, found {len(found)}"
    return found[0]


def env_of(commands):
    env = {}
    for command in commands:
        if command.cmd == "ENV":
            values = command.value
            env.update(zip(values[0::2], values[1::2]))
    return env


def test_the_dockerfile_is_multi_stage_with_a_static_non_root_runtime():
    all_stages = stages()
    assert len(all_stages) >= 2, "multi-stage: a builder and a runtime"
    names = set()
    for from_, _ in all_stages:
        image = from_.value[0]
        assert ":" in image and not image.endswith(":latest"), f"{image}: pin a tag"
        if len(from_.value) == 3:
            assert from_.value[1].upper() == "AS"
            names.add(from_.value[2])
    runtime_from, runtime = all_stages[-1]
    assert runtime_from.value[0].startswith(("gcr.io/distroless/static", "scratch")), runtime_from.value
    for command in runtime:
        if command.cmd == "COPY":
            sources = [f.split("=", 1)[1] for f in command.flags if f.startswith("--from=")]
            assert all(s in names for s in sources), f"line {command.start_line}: unknown stage {sources}"
    assert not any(c.cmd == "RUN" for c in runtime), "the runtime has no shell to RUN in"
    user = only(runtime, "USER").value[0]
    assert user.split(":")[0] not in ("root", "0"), user
    assert only(runtime, "EXPOSE").value == ("8080",)
    # 0.0.0.0 is set for the container's runtime only, never for the build.
    assert env_of(runtime).get("USER_SANDBOX_HOST") == "0.0.0.0"
    assert env_of(runtime).get("USER_SANDBOX_PORT") == "8080"
    assert "USER_SANDBOX_ADMIN_TOKEN" not in env_of(runtime), "no token baked into the image"
    for _, commands in all_stages[:-1]:
        assert "USER_SANDBOX_HOST" not in env_of(commands)
    entrypoint = only(runtime, "ENTRYPOINT")
    assert entrypoint.json, "ENTRYPOINT in exec form: signals reach the server, which saves state"


def test_apt_installs_in_the_builder_are_pinned_and_cleaned_up():
    for _, commands in stages():
        for command in commands:
            if command.cmd != "RUN" or "apt-get install" not in command.value[0]:
                continue
            script = command.value[0]
            assert "apt-get update" in script and "--no-install-recommends" in script
            assert "rm -rf /var/lib/apt/lists" in script
            packages = script.split("apt-get install", 1)[1].split("&&", 1)[0].split()
            for package in (p for p in packages if not p.startswith("-")):
                assert "=" in package, f"line {command.start_line}: pin {package}"


def test_the_healthcheck_runs_the_binary_itself_and_passes_against_a_live_sandbox():
    _, runtime = stages()[-1]
    check = only(runtime, "HEALTHCHECK")
    assert check.json, "exec form: distroless has no /bin/sh"
    kind, program, *args = check.value
    assert kind == "CMD"
    copied = [c.value[-1] for c in runtime if c.cmd == "COPY"]
    assert program in copied, f"{program} is not copied into the runtime"
    assert args[0] == "health"
    url = args[args.index("--url") + 1]
    assert url.endswith(":8080"), url

    # The same command, with this build's binary and a sandbox on a free loopback port.
    sandbox = Sandbox()
    try:
        argv = [BINARY, *args[:-1], url.replace(":8080", f":{sandbox.port}")]
        run = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        assert run.returncode == 0, run.stderr
        assert '"UP"' in run.stdout
    finally:
        sandbox.stop()
    sandbox.process.wait()
    down = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert down.returncode != 0, "a stopped sandbox must fail the check"


def test_dockerignore_keeps_build_output_and_local_tools_out_of_the_context():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for entry in ["target/", ".git/", ".venv*/"]:
        assert entry in ignored, entry


def test_compose_builds_the_image_and_publishes_it_on_loopback():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    service = compose["services"]["user-sandbox"]
    assert service["build"] == "."
    assert "127.0.0.1:8080:8080" in service["ports"]
    env = service["environment"]
    assert "USER_SANDBOX_ADMIN_TOKEN" not in env, "no token committed in the example"
    state_dir = str(Path(env["USER_SANDBOX_STATE_FILE"]).parent)
    mounts = [v.split(":", 1) for v in service["volumes"]]
    assert [state_dir] == [target for _, target in mounts]
    assert mounts[0][0] in compose["volumes"]
    # The image prepares that folder for the non-root user.
    _, runtime = stages()[-1]
    assert any(c.cmd == "COPY" and c.value[-1] == state_dir and any(f.startswith("--chown=") for f in c.flags) for c in runtime)

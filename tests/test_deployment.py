"""Deployment files (README, Production): the Dockerfile, compose.yaml, the systemd units and
requirements.lock, read as Docker, Compose, systemd and pip read them. Nothing is built or
started here except where the machine has a Docker engine (`docker build`)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from bot.config import Settings, load_settings
from tests.support import REPO

DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
COMPOSE = REPO / "compose.yaml"
LOCK = REPO / "requirements.lock"
UNITS = [REPO / "deploy" / "nashra.service", REPO / "deploy" / "nashra@.service"]
# A Telegram bot token's shape: the bot's id, a colon, 35 characters.
TOKEN_SHAPE = re.compile(r"\d{6,}:[A-Za-z0-9_-]{30,}")
BUILD_TOOLS = {"gcc", "g++", "cc", "clang", "make", "build-essential", "python3-dev"}


# -- Dockerfile ------------------------------------------------------------------------------


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for word, args in self.instructions if word == keyword]

    def last(self, keyword: str) -> str | None:
        found = self.all(keyword)
        return found[-1] if found else None


def dockerfile_stages() -> list[Stage]:
    """The stages of the Dockerfile, its ARGs before the first FROM substituted."""
    logical: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):  # a comment inside a continued instruction
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical:
        word, _, rest = line.partition(" ")
        word, rest = word.upper(), rest.strip()
        if word == "ARG" and not stages:
            name, _, default = rest.partition("=")
            args[name] = default
        elif word == "FROM":
            parts = rest.split()
            base = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m[1] or m[2]], parts[0])
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(base, name))
        else:
            assert stages, f"{word} before the first FROM"
            stages[-1].instructions.append((word, rest))
    return stages


def installed_by(run: str) -> set[str]:
    """Packages an apt-get/apk install in a RUN line names."""
    names: set[str] = set()
    for command in re.split(r"&&|;|\|\|", run):
        words = shlex.split(command)
        for tool in ("apt-get", "apt", "apk"):
            if tool in words and {"install", "add"} & set(words):
                names |= {w for w in words if not w.startswith("-")} - {tool, "install", "add"}
    return names


def test_dockerfile_builds_in_one_stage_and_runs_from_another_on_the_same_slim_base() -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2
    builder, final = stages[0], stages[-1]
    assert builder.name is not None
    assert final.base == builder.base
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", final.base), final.base
    # The builder installs the exact versions of the lock, hash-checked, then the project.
    builder_runs = " ".join(builder.all("RUN"))
    assert "--require-hashes -r requirements.lock" in builder_runs
    assert "--no-deps ." in builder_runs
    # The final stage takes the builder's venv, at the same path (a venv names its interpreter).
    venv = re.search(r"python -m venv (\S+)", builder_runs)
    assert venv is not None
    assert f"--from={builder.name} {venv[1]} {venv[1]}" in final.all("COPY")


def test_the_final_stage_has_no_build_tools_and_runs_nashra_as_a_user() -> None:
    final = dockerfile_stages()[-1]
    for run in final.all("RUN"):
        assert not installed_by(run) & BUILD_TOOLS, run
        assert "pip install" not in run, "nothing is built or installed in the final stage"
    user = final.last("USER")
    assert user is not None
    assert user.split(":")[0] not in ("root", "0")
    assert final.last("ENTRYPOINT") == '["nashra"]'
    assert final.last("CMD") == '["run"]'
    assert final.last("EXPOSE") == "8080"
    env = " ".join(final.all("ENV"))
    assert "HTTP_HOST=0.0.0.0" in env
    assert "HTTP_PORT=8080" in env
    # Every setting the image sets is one Nashra reads (or Python's own).
    for name in re.findall(r"(\w+)=", env):
        assert name.lower() in Settings.model_fields or name in ("PATH",) or name.startswith("PY")


def test_the_build_context_has_what_the_dockerfile_copies_and_not_the_secrets() -> None:
    ignored = [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for needed in (".env", ".venv", ".git", "*.db"):
        assert needed in ignored
    for stage in dockerfile_stages():
        for copy in stage.all("COPY"):
            if copy.startswith("--from"):
                continue
            *sources, _ = copy.split()
            for source in sources:
                assert (REPO / source).exists(), source
                assert source not in ignored, source
                assert source.rstrip("/") not in ignored, source


def healthcheck_command() -> list[str]:
    final = dockerfile_stages()[-1]
    check = final.last("HEALTHCHECK")
    assert check is not None
    _, _, exec_form = check.partition(" CMD ")
    command = json.loads(exec_form)
    assert isinstance(command, list)
    # Neither is in a slim image.
    assert "curl" not in command
    assert "wget" not in command
    return [str(word) for word in command]


@pytest.fixture
async def health_server() -> AsyncIterator[tuple[int, dict[str, int]]]:
    """Something answering /healthz on a free port with the status the test sets."""
    answer = {"status": 200}

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(status=answer["status"], text="ok")

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield port, answer
    finally:
        await runner.cleanup()


async def run_healthcheck(port: int) -> int:
    command = healthcheck_command()
    assert command[0] == "python"
    process = await asyncio.create_subprocess_exec(
        sys.executable, *command[1:], env={"HTTP_PORT": str(port)}
    )
    return await process.wait()


async def test_the_image_healthcheck_asks_healthz_on_http_port(
    health_server: tuple[int, dict[str, int]],
) -> None:
    port, answer = health_server
    assert await run_healthcheck(port) == 0
    answer["status"] = 503
    assert await run_healthcheck(port) != 0


# -- compose.yaml ----------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error}."""

    def one(match: re.Match[str]) -> str:
        name, operator, rest = match[1], match[2], match[3]
        if name in variables and variables[name]:
            return variables[name]
        if operator == ":-":
            return rest or ""
        raise AssertionError(f"{name} is required: {rest}")

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, value)


def nashra_services() -> dict[str, dict[str, Any]]:
    """The services that run the bot (built from the Dockerfile, not the one-shot migration)."""
    return {
        name: service
        for name, service in compose()["services"].items()
        if "build" in service and service.get("command") in (None, ["run"])
    }


def test_compose_runs_postgresql_15_with_a_volume_and_a_healthcheck() -> None:
    postgres = compose()["services"]["postgres"]
    assert postgres["image"].split(":")[1].startswith("15")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data"
    assert volume[0] in compose()["volumes"]
    assert postgres["restart"] == "unless-stopped"


def test_compose_runs_at_least_two_replicas_of_the_image_on_postgresql() -> None:
    services = nashra_services()
    replicas = sum(service.get("deploy", {}).get("replicas", 1) for service in services.values())
    assert replicas >= 2
    for name, service in services.items():
        assert service["build"] == "." or service["build"]["context"] == ".", name
        assert service["restart"] == "unless-stopped"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert "/healthz" in " ".join(service["healthcheck"]["test"])
        url = interpolate(service["environment"]["DATABASE_URL"], {"POSTGRES_PASSWORD": "pw"})
        assert url == "postgresql+asyncpg://nashra:pw@postgres:5432/nashra"
        assert service["env_file"] in (".env", [".env"])
    # Two replicas on one host each publish their HTTP port on a port of their own.
    published = [port for service in services.values() for port in service.get("ports", [])]
    assert len(set(published)) == len(published)


def test_compose_migrates_once_before_the_replicas_start() -> None:
    migrate = compose()["services"]["migrate"]
    assert migrate["command"] == ["db", "upgrade"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for service in nashra_services().values():
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_names_no_token_and_only_settings_nashra_reads() -> None:
    text = COMPOSE.read_text()
    assert not TOKEN_SHAPE.search(text)
    for service in nashra_services().values():
        environment = service["environment"]
        assert "BOT_TOKEN" not in environment  # from .env, through env_file
        assert "WEBHOOK_SECRET" not in environment
        for name in environment:
            assert name.lower() in Settings.model_fields, name


def test_a_replica_sees_postgresql_and_the_http_port_over_what_env_example_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A .env copied from .env.example (HTTP_PORT blank, SQLite) with a token: compose puts
    its lines in the container's environment (env_file), then `environment` over them."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    container: dict[str, str] = {}
    for line in (REPO / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            container[name] = value
    container["BOT_TOKEN"] = "123456:" + "A" * 35
    service = next(iter(nashra_services().values()))
    for name, value in service["environment"].items():
        container[name] = interpolate(str(value), {"POSTGRES_PASSWORD": "pw"})
    for name, value in container.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(_env_file=None)
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert (settings.http_host, settings.http_port) == ("0.0.0.0", 8080)
    assert settings.bot_token is not None


def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if docker is not None:
        plugin = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if plugin.returncode == 0:
            return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    if standalone is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    return [standalone]


def test_compose_itself_accepts_the_file_and_requires_the_database_password(
    tmp_path: Path,
) -> None:
    """`compose config` validates against Compose's schema and interpolates (no engine needed)."""
    command = compose_command()
    # The shell's variables come before .env in compose's interpolation.
    env = {name: value for name, value in os.environ.items() if name != "POSTGRES_PASSWORD"}
    shutil.copy(COMPOSE, tmp_path / "compose.yaml")
    (tmp_path / ".env").write_text("BOT_TOKEN=123456:" + "A" * 35 + "\n")
    missing = subprocess.run(
        [*command, "config"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert missing.returncode != 0
    assert "POSTGRES_PASSWORD" in missing.stderr
    (tmp_path / ".env").write_text("BOT_TOKEN=123456:" + "A" * 35 + "\nPOSTGRES_PASSWORD=pw\n")
    config = subprocess.run(
        [*command, "config"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    services = yaml.safe_load(config.stdout)["services"]
    for name in nashra_services():
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"] == "postgresql+asyncpg://nashra:pw@postgres:5432/nashra"
        assert str(environment["HTTP_PORT"]) == "8080"


# -- requirements.lock -----------------------------------------------------------------------


def locked() -> dict[str, tuple[Version, list[str]]]:
    """Each locked package: its version and its hashes."""
    text = LOCK.read_text()
    pins: dict[str, tuple[Version, list[str]]] = {}
    for entry in re.sub(r"\\\n", " ", text).splitlines():
        entry = entry.split("#", 1)[0].strip()
        if not entry:
            continue
        assert not entry.startswith("-"), f"an option line in the lock: {entry}"
        requirement, *options = entry.split()
        name, equals, version = requirement.partition("==")
        assert equals, f"not an exact pin: {requirement}"
        hashes = [option.removeprefix("--hash=sha256:") for option in options]
        assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in hashes), entry
        assert canonicalize_name(name) not in pins, f"{name} twice"
        pins[canonicalize_name(name)] = (Version(version), hashes)
    return pins


def runtime_requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"]]


def test_the_lock_pins_every_runtime_dependency_within_its_range_with_hashes() -> None:
    pins = locked()
    assert all(hashes for _, hashes in pins.values())
    for requirement in runtime_requirements():
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock: make lock"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{requirement.name}=={version} is outside {requirement.specifier}: make lock"
        )


def test_the_lock_is_the_runtime_only() -> None:
    pins = locked()
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    runtime = {canonicalize_name(Requirement(line).name) for line in project["dependencies"]}
    for extra, lines in project["optional-dependencies"].items():
        for line in lines:
            name = canonicalize_name(Requirement(line).name)
            if name not in runtime:
                assert name not in pins, f"{name} (extra {extra}) is in the runtime lock"


def test_no_deployment_file_names_a_host_to_install_from() -> None:
    for path in [LOCK, DOCKERFILE, COMPOSE, REPO / "Makefile", *UNITS]:
        text = path.read_text()
        assert not re.search(r"--(extra-)?index-url|--find-links|--trusted-host", text), path
        assert not TOKEN_SHAPE.search(text), path
    assert "://" not in LOCK.read_text()


# -- systemd ---------------------------------------------------------------------------------


def unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A unit file's sections, each a list of (key, value): keys may repeat."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
            continue
        assert current is not None, line
        key, _, value = line.partition("=")
        current.append((key.strip(), value.strip()))
    return sections


@pytest.mark.parametrize("path", UNITS, ids=lambda path: path.name)
def test_the_systemd_unit_runs_nashra_as_its_user_confined(path: Path) -> None:
    service = unit(path)["Service"]
    values = dict(service)
    exec_start = shlex.split(values["ExecStart"])
    assert exec_start[0].startswith("/")
    assert exec_start[0].endswith("/.venv/bin/nashra")
    assert exec_start[1:] == ["run"]
    assert values["Restart"] == "on-failure"
    assert values["User"] not in ("root", "0")
    assert [value for key, value in service if key == "EnvironmentFile"]
    assert values["NoNewPrivileges"] == "true"
    assert values["ProtectSystem"] == "strict"
    assert values["PrivateTmp"] == "true"
    # The working directory holds the default SQLite file: the one place it may write.
    assert values["WorkingDirectory"] in values["ReadWritePaths"].split()
    assert unit(path)["Install"] == [("WantedBy", "multi-user.target")]


def test_the_template_unit_gives_each_instance_its_own_settings() -> None:
    files = [value for key, value in unit(UNITS[1])["Service"] if key == "EnvironmentFile"]
    assert any("%i" in value for value in files)


@pytest.mark.parametrize("path", UNITS, ids=lambda path: path.name)
def test_systemd_reads_the_unit_without_a_complaint(path: Path, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # The unit as installed names /opt/nashra's venv; here, this checkout's.
    nashra = Path(sys.executable).parent / "nashra"
    text = re.sub(r"^ExecStart=\S+", f"ExecStart={nashra}", path.read_text(), flags=re.M)
    name = path.name.replace("@.", "@1.")
    (tmp_path / name).write_text(text)
    result = subprocess.run(
        [analyze, "verify", "--man=no", str(tmp_path / name)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert not result.stderr.strip(), result.stderr


def test_an_environment_file_copied_from_env_example_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cp .env.example .env` (or /etc/nashra/nashra.env) with a token, and nothing else."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    env_file = tmp_path / ".env"
    example = (REPO / ".env.example").read_text()
    env_file.write_text(example.replace("BOT_TOKEN=\n", "BOT_TOKEN=123456:" + "A" * 35 + "\n"))
    settings = load_settings(_env_file=env_file)
    assert settings.http_port is None


def test_the_procfile_keeps_its_worker() -> None:
    assert (REPO / "Procfile").read_text().strip() == "worker: nashra run"


# -- docker build, where there is an engine --------------------------------------------------


def docker_engine() -> str:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker CLI on this machine")
    info = subprocess.run([docker, "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        pytest.skip(f"no Docker engine answers `docker info`: {info.stderr.strip()[:200]}")
    return docker


def test_docker_build_makes_an_image_that_runs_nashra_as_a_user_without_compilers() -> None:
    docker = docker_engine()
    tag = "nashra-test-deployment:latest"
    subprocess.run([docker, "build", "-t", tag, str(REPO)], check=True)
    try:
        shell = [docker, "run", "--rm", "--entrypoint", "sh", tag, "-c"]
        uid = subprocess.run([*shell, "id -u"], capture_output=True, text=True, check=True)
        assert uid.stdout.strip() != "0"
        compilers = subprocess.run([*shell, "command -v gcc cc make"], check=False)
        assert compilers.returncode != 0
        usage = subprocess.run(
            [docker, "run", "--rm", tag, "--help"], capture_output=True, text=True, check=True
        )
        assert "nashra" in usage.stdout
    finally:
        subprocess.run([docker, "rmi", "-f", tag], capture_output=True, check=False)

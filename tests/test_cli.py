"""The operator CLI interface that black-box tests and operators rely on."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import webwork
from webwork.auth.roles import ROLE_INVALID

# The subprocess runs the same webwork as this test run (a worktree's src/), not whichever
# one the interpreter has installed.
SOURCE = str(Path(webwork.__file__).resolve().parents[1])


def _cli(tmp: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [SOURCE, os.environ.get("PYTHONPATH")])),
        "WEBWORK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'cli.db'}",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "webwork.cli", *args],
        env=env,
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    result = _cli(tmp, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    return tmp


def test_bootstrap_prints_one_json_object(cli_db: Path) -> None:
    result = _cli(
        cli_db,
        "bootstrap",
        "--email",
        "Owner@Example.com",
        "--firstname",
        "O",
        "--workspace",
        "Acme",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"user_id", "workspace_id", "api_key"}
    assert data["api_key"].startswith("wwk_")

    member = _cli(
        cli_db,
        "bootstrap",
        "--email",
        "m@example.com",
        "--workspace-id",
        str(data["workspace_id"]),
        "--role",
        "Executive manager",
        "--json",
    )
    assert member.returncode == 0, member.stderr
    joined = json.loads(member.stdout)
    assert joined["workspace_id"] == data["workspace_id"] and joined["user_id"] != data["user_id"]

    again = _cli(cli_db, "bootstrap", "--email", "owner@example.com", "--workspace", "Second", "--json")
    assert json.loads(again.stdout)["user_id"] == data["user_id"]


def test_bootstrap_rejects_unknown_role_and_workspace(cli_db: Path) -> None:
    refused = _cli(cli_db, "bootstrap", "--email", "x@example.com", "--workspace-id", "1", "--role", "boss")
    assert refused.returncode != 0
    # The same message as the API's, listing the valid roles (rich may wrap it in a box).
    assert ROLE_INVALID in " ".join(refused.stderr.replace("│", " ").split())
    assert (
        _cli(cli_db, "bootstrap", "--email", "x@example.com", "--workspace-id", "999", "--json").returncode
        != 0
    )
    assert _cli(cli_db, "bootstrap", "--email", "x@example.com", "--json").returncode != 0


def test_demo_creates_once(cli_db: Path, tmp_path: Path) -> None:
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    first = _cli(tmp_path, "demo")
    assert first.returncode == 0 and "wwk_" in first.stdout
    second = _cli(tmp_path, "demo")
    assert second.returncode == 0 and "wwk_" not in second.stdout


BAD_SETTINGS = {"WEBWORK_RATE_LIMIT": "lots", "WEBWORK_PORT": "70000"}


@pytest.mark.parametrize(
    "command",
    [
        ["serve"],
        ["db", "upgrade"],
        ["bootstrap", "--email", "x@example.com", "--workspace", "X", "--json"],
        ["demo"],
    ],
)
def test_bad_settings_stop_every_command_with_one_line_each(tmp_path: Path, command: list[str]) -> None:
    """Before a server starts or the database is touched, without a traceback."""
    result = _cli(tmp_path, *command, env=BAD_SETTINGS)
    assert result.stderr.splitlines() == [
        "WEBWORK_PORT: '70000' is not a port number from 1 to 65535",
        "WEBWORK_RATE_LIMIT: 'lots' is not a rate limit like 600/minute or off",
    ]
    assert result.returncode == 2 and result.stdout == ""
    assert not (tmp_path / "cli.db").exists()


def test_a_sync_database_url_names_the_async_one_and_hides_the_password(tmp_path: Path) -> None:
    result = _cli(tmp_path, "db", "upgrade", env={"WEBWORK_DATABASE_URL": "postgres://app:s3cret@db/webwork"})
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "WEBWORK_DATABASE_URL: 'postgres://app:***@db/webwork' needs an async driver: "
        "use postgresql+asyncpg://app:***@db/webwork"
    ]


def test_help_works_with_bad_settings(tmp_path: Path) -> None:
    result = _cli(tmp_path, "serve", "--help", env=BAD_SETTINGS)
    assert result.returncode == 0 and "--port" in result.stdout


def _membership(tmp: Path, email: str) -> tuple[str, str]:
    with sqlite3.connect(tmp / "cli.db") as db:
        row = db.execute(
            "SELECT m.role, m.status FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = ?",
            (email,),
        ).fetchone()
    return row[0], row[1]


def test_bootstrap_keeps_an_existing_role_and_says_what_it_did(tmp_path: Path) -> None:
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    first = _cli(tmp_path, "bootstrap", "--email", "boss@example.com", "--workspace", "Acme", "--json")
    workspace_id = str(json.loads(first.stdout)["workspace_id"])
    again = _cli(tmp_path, "bootstrap", "--email", "boss@example.com", "--workspace-id", workspace_id)
    assert again.returncode == 0, again.stderr
    assert f"kept the role Owner in workspace {workspace_id}" in again.stdout and "wwk_" in again.stdout
    assert _membership(tmp_path, "boss@example.com") == ("owner", "active")

    as_json = _cli(
        tmp_path, "bootstrap", "--email", "boss@example.com", "--workspace-id", workspace_id, "--json"
    )
    assert set(json.loads(as_json.stdout)) == {"user_id", "workspace_id", "api_key"}
    assert "kept the role Owner" in as_json.stderr

    refused = _cli(
        tmp_path,
        "bootstrap",
        "--email",
        "boss@example.com",
        "--workspace-id",
        workspace_id,
        "--role",
        "member",
    )
    assert refused.returncode == 1 and "The workspace owner's role cannot be changed." in refused.stderr
    assert _membership(tmp_path, "boss@example.com") == ("owner", "active")


def test_bootstrap_validates_the_email_as_the_api_does(cli_db: Path) -> None:
    result = _cli(cli_db, "bootstrap", "--email", "not-an-email", "--workspace", "W", "--json")
    assert result.returncode != 0 and result.stdout == ""
    assert "The email field must be a valid email address." in result.stderr


def test_demo_tells_how_to_get_a_new_key(tmp_path: Path) -> None:
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    assert _cli(tmp_path, "demo").returncode == 0
    second = _cli(tmp_path, "demo")
    assert "webwork bootstrap --email owner@example.com --workspace-id 1" in second.stdout


def test_serve_links_default_to_the_address_it_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from webwork.cli import app
    from webwork.config import get_settings

    seen: dict[str, object] = {}

    def run(*_: object, **options: object) -> None:
        seen.update(options, base=get_settings().public_address())

    for name in ("WEBWORK_HOST", "WEBWORK_PORT", "WEBWORK_PUBLIC_URL"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setattr(uvicorn, "run", run)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["serve", "--host", "127.0.0.5", "--port", "8781", "--no-migrate"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.5" and seen["port"] == 8781
    assert seen["base"] == "http://127.0.0.5:8781"


def test_demo_example_carries_the_key_it_printed(tmp_path: Path) -> None:
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    lines = _cli(tmp_path, "demo").stdout.splitlines()
    key = lines[1].rsplit("api_key=", 1)[1]
    assert key.startswith("wwk_") and f"'Authorization: Bearer {key}'" in lines[2]


def test_make_run_leaves_the_database_to_the_settings() -> None:
    """The Makefile sets no WEBWORK_* default: a `.env` file or the environment decides,
    as for every other `webwork` command."""
    makefile = (Path(SOURCE).parent / "Makefile").read_text()
    assert "WEBWORK_DATABASE_URL" not in makefile


def test_help_is_plain_text() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "webwork.cli", "--help"],
        env={**os.environ, "PYTHONPATH": SOURCE, "COLUMNS": "100"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "``" not in result.stdout and "╭" not in result.stdout
    assert re.search(r"\n  serve +Serve the API \(uvicorn\), migrating the database first\.", result.stdout)


async def test_serve_trusts_no_forwarded_header_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The app uvicorn would run, as ``serve`` configures it, called from 127.0.0.1 with a
    new X-Forwarded-For per invalid key: the address's bucket runs out all the same
    (uvicorn's own proxy headers, on by default, trust 127.0.0.1)."""
    import httpx
    import uvicorn
    from typer.testing import CliRunner

    from webwork.cli import app
    from webwork.config import get_settings

    options: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda **given: options.update(given))
    # serve sets WEBWORK_HOST and WEBWORK_PORT itself: monkeypatch restores them too.
    for name in {"WEBWORK_HOST", "WEBWORK_PORT", *(n for n in os.environ if n.startswith("WEBWORK_"))}:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("WEBWORK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("WEBWORK_RATE_LIMIT", "5/minute")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["serve", "--port", "8782", "--no-migrate"])
        assert result.exit_code == 0, result.output
        # Our logging config would stop the webwork loggers' records reaching pytest.
        config = uvicorn.Config(**{**options, "log_config": None})
        config.load()
    finally:
        get_settings.cache_clear()
    transport = httpx.ASGITransport(app=config.loaded_app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8782") as http:
        codes = [
            (
                await http.get(
                    "/api/v2/workspaces",
                    headers={"Authorization": f"Bearer not-a-key-{n}", "X-Forwarded-For": f"198.51.100.{n}"},
                )
            ).status_code
            for n in range(25)
        ]
    assert codes == [401] * 5 + [429] * 20


def test_version_from_the_command_and_the_module(tmp_path: Path) -> None:
    result = _cli(tmp_path, "--version")
    assert result.returncode == 0 and result.stdout == f"webwork {webwork.__version__}\n"
    env = {**os.environ, "PYTHONPATH": SOURCE}
    module = subprocess.run(
        [sys.executable, "-m", "webwork", "--version"], env=env, capture_output=True, text=True, timeout=60
    )
    assert module.returncode == 0 and module.stdout == result.stdout


def test_db_commands_say_where_the_schema_was_and_is(tmp_path: Path) -> None:
    from webwork.migrations import head_revision

    head = head_revision()
    empty = "an empty schema (no migration applied)"
    assert _cli(tmp_path, "db", "current").stdout == f"{empty}; the latest is {head}\n"
    upgraded = _cli(tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0 and f"Upgraded from {empty} to {head}." in upgraded.stderr
    assert _cli(tmp_path, "db", "current").stdout == f"{head} (latest)\n"
    assert f"Already at {head}." in _cli(tmp_path, "db", "upgrade").stderr
    down = _cli(tmp_path, "db", "downgrade", "0005_email_changes")
    assert down.returncode == 0 and f"Downgraded from {head} to 0005_email_changes." in down.stderr
    assert _cli(tmp_path, "db", "current").stdout == f"0005_email_changes; the latest is {head}\n"
    # Every migration goes back down and up again on a file with the schema in use.
    assert (
        f"Downgraded from 0005_email_changes to {empty}." in _cli(tmp_path, "db", "downgrade", "base").stderr
    )
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    tables = sqlite3.connect(tmp_path / "cli.db").execute("select count(*) from sqlite_master").fetchone()[0]
    assert tables > 20


def test_check_says_what_is_wrong_and_exits_1_until_all_is_well(tmp_path: Path) -> None:
    missing = _cli(tmp_path, "check")
    assert missing.returncode == 1
    assert "FAIL  Database" in missing.stdout and "does not exist yet" in missing.stdout
    assert not (tmp_path / "cli.db").exists()  # checking created nothing
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    well = _cli(tmp_path, "check")
    assert well.returncode == 0, well.stdout
    assert [line[:6] for line in well.stdout.splitlines()] == ["ok    "] * 3
    assert "answers (SQLite " in well.stdout and "the latest migration" in well.stdout
    assert _cli(tmp_path, "db", "downgrade", "0007_project_viewers").returncode == 0
    behind = _cli(tmp_path, "check")
    assert behind.returncode == 1 and "Schema: at 0007_project_viewers; pending: 0008_leaves" in behind.stdout
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    no_redis = _cli(tmp_path, "check", env={"WEBWORK_REDIS_URL": "redis://127.0.0.1:1/0"})
    assert (
        no_redis.returncode == 1 and "FAIL  Redis redis://127.0.0.1:1/0: does not answer" in no_redis.stdout
    )
    no_database = _cli(
        tmp_path, "check", env={"WEBWORK_DATABASE_URL": "postgresql+asyncpg://u:secret@127.0.0.1:1/x"}
    )
    assert no_database.returncode == 1 and "secret" not in no_database.stdout
    assert "FAIL  Database postgresql+asyncpg://u:***@127.0.0.1:1/x: does not answer" in no_database.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["db", "upgrade"],
        ["db", "current"],
        ["serve", "--port", "1"],
        ["bootstrap", "--email", "a@b.co", "--workspace", "W", "--json"],
    ],
)
def test_a_database_that_does_not_answer_is_one_line(tmp_path: Path, command: list[str]) -> None:
    result = _cli(
        tmp_path, *command, env={"WEBWORK_DATABASE_URL": "postgresql+asyncpg://u:secret@127.0.0.1:1/x"}
    )
    assert result.returncode == 3
    [line] = [line for line in result.stderr.splitlines() if line.startswith("Database ")]
    assert line.startswith("Database postgresql+asyncpg://u:***@127.0.0.1:1/x does not answer: ")
    assert "Traceback" not in result.stderr and "secret" not in result.stderr + result.stdout


def test_a_read_only_sqlite_folder_is_one_line(tmp_path: Path) -> None:
    """The folder and file of a migrated database made read-only: `check` names it,
    `serve` stops on one line. Permissions do not stop root, so as root the commands run
    as ``nobody`` (util-linux's setpriv), in a folder outside pytest's private one."""
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    with tempfile.TemporaryDirectory(dir="/tmp") as shared:
        folder = Path(shared) / "ro"
        folder.mkdir()
        db = folder / "cli.db"
        shutil.copy(tmp_path / "cli.db", db)
        db.chmod(0o444)
        folder.chmod(0o555)
        Path(shared).chmod(0o755)
        as_other = (
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if os.geteuid() == 0 else []
        )
        env = {
            **os.environ,
            "PYTHONPATH": SOURCE,
            "WEBWORK_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
            "HOME": shared,
        }

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            command = [*as_other, sys.executable, "-m", "webwork.cli", *args]
            return subprocess.run(command, env=env, cwd=shared, capture_output=True, text=True, timeout=120)

        check = run("check")
        assert check.returncode == 1, check.stdout + check.stderr
        assert f"{db} or its directory is read-only" in check.stdout
        served = run("serve", "--port", "1")
        assert served.returncode == 3, served.stderr
        [line] = [line for line in served.stderr.splitlines() if line.startswith("Database ")]
        assert "readonly database" in line and "Traceback" not in served.stderr

"""``webwork serve --workers N``: several processes are PostgreSQL's (with Redis for
shared rate limits), under uvicorn's own supervisor, which replaces a worker that hangs
and stops them all on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from tests.test_cli import SOURCE, _cli
from webwork.cli import _check_processes
from webwork.config import Settings

REDIS_URL = "redis://127.0.0.1:6379/15"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_several_processes_on_sqlite_are_refused_in_one_line(tmp_path: Path) -> None:
    result = _cli(tmp_path, "serve", "--workers", "2", "--no-migrate")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "--workers 2: SQLite is served by one process; set WEBWORK_DATABASE_URL to PostgreSQL to run several."
    ]


def test_several_processes_with_a_rate_limit_need_redis(tmp_path: Path) -> None:
    env = {
        "WEBWORK_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/test",
        "WEBWORK_WORKERS": "3",
    }
    result = _cli(tmp_path, "serve", "--no-migrate", env=env)
    assert result.returncode == 2
    assert "--workers 3: rate limits need WEBWORK_REDIS_URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _children(pid: int) -> set[int]:
    """The worker processes of the supervisor ``pid`` (multiprocessing's spawned children
    other than its resource tracker)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if parent == pid and b"resource_tracker" not in cmdline:
            found.add(int(entry.name))
    return found


@contextmanager
def _serving(database_url: str, tmp_path: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [SOURCE, os.environ.get("PYTHONPATH")])),
        "WEBWORK_DATABASE_URL": database_url,
        "WEBWORK_REDIS_URL": REDIS_URL,
    }
    command = [sys.executable, "-m", "webwork.cli", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(
        [*command, "--no-migrate"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: _answers(port) and len(_children(server.pid)) == 2, server)
        yield server
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _wait_for(condition: object, server: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert server.poll() is None, "the supervisor stopped"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads worker processes from /proc")
def test_a_hung_worker_is_replaced_and_sigterm_stops_them_all(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("several processes are PostgreSQL's")
    port = _free_port()
    with _serving(database_url, tmp_path, port) as server:
        first = _children(server.pid)
        hung = min(first)
        os.kill(hung, signal.SIGSTOP)
        try:
            _wait_for(lambda: hung not in _children(server.pid) and len(_children(server.pid)) == 2, server)
        finally:
            if hung in _children(server.pid):
                os.kill(hung, signal.SIGCONT)
        assert _answers(port)
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0


def test_several_processes_without_a_secret_key_are_warned(capsys: pytest.CaptureFixture[str]) -> None:
    """The pages' sessions are signed per process when no key is set: the API still
    serves, and the operator is told on one line."""
    settings = Settings(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:5432/test", rate_limit="off", secret_key=None
    )
    _check_processes(settings, 2)
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("--workers 2: WEBWORK_SECRET_KEY is not set")
    _check_processes(settings.model_copy(update={"secret_key": SecretStr("k" * 32)}), 2)
    assert capsys.readouterr().err == ""

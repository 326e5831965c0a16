"""A live ``webwork serve`` for the tests that call it from outside, over TCP, as a
client on another machine would (schemathesis, a generated client): a migrated SQLite
file, an owner with a workspace and an API key, the rate limit off."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.test_cli import SOURCE


@dataclass(frozen=True)
class LiveServer:
    url: str
    api_key: str
    workspace_id: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _cli(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "webwork.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [SOURCE, os.environ.get("PYTHONPATH")])),
        "WEBWORK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'live.db'}",
        "WEBWORK_RATE_LIMIT": "off",
    }
    _cli(env, tmp_path, "db", "upgrade")
    owner = json.loads(
        _cli(env, tmp_path, "bootstrap", "--email", "owner@example.com", "--workspace", "Live", "--json")
    )
    workspace_id = owner["workspace_id"]
    _cli(
        env,
        tmp_path,
        "bootstrap",
        "--email",
        "owner@example.com",
        "--workspace-id",
        str(workspace_id),
        "--json",
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "webwork.cli", "serve", "--no-migrate", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while not _answers(url):
            assert server.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.2)
        yield LiveServer(url, owner["api_key"], workspace_id)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()

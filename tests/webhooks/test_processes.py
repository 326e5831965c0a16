"""The worker in real processes: ``webwork serve`` runs it unless ``--no-worker``, and
``webwork worker`` runs it apart (here ``--once``). Mail shows it: the log backend
writes each mail the worker sends on the ``webwork.mail`` log."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.test_cli import SOURCE, _cli
from tests.test_serve_workers import _answers, _free_port

INVITE = {"email": "invitee@example.com", "firstname": "In", "lastname": "Vitee", "role": "member"}


def _serve(tmp: Path, env: dict[str, str], *options: str) -> tuple[subprocess.Popen[bytes], int, Path]:
    port = _free_port()
    log = tmp / f"serve-{port}.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "webwork.cli", "serve", "--no-migrate", "--port", str(port), *options],
        env={**os.environ, **env, "PYTHONPATH": SOURCE, "WEBWORK_RATE_LIMIT": "off"},
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    deadline = time.monotonic() + 60
    while not _answers(port):
        assert server.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    return server, port, log


def _invite(port: int, boot: dict[str, object]) -> None:
    response = httpx.post(
        f"http://127.0.0.1:{port}/api/v2/members",
        params={"workspace_id": str(boot["workspace_id"])},
        json=INVITE,
        headers={"Authorization": f"Bearer {boot['api_key']}"},
    )
    assert response.status_code == 201, response.text


def _mailed(log: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "to invitee@example.com" in log.read_text(errors="replace"):
            return True
        time.sleep(0.1)
    return False


def test_serve_sends_mail_through_its_worker_unless_told_not_to(tmp_path: Path) -> None:
    # A worker that looked only every minute: the mail leaves at once all the same, since
    # the commit that queued it wakes the worker of its process.
    env = {
        "WEBWORK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'w.db'}",
        "WEBWORK_WORKER_POLL_INTERVAL": "60",
    }
    assert _cli(tmp_path, "db", "upgrade", env=env).returncode == 0
    boot = json.loads(
        _cli(tmp_path, "bootstrap", "--email", "o@example.com", "--workspace", "W", "--json", env=env).stdout
    )
    server, port, log = _serve(tmp_path, env)
    try:
        _invite(port, boot)
        assert _mailed(log, 10), log.read_text()
    finally:
        server.terminate()
        assert server.wait(timeout=60) == 0

    server, port, log = _serve(tmp_path, env, "--no-worker")
    try:
        with sqlite3.connect(tmp_path / "w.db") as db:
            db.execute("DELETE FROM memberships WHERE status = 'invited'")
        _invite(port, boot)
        assert not _mailed(log, 2)
    finally:
        server.terminate()
        assert server.wait(timeout=60) == 0
    with sqlite3.connect(tmp_path / "w.db") as db:
        [(waiting,)] = db.execute("SELECT count(*) FROM outbox WHERE dispatched_at IS NULL").fetchall()
    assert waiting == 1

    sent = _cli(tmp_path, "worker", "--once", env=env)
    assert sent.returncode == 0, sent.stderr
    assert "to invitee@example.com" in sent.stderr
    with sqlite3.connect(tmp_path / "w.db") as db:
        rows = db.execute("SELECT status FROM deliveries").fetchall()
    assert rows == [("delivered",), ("delivered",)]

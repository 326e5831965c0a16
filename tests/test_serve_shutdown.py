"""SIGTERM during a burst of requests: ``webwork serve`` stops accepting, answers every
request it had begun, and exits 0. A connection still waiting in the listen queue when
the socket closes is reset unread (the client may send it again); what counts is that no
request was carried out without its answer: every saved entry was answered 201."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.test_cli import SOURCE, _cli
from tests.test_serve_workers import _answers, _free_port

REQUESTS = 60


def test_sigterm_during_a_burst_cuts_no_request_off(tmp_path: Path) -> None:
    env = {"WEBWORK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}"}
    assert _cli(tmp_path, "db", "upgrade", env=env).returncode == 0
    boot = json.loads(
        _cli(tmp_path, "bootstrap", "--email", "s@example.com", "--workspace", "S", "--json", env=env).stdout
    )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "webwork.cli", "serve", "--no-migrate", "--port", str(port)],
        env={**os.environ, **env, "PYTHONPATH": SOURCE, "WEBWORK_RATE_LIMIT": "off"},
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    headers = {"Authorization": f"Bearer {boot['api_key']}", "Connection": "close"}

    def one(i: int) -> str:
        body = {"workspace_id": boot["workspace_id"], "user_id": boot["user_id"], "date": "2024-01-15"}
        body |= {
            "start_time": f"{i // 4:02d}:{i % 4 * 15:02d}",
            "end_time": f"{i // 4:02d}:{i % 4 * 15 + 10:02d}",
        }
        try:
            response = httpx.post(f"http://127.0.0.1:{port}/api/v2/time-entries", json=body, headers=headers)
        except httpx.TransportError:
            return "not answered"
        return str(response.status_code)

    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            assert server.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        with ThreadPoolExecutor(max_workers=16) as pool:
            futures = [pool.submit(one, i) for i in range(REQUESTS)]
            while sum(f.done() for f in futures) < 5:
                time.sleep(0.01)
            server.send_signal(signal.SIGTERM)
            outcomes = [f.result() for f in futures]
        assert server.wait(30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert set(outcomes) <= {"201", "not answered"}, outcomes
    with sqlite3.connect(tmp_path / "burst.db") as db:
        saved = db.execute("SELECT count(*) FROM time_entries").fetchone()[0]
    assert saved == outcomes.count("201") >= 5, (saved, outcomes)

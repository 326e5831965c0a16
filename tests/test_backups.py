"""``webwork backup`` while the server writes, and ``webwork restore`` into a new
database: the copy is one consistent moment, and the restored database holds exactly
what the copy holds (every table's row count, the time entries themselves)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.test_cli import SOURCE, _cli
from tests.test_serve_workers import _free_port


def _tables(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _entries_digest(path: Path) -> str:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT id, user_id, start_at, end_at, activity_description FROM time_entries ORDER BY id"
        )
        return hashlib.sha256(repr(rows.fetchall()).encode()).hexdigest()


def test_a_backup_taken_while_the_server_writes_restores_whole(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    env = {"WEBWORK_DATABASE_URL": url}
    assert _cli(tmp_path, "db", "upgrade", env=env).returncode == 0
    boot = json.loads(
        _cli(tmp_path, "bootstrap", "--email", "b@example.com", "--workspace", "B", "--json", env=env).stdout
    )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "webwork.cli", "serve", "--no-migrate", "--port", str(port)],
        env={**os.environ, "PYTHONPATH": SOURCE, "WEBWORK_DATABASE_URL": url, "WEBWORK_RATE_LIMIT": "off"},
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base, ws = f"http://127.0.0.1:{port}/api/v2", {"workspace_id": boot["workspace_id"]}
    headers = {"Authorization": f"Bearer {boot['api_key']}"}
    written: list[int] = []
    stop = threading.Event()

    def write() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            i = 0
            while not stop.is_set():
                day, slot = divmod(i, 40)
                body = {**ws, "user_id": boot["user_id"], "date": f"2024-0{1 + day // 28}-{1 + day % 28:02d}"}
                body |= {"start_time": f"{slot // 4 + 6:02d}:{slot % 4 * 15:02d}", "notes": f"entry {i}"}
                body["end_time"] = f"{slot // 4 + 6:02d}:{slot % 4 * 15 + 10:02d}"
                assert client.post("/time-entries", json=body).status_code == 201
                written.append(i)
                i += 1

    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        writer = threading.Thread(target=write)
        writer.start()
        while len(written) < 20:
            time.sleep(0.05)
        backed = _cli(tmp_path, "backup", str(tmp_path / "copy.db"), env=env)
        during = len(written)
        time.sleep(0.3)
        stop.set()
        writer.join()
    finally:
        server.terminate()
        server.wait(10)
    assert backed.returncode == 0, backed.stderr
    assert "SQLite online backup" in backed.stdout
    copy = tmp_path / "copy.db"
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    saved = _tables(copy)["time_entries"]
    assert 20 <= saved <= during + 1 < len(written) + 1  # one moment, taken while writes went on
    restored_url = f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
    restored = _cli(tmp_path, "restore", str(copy), env={"WEBWORK_DATABASE_URL": restored_url})
    assert restored.returncode == 0, restored.stderr
    assert _tables(tmp_path / "restored.db") == _tables(copy)
    assert _entries_digest(tmp_path / "restored.db") == _entries_digest(copy)
    again = _cli(tmp_path, "restore", str(copy), env={"WEBWORK_DATABASE_URL": restored_url})
    assert again.returncode == 1 and "is not empty; restore into a new database" in again.stderr
    assert _cli(tmp_path, "backup", str(copy), env=env).stderr.strip() == f"{copy} exists; name a new file"


def _psql(database: str, query: str) -> str:
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", query],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.skipif(
    not os.environ.get("WEBWORK_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the PostgreSQL pass runs it",
)
def test_a_postgresql_backup_restores_whole_into_a_new_database(tmp_path: Path) -> None:
    names = [f"webwork_backup_{os.getpid()}_{which}" for which in ("from", "into")]
    for name in names:
        _psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')
        _psql("postgres", f'CREATE DATABASE "{name}"')
    source, target = (f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}" for name in names)
    try:
        assert _cli(tmp_path, "db", "upgrade", env={"WEBWORK_DATABASE_URL": source}).returncode == 0
        for n in range(3):
            made = _cli(
                tmp_path,
                "bootstrap",
                "--email",
                f"p{n}@example.com",
                "--workspace",
                f"W{n}",
                "--json",
                env={"WEBWORK_DATABASE_URL": source},
            )
            assert made.returncode == 0, made.stderr
        dump = tmp_path / "whole.dump"
        backed = _cli(tmp_path, "backup", str(dump), env={"WEBWORK_DATABASE_URL": source})
        assert backed.returncode == 0 and "pg_dump custom format" in backed.stdout, backed.stderr
        restored = _cli(tmp_path, "restore", str(dump), env={"WEBWORK_DATABASE_URL": target})
        assert restored.returncode == 0, restored.stderr
        tables = _psql(names[0], "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split()
        assert len(tables) > 20
        for table in tables:
            query = f'SELECT count(*) FROM "{table}"'
            assert _psql(names[1], query) == _psql(names[0], query), table
        assert _psql(names[1], "SELECT count(*) FROM users") == "3"
        again = _cli(tmp_path, "restore", str(dump), env={"WEBWORK_DATABASE_URL": target})
        assert again.returncode == 1 and "is not empty" in again.stderr
    finally:
        for name in names:
            _psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')

"""Several nodes: two ``webwork serve`` processes on one PostgreSQL database and one
Redis. A write on one is read on the other, two timer starts racing on the two nodes
leave one running timer, and a rate limit counts the calls made to both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.test_backups import _psql
from tests.test_cli import SOURCE, _cli
from tests.test_serve_workers import _answers, _free_port

# Its own Redis database, emptied first: the limit's buckets are keyed by user id, which
# starts at 1 in the fresh PostgreSQL database of this test.
REDIS_URL = "redis://127.0.0.1:6379/13"
LIMIT = 25

pytestmark = pytest.mark.skipif(
    not os.environ.get("WEBWORK_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="several nodes are PostgreSQL's; the PostgreSQL pass runs it",
)


@contextmanager
def _node(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "webwork.cli", "serve", "--no-migrate", "--port", str(port)],
        env={**os.environ, **env, "PYTHONPATH": SOURCE},
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            assert server.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/api/v2"
    finally:
        server.terminate()
        server.wait(30)


def test_two_nodes_share_the_database_the_timer_rule_and_the_rate_limit(tmp_path: Path) -> None:
    name = f"webwork_nodes_{os.getpid()}"
    _psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')
    _psql("postgres", f'CREATE DATABASE "{name}"')
    subprocess.run(["redis-cli", "-n", "13", "FLUSHDB"], check=True, capture_output=True)
    env = {
        "WEBWORK_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}",
        "WEBWORK_REDIS_URL": REDIS_URL,
        "WEBWORK_RATE_LIMIT": f"{LIMIT}/minute",
    }
    try:
        assert _cli(tmp_path, "db", "upgrade", env=env).returncode == 0
        boot = json.loads(
            _cli(
                tmp_path, "bootstrap", "--email", "n@example.com", "--workspace", "N", "--json", env=env
            ).stdout
        )
        headers = {"Authorization": f"Bearer {boot['api_key']}"}
        ws = {"workspace_id": boot["workspace_id"]}
        with ExitStack() as nodes:
            a, b = (nodes.enter_context(_node(env, tmp_path)) for _ in range(2))
            project = httpx.post(f"{a}/projects", params=ws, json={"name": "Shared"}, headers=headers).json()
            seen = httpx.get(f"{b}/projects/{project['data']['id']}", params=ws, headers=headers)
            assert seen.status_code == 200 and seen.json()["data"]["name"] == "Shared"

            start = {**ws, "user_id": boot["user_id"]}
            with ThreadPoolExecutor(max_workers=2) as pool:
                raced = list(
                    pool.map(
                        lambda node: httpx.post(f"{node}/time-tracking/start", json=start, headers=headers),
                        (a, b),
                    )
                )
            assert sorted(r.status_code for r in raced) == [200, 409], [r.text for r in raced]
            assert {r.json().get("error") for r in raced if r.status_code == 409} == {"timer_running"}

            used = 4  # the project, its read, the two starts
            answers = [
                httpx.get(f"{node}/workspaces", headers=headers).status_code for node in (a, b) * LIMIT
            ]
            assert answers.count(200) == LIMIT - used and answers.count(429) == LIMIT + used, answers
    finally:
        _psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')
        subprocess.run(["redis-cli", "-n", "13", "FLUSHDB"], check=False, capture_output=True)

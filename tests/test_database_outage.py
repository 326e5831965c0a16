"""The database goes away under a running server (uvicorn, in this process) and comes
back: meanwhile every request is a 503 envelope with ``Retry-After`` within seconds
(never a 500, never a hung request) and ``/ready`` is 503; afterwards the server answers
again by itself, with no restart.

PostgreSQL is reached through a TCP proxy that the test closes (the server's
connections drop, new ones are refused), then reopens answering nothing (connections
hang until the driver's connect timeout), then reopens for real.

SQLite has no server to stop, and the tests run as root, whom ``chmod`` does not stop:
the database's files (main, ``-wal``, ``-shm``) are overwritten in place with zeros, as a
failing disk would leave them, and later written back. The connections already open
then find "file is not a database", which the engine treats as a lost connection
(``kit/db.py``): they are dropped, and new ones open on the restored file."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import make_url

import webwork.kit.db
from tests.assertions import err
from webwork.app import create_app
from webwork.config import Settings
from webwork.kit.errors import DATABASE_RETRY_AFTER
from webwork.migrations import upgrade

# The longest a refused request may take: the driver's connect timeout (shortened
# here) and some slack for a loaded machine.
CONNECT_TIMEOUT = 1.0
PATIENCE = 8.0
PROBE_HEADERS = {"Authorization": "Bearer wwk_not-a-key"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class Proxy:
    """Forwards TCP connections on ``port`` to ``upstream``; ``close`` drops every
    connection and stops listening; ``open(forward=False)`` accepts and says nothing."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = _free_port()
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []
        self.forward = True

    async def open(self, *, forward: bool = True) -> None:
        self.forward = forward
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def close(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()
        self.writers.clear()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        if not self.forward:
            return
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        self.writers.append(up_writer)
        await asyncio.gather(_copy(reader, up_writer), _copy(up_reader, writer), return_exceptions=True)


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


@contextlib.asynccontextmanager
async def serving(database_url: str) -> AsyncIterator[str]:
    """A real server on ``database_url``; its base URL."""
    port = _free_port()
    app = create_app(Settings(database_url=database_url, rate_limit="off"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not task.done(), "the server stopped"
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def _answers(client: httpx.AsyncClient) -> None:
    """The database answers: the unknown key is looked up and refused, and /ready is 200."""
    err(await client.get("/api/v2/workspaces", headers=PROBE_HEADERS), 401, "invalid_token")
    assert (await client.get("/ready")).status_code == 200


async def _refuses_in_time(client: httpx.AsyncClient) -> None:
    for path, headers in (("/api/v2/workspaces", PROBE_HEADERS), ("/ready", {})):
        started = time.monotonic()
        response = await client.get(path, headers=headers)
        assert time.monotonic() - started < PATIENCE, path
        err(response, 503, "unavailable")
        assert response.headers["Retry-After"], path
        assert response.headers["X-Request-ID"] == response.json()["meta"]["request_id"]
    write = await client.post(
        "/api/v2/projects", params={"workspace_id": 1}, json={"name": "x"}, headers=PROBE_HEADERS
    )
    assert write.status_code == 503 and write.headers["Retry-After"] == DATABASE_RETRY_AFTER


async def test_postgresql_stops_and_starts_again(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's outage; SQLite's is the next test")
    monkeypatch.setattr(webwork.kit.db, "CONNECT_TIMEOUT", CONNECT_TIMEOUT)
    url = make_url(database_url)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    await proxy.open()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    async with serving(proxied) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
        await _answers(client)
        await proxy.close()
        await _refuses_in_time(client)
        await proxy.open(forward=False)
        await _refuses_in_time(client)
        await proxy.close()
        await proxy.open()
        await _answers(client)
        await _answers(client)
    await proxy.close()


async def test_sqlite_file_becomes_unusable_and_comes_back(database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's outage; PostgreSQL's is the previous test")
    path = tmp_path / "outage.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade, url)
    async with serving(url) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
        await _answers(client)
        files = [f for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if f.exists()]
        saved = {f: f.read_bytes() for f in files}
        for f, content in saved.items():
            with f.open("r+b") as handle:
                handle.write(bytes(len(content)))
        await _refuses_in_time(client)
        for f, content in saved.items():
            with f.open("r+b") as handle:
                handle.write(content)
        await _answers(client)
        await _answers(client)

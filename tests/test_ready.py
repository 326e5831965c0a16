"""``GET /ready``: 200 while the database answers ``SELECT 1``, 503 with the error
envelope and ``Retry-After`` when it refuses, cannot be opened or stays silent, so that
a proxy or a container engine sends no traffic to a node that could not serve it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import webwork.app
from tests.assertions import err
from tests.factories import Factory
from webwork.app import create_app
from webwork.config import Settings
from webwork.kit.db import Database


async def get_ready(settings: Settings, database: Database | None = None) -> httpx.Response:
    app = create_app(settings, database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        try:
            return await http.get("/ready")
        finally:
            await app.state.database.dispose()


@pytest.fixture()
def closed_port() -> int:
    """A port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture()
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word, as a database host that
    hangs: the driver waits for its greeting."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


async def test_ready_when_the_database_answers(factory: Factory) -> None:
    """No API key needed: the caller is a load balancer."""
    response = await factory.http.get("http://testserver/ready")
    assert response.status_code == 200 and response.json() == {"status": "ready"}


async def test_ready_on_the_database_as_serve_builds_it(database_url: str, settings: Settings) -> None:
    """On SQLite files: the deferred readers and queued writers of ``webwork serve``."""
    response = await get_ready(settings, Database.from_url(database_url))
    assert response.status_code == 200 and response.json() == {"status": "ready"}


@pytest.fixture()
def unreachable(request: pytest.FixtureRequest, closed_port: int, tmp_path: Path) -> str:
    urls = {
        "postgresql": f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port}/webwork",
        "sqlite": f"sqlite+aiosqlite:///{tmp_path}/no/such/directory/webwork.db",
    }
    return urls[request.param]


@pytest.mark.parametrize("unreachable", ["postgresql", "sqlite"], indirect=True)
async def test_not_ready_when_the_database_cannot_be_reached(unreachable: str) -> None:
    response = await get_ready(Settings(database_url=unreachable, rate_limit="off"))
    body = err(response, 503, "unavailable")
    assert body["message"] == "The database does not answer."
    assert response.headers["Retry-After"] == webwork.app.READY_RETRY_AFTER


async def test_not_ready_when_the_database_does_not_answer_in_time(
    silent_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webwork.app, "READY_TIMEOUT", 0.3)
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{silent_port}/webwork"
    response = await get_ready(Settings(database_url=url, rate_limit="off"))
    err(response, 503, "unavailable")
    assert response.headers["Retry-After"] == webwork.app.READY_RETRY_AFTER


async def test_ready_is_not_part_of_the_api_description(factory: Factory) -> None:
    spec = (await factory.http.get("http://testserver/openapi.json")).json()
    assert "/ready" not in spec["paths"] and "/health" not in spec["paths"]

"""Fixtures: one migrated database per run, one rolled-back transaction per test, an
ASGI client, factories, and clients authenticated as people with each role."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

import webwork.models
from tests.database import test_database_url
from tests.factories import Factory, QueryCounter, Space
from webwork.app import create_app
from webwork.config import Settings
from webwork.kit import clock
from webwork.kit.db import Database, create_engine
from webwork.webhooks.worker import Worker

if TYPE_CHECKING:
    from webwork.kit.mail import Message


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with test_database_url() as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, rate_limit="off", login_rate_limit="off", public_url="http://testserver"
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def app(settings: Settings, engine: AsyncEngine) -> FastAPI:
    return create_app(settings, Database(engine, async_sessionmaker(engine)))


@pytest_asyncio.fixture(loop_scope="session")
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """The test's connection: everything it and the app write is rolled back after."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            if transaction.is_active:
                await transaction.rollback()


@pytest_asyncio.fixture(loop_scope="session")
async def session(connection: AsyncConnection, app: FastAPI) -> AsyncIterator[AsyncSession]:
    """The factories' session; the app gets sessions on the same connection, whose
    commits only release SAVEPOINTs inside the test's transaction."""
    maker = async_sessionmaker(
        bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )
    previous = app.state.database
    app.state.database = Database(connection.engine, maker)
    async with maker() as s:
        try:
            yield s
        finally:
            app.state.database = previous


async def run_worker(app: FastAPI) -> None:
    """The outbox's worker over what is due now (mail, webhook deliveries), with the
    app's database, settings and mailer: what ``serve``'s worker does a moment after a
    commit."""
    worker = Worker(app.state.database, app.state.settings, app.state.mailer)
    try:
        await worker.drain()
    finally:
        await worker.aclose()


class SettledTransport(httpx.AsyncBaseTransport):
    """The app over ASGI, each answer returned once the work the app started after its
    commit is over too, and, while a test's :class:`Outbox` collects the mail, once the
    worker has sent what the request queued: a test then sees the mail its request
    sent, as a person would a moment later. ``app`` as on ``httpx.ASGITransport``."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.asgi = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.asgi.handle_async_request(request)
        database: Database = self.app.state.database
        await database.settle()
        mailer = self.app.state.mailer
        if isinstance(mailer, Outbox) and mailer.deliver_automatically:
            await run_worker(self.app)
        return response


@pytest_asyncio.fixture(loop_scope="session")
async def http(app: FastAPI, session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=SettledTransport(app), base_url="http://testserver/api/v2"
    ) as client:
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def factory(session: AsyncSession, http: httpx.AsyncClient) -> Factory:
    return Factory(session, http)


@pytest_asyncio.fixture(loop_scope="session")
async def committed_database(database_url: str, engine: AsyncEngine, app: FastAPI) -> AsyncIterator[Database]:
    """For tests that need real commits on separate connections (races): the app uses
    a database as ``webwork serve`` builds it (on SQLite: deferred readers, queued
    writers); every table is emptied afterwards."""
    database = Database.from_url(database_url)
    previous = app.state.database
    app.state.database = database
    try:
        yield database
    finally:
        app.state.database = previous
        await database.dispose()
        async with engine.begin() as conn:
            for table in reversed(webwork.models.Base.metadata.sorted_tables):
                await conn.execute(table.delete())


@pytest.fixture()
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """``frozen_clock(instant)`` stops "now" at ``instant`` (aware, whole seconds) until
    the test ends; calling it again moves the clock. It replaces ``utcnow`` in
    ``webwork.kit.clock`` only, so it reaches every module that reads the time as
    ``clock.utcnow()``."""

    def freeze(instant: datetime) -> None:
        assert instant.tzinfo is not None and instant.microsecond == 0, instant
        monkeypatch.setattr(clock, "utcnow", lambda: instant)

    return freeze


@pytest.fixture()
def query_counter(engine: AsyncEngine) -> Iterator[QueryCounter]:
    counter = QueryCounter()

    def count(*args: Any, **kwargs: Any) -> None:
        counter.record(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


@pytest_asyncio.fixture(loop_scope="session")
async def two_spaces(factory: Factory) -> tuple[Space, Space]:
    """Two workspaces with their owners: every endpoint test uses ``b`` to prove that
    ``a``'s rows are invisible and unchangeable from another workspace (404)."""
    return await factory.space(name="Acme"), await factory.space(name="Rival")


@pytest_asyncio.fixture(loop_scope="session")
async def committed_factory(app: FastAPI, committed_database: Database) -> AsyncIterator[Factory]:
    """A factory whose rows are really committed, with a client on the same app: for
    race tests whose concurrent requests each need their own connection. The client
    returns as soon as the app has answered, as a real one does (the work the app
    starts after a commit may still run: ``committed_database.settle()`` waits for it)."""
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver/api/v2"
        ) as client,
        committed_database.sessionmaker() as session,
    ):
        yield Factory(session, client)


class Outbox:
    """The mail backend of a test: keeps what the app sends instead of sending it."""

    def __init__(self) -> None:
        self.sent: list[Message] = []
        # Off: a test counting a request's statements runs the worker itself, if at all.
        self.deliver_automatically = True

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    def to(self, address: str) -> list[Message]:
        return [m for m in self.sent if m.to == address]

    def code_for(self, address: str) -> str:
        """The confirmation code in the last mail to ``address``."""
        found = re.search(r"confirmation code is ([0-9A-Z-]+)", self.to(address)[-1].body)
        assert found, self.to(address)[-1].body
        return found.group(1)


@pytest.fixture()
def outbox(app: FastAPI) -> Iterator[Outbox]:
    outbox = Outbox()
    previous, app.state.mailer = app.state.mailer, outbox
    try:
        yield outbox
    finally:
        app.state.mailer = previous

"""The unit of work: reads never wait for writers, writers queue in order, and a read's
bookkeeping write happens outside its transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import ok
from tests.factories import Factory
from tests.statements import about_to_run
from webwork.kit import clock
from webwork.kit.db import Database, after_commit, create_engine
from webwork.kit.errors import ApiError
from webwork.models import ApiKey


def _database(factory: Factory) -> Database:
    database: Database = factory.http._transport.app.state.database  # type: ignore[attr-defined]
    if database.reader is None:
        pytest.skip("separate readers and the write queue exist on SQLite files only")
    return database


async def test_a_read_completes_while_a_writer_holds_the_queue(committed_factory: Factory) -> None:
    database = _database(committed_factory)
    space = await committed_factory.space()
    assert database.write_lock is not None
    async with database.write_lock:
        response = await asyncio.wait_for(space.owner.api.get("/workspaces"), timeout=10)
    ok(response)


async def test_writers_wait_in_the_queue_instead_of_failing(committed_factory: Factory) -> None:
    database = _database(committed_factory)
    space = await committed_factory.space()
    assert database.write_lock is not None
    with about_to_run(database.engine, "INSERT INTO projects") as inserting:
        async with database.write_lock:
            pending = asyncio.ensure_future(
                space.owner.api.post("/projects", params=space.ws, json={"name": "Queued"})
            )
            await asyncio.wait_for(inserting.wait(), timeout=10)
            assert not pending.done()
    ok(await asyncio.wait_for(pending, timeout=10), 201)


async def test_reader_connections_refuse_writes(committed_factory: Factory) -> None:
    database = _database(committed_factory)
    assert database.reader is not None
    async with database.reader() as session:
        with pytest.raises(DBAPIError):
            await session.execute(text("UPDATE api_keys SET name = name"))


async def test_a_read_records_the_keys_last_use_after_its_transaction(committed_factory: Factory) -> None:
    space = await committed_factory.space()
    session = committed_factory.session
    key = await session.scalar(select(ApiKey).where(ApiKey.user_id == space.owner.id))
    assert key is not None
    stale = clock.utcnow() - timedelta(hours=1)
    key.last_used_at = stale
    await session.commit()
    ok(await space.owner.api.get("/workspaces"))
    await _database(committed_factory).settle()
    await session.refresh(key)
    assert key.last_used_at is not None and key.last_used_at > stale


async def test_a_route_marked_for_long_reads_reads_off_the_event_loop(committed_factory: Factory) -> None:
    """GET /timesheets (a page of up to 100 members' periods) reads through the stock
    aiosqlite engine, whose statements run in its own thread; other reads stay inline."""
    database = _database(committed_factory)
    assert database.long_reader is not None
    threaded = database.long_reader.kw["bind"]
    space = await committed_factory.space()
    heard: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        heard.append(statement)

    event.listen(threaded.sync_engine, "before_cursor_execute", note)
    try:
        ok(await space.owner.api.get("/projects", params=space.ws))
        assert heard == []
        ok(await space.owner.api.get("/timesheets", params=space.ws))
    finally:
        event.remove(threaded.sync_engine, "before_cursor_execute", note)
    assert any("timesheets" in statement for statement in heard)


class _Kept(ApiError):
    keep_changes = True


async def test_after_commit_work_runs_once_committed_and_never_after_a_rollback(
    app: FastAPI, session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    """Network I/O (mail) is queued on the session and runs after the unit of work has
    committed, kept changes included; a rollback drops it; a failure is logged, not raised."""
    database: Database = app.state.database  # the test's, whose commits release SAVEPOINTs
    ran: list[str] = []

    def note(name: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            ran.append(name)

        return run

    async def fail() -> None:
        raise RuntimeError("mail server on fire")

    async with database.unit_of_work(write=True) as work:
        after_commit(work, note("committed"))
        after_commit(work, fail)
        after_commit(work, note("after the failure"))
        assert ran == []
    for error, name in ((RuntimeError(), "crashed"), (ApiError(), "refused"), (_Kept(), "kept")):
        with pytest.raises(type(error)):
            async with database.unit_of_work(write=True) as work:
                after_commit(work, note(name))
                raise error
    with caplog.at_level(logging.ERROR, logger="webwork.kit.db"):
        await database.settle()
    assert ran == ["committed", "after the failure", "kept"]
    assert any(r.exc_info and "mail server on fire" in str(r.exc_info[1]) for r in caplog.records)


async def test_echoed_statements_never_show_their_values(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """``WEBWORK_ECHO_SQL`` logs the SQL, never what is bound to it (webhook secrets,
    token digests, people's data)."""
    engine = create_engine(database_url, echo=True)
    try:
        with caplog.at_level(logging.INFO, logger="sqlalchemy.engine"):
            async with engine.connect() as conn:
                await conn.execute(select(text(":secret")).params(secret="whsec_do-not-log"))
    finally:
        await engine.dispose()
    assert "SELECT" in caplog.text and "whsec_do-not-log" not in caplog.text

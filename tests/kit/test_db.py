"""The unit of work: reads never wait for writers, writers queue in order, and a read's
bookkeeping write happens outside its transaction."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import ok
from tests.factories import Factory
from webwork.kit import clock
from webwork.kit.db import Database, after_commit
from webwork.kit.errors import ApiError
from webwork.kit.writequeue import WriteQueue
from webwork.models import ApiKey


def _database(factory: Factory) -> Database:
    database: Database = factory.http._transport.app.state.database  # type: ignore[attr-defined]
    if database.reader is None:
        pytest.skip("separate readers and the write queue exist on SQLite files only")
    return database


async def test_a_read_completes_while_a_writer_holds_the_queue(committed_factory: Factory) -> None:
    database = _database(committed_factory)
    space = await committed_factory.space()
    assert database.writers is not None
    async with database.writers.turn():
        response = await asyncio.wait_for(space.owner.api.get("/workspaces"), timeout=10)
    ok(response)


async def test_writers_wait_in_the_queue_instead_of_failing(committed_factory: Factory) -> None:
    database = _database(committed_factory)
    space = await committed_factory.space()
    assert database.writers is not None
    async with database.writers.turn():
        pending = asyncio.ensure_future(
            space.owner.api.post("/projects", params=space.ws, json={"name": "Queued"})
        )
        await asyncio.sleep(0.2)
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


async def test_writers_of_two_processes_take_turns(tmp_path: Path) -> None:
    """Two queues on one database stand for two worker processes: ``flock`` is held per
    open file, so the second waits (in a thread) until the first is done."""
    first, second = WriteQueue(str(tmp_path / "db")), WriteQueue(str(tmp_path / "db"))
    order: list[str] = []

    async def write(queue: WriteQueue, name: str, hold: float) -> None:
        async with queue.turn():
            order.append(f"{name} in")
            await asyncio.sleep(hold)
            order.append(f"{name} out")

    try:
        one = asyncio.ensure_future(write(first, "first", 0.3))
        await asyncio.sleep(0.05)
        await asyncio.wait_for(asyncio.gather(one, write(second, "second", 0)), timeout=10)
    finally:
        first.close()
        second.close()
    assert order == ["first in", "first out", "second in", "second out"]


async def test_each_turn_gives_the_file_lock_back_so_the_other_process_gets_in(tmp_path: Path) -> None:
    """This process's queued writers do not keep the file lock for each other: a writer
    of the other process, waiting, is let in before this process's queue is through."""
    mine, other = WriteQueue(str(tmp_path / "db")), WriteQueue(str(tmp_path / "db"))
    order: list[str] = []

    async def write(queue: WriteQueue, name: str) -> None:
        async with queue.turn():
            order.append(name)
            await asyncio.sleep(0.01)

    try:
        await mine.acquire()
        queued = [asyncio.ensure_future(write(mine, f"mine {i}")) for i in range(20)]
        await asyncio.sleep(0.05)
        theirs = asyncio.ensure_future(write(other, "theirs"))
        await asyncio.sleep(0.05)
        assert order == [] and not theirs.done()
        mine.release()
        await asyncio.wait_for(asyncio.gather(*queued, theirs), timeout=10)
    finally:
        mine.close()
        other.close()
    # flock hands the lock to no one in particular: when exactly the other process gets
    # in depends on the scheduler, but not after this process's queue is through.
    assert order.index("theirs") < len(order) - 1
    assert len(order) == 21


async def test_a_writer_that_stops_waiting_does_not_keep_the_file_lock(tmp_path: Path) -> None:
    """Cancelled while its thread waits for the other process's file lock: the lock it
    then gets is given back, and this process's next writer still waits its turn."""
    mine, other = WriteQueue(str(tmp_path / "db")), WriteQueue(str(tmp_path / "db"))
    try:
        await other.acquire()
        waiting = asyncio.ensure_future(mine.acquire())
        await asyncio.sleep(0.05)
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        following = asyncio.ensure_future(mine.acquire())
        await asyncio.sleep(0.05)
        assert not following.done()
        other.release()  # the abandoned wait gets the lock and gives it back
        await asyncio.wait_for(following, timeout=5)
        mine.release()
        await asyncio.wait_for(other.acquire(), timeout=5)
        other.release()
    finally:
        mine.close()
        other.close()


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

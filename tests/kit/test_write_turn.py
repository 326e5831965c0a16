"""Where a SQLite write transaction becomes the one writer: reads before that run like
any reader's while others write; from then on nothing else writes until it ends."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import sqlite

from tests.factories import Factory
from tests.statements import about_to_run
from webwork.kit import sqlite_driver
from webwork.kit.db import Database, serialise_writes
from webwork.models import Workspace

RENAME = text("UPDATE workspaces SET name = :name WHERE id = :id")
NAME = text("SELECT name FROM workspaces WHERE id = :id")


def _database(factory: Factory) -> Database:
    database: Database = factory.http._transport.app.state.database  # type: ignore[attr-defined]
    if database.write_lock is None:
        pytest.skip("the write queue exists on SQLite files only")
    return database


async def _rename(database: Database, workspace_id: int, name: str) -> None:
    async with database.unit_of_work(write=True) as session:
        await session.execute(RENAME, {"name": name, "id": workspace_id})


async def test_a_write_transaction_that_has_only_read_lets_others_write(committed_factory: Factory) -> None:
    database = _database(committed_factory)
    space = await committed_factory.space()
    async with database.unit_of_work(write=True) as reading:
        await reading.execute(NAME, {"id": space.id})
        await asyncio.wait_for(_rename(database, space.id, "Renamed meanwhile"), timeout=10)
        # it reads one snapshot until it becomes the writer, then what is committed
        assert (await reading.execute(NAME, {"id": space.id})).scalar_one() == space.workspace.name
        await serialise_writes(reading)
        assert (await reading.execute(NAME, {"id": space.id})).scalar_one() == "Renamed meanwhile"


async def test_after_serialise_writes_no_other_transaction_writes_until_it_ends(
    committed_factory: Factory,
) -> None:
    database = _database(committed_factory)
    space = await committed_factory.space()
    async with database.unit_of_work(write=True) as writer:
        await writer.execute(NAME, {"id": space.id})
        await serialise_writes(writer)
        with about_to_run(database.engine, "UPDATE workspaces") as renaming:
            other = asyncio.ensure_future(_rename(database, space.id, "Second"))
            await asyncio.wait_for(renaming.wait(), timeout=10)
        assert not other.done()
        await writer.execute(RENAME, {"name": "First", "id": space.id})
    await asyncio.wait_for(other, timeout=10)
    async with database.unit_of_work(write=False) as session:
        assert (await session.execute(NAME, {"id": space.id})).scalar_one() == "Second"


async def test_a_write_or_a_for_update_makes_the_transaction_the_writer(committed_factory: Factory) -> None:
    database = _database(committed_factory)
    space = await committed_factory.space()
    first = select(Workspace.id).where(Workspace.id == space.id).with_for_update()
    second = RENAME.bindparams(name="Mine", id=space.id)
    for statement in (first, second):
        async with database.unit_of_work(write=True) as writer:
            await writer.execute(statement)
            with about_to_run(database.engine, "UPDATE workspaces") as renaming:
                other = asyncio.ensure_future(_rename(database, space.id, "Theirs"))
                await asyncio.wait_for(renaming.wait(), timeout=10)
            assert not other.done()
        await asyncio.wait_for(other, timeout=10)


def test_for_update_compiles_to_the_marker_the_driver_looks_for() -> None:
    dialect = sqlite.dialect()
    dialect.statement_compiler = sqlite_driver.InlineCompiler
    compiled = str(select(Workspace.id).with_for_update().compile(dialect=dialect))
    assert sqlite_driver.FOR_UPDATE in compiled
    assert sqlite_driver.needs_writer(compiled)
    assert not sqlite_driver.needs_writer(str(select(Workspace.id).compile(dialect=dialect)))

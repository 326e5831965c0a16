"""The inline SQLite driver behaves as the stock aiosqlite dialect does: the same
transactions, savepoints, errors and events, run side by side on both."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from webwork.kit.db import create_engine


def _stock(url: str) -> AsyncEngine:
    """aiosqlite as SQLAlchemy documents it for SAVEPOINT support: no implicit
    transactions from the driver, BEGIN emitted when SQLAlchemy begins."""
    engine = create_async_engine(url)

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


@pytest_asyncio.fixture(params=["inline", "stock"], loop_scope="session")
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}"
    engine = create_engine(url) if request.param == "inline" else _stock(url)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)"))
    yield engine
    await engine.dispose()


async def _names(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return list((await conn.execute(text("SELECT name FROM t ORDER BY id"))).scalars())


async def test_commit_keeps_and_rollback_discards(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('kept')"))
    async with engine.connect() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('dropped')"))
        await conn.rollback()
    assert await _names(engine) == ["kept"]


async def test_a_savepoint_rolls_back_alone(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('outer')"))
        nested = await conn.begin_nested()
        await conn.execute(text("INSERT INTO t (name) VALUES ('inner')"))
        await nested.rollback()
    assert await _names(engine) == ["outer"]


async def test_errors_map_to_sqlalchemys_exceptions(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('once')"))
    async with engine.connect() as conn:
        with pytest.raises(IntegrityError) as integrity:
            await conn.execute(text("INSERT INTO t (name) VALUES ('once')"))
        await conn.rollback()
        with pytest.raises(OperationalError) as operational:
            await conn.execute(text("SELECT nothing FROM nowhere"))
    assert isinstance(integrity.value.orig, sqlite3.IntegrityError)
    assert isinstance(operational.value.orig, sqlite3.OperationalError)


async def test_many_rows_returning_and_fetching(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES (:name)"), [{"name": "a"}, {"name": "b"}])
        returned = (await conn.execute(text("INSERT INTO t (name) VALUES ('c') RETURNING id"))).scalar_one()
        result = await conn.execute(text("SELECT name FROM t ORDER BY id"))
        assert result.fetchone() == ("a",)
        assert result.fetchmany(1) == [("b",)]
        assert result.fetchall() == [("c",)]
    assert returned == 3


async def test_every_event_fires_with_its_context(engine: AsyncEngine) -> None:
    heard: list[tuple[str, bool]] = []

    def before(_conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        if statement != "BEGIN":  # the stock engine's own, from its begin listener
            heard.append(("before", context is not None))

    def after(_conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        if statement != "BEGIN":
            heard.append(("after", context is not None))

    def error(context: Any) -> None:
        heard.append(("error", context.execution_context is not None))

    sync = engine.sync_engine
    event.listen(sync, "before_cursor_execute", before)
    event.listen(sync, "after_cursor_execute", after)
    event.listen(sync, "handle_error", error)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            with pytest.raises(OperationalError):
                await conn.execute(text("SELECT nothing FROM nowhere"))
    finally:
        event.remove(sync, "before_cursor_execute", before)
        event.remove(sync, "after_cursor_execute", after)
        event.remove(sync, "handle_error", error)
    selects = [name for name, _ in heard]
    assert selects == ["before", "after", "before", "error"] and all(ok for _, ok in heard), heard

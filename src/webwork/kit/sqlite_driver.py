"""aiosqlite with one thread hop per statement instead of four.

SQLAlchemy's aiosqlite adapter creates a cursor, executes, fetches and closes, and
aiosqlite sends each of those to its worker thread and back; on a small machine each
hop costs a GIL handover, and they were most of a request's database time. Here the
cursor lives on the event loop's side and one call runs execute + fetchall in the
worker thread. The thread stays, so a slow statement still never blocks the loop.

Used through ``create_async_engine(url, module=DBAPI)``; everything else (connections,
transactions, errors) is aiosqlite's and SQLAlchemy's own."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi

Row = tuple[Any, ...]


class Cursor:
    """The part of aiosqlite's cursor that SQLAlchemy's adapter uses."""

    arraysize = 1

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Row] = []

    async def __aenter__(self) -> Cursor:
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        conn = self._connection._conn

        def run() -> tuple[Any, int, int | None, list[Row]]:
            cursor = conn.execute(sql, parameters)
            rows = cursor.fetchall() if cursor.description else []
            return cursor.description, cursor.rowcount, cursor.lastrowid, rows

        self.description, self.rowcount, self.lastrowid, self._rows = await self._connection._execute(run)  # type: ignore[no-untyped-call]
        return self

    async def executemany(self, sql: str, seq_of_parameters: Iterable[Sequence[Any]]) -> Cursor:
        conn = self._connection._conn

        def run() -> tuple[int, int | None]:
            cursor = conn.executemany(sql, seq_of_parameters)
            return cursor.rowcount, cursor.lastrowid

        self.description = None
        self.rowcount, self.lastrowid = await self._connection._execute(run)  # type: ignore[no-untyped-call]
        self._rows = []
        return self

    async def fetchall(self) -> list[Row]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Row | None:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Row]:
        count = size or self.arraysize
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def close(self) -> None:
        self._rows = []


class OneHopConnection(aiosqlite.Connection):
    def cursor(self) -> Cursor:  # type: ignore[override]
        return Cursor(self)


class _Module:
    """What SQLAlchemy reads off the ``aiosqlite`` module, with our connection."""

    Connection = OneHopConnection
    DatabaseError = aiosqlite.DatabaseError
    Error = aiosqlite.Error
    IntegrityError = aiosqlite.IntegrityError
    NotSupportedError = aiosqlite.NotSupportedError
    OperationalError = aiosqlite.OperationalError
    ProgrammingError = aiosqlite.ProgrammingError
    sqlite_version = aiosqlite.sqlite_version
    sqlite_version_info = aiosqlite.sqlite_version_info

    @staticmethod
    def connect(database: str, **kwargs: Any) -> aiosqlite.Connection:
        return OneHopConnection(lambda: sqlite3.connect(database, **kwargs), 64)


DBAPI = AsyncAdapt_aiosqlite_dbapi(_Module, sqlite3)  # type: ignore[arg-type]

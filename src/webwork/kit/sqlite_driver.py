"""SQLite for SQLAlchemy's asyncio engine, called inline on the event loop.

SQLite is a library, not a server: a statement on a local file is a C call of a few
microseconds (WAL readers never wait; writers wait for nobody either, because
:mod:`webwork.kit.writequeue` queues them before ``BEGIN IMMEDIATE``). aiosqlite sends
every call to a worker thread and back, and each hop (a queue put, a GIL handover, a
``call_soon_threadsafe`` wake-up of the loop) costs more than the statement itself; on a
small machine those hops were most of a request's database time, and every hop let the
loop run other requests while a writer held the write lock. Here the adapter calls the
``sqlite3`` connection directly, so a transaction runs without yielding.

Used through ``create_async_engine(url, module=DBAPI)``: the dialect, pooling,
transactions and errors are SQLAlchemy's aiosqlite dialect's own; only the connection
and cursor underneath are synchronous."""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

from webwork.kit.writequeue import WriteQueue


class InlineCursor(AsyncAdapt_aiosqlite_cursor):
    """Executes and fetches in one call; rows are buffered as SQLAlchemy expects."""

    __slots__ = ()
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: InlineConnection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = adapt_connection._connection.cursor()
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            # A coroutine that never suspends: SQLAlchemy's AsyncConnection insists on
            # seeing an await, and a greenlet switch pair costs a microsecond or two.
            return await_(self._run(operation, () if parameters is None else parameters))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _run(self, operation: Any, parameters: Sequence[Any]) -> Any:
        cursor: sqlite3.Cursor = self._sqlite_cursor
        cursor.execute(operation, parameters)
        if cursor.description:
            self._rows = collections.deque(cursor.fetchall())
        return cursor

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            return await_(self._run_many(operation, seq_of_parameters))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _run_many(self, operation: Any, seq_of_parameters: Any) -> Any:
        return self._sqlite_cursor.executemany(operation, seq_of_parameters)

    def close(self) -> None:
        self._rows.clear()
        self._sqlite_cursor.close()

    @property
    def _sqlite_cursor(self) -> sqlite3.Cursor:
        cursor: sqlite3.Cursor = self._cursor  # type: ignore[assignment]
        return cursor


class InlineConnection(AsyncAdapt_aiosqlite_connection):
    """A ``sqlite3`` connection behind SQLAlchemy's aiosqlite adapter interface.

    With a :class:`~webwork.kit.writequeue.WriteQueue`, a write transaction waits for
    its turn in :meth:`begin` and gives it back when it commits or rolls back."""

    __slots__ = ("_has_turn", "_queue")
    _connection: Any

    def __init__(self, dbapi: Any, connection: sqlite3.Connection, queue: WriteQueue | None) -> None:
        super().__init__(dbapi, connection)  # type: ignore[arg-type]
        self._queue = queue
        self._has_turn = False

    @property
    def isolation_level(self) -> str | None:
        level: str | None = self._connection.isolation_level
        return level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._connection.isolation_level = value

    def cursor(self, server_side: bool = False) -> InlineCursor:
        return InlineCursor(self)

    def create_function(self, *args: Any, **kw: Any) -> None:
        self._connection.create_function(*args, **kw)

    def begin(self, *, write: bool) -> None:
        """BEGIN IMMEDIATE for a writer (after its turn in the queue), BEGIN for a reader."""
        if write and self._queue is not None:
            await_(self._queue.acquire())
            self._has_turn = True
        try:
            self._connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except Exception as error:
            self._end_turn()
            self._handle_exception(error)

    def rollback(self) -> None:
        try:
            self._connection.rollback()
        except Exception as error:
            self._handle_exception(error)
        finally:
            self._end_turn()

    def commit(self) -> None:
        try:
            self._connection.commit()
        except Exception as error:
            self._handle_exception(error)
        finally:
            self._end_turn()

    def close(self) -> None:
        self._end_turn()
        self._connection.close()

    def terminate(self) -> None:
        self.close()

    def _end_turn(self) -> None:
        if self._has_turn:
            self._has_turn = False
            assert self._queue is not None
            self._queue.release()


class InlineDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> InlineConnection:
        queue = kw.pop("write_queue", None)
        # The pool hands a connection to one coroutine at a time, on the loop's thread.
        kw["check_same_thread"] = False
        return InlineConnection(self, sqlite3.connect(*arg, **kw), queue)


DBAPI = InlineDBAPI(aiosqlite, sqlite3)

"""SQLite for SQLAlchemy's asyncio engine, called inline on the event loop.

SQLite is a library, not a server: a statement on a local file is a C call of a few
microseconds (WAL readers never wait; writers wait for nobody either, because
:mod:`webwork.kit.writequeue` queues them before ``BEGIN IMMEDIATE``). aiosqlite sends
every call to a worker thread and back, and each hop (a queue put, a GIL handover, a
``call_soon_threadsafe`` wake-up of the loop) costs more than the statement itself; on a
small machine those hops were most of a request's database time, and every hop let the
loop run other requests while a writer held the write lock. Here the adapter calls the
``sqlite3`` connection directly, so a transaction runs without yielding.

A write transaction starts as a reader and becomes the writer only where its work
needs to be alone (see :meth:`InlineConnection.serialise`): a request's authentication
and lookups then run while another worker process writes, and the write turn covers
the checks and statements that must not interleave, not the whole request. Before that
point (the member's lock, the first write or a ``FOR UPDATE``) it reads one snapshot,
taken at its first read; from there on it reads the latest commits and nothing else
writes: what PostgreSQL's row locks give the same code under READ COMMITTED.

Used through ``create_async_engine(url, module=DBAPI)``: the dialect, pooling,
transactions and errors are SQLAlchemy's aiosqlite dialect's own; only the connection
and cursor underneath are synchronous."""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Connection
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

from webwork.kit.writequeue import WriteQueue

# SQLite has no FOR UPDATE; the compiler leaves this comment in its place, and the
# statement makes its transaction the writer before it runs (as the row lock would).
FOR_UPDATE = " /* FOR UPDATE */"


class InlineCompiler(SQLiteCompiler):
    def for_update_clause(self, select: Any, **kw: Any) -> str:
        return FOR_UPDATE


def inline_connection(connection: Connection) -> InlineConnection | None:
    """The inline adapter under a SQLAlchemy connection, if that is what it runs on."""
    dbapi_connection = connection.connection.dbapi_connection
    return dbapi_connection if isinstance(dbapi_connection, InlineConnection) else None


def needs_writer(operation: str) -> bool:
    """Anything but a plain SELECT: a write, a SAVEPOINT, a PRAGMA, a FOR UPDATE."""
    return not operation.startswith("SELECT") or FOR_UPDATE in operation


class InlineCursor(AsyncAdapt_aiosqlite_cursor):
    """Executes and fetches in one call; rows are buffered as SQLAlchemy expects."""

    __slots__ = ()
    _awaitable_cursor_close = False
    _adapt_connection: InlineConnection

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
        await self._adapt_connection.writer_for(operation)
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
        await self._adapt_connection.writer_for(operation)
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

    With a :class:`~webwork.kit.writequeue.WriteQueue`, a write transaction begins as
    a reader and waits for its turn in :meth:`serialise`; it gives the turn back when
    it commits or rolls back."""

    __slots__ = ("_has_turn", "_queue", "_reading")
    _connection: Any

    def __init__(self, dbapi: Any, connection: sqlite3.Connection, queue: WriteQueue | None) -> None:
        super().__init__(dbapi, connection)  # type: ignore[arg-type]
        self._queue = queue
        self._has_turn = False
        self._reading = False  # a write transaction that has not become the writer yet

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
        """BEGIN for a reader and for a queued writer (which becomes the writer later,
        in :meth:`serialise`); BEGIN IMMEDIATE for a writer without a queue."""
        try:
            self._connection.execute("BEGIN IMMEDIATE" if write and self._queue is None else "BEGIN")
        except Exception as error:
            self._handle_exception(error)
        self._reading = write and self._queue is not None

    async def writer_for(self, operation: str) -> None:
        """Become the writer first if ``operation`` needs one (:func:`needs_writer`)."""
        if self._reading and needs_writer(operation):
            await self.serialise()

    async def serialise(self) -> None:
        """Make this write transaction the only writer until it ends: end its read
        snapshot (it has written nothing yet), wait for the write turn, BEGIN
        IMMEDIATE. Reads from here on see every commit before the turn and none
        after. Called before the first statement that needs the writer, and by
        :func:`webwork.kit.db.serialise_writes` where a rule's reads must hold until
        the commit; a no-op when the transaction is the writer already."""
        if not self._reading:
            return
        self._reading = False
        assert self._queue is not None
        try:
            self._connection.execute("COMMIT")
            await self._queue.acquire()
            self._has_turn = True
            self._connection.execute("BEGIN IMMEDIATE")
        except Exception as error:
            self._end_turn()
            self._handle_exception(error)

    def rollback(self) -> None:
        self._end(self._connection.rollback)

    def commit(self) -> None:
        self._end(self._connection.commit)

    def _end(self, finish: Callable[[], None]) -> None:
        """End the transaction by ``finish``, and with it the turn, whatever happens."""
        self._reading = False
        try:
            finish()
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

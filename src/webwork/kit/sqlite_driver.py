"""SQLite for SQLAlchemy's asyncio engine, called inline on the event loop.

Why: SQLite is a library, not a server. A statement on a local file is a C call of a
few microseconds; aiosqlite sends every call to a worker thread and back, and each hop
(a queue put, a GIL handover, a ``call_soon_threadsafe`` wake-up of the loop) costs more
than the statement. Measured on the same code (one process, ``../shared/perf/run``):
236 writes/s and 400 reads/s with aiosqlite's thread, 830 and 894 inline.

What it relies on, all of it documented:

- ``create_async_engine(url, async_creator=...)``: the stock aiosqlite dialect wraps
  the connection that :func:`connect` returns exactly as it wraps aiosqlite's, so the
  dialect, pool, transactions, events (``echo``, ``before/after_cursor_execute``,
  ``handle_error``: Sentry and OpenTelemetry hear every statement) and the mapping of
  errors to SQLAlchemy's exceptions are the stock ones.
- :class:`InlineConnection` and :class:`InlineCursor` offer aiosqlite's public
  interface (``async`` methods) over a plain ``sqlite3`` connection: the coroutines
  run the call and return without suspending, except where a writer waits for its
  turn. sqlite3's exceptions are aiosqlite's (aiosqlite re-exports them).
- ``ConnectionPoolEntry.driver_connection`` reaches the inline connection from
  SQLAlchemy's events (:func:`inline_connection`).
- :class:`InlineCompiler` (the one subclass of a SQLAlchemy class here) renders
  ``FOR UPDATE``, which SQLite lacks, as a comment, so that the statement makes its
  transaction the writer first, as a row lock would.

Statements that can run long (reports, exports, scans beyond one member's month) must
not run inline: they would stall every request of the process. They belong on the
stock aiosqlite engine: routes marked ``dependencies=[LONG_READS]``
(:mod:`webwork.kit.db`) read there.

A write transaction starts as a reader and becomes the writer only where its work
needs to be alone (:meth:`InlineConnection.serialise`: the member's lock, its first
write or a ``FOR UPDATE``): writers of this process queue on an ``asyncio.Lock``
before ``BEGIN IMMEDIATE``, in arrival order, instead of polling in SQLite's busy
handler. SQLite is served by one process (``webwork serve`` refuses more), so nothing
else queues; the CLI beside a running server waits in ``busy_timeout``."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Connection

# SQLite has no FOR UPDATE; the compiler leaves this comment in its place, and the
# statement makes its transaction the writer before it runs (as the row lock would).
FOR_UPDATE = " /* FOR UPDATE */"
BUSY_TIMEOUT_MS = 30_000


class InlineCompiler(SQLiteCompiler):
    def for_update_clause(self, select: Any, **kw: Any) -> str:
        return FOR_UPDATE


def inline_connection(connection: Connection) -> InlineConnection | None:
    """The inline connection under a SQLAlchemy connection, if that is what it runs on."""
    driver = connection.connection.driver_connection
    return driver if isinstance(driver, InlineConnection) else None


def needs_writer(operation: str) -> bool:
    """Anything but a plain SELECT: a write, a SAVEPOINT, a PRAGMA, a FOR UPDATE."""
    return not operation.startswith("SELECT") or FOR_UPDATE in operation


class InlineCursor:
    """aiosqlite's cursor interface over a ``sqlite3`` cursor."""

    __slots__ = ("connection", "cursor")

    def __init__(self, connection: InlineConnection) -> None:
        self.connection = connection
        self.cursor = connection.sqlite.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.cursor.close()

    @property
    def description(self) -> Any:
        return self.cursor.description

    @property
    def rowcount(self) -> int:
        return self.cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self.cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self.cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self.cursor.arraysize = value

    async def execute(self, operation: str, parameters: Any = ()) -> InlineCursor:
        await self.connection.writer_for(operation)
        self.cursor.execute(operation, parameters)
        return self

    async def executemany(self, operation: str, seq_of_parameters: Sequence[Any]) -> InlineCursor:
        await self.connection.writer_for(operation)
        self.cursor.executemany(operation, seq_of_parameters)
        return self

    async def fetchone(self) -> Any:
        return self.cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self.cursor.fetchmany(self.cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self.cursor.fetchall()

    async def setinputsizes(self, *sizes: Any) -> None:
        """DB-API: a no-op for SQLite."""

    async def nextset(self) -> None:
        """DB-API: SQLite has one result set per statement."""

    async def close(self) -> None:
        self.cursor.close()


class InlineConnection:
    """aiosqlite's connection interface over a ``sqlite3`` connection.

    With a write lock (SQLite files), a write transaction begins as a reader and takes
    the lock in :meth:`serialise`; it gives it back when it commits or rolls back."""

    __slots__ = ("has_turn", "reading", "sqlite", "write_lock")

    def __init__(self, connection: sqlite3.Connection, write_lock: asyncio.Lock | None) -> None:
        self.sqlite = connection
        self.write_lock = write_lock
        self.has_turn = False
        self.reading = False  # a write transaction that has not become the writer yet

    @property
    def _connection(self) -> sqlite3.Connection | None:
        """aiosqlite's name for its open ``sqlite3`` connection, which SQLAlchemy's
        aiosqlite adapter checks before it commits or rolls back."""
        return self.sqlite

    @property
    def isolation_level(self) -> str | None:
        return self.sqlite.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self)

    async def create_function(self, *args: Any, **kw: Any) -> None:
        self.sqlite.create_function(*args, **kw)

    def begin(self, *, write: bool) -> None:
        """BEGIN for a reader and for a queued writer (which becomes the writer later,
        in :meth:`serialise`); BEGIN IMMEDIATE for a writer without a write lock."""
        self.sqlite.execute("BEGIN IMMEDIATE" if write and self.write_lock is None else "BEGIN")
        self.reading = write and self.write_lock is not None

    async def writer_for(self, operation: str) -> None:
        """Become the writer first if ``operation`` needs one (:func:`needs_writer`)."""
        if self.reading and needs_writer(operation):
            await self.serialise()

    async def serialise(self) -> None:
        """Make this write transaction the only writer until it ends: end its read
        snapshot (it has written nothing yet), wait for the write lock, BEGIN
        IMMEDIATE. Reads from here on see every commit before the turn and none
        after. Called before the first statement that needs the writer, and by
        :func:`webwork.kit.db.serialise_writes` where a rule's reads must hold until
        the commit; a no-op when the transaction is the writer already."""
        if not self.reading:
            return
        self.reading = False
        assert self.write_lock is not None
        self.sqlite.execute("COMMIT")
        await self.write_lock.acquire()
        self.has_turn = True
        try:
            self.sqlite.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.end_turn()
            raise

    async def rollback(self) -> None:
        self.end(self.sqlite.rollback)

    async def commit(self) -> None:
        self.end(self.sqlite.commit)

    def end(self, finish: Callable[[], None]) -> None:
        """End the transaction by ``finish``, and with it the turn, whatever happens."""
        self.reading = False
        try:
            finish()
        finally:
            self.end_turn()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """aiosqlite's immediate close (the pool's terminate)."""
        self.end_turn()
        self.sqlite.close()

    def end_turn(self) -> None:
        if self.has_turn:
            self.has_turn = False
            assert self.write_lock is not None
            self.write_lock.release()


def connector(
    path: str, *, write_lock: asyncio.Lock | None, readonly: bool
) -> Callable[[], Awaitable[InlineConnection]]:
    """The ``async_creator`` of an engine on the SQLite file (or ``:memory:``) ``path``.

    Transactions are ours (isolation_level None: pysqlite's implicit ones break
    SAVEPOINT); WAL lets readers never wait for the writer; reader connections are
    ``query_only``, so a read that writes fails loudly."""

    async def connect() -> InlineConnection:
        # The pool hands a connection to one coroutine at a time, on the loop's thread.
        connection = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        if readonly:
            connection.execute("PRAGMA query_only=ON")
        return InlineConnection(connection, write_lock)

    return connect

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
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

from webwork.kit.writequeue import WriteQueue

# SQLite has no FOR UPDATE; the compiler leaves this comment in its place, and the
# statement makes its transaction the writer before it runs (as the row lock would).
FOR_UPDATE = " /* FOR UPDATE */"


class InlineCompiler(SQLiteCompiler):
    def for_update_clause(self, select: Any, **kw: Any) -> str:
        return FOR_UPDATE


def _needs_writer(operation: str) -> bool:
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
        if self._adapt_connection._reading and _needs_writer(operation):
            await self._adapt_connection.serialise()
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
        if self._adapt_connection._reading:
            await self._adapt_connection.serialise()
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
        self._reading = False
        try:
            self._connection.rollback()
        except Exception as error:
            self._handle_exception(error)
        finally:
            self._end_turn()

    def commit(self) -> None:
        self._reading = False
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


_REQUIRED = object()


@dataclass(frozen=True, slots=True)
class Plan:
    """A SELECT compiled once for this dialect, with what turns call parameters into
    the statement's positional ones and its raw values into Python ones: everything
    SQLAlchemy's execution would do for it, without the steps it takes each time."""

    sql: str
    compiled: Any
    names: tuple[str, ...]
    # A parameter's value when the call gives none (the statement's own literal), or
    # _REQUIRED; None when a value is computed per call (SQLAlchemy's construct_params).
    given: tuple[Any, ...] | None
    bind: tuple[Callable[[Any], Any] | None, ...]
    result: tuple[Callable[[Any], Any] | None, ...]
    needs_writer: bool

    @classmethod
    def of(cls, statement: Executable, dialect: Dialect) -> Plan | None:
        compiled: Any = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        if compiled.post_compile_params or compiled.literal_execute_params:
            return None  # expanding IN lists and the like are rendered per call
        if getattr(statement, "is_dml", False):
            if compiled.insert_prefetch or compiled.update_prefetch or compiled.postfetch:
                return None  # defaults to compute at execution: SQLAlchemy's to do
            if compiled.effective_returning:
                return None
        elif not getattr(statement, "is_select", False):
            return None
        processors = compiled._bind_processors
        names = tuple(compiled.positiontup or ())
        result = tuple(
            column[3]._cached_result_processor(dialect, None) for column in compiled._result_columns
        )
        binds = [compiled.binds.get(name) for name in names]
        plain = not compiled.escaped_bind_names and all(b is not None and b.callable is None for b in binds)
        given = tuple(_REQUIRED if b.required else b.value for b in binds) if plain else None
        return cls(
            compiled.string,
            compiled,
            names,
            given,
            tuple(processors.get(name) for name in names),
            result,
            _needs_writer(compiled.string),
        )

    def parameters(self, params: dict[str, Any]) -> tuple[Any, ...]:
        if self.given is None:
            constructed = self.compiled.construct_params(params)
            values = [constructed[name] for name in self.names]
        else:
            values = [
                params[name] if own is _REQUIRED else params.get(name, own)
                for name, own in zip(self.names, self.given, strict=True)
            ]
        return tuple(
            value if process is None else process(value)
            for value, process in zip(values, self.bind, strict=True)
        )

    def rows(self, raw: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        if not any(self.result):
            return raw
        process = self.result
        return [tuple(v if p is None else p(v) for p, v in zip(process, row, strict=True)) for row in raw]


# Statements seen once (built for one call) run through SQLAlchemy, which caches their
# compiled form by shape; statements seen again (built once, run on every request) get
# a plan of their own, kept as long as the statement lives.
_SEEN_ONCE: weakref.WeakKeyDictionary[Executable, None] = weakref.WeakKeyDictionary()
_PLANS: weakref.WeakKeyDictionary[Executable, Plan | None] = weakref.WeakKeyDictionary()


def plan(statement: Executable, dialect: Dialect) -> Plan | None:
    """The plan of a statement run before, or None: run it the usual way."""
    try:
        return _PLANS[statement]
    except KeyError:
        pass
    if statement not in _SEEN_ONCE:
        _SEEN_ONCE[statement] = None
        return None
    found = _PLANS[statement] = Plan.of(statement, dialect)
    return found


def inline_connection(connection: Connection) -> InlineConnection | None:
    dbapi_connection = connection.connection.dbapi_connection
    return dbapi_connection if isinstance(dbapi_connection, InlineConnection) else None


async def planned_writes(
    connection: Connection, inline: InlineConnection, plan: Plan, rows: Sequence[dict[str, Any]]
) -> None:
    """``plan`` (an INSERT, UPDATE or DELETE) once per parameter set of ``rows``, in one
    ``executemany``, on ``connection``'s transaction, as :func:`planned_rows` runs a
    SELECT."""
    parameters = [plan.parameters(row) for row in rows]
    if inline._reading:
        await inline.serialise()
    if connection._has_events or connection.engine._has_events:
        connection.dispatch.before_cursor_execute(connection, None, plan.sql, parameters, None, True)
    try:
        inline._connection.executemany(plan.sql, parameters)
    except sqlite3.Error as error:
        raise DBAPIError.instance(plan.sql, parameters, error, sqlite3.Error) from error


async def planned_rows(
    connection: Connection, inline: InlineConnection, plan: Plan, params: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """The rows of ``plan`` on ``connection``'s transaction, straight from ``sqlite3``;
    ``before_cursor_execute`` listeners (the tests' statement counters) still hear of
    it, the echo log does not."""
    parameters = plan.parameters(params)
    if inline._reading and plan.needs_writer:
        await inline.serialise()
    if connection._has_events or connection.engine._has_events:
        connection.dispatch.before_cursor_execute(connection, None, plan.sql, parameters, None, False)
    try:
        raw = inline._connection.execute(plan.sql, parameters).fetchall()
    except sqlite3.Error as error:
        raise DBAPIError.instance(plan.sql, parameters, error, sqlite3.Error) from error
    return plan.rows(raw)


class InlineDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> InlineConnection:
        queue = kw.pop("write_queue", None)
        # The pool hands a connection to one coroutine at a time, on the loop's thread.
        kw["check_same_thread"] = False
        return InlineConnection(self, sqlite3.connect(*arg, **kw), queue)


DBAPI = InlineDBAPI(aiosqlite, sqlite3)

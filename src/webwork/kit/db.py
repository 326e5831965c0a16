"""Engine, declarative base and the per-request unit of work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy import DateTime, MetaData, event, make_url, text
from sqlalchemy.engine import Connection, Dialect, ExceptionContext
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.pool import Pool, StaticPool
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator

from webwork.kit import sqlite_driver
from webwork.kit.bodies import StrictJsonRequest
from webwork.kit.clock import as_utc
from webwork.kit.errors import ApiError

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamptz that always comes back aware and in UTC, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        # SQLite compares timestamps as text: store one canonical, offset-free form.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite straight to the stored text (SQLAlchemy's own format for SQLite
        timestamps, microseconds always written), in one C call: every save binds
        several timestamps."""
        if dialect.name == "sqlite":
            return _utc_to_sqlite_text
        return super().bind_processor(dialect)

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None] | None:
        """On SQLite the stored text is parsed by ``fromisoformat`` (C) rather than by
        SQLAlchemy's regular expression: list endpoints read hundreds of timestamps."""
        if dialect.name == "sqlite":
            return _utc_from_sqlite_text
        return super().result_processor(dialect, coltype)


# The stored text is "YYYY-MM-DD HH:MM:SS.ffffff", UTC without an offset. Both ways go
# through the text of the offset rather than ``replace(tzinfo=...)``, whose keyword
# parsing cost more than the conversion itself: lists convert two timestamps per row.
_STORED_LENGTH = len("2000-01-01 00:00:00.000000")
_UTC_OFFSET = "+00:00"


def _utc_to_sqlite_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    return as_utc(value).isoformat(" ", "microseconds")[:_STORED_LENGTH]


def _utc_from_sqlite_text(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value + _UTC_OFFSET)


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFERRED_WRITES = "deferred_writes"
AFTER_COMMIT = "after_commit"

AfterCommit = Callable[[], Awaitable[None]]


# What SQLite says when the file under an open connection can no longer be used (gone,
# replaced, its disk failing). SQLite reports these on the connection it has, which
# stays broken even once the file is back: such a connection is treated as
# disconnected, so that the pool drops it (and every other connection of that pool,
# opened on the same file) and opens new ones, as it does for a lost PostgreSQL server.
UNUSABLE_FILE = (
    "file is not a database",
    "disk i/o error",
    "unable to open database file",
    "database disk image is malformed",
)


def _drop_connections_on_unusable_file(engine: AsyncEngine) -> None:
    """SQLAlchemy's documented ``handle_error`` hook, setting ``is_disconnect``."""

    @event.listens_for(engine.sync_engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        if str(context.original_exception).lower().startswith(UNUSABLE_FILE):
            context.is_disconnect = True
            context.invalidate_pool_on_disconnect = True


def configure_sqlite(engine: AsyncEngine, *, readonly: bool = False) -> None:
    """Transactions begin where SQLAlchemy begins them, as this module says.

    Readers begin DEFERRED on a WAL snapshot and never block or wait for writers.
    Queued writers begin the same way and become the writer (their turn at the write
    lock, then BEGIN IMMEDIATE, never a lock upgrade that could fail) at their first
    write, ``FOR UPDATE`` or :func:`serialise_writes` (``kit/sqlite_driver.py``)."""
    engine.sync_engine.dialect.statement_compiler = sqlite_driver.InlineCompiler
    _drop_connections_on_unusable_file(engine)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        connection = sqlite_driver.inline_connection(conn)
        assert connection is not None, "SQLite engines run on the inline driver"
        connection.begin(write=not readonly)


# PostgreSQL: how long a request waits for a connection to be opened, for a statement's
# answer and for a free connection of the pool before it is answered 503 (seconds). A
# database that is down or unreachable then costs a client seconds, never a hung request.
CONNECT_TIMEOUT = 5.0
COMMAND_TIMEOUT = 60.0
POOL_TIMEOUT = 10.0


def _is_memory(url: str) -> bool:
    return ":memory:" in url or url.rstrip("/").endswith("sqlite+aiosqlite:")


def create_engine(
    url: str,
    *,
    echo: bool = False,
    readonly: bool = False,
    poolclass: type[Pool] | None = None,
    write_lock: asyncio.Lock | None = None,
) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = make_url(url).database or ":memory:"
        kwargs: dict[str, Any] = {
            "async_creator": sqlite_driver.connector(path, write_lock=write_lock, readonly=readonly)
        }
        if _is_memory(url):
            kwargs["poolclass"] = StaticPool
        elif poolclass is not None:
            kwargs["poolclass"] = poolclass
        else:
            # The connection used last has the freshest page cache.
            kwargs["pool_use_lifo"] = True
        # Logged and raised statements without their values (see below).
        engine = create_async_engine(url, echo=echo, hide_parameters=True, **kwargs)
        configure_sqlite(engine, readonly=readonly)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        # Statements are logged (echo) and put in errors without their values: those hold
        # webhook secrets, token digests and people's data.
        hide_parameters=True,
        pool_size=10,
        max_overflow=20,
        # A connection the server dropped (restarted, failed over) is noticed and replaced
        # before use; one lost mid-statement invalidates the pool (SQLAlchemy's default).
        pool_pre_ping=True,
        pool_timeout=POOL_TIMEOUT,
        # asyncpg.connect's own time limits: the connection attempt, and each statement.
        connect_args={"timeout": CONNECT_TIMEOUT, "command_timeout": COMMAND_TIMEOUT},
    )


def _threaded_reader(url: str, *, echo: bool, poolclass: type[Pool] | None) -> AsyncEngine:
    """Stock aiosqlite for reads that can run long: each statement runs in the
    connection's own thread while the event loop serves other requests. SQLAlchemy's
    documented recipe for SQLite transactions (the driver's implicit ones off, BEGIN
    where SQLAlchemy begins) gives each read one WAL snapshot; ``query_only`` makes a
    read that writes fail loudly."""
    kwargs: dict[str, Any] = {"poolclass": poolclass} if poolclass is not None else {}
    engine = create_async_engine(url, echo=echo, hide_parameters=True, **kwargs)
    _drop_connections_on_unusable_file(engine)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={sqlite_driver.BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@dataclass
class Database:
    """Where sessions come from.

    ``reader`` (SQLite files) serves reads from deferred transactions on their own
    connections; without it reads use ``sessionmaker`` too. ``write_lock`` (SQLite
    files) queues write transactions in arrival order before BEGIN IMMEDIATE, instead of
    letting them poll in SQLite's busy handler (see ``kit/sqlite_driver.py``)."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    reader: async_sessionmaker[AsyncSession] | None = None
    write_lock: asyncio.Lock | None = None
    # SQLite files: reads that can run long, on stock aiosqlite (its own thread per
    # connection) so that they never stall the event loop; see kit/sqlite_driver.py.
    long_reader: async_sessionmaker[AsyncSession] | None = None
    _background: set[asyncio.Task[None]] = field(default_factory=set)

    @classmethod
    def from_url(cls, url: str, *, echo: bool = False, poolclass: type[Pool] | None = None) -> Database:
        if not url.startswith("sqlite") or _is_memory(url):
            engine = create_engine(url, echo=echo, poolclass=poolclass)
            return cls(engine, _maker(engine))
        path = make_url(url).database
        assert path is not None
        write_lock = asyncio.Lock()
        engine = create_engine(url, echo=echo, poolclass=poolclass, write_lock=write_lock)
        reader = create_engine(url, echo=echo, readonly=True, poolclass=poolclass)
        long_reader = _threaded_reader(url, echo=echo, poolclass=poolclass)
        return cls(engine, _maker(engine), _maker(reader), write_lock, _maker(long_reader))

    def engines(self) -> dict[str, AsyncEngine]:
        """Each engine by its role (``write``; on SQLite files ``read`` and ``long_read``
        too): what the metrics read the pools of."""
        engines = {"write": self.engine}
        for name, maker in (("read", self.reader), ("long_read", self.long_reader)):
            bind = maker.kw.get("bind") if maker is not None else None
            if isinstance(bind, AsyncEngine):
                engines[name] = bind
        return engines

    async def dispose(self) -> None:
        await self.settle()
        for engine in self.engines().values():
            await engine.dispose()

    @asynccontextmanager
    async def unit_of_work(self, *, write: bool, long: bool = False) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed when the block ends without error and
        rolled back otherwise. ``long``: a read that can run long (see
        :data:`LONG_READS`). What was queued with :func:`after_commit` starts once the
        transaction has committed (in the background: no caller waits for it) and is
        dropped if it rolls back."""
        reader = self.long_reader if long and self.long_reader is not None else self.reader
        if not write and reader is not None:
            async with _committed(reader, self._start) as session:
                yield session
            writes = session.info.get(DEFERRED_WRITES)
            if writes:
                # Not awaited: the read has its answer and must not queue behind writers.
                self._in_background(self._run_deferred(writes))
            return
        async with _committed(self.sessionmaker, self._start, run_deferred=True) as session:
            yield session

    async def answers(self) -> None:
        """Raises unless the database reads the migrations' version (a statement that
        reads the file on SQLite, where ``SELECT 1`` would not): what ``GET /ready`` asks (within
        its own time limit) before a proxy or an orchestrator sends this node traffic. A
        read, so that on SQLite it never queues behind the writers."""
        async with self.unit_of_work(write=False) as session:
            await session.execute(text("SELECT version_num FROM alembic_version"))

    async def settle(self) -> None:
        """Wait for the work started after commits (mail, a read's bookkeeping) to end."""
        while self._background:
            await asyncio.gather(*self._background)

    def _start(self, actions: Sequence[AfterCommit]) -> None:
        for action in actions:
            self._in_background(_run_after_commit(action))

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Kept until done, so that :meth:`dispose` and :meth:`settle` can wait for it."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _run_deferred(self, writes: list[Executable]) -> None:
        """A read's bookkeeping writes, in a short write transaction of their own; losing
        one (the database is busy) must not fail the read that already succeeded."""
        try:
            async with self.unit_of_work(write=True) as session:
                for statement in writes:
                    await session.execute(statement)
        except DBAPIError:
            log.warning("deferred write skipped", exc_info=True)


async def _run_after_commit(action: AfterCommit) -> None:
    """The request that queued ``action`` has succeeded: a failure here is logged (the
    action logs what it knows first, e.g. a mail and for whom), never raised."""
    try:
        await action()
    except Exception:
        log.exception("after-commit work %r failed", action)


@asynccontextmanager
async def _committed(
    maker: async_sessionmaker[AsyncSession],
    start: Callable[[Sequence[AfterCommit]], None],
    *,
    run_deferred: bool = False,
) -> AsyncIterator[AsyncSession]:
    """The session's transaction, committed or rolled back; ``start`` is handed the
    :func:`after_commit` work once (and only if) it committed."""
    session = maker()
    committed = False
    try:
        try:
            yield session
        except ApiError as exc:
            if exc.keep_changes:
                await session.commit()
                committed = True
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        if run_deferred:
            for statement in session.info.pop(DEFERRED_WRITES, ()):
                await session.execute(statement)
        await session.commit()
        committed = True
    finally:
        actions = session.info.pop(AFTER_COMMIT, [])
        if committed:
            start(actions)
        await _close(session)


async def _close(session: AsyncSession) -> None:
    """Give the connection back to the pool. ``async with session`` closes in a task
    shielded from cancellation, two turns of the event loop; a SQLite session closes
    without ever suspending, so it cannot be interrupted and is closed in place."""
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        await session.close()
    else:
        await asyncio.shield(asyncio.create_task(session.close()))


async def end_reads(session: AsyncSession) -> None:
    """Close the transaction of what the request has read so far, before it waits on
    the network (a webhook URL's DNS lookup): no transaction stays open across network
    I/O. The next statement begins a new one in the same unit of work. Only reads may
    precede it: a write would be committed apart from the rest of the request."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("end_reads() after a write would commit it apart from the request")
    if session.in_transaction():
        await session.commit()


def defer_write(session: AsyncSession, statement: Executable) -> None:
    """Bookkeeping a read needs (an API key's last use): done in the request's own
    transaction when it writes anyway, otherwise right after the read, so that reads
    never take the write lock."""
    session.info.setdefault(DEFERRED_WRITES, []).append(statement)


def after_commit(session: AsyncSession, action: AfterCommit) -> None:
    """Run ``action`` once the unit of work that ``session`` belongs to has committed,
    and never if it rolls back: network I/O (mail) must not happen inside a transaction,
    which would hold its locks (SQLite's one write lock) while a remote server takes its
    time, and must not announce what a rollback then undoes. The action runs in the
    background (neither the answer nor the next request waits for it; shutting down
    does) and reads nothing from the session; if it fails, the request that queued it
    has still succeeded. It runs if the transaction commits, even when it was queued
    inside a SAVEPOINT that was rolled back. Outside a unit of work (a service called
    straight from a test or the CLI) nothing runs it."""
    session.info.setdefault(AFTER_COMMIT, []).append(action)


SESSION = "webwork.session"
# Where a request's idempotency claim waits for its unit of work (webwork/idempotency).
CLAIM = "idempotency_claim"


class Claim(Protocol):
    """An ``Idempotency-Key`` taken for this request: its answer is stored in the
    request's own transaction (``settle``), so that the writes and the answer to replay
    land together or not at all; if the request fails, ``abandon`` decides what is kept."""

    async def settle(self, session: AsyncSession, response: Response) -> None: ...

    async def abandon(self, error: BaseException) -> None: ...


async def long_reads() -> None:
    """Marks a route whose reads can run long (many members' months of time): its unit
    of work reads off the event loop on SQLite. Use as ``dependencies=[LONG_READS]``."""


LONG_READS = Depends(long_reads)


class UnitOfWorkRoute(APIRoute):
    """An API route whose whole handling (dependencies, endpoint, rendering the answer)
    runs in one unit of work: a read or a write by the HTTP method; an ``ApiError``
    marked ``keep_changes`` (a counted failed attempt) commits instead of rolling back.

    The commit happens before the response is sent, so a client never sees success for
    a write that did not land. A route class rather than a dependency with ``yield``:
    FastAPI runs such a dependency's exit through an exit stack in a shielded cancel
    scope, which cost more than the statements of a typical request."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        long = any(dependency.dependency is long_reads for dependency in self.dependencies)

        async def in_unit_of_work(request: Request) -> Response:
            database: Database = request.app.state.database
            write = request.method not in READ_METHODS
            if write:
                # Its JSON body is read by the strict reader (kit/bodies.py).
                request = StrictJsonRequest(request.scope, request.receive)
            try:
                async with database.unit_of_work(write=write, long=long) as session:
                    request.scope[SESSION] = session
                    response = await handler(request)
                    claim = request.scope["state"].get(CLAIM) if write else None
                    if claim is not None:
                        await claim.settle(session, response)
                    return response
            except BaseException as exc:
                claim = request.scope.get("state", {}).get(CLAIM)
                if claim is not None:
                    await claim.abandon(exc)
                raise

        return in_unit_of_work


def streamed_read(request: Request) -> AbstractAsyncContextManager[AsyncSession]:
    """A read unit of work of its own (a long read, see :data:`LONG_READS`) for an answer
    whose body is read from the database while it is sent (a year's export): the
    request's own unit of work has ended by then. It is never the write path, and a
    client that goes away closes it (the body's generator is closed)."""
    database: Database = request.app.state.database
    return database.unit_of_work(write=False, long=True)


async def get_session(request: Request) -> AsyncSession:
    """The request's session (see :class:`UnitOfWorkRoute`)."""
    session: AsyncSession | None = request.scope.get(SESSION)
    if session is None:
        raise RuntimeError(f"{request.url.path} needs a session: mount its router with kit.routes.mount")
    return session


async def serialise_writes(session: AsyncSession) -> None:
    """From here until the transaction ends no other transaction writes, so what the
    caller reads next still holds at its commit. On SQLite the transaction becomes the
    database's one writer now (before, it read like any reader, while others wrote);
    PostgreSQL needs nothing here: there the callers lock the rows they depend on."""
    sync = (await session.connection()).sync_connection
    assert sync is not None
    inline = sqlite_driver.inline_connection(sync)
    if inline is not None:
        await inline.serialise()


async def column_rows(
    session: AsyncSession, statement: Executable, params: dict[str, Any] | None = None
) -> Sequence[Any]:
    """The rows of a statement that selects columns only (no ORM entity), run on the
    session's connection: on a hot path, the session's ORM execution steps cost more
    than the statement. Run through ``AsyncSession.run_sync``: one trip into
    SQLAlchemy's greenlet instead of two (asking for the connection, then executing),
    about 15 µs of a statement's 70 on SQLite."""
    rows: Sequence[Any] = await session.run_sync(_column_rows, statement, params)
    return rows


def _column_rows(session: Session, statement: Executable, params: dict[str, Any] | None) -> Sequence[Any]:
    return session.connection().execute(statement, params).all()


async def driver_rows(session: AsyncSession, statement: Executable) -> list[Any]:
    """The rows of a statement that selects columns only, as the driver returns them
    (asyncpg's records, sqlite3's tuples: both index, slice and unpack as tuples), no
    SQLAlchemy row made and no result type processed: for columns the driver already
    returns as wanted (integers, texts), on a statement of tens of thousands of rows. A
    month of a report's sums (43,000 rows of 9 columns, as that statement then read
    them) cost 45 ms of CPU as rows, 1 ms as records."""
    rows: list[Any] = await session.run_sync(_driver_rows, statement)
    return rows


def _driver_rows(session: Session, statement: Executable) -> list[Any]:
    result = session.connection().execute(statement)
    try:
        fetched = result.cursor.fetchall()
        # Both drivers hand a list already: copied only where one would not.
        rows = fetched if isinstance(fetched, list) else list(fetched)
    finally:
        result.close()
    return rows


async def write_rows(session: AsyncSession, statement: Executable, rows: Sequence[dict[str, Any]]) -> None:
    """Run an INSERT, UPDATE or DELETE for each of ``rows`` in one ``executemany``, on
    the session's connection (no ORM unit of work to flush), in one trip as
    :func:`column_rows` runs."""
    await session.run_sync(_write_rows, statement, list(rows))


def _write_rows(session: Session, statement: Executable, rows: list[dict[str, Any]]) -> None:
    session.connection().execute(statement, rows)


async def save(session: AsyncSession, *rows: Any) -> None:
    """Store new ``rows`` now (their ids and defaults are known after): the one way a
    repository adds ORM rows."""
    session.add_all(rows)
    await session.flush()


async def add_unless_taken(session: AsyncSession, row: Any) -> bool:
    """Insert ``row`` in a SAVEPOINT; False, with the transaction intact, when a unique
    constraint refuses it (a concurrent transaction stored the same key first), so the
    database, not a check beforehand, decides a race."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True

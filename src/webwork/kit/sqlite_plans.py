"""Plans: SQLite statements run again, straight on ``sqlite3``.

SQLAlchemy's execution of a statement (the cache lookup, the execution context, the
parameter and result steps, a greenlet switch on the asyncio engine) costs five to ten
times what SQLite takes to run it. A statement built once and run on every request (as
the hot paths' statements are, see ``auth/prebuilt.py``) is compiled once into a
:class:`Plan` that keeps what those steps compute, and runs on the request's own
``sqlite3`` connection and transaction (:mod:`webwork.kit.sqlite_driver`). The values
are SQLAlchemy's: its compiled SQL, and the column types' own bind and result
processors. Used through :func:`webwork.kit.db.column_rows` and
:func:`webwork.kit.db.write_rows`; on PostgreSQL those run the usual way."""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

from webwork.kit.sqlite_driver import InlineConnection, inline_connection

_REQUIRED = object()


@dataclass(frozen=True, slots=True)
class Plan:
    """A statement (a SELECT, or an INSERT, UPDATE or DELETE with every column bound)
    compiled once for this dialect, with what turns call parameters into the statement's
    positional ones and its raw values into Python ones: everything SQLAlchemy's
    execution would do for it, without the steps it takes each time."""

    sql: str
    compiled: Any
    names: tuple[str, ...]
    # A parameter's value when the call gives none (the statement's own literal), or
    # _REQUIRED; None when a value is computed per call (SQLAlchemy's construct_params).
    given: tuple[Any, ...] | None
    bind: tuple[Callable[[Any], Any] | None, ...]
    result: tuple[Callable[[Any], Any] | None, ...]

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


@dataclass(frozen=True, slots=True)
class Planned:
    """A plan bound to a connection's transaction; ``before_cursor_execute`` listeners
    (the tests' statement counters) still hear of what it runs, the echo log does not."""

    connection: Connection
    inline: InlineConnection
    plan: Plan

    async def rows(self, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        raw = await self._run(self.plan.parameters(params), many=False)
        return self.plan.rows(raw)

    async def write(self, rows: Sequence[dict[str, Any]]) -> None:
        """The statement once per parameter set of ``rows``, in one ``executemany``."""
        await self._run([self.plan.parameters(row) for row in rows], many=True)

    async def _run(self, parameters: Any, *, many: bool) -> list[tuple[Any, ...]]:
        sql, connection = self.plan.sql, self.connection
        await self.inline.writer_for(sql)
        if connection._has_events or connection.engine._has_events:
            connection.dispatch.before_cursor_execute(connection, None, sql, parameters, None, many)
        raw = self.inline._connection
        try:
            if many:
                raw.executemany(sql, parameters)
                return []
            rows: list[tuple[Any, ...]] = raw.execute(sql, parameters).fetchall()
            return rows
        except sqlite3.Error as error:
            raise DBAPIError.instance(sql, parameters, error, sqlite3.Error) from error


def planned(connection: Connection, statement: Executable) -> Planned | None:
    """``statement`` planned on ``connection``, or None: run it the usual way (another
    database, or a statement not seen before or not plannable)."""
    inline = inline_connection(connection)
    if inline is None:
        return None
    found = plan(statement, connection.dialect)
    return None if found is None else Planned(connection, inline, found)
